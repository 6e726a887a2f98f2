import type { Rule } from "../../types.js";
import { serviceAt } from "../helpers.js";
import { appServices, effective } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2006",
    name: "writable-root-filesystem",
    title: "App container has a writable root file system",
    severity: "info",
    category: "hardening",
    rationale:
      "With a writable root file system a compromised process can modify the app and its dependencies in place, and drop tools where it likes; an app that needs no writes outside volumes and `/tmp` loses nothing with `read_only: true`.",
    fix: "Set `read_only: true` and mount what the app writes as `tmpfs` (`tmpfs: [/tmp]`) or volumes.",
    examples: {
      bad: { "compose.yaml": "services:\n  app:\n    build: .\n" },
      good: {
        "compose.yaml": "services:\n  app:\n    build: .\n    read_only: true\n    tmpfs:\n      - /tmp\n",
      },
    },
  },
  check(facts) {
    return appServices(facts)
      .filter((entry) => effective(facts, entry, "read_only", (service) => service.readOnly) !== true)
      .map((entry) => ({
        location: serviceAt(entry.service),
        message: entry.service.keys.has("read_only")
          ? `\`${entry.service.name}\` sets \`read_only: false\`: the app can rewrite its own files; set \`read_only: true\` with a \`tmpfs\` for \`/tmp\``
          : `\`${entry.service.name}\` runs with a writable root file system: set \`read_only: true\` with a \`tmpfs\` for \`/tmp\` (and volumes for what it writes)`,
      }));
  },
};

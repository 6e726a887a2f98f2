import type { Rule } from "../../types.js";
import { serviceAt } from "../helpers.js";
import { addToService } from "./edits.js";
import { appServices, hasKey, result } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2007",
    name: "capabilities-not-dropped",
    title: "App container keeps Docker's default capabilities",
    severity: "info",
    category: "hardening",
    rationale:
      "Containers start with a default set of Linux capabilities (`CHOWN`, `SETUID`, `NET_RAW`, `DAC_OVERRIDE`...) that a web app does not need and an attacker can use; dropping them all costs nothing for an app that runs as a non-root user.",
    fix: "Add `cap_drop: [ALL]` (and `cap_add` only what the app proves it needs).",
    examples: {
      bad: { "compose.yaml": "services:\n  app:\n    build: .\n" },
      good: { "compose.yaml": "services:\n  app:\n    build: .\n    cap_drop:\n      - ALL\n" },
    },
  },
  check(facts) {
    return appServices(facts)
      .filter((entry) => !hasKey(facts, entry, "cap_drop"))
      .map((entry) => {
        const edit = addToService(entry.compose, entry.service, (unit) => ["cap_drop:", `${unit}- ALL`]);
        return result(
          serviceAt(entry.service),
          `\`${entry.service.name}\` keeps Docker's default capabilities: add \`cap_drop: [ALL]\``,
          edit && { description: "Drop all capabilities (`cap_drop: [ALL]`)", edits: [edit] },
        );
      });
  },
};

import type { Rule } from "../../types.js";
import { nodeAt, serviceAt } from "../helpers.js";
import { addToService, appendToServiceList } from "./edits.js";
import { appServices, effective, result } from "./support.js";

const NO_NEW_PRIVILEGES = /^no-new-privileges(?:[:=]true)?$/i;

export const rule: Rule = {
  meta: {
    id: "SS2008",
    name: "no-new-privileges-missing",
    title: "App container can gain privileges through setuid binaries",
    severity: "info",
    category: "hardening",
    rationale:
      "Without `no-new-privileges`, a process in the container can gain privileges through setuid and setgid binaries (`su`, `passwd`, `mount`): a compromised non-root app can become root.",
    fix: "Add `security_opt: [no-new-privileges:true]`.",
    examples: {
      bad: { "compose.yaml": "services:\n  app:\n    build: .\n" },
      good: {
        "compose.yaml":
          "services:\n  app:\n    build: .\n    security_opt:\n      - no-new-privileges:true\n",
      },
    },
  },
  check(facts) {
    return appServices(facts).flatMap((entry) => {
      const options = effective(facts, entry, "security_opt", (service) => service.securityOpt);
      if (options.some((option) => NO_NEW_PRIVILEGES.test(option.trim()))) return [];
      const { compose, service } = entry;
      const key = service.keys.get("security_opt");
      const edit = key
        ? appendToServiceList(compose, service, "security_opt", "no-new-privileges:true")
        : addToService(compose, service, (unit) => ["security_opt:", `${unit}- no-new-privileges:true`]);
      return [
        result(
          key ? nodeAt(service.file, key) : serviceAt(service),
          `\`${service.name}\` can gain privileges through setuid binaries: add \`no-new-privileges:true\` to \`security_opt\``,
          edit && { description: "Add `no-new-privileges:true` to `security_opt`", edits: [edit] },
        ),
      ];
    });
  },
};

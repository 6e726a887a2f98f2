import type { Rule } from "../../types.js";
import { nodeAt } from "../helpers.js";
import { allServices } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2011",
    name: "privileged-container",
    title: "Privileged container",
    severity: "error",
    category: "hardening",
    rationale:
      "`privileged: true` gives the container every capability and every host device, and lifts seccomp and AppArmor: root in the container is root on the host.",
    fix: "Remove `privileged: true`; grant only the capability (`cap_add`) or device (`devices`) the service needs.",
    examples: {
      bad: { "compose.yaml": "services:\n  app:\n    build: .\n    privileged: true\n" },
      good: { "compose.yaml": "services:\n  app:\n    build: .\n" },
    },
  },
  check(facts) {
    return allServices(facts)
      .filter(({ service }) => service.privileged === true)
      .map(({ service }) => ({
        location: nodeAt(service.file, service.keys.get("privileged") ?? service.position),
        message: `\`${service.name}\` runs privileged: every capability and host device, no seccomp or AppArmor, so root in it is root on the host`,
      }));
  },
};

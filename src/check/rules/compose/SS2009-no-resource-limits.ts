import type { Rule } from "../../types.js";
import { serviceAt } from "../helpers.js";
import { appServices, overridesOf } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2009",
    name: "no-resource-limits",
    title: "App container without memory or process limits",
    severity: "info",
    category: "hardening",
    rationale:
      "Without a memory limit a leak grows until the host's OOM killer picks a victim, maybe the database; without a pids limit a fork bomb or runaway worker pool exhausts the host's process table.",
    fix: "Set `mem_limit` and `pids_limit` on the service (or `deploy.resources.limits.memory` / `pids`).",
    examples: {
      bad: { "compose.yaml": "services:\n  app:\n    build: .\n" },
      good: { "compose.yaml": "services:\n  app:\n    build: .\n    mem_limit: 256m\n    pids_limit: 100\n" },
    },
  },
  check(facts) {
    return appServices(facts).flatMap((entry) => {
      const limits = [entry.service, ...overridesOf(facts, entry)].map((service) => service.limits);
      const memory = limits.some((limit) => limit.memory !== undefined && limit.memory !== "");
      const hasPids = limits.some((limit) => limit.pids !== undefined && limit.pids !== "");
      if (memory && hasPids) return [];
      const missing = [memory ? undefined : "memory", hasPids ? undefined : "process (pids)"]
        .filter(Boolean)
        .join(" or ");
      const keys = [memory ? undefined : "`mem_limit`", hasPids ? undefined : "`pids_limit`"]
        .filter(Boolean)
        .join(" and ");
      return [
        {
          location: serviceAt(entry.service),
          message: `\`${entry.service.name}\` has no ${missing} limit: a leak or runaway process can take the host down; set ${keys}`,
        },
      ];
    });
  },
};

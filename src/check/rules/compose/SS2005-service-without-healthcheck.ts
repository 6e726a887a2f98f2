import type { Rule, RuleResult } from "../../types.js";
import { serviceAt } from "../helpers.js";
import {
  baseServices,
  dockerfileOf,
  effective,
  hasKey,
  imageHealthcheck,
  isDatabase,
  isOneOff,
} from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2005",
    name: "service-without-healthcheck",
    title: "Long-running service without a health check",
    severity: "warning",
    category: "runtime",
    rationale:
      "Without a health check Compose cannot tell a started container from a working one: nothing can wait for the service to be ready (`condition: service_healthy`), and a wedged process stays `Up`.",
    fix: "Add a `healthcheck` to the service (or a `HEALTHCHECK` to its Dockerfile) that probes what it serves: `pg_isready` for Postgres, an HTTP health route for the app.",
    examples: {
      bad: {
        "compose.yaml": "services:\n  db:\n    image: postgres:16.4-bookworm\n",
      },
      good: {
        "compose.yaml": [
          "services:",
          "  db:",
          "    image: postgres:16.4-bookworm",
          "    healthcheck:",
          '      test: ["CMD", "pg_isready", "-h", "127.0.0.1"]',
          "",
        ].join("\n"),
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const entry of baseServices(facts)) {
      if (isOneOff(facts, entry)) continue;
      const name = entry.service.name;
      const healthcheck = effective(facts, entry, "healthcheck", (service) => service.healthcheck);
      if (healthcheck && !healthcheck.disabled) continue;
      if (healthcheck?.disabled) {
        out.push({
          location: serviceAt(entry.service),
          message: `\`${name}\` disables its health check: nothing can wait for it to be ready, and a wedged process stays \`Up\``,
        });
        continue;
      }
      if (imageHealthcheck(facts, entry) !== false) continue;
      if (hasKey(facts, entry, "build")) {
        const dockerfile = dockerfileOf(facts, entry)?.dockerfile.file ?? "its Dockerfile";
        out.push({
          location: serviceAt(entry.service),
          message: `\`${name}\` has no \`healthcheck\` and \`${dockerfile}\` has no \`HEALTHCHECK\`: nothing can wait for it to be ready, and a wedged process stays \`Up\``,
        });
      } else if (isDatabase(facts, entry)) {
        const image = effective(facts, entry, "image", (service) => service.image?.ref.repository);
        out.push({
          location: serviceAt(entry.service),
          message: `\`${name}\`${image ? ` (${image})` : ""} has no \`healthcheck\`: nothing can wait for it to accept connections`,
        });
      }
    }
    return out;
  },
};

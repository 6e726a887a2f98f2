import type { ProjectFacts } from "../../facts/project.js";
import type { Rule, RuleResult } from "../../types.js";
import { nodeAt } from "../helpers.js";
import {
  allServices,
  type ComposeService,
  imageHealthcheck,
  isDatabase,
  isOneOff,
  siblingServices,
} from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2004",
    name: "depends-on-without-condition",
    title: "`depends_on` waits for a start, not for readiness",
    severity: "warning",
    category: "runtime",
    rationale:
      "Plain `depends_on` (or `condition: service_started`) only orders container creation: the app starts while its database is still initialising, fails its first connections, and often never recovers (a table never created, a pool in a bad state).",
    fix: "Use the long form with `condition: service_healthy`, and give the dependency a `healthcheck`.",
    examples: {
      bad: {
        "compose.yaml": [
          "services:",
          "  app:",
          "    build: .",
          "    depends_on:",
          "      - db",
          "  db:",
          "    image: postgres:16.4-bookworm",
          "",
        ].join("\n"),
      },
      good: {
        "compose.yaml": [
          "services:",
          "  app:",
          "    build: .",
          "    depends_on:",
          "      db:",
          "        condition: service_healthy",
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
    for (const entry of allServices(facts)) {
      const { compose, service } = entry;
      const listed: string[] = [];
      for (const dependency of service.dependsOn) {
        if (dependency.condition !== undefined && dependency.condition !== "service_started") continue;
        const siblings = siblingServices(facts, compose, dependency.service);
        if (siblings.length === 0 || !siblings.some((sibling) => waitsOnHealth(facts, sibling))) continue;
        if (siblings.some((sibling) => isOneOff(facts, sibling))) continue;
        const healthy = siblings.some((sibling) => hasHealthcheck(facts, sibling));
        const advice = healthy
          ? "use `condition: service_healthy`"
          : `use \`condition: service_healthy\` and give \`${dependency.service}\` a \`healthcheck\``;
        const mapForm = /^\s*:/.test(compose.source.text.slice(dependency.position.end));
        if (mapForm) {
          const how =
            dependency.condition === "service_started"
              ? "`condition: service_started`"
              : "without `condition`";
          out.push({
            location: nodeAt(service.file, dependency.position),
            message: `\`${service.name}\` depends on \`${dependency.service}\` ${how}, which only waits for it to start, not to be ready: ${advice}`,
          });
        } else listed.push(dependency.service);
      }
      if (listed.length > 0) {
        const key = service.keys.get("depends_on") ?? service.position;
        const names = listed.map((name) => `\`${name}\``).join(", ");
        const one = listed.length === 1;
        const advice = listed.every((name) =>
          siblingServices(facts, compose, name).some((sibling) => hasHealthcheck(facts, sibling)),
        )
          ? "use the long form with `condition: service_healthy`"
          : `use the long form with \`condition: service_healthy\` and give ${one ? "it" : "them"} a \`healthcheck\``;
        out.push({
          location: nodeAt(service.file, key),
          message: `\`depends_on: [${listed.join(", ")}]\` only waits for ${names} to start, not to be ready: ${advice}`,
        });
      }
    }
    return out;
  },
};

/** A dependency worth waiting on: it reports health, or it is a database that should. */
function waitsOnHealth(facts: ProjectFacts, entry: ComposeService): boolean {
  return hasHealthcheck(facts, entry) || isDatabase(facts, entry);
}

function hasHealthcheck(facts: ProjectFacts, entry: ComposeService): boolean {
  const check = entry.service.healthcheck;
  if (check) return !check.disabled;
  return imageHealthcheck(facts, entry) === true;
}

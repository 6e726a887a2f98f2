import type { ProjectFacts } from "../../facts/project.js";
import { dirName } from "../../facts/tree.js";
import type { Rule, RuleResult } from "../../types.js";
import { serviceAt } from "../helpers.js";
import { baseServices, type ComposeService, effective, isDatabase, overrideFiles } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2010",
    name: "database-on-shared-network",
    title: "Database shares a network with everything else",
    severity: "info",
    category: "hardening",
    rationale:
      "A database on the default network (or any network that is not `internal: true`) can be reached by every container on it and can reach the internet itself; on an internal backend network only the services that use it can connect, and nothing can leave.",
    fix: "Declare a network with `internal: true`, put the database only on it, and join the app to it as well as to its public network.",
    examples: {
      bad: {
        "compose.yaml": "services:\n  app:\n    build: .\n  db:\n    image: postgres:16.4-bookworm\n",
      },
      good: {
        "compose.yaml": [
          "services:",
          "  app:",
          "    build: .",
          "    networks: [frontend, backend]",
          "  db:",
          "    image: postgres:16.4-bookworm",
          "    networks: [backend]",
          "networks:",
          "  frontend: {}",
          "  backend:",
          "    internal: true",
          "",
        ].join("\n"),
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const entry of baseServices(facts)) {
      if (!isDatabase(facts, entry)) continue;
      if (effective(facts, entry, "network_mode", (service) => service.networkMode) !== undefined) continue;
      const networks = effective(facts, entry, "networks", (service) => service.networks);
      const name = entry.service.name;
      if (networks === undefined || networks.length === 0) {
        const others = servicesOnDefault(facts, entry);
        if (others.length === 0) continue;
        out.push({
          location: serviceAt(entry.service),
          message: `\`${name}\` is on the default network with ${list(others)}: put it on an \`internal: true\` network that only the services using it join`,
        });
        continue;
      }
      const internal = internalNetworks(facts, entry);
      const open = networks.filter((network) => !internal.has(network));
      if (open.length === 0) continue;
      out.push({
        location: serviceAt(entry.service),
        message: `\`${name}\` is on ${open.length === 1 ? "network" : "networks"} ${list(open)}, not \`internal: true\`: put it only on an internal network that the services using it join`,
      });
    }
    return out;
  },
};

function list(names: string[]): string {
  const shown = names.slice(0, 3).map((name) => `\`${name}\``);
  if (names.length > 3) shown.push(`${names.length - 3} more`);
  return shown.length <= 1 ? (shown[0] ?? "") : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}

/** Networks declared `internal: true` in the compose file or its overrides (the last file wins). */
function internalNetworks(facts: ProjectFacts, entry: ComposeService): Set<string> {
  const state = new Map<string, boolean>();
  for (const compose of [entry.compose, ...overrideFiles(facts, entry.compose)])
    for (const [network, declared] of compose.networks) state.set(network, declared.internal);
  return new Set([...state].filter(([, internal]) => internal).map(([network]) => network));
}

/** Other services of the same project on the default network. */
function servicesOnDefault(facts: ProjectFacts, entry: ComposeService): string[] {
  const dir = dirName(entry.compose.file);
  const names = new Set<string>();
  for (const other of baseServices(facts)) {
    if (other.service.name === entry.service.name || dirName(other.compose.file) !== dir) continue;
    if (effective(facts, other, "network_mode", (service) => service.networkMode) !== undefined) continue;
    const networks = effective(facts, other, "networks", (service) => service.networks);
    if (networks === undefined || networks.length === 0 || networks.includes("default"))
      names.add(other.service.name);
  }
  return [...names];
}

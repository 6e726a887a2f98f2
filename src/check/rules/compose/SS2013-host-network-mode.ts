import type { Rule } from "../../types.js";
import { nodeAt } from "../helpers.js";
import { allServices } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2013",
    name: "host-network-mode",
    title: "Container uses the host's network stack",
    severity: "warning",
    category: "hardening",
    rationale:
      "`network_mode: host` removes network isolation: every port the service listens on is open on every interface of the host (`ports:` is ignored), and it can reach services bound to the host's loopback.",
    fix: "Remove `network_mode: host` and publish the ports the service serves (`127.0.0.1:PORT:PORT`).",
    examples: {
      bad: { "compose.yaml": "services:\n  app:\n    build: .\n    network_mode: host\n" },
      good: {
        "compose.yaml": 'services:\n  app:\n    build: .\n    ports:\n      - "127.0.0.1:3000:3000"\n',
      },
    },
  },
  check(facts) {
    return allServices(facts)
      .filter(({ service }) => service.networkMode === "host")
      .map(({ service }) => ({
        location: nodeAt(service.file, service.keys.get("network_mode") ?? service.position),
        message: `\`${service.name}\` shares the host's network stack: every port it listens on is open on the host's interfaces, and \`ports:\` is ignored`,
      }));
  },
};

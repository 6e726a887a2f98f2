import type { Rule } from "../../types.js";
import { loopbackFix, portLabel, portLocation, publishedEverywhere } from "./ports.js";
import { result } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2002",
    name: "port-on-all-interfaces",
    title: "Port published on every interface of the host",
    severity: "warning",
    category: "hardening",
    rationale:
      "A port without a host address is published on 0.0.0.0: every network the host is on can reach it, and Docker's own iptables rules bypass host firewalls such as ufw.",
    fix: "Publish on loopback (`127.0.0.1:3000:3000`) and put a reverse proxy in front, or bind to the one interface that should serve it.",
    equivalents: { dclint: ["no-unbound-port-interfaces"] },
    examples: {
      bad: { "compose.yaml": 'services:\n  web:\n    build: .\n    ports:\n      - "3000:3000"\n' },
      good: {
        "compose.yaml": 'services:\n  web:\n    build: .\n    ports:\n      - "127.0.0.1:3000:3000"\n',
      },
    },
  },
  check(facts) {
    return publishedEverywhere(facts, false).map(({ entry, port }) => {
      const label = portLabel(port);
      const random = port.hostPort === undefined || port.hostPort === "";
      const what = random
        ? `\`${label}\` publishes \`${entry.service.name}\` on a random host port on every interface (0.0.0.0)`
        : `\`${label}\` publishes \`${entry.service.name}\` on every interface of the host (0.0.0.0)`;
      return result(
        portLocation(entry, port),
        `${what}, past host firewalls: bind it to \`127.0.0.1\``,
        loopbackFix(entry, port),
      );
    });
  },
};

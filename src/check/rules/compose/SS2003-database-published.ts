import type { Rule } from "../../types.js";
import { loopbackFix, portLabel, portLocation, publishedEverywhere } from "./ports.js";
import { effective, result } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2003",
    name: "database-published",
    title: "Database port published on every interface of the host",
    severity: "error",
    category: "hardening",
    rationale:
      "A database published without a host address listens on 0.0.0.0 of the host, past host firewalls: anything that can reach the machine can try its password, while only the app needs it, over the compose network.",
    fix: "Remove `ports:` from the database (services reach it by name), or publish it on `127.0.0.1` for local debugging only.",
    equivalents: { dclint: ["no-unbound-port-interfaces"] },
    examples: {
      bad: {
        "compose.yaml":
          'services:\n  db:\n    image: postgres:16.4-bookworm\n    ports:\n      - "5432:5432"\n',
      },
      good: {
        "compose.yaml":
          'services:\n  db:\n    image: postgres:16.4-bookworm\n    ports:\n      - "127.0.0.1:5432:5432"\n',
      },
    },
  },
  check(facts) {
    return publishedEverywhere(facts, true).map(({ entry, port }) => {
      const image = effective(facts, entry, "image", (service) => service.image?.ref.repository);
      const what = image ? `\`${entry.service.name}\` (${image})` : `\`${entry.service.name}\``;
      return result(
        portLocation(entry, port),
        `\`${portLabel(port)}\` publishes database ${what} on every interface of the host (0.0.0.0): drop the port or bind it to \`127.0.0.1\``,
        loopbackFix(entry, port),
      );
    });
  },
};

import type { Rule, RuleResult } from "../../types.js";
import { at } from "../helpers.js";

/** The signal `docker stop` sends: STOPSIGNAL of a final stage when one sets it, else SIGTERM. */
function stopSignals(facts: Parameters<Rule["check"]>[0]): Set<string> {
  const signals = new Set<string>();
  for (const target of facts.dockerfiles) {
    const final = target.dockerfile.final;
    const stop = final?.instructions.filter((instruction) => instruction.keyword === "STOPSIGNAL").at(-1);
    const name = stop?.args.trim().toUpperCase();
    if (name) signals.add(name.startsWith("SIG") ? name : `SIG${name}`);
    else signals.add("SIGTERM");
  }
  if (signals.size === 0) signals.add("SIGTERM");
  return signals;
}

export const rule: Rule = {
  meta: {
    id: "SS3002",
    name: "no-sigterm-handler",
    title: "The Node server has no SIGTERM handler",
    severity: "warning",
    category: "runtime",
    rationale:
      "`docker stop` sends SIGTERM: without a handler in-flight requests are cut and connections dropped, and as PID 1 without an init node ignores SIGTERM altogether, so every stop waits 10 s and ends in SIGKILL (exit 137).",
    fix: 'Handle SIGTERM: `process.on("SIGTERM", () => server.close(() => process.exit(0)))`, closing database pools too.',
    examples: {
      bad: {
        "server.js":
          'const http = require("node:http");\nconst server = http.createServer(handler);\nserver.listen(3000);\n',
      },
      good: {
        "server.js":
          'const http = require("node:http");\nconst server = http.createServer(handler);\nserver.listen(3000);\nprocess.on("SIGTERM", () => server.close(() => process.exit(0)));\n',
      },
    },
  },
  check(facts) {
    const listens = facts.app.listens
      .filter((listen) => !listen.file.endsWith(".py"))
      .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    const first = listens[0];
    if (!first) return [];
    const handled = new Set(
      facts.app.signalHandlers
        .filter((handler) => !handler.file.endsWith(".py"))
        .map((handler) => handler.signal),
    );
    const stop = stopSignals(facts);
    const missing = [...stop].filter((signal) => !handled.has(signal));
    if (missing.length === 0) return [];
    const signal = missing[0] ?? "SIGTERM";
    const other =
      handled.size > 0 ? ` (only ${[...handled].map((name) => `\`${name}\``).join(", ")} is handled)` : "";
    const result: RuleResult = {
      location: at(first.file, first.line, first.column),
      message: `Nothing handles \`${signal}\`${other}: on \`docker stop\` in-flight requests are cut, and as PID 1 without an init node ignores it and is killed after 10 s; close the server on \`${signal}\``,
    };
    if (listens.length > 1)
      result.related = listens
        .slice(1)
        .map((listen) => ({ ...at(listen.file, listen.line, listen.column), message: "another server" }));
    return [result];
  },
};

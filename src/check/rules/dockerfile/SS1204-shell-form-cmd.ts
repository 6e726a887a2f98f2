import type { ExecFacts } from "../../facts/dockerfile.js";
import type { Rule, RuleResult } from "../../types.js";
import { jsonArray } from "../helpers.js";
import { keywordText } from "./query.js";

const SHELL_BUILTINS = new Set([
  "exec",
  "cd",
  "source",
  ".",
  "export",
  "set",
  "eval",
  "trap",
  "ulimit",
  "umask",
]);

/** The words of a shell-form command that needs no shell, or undefined. */
function withoutShell(script: string): string[] | undefined {
  const text = script.trim();
  if (text === "" || !/^[A-Za-z0-9_./:=@%+,-]+(?:[ \t]+[A-Za-z0-9_./:=@%+,-]+)*$/.test(text))
    return undefined;
  const words = text.split(/[ \t]+/);
  const first = words[0] ?? "";
  if (first.includes("=") || SHELL_BUILTINS.has(first)) return undefined;
  return words;
}

export const rule: Rule = {
  meta: {
    id: "SS1204",
    name: "shell-form-cmd",
    title: "`CMD`/`ENTRYPOINT` in shell form",
    severity: "warning",
    category: "hardening",
    rationale:
      "Shell form runs the command under `/bin/sh -c`: the shell is PID 1, so `docker stop`'s SIGTERM may never reach the app (it is killed after 10 seconds), and a shell-form `ENTRYPOINT` ignores `CMD` and `docker run` arguments.",
    fix: 'Write the command as a JSON array (`CMD ["node", "server.js"]`).',
    equivalents: { hadolint: ["DL3025"] },
    examples: {
      bad: { Dockerfile: "FROM node:20.20.2-bookworm-slim\nUSER node\nCMD node server.js\n" },
      good: { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n' },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      const final = dockerfile.final;
      if (!final) continue;
      const execs = [final.entrypoint, final.cmd].filter((exec): exec is ExecFacts => exec !== undefined);
      for (const exec of execs) {
        if (exec.form !== "shell" || (exec.script ?? "").trim() === "") continue;
        const instruction = exec.instruction;
        const keyword = instruction.keyword;
        const script = exec.script ?? "";
        const words = withoutShell(script);
        const result: RuleResult = {
          location: { file: dockerfile.file, line: instruction.line, column: instruction.column },
          message: words
            ? `\`${keyword} ${script}\` runs under \`/bin/sh -c\`, so the shell gets the stop signal instead of \`${words[0]}\`: write \`${keyword} ${jsonArray(words)}\``
            : `\`${keyword}\` in shell form runs under \`/bin/sh -c\`, so the shell gets the stop signal instead of the app: use the exec form (a JSON array), with \`exec\` in a script if you need the shell`,
        };
        if (words) {
          result.fix = {
            description: "Use the exec form",
            edits: [
              {
                file: dockerfile.file,
                start: instruction.start,
                end: instruction.end,
                text: `${keywordText(dockerfile, instruction)} ${jsonArray(words)}`,
              },
            ],
          };
        }
        out.push(result);
      }
    }
    return out;
  },
};

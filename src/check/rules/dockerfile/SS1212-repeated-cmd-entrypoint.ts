import type { Rule, RuleResult } from "../../types.js";

export const rule: Rule = {
  meta: {
    id: "SS1212",
    name: "repeated-cmd-entrypoint",
    title: "More than one `CMD` or `ENTRYPOINT` in a stage",
    severity: "warning",
    category: "hardening",
    rationale:
      "Only the last `CMD` and the last `ENTRYPOINT` of a stage take effect; an earlier one is silently ignored, so the image does not start what the earlier line says.",
    fix: "Keep one `CMD` (and at most one `ENTRYPOINT`) per stage; chain startup steps in a script.",
    equivalents: { hadolint: ["DL4003", "DL4004"] },
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "migrate.js"]\nCMD ["node", "server.js"]\n',
      },
      good: { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n' },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      for (const stage of dockerfile.stages) {
        for (const keyword of ["CMD", "ENTRYPOINT"]) {
          const all = stage.instructions.filter((instruction) => instruction.keyword === keyword);
          const last = all.at(-1);
          if (!last || all.length < 2) continue;
          for (const ignored of all.slice(0, -1)) {
            out.push({
              location: { file: dockerfile.file, line: ignored.line, column: ignored.column },
              message: `This \`${keyword}\` is ignored: the \`${keyword}\` at line ${last.line} replaces it, and only the last one in a stage takes effect`,
            });
          }
        }
      }
    }
    return out;
  },
};

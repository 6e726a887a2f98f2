import type { VariableFacts } from "../../facts/dockerfile.js";
import type { Rule, RuleResult } from "../../types.js";
import { describeSecret, lineWith, literalSecret } from "./shared.js";

const WHERE: Record<string, string> = {
  ENV: "it is stored in the image config and history",
  ARG: "the default is in the image history of every `RUN` that follows",
  LABEL: "it is stored in the image config (`docker inspect`)",
};

export const rule: Rule = {
  meta: {
    id: "SS1101",
    name: "secret-in-instruction",
    title: "Secret in `ENV`, `ARG` or `LABEL`",
    severity: "error",
    category: "secrets",
    rationale:
      "`ENV` and `LABEL` values are stored in the image config and `ARG` defaults in its history: anyone who can pull the image reads the secret with `docker inspect` or `docker history`, in every environment.",
    fix: "Remove the value: pass it at run time (`docker run -e`, compose `${VAR}`, a platform secret) or, for build steps, `RUN --mount=type=secret`.",
    equivalents: { dockle: ["CIS-DI-0010"] },
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nENV OPENAI_API_KEY=sk-proj-EXAMPLEEXAMPLEEXAMPLEEXAMPLE0000\nCMD ["node", "server.js"]\n',
      },
      good: {
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nENV NODE_ENV=production\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      const seen = new Set<VariableFacts>();
      const variables = [
        ...dockerfile.globalArgs,
        ...dockerfile.stages.flatMap((stage) => [...stage.env, ...stage.args, ...stage.labels]),
      ];
      for (const variable of variables) {
        // Judged before the duplicate check: nearly always no secret, and a repeated (inherited)
        // variable is judged the same.
        const match = literalSecret(variable.name, variable.value);
        if (!match || seen.has(variable)) continue;
        seen.add(variable);
        const keyword = variable.instruction.keyword;
        const line = lineWith(dockerfile, variable.instruction, variable.name);
        const text = dockerfile.source.line(line);
        const column = Math.max(text.indexOf(variable.name), 0) + 1;
        out.push({
          location: { file: dockerfile.file, line, column },
          message: `\`${keyword} ${variable.name}\` holds ${describeSecret(match)}: ${WHERE[keyword] ?? WHERE.ENV}`,
        });
      }
    }
    return out;
  },
};

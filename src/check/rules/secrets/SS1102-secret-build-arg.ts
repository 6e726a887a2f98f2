import { isSecretName } from "../../facts/secrets.js";
import type { Rule, RuleResult } from "../../types.js";
import { lineWith, literalSecret } from "./shared.js";

function mentions(text: string, name: string): boolean {
  return new RegExp(`\\$(?:\\{${name}(?:[:}?+-])|${name}(?![A-Za-z0-9_]))`).test(text);
}

export const rule: Rule = {
  meta: {
    id: "SS1102",
    name: "secret-build-arg",
    title: "Secret passed as a build argument",
    severity: "warning",
    category: "secrets",
    rationale:
      "A build argument is in the environment of every `RUN` after its `ARG`, and its value is recorded in the image history (`docker history --no-trunc`) and build metadata: a token passed with `--build-arg` ships with the image.",
    fix: "Mount the secret for the one step that needs it: `RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci` and `docker build --secret id=npm_token,env=NPM_TOKEN`.",
    examples: {
      bad: {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim\nARG NPM_TOKEN\nCOPY package.json package-lock.json .npmrc ./\nRUN npm ci\n",
      },
      good: {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim\nCOPY package.json package-lock.json .npmrc ./\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      const globalSecret = new Set(
        dockerfile.globalArgs
          .filter((arg) => literalSecret(arg.name, arg.value) !== undefined)
          .map((arg) => arg.name),
      );
      for (const stage of dockerfile.stages) {
        for (const arg of stage.args) {
          if (arg.instruction.stage !== stage.index || !isSecretName(arg.name)) continue;
          // A literal secret default is SS1101's; so is a global default the stage ARG inherits.
          if (literalSecret(arg.name, arg.value) || (arg.value === undefined && globalSecret.has(arg.name)))
            continue;
          const after = stage.runs.filter((run) => run.instruction.line > arg.instruction.line);
          const copiedToEnv = stage.env.find(
            (env) =>
              env.instruction.stage === stage.index &&
              env.instruction.line > arg.instruction.line &&
              env.value !== undefined &&
              mentions(env.value, arg.name),
          );
          if (after.length === 0 && !copiedToEnv) continue;
          const run = after.find((r) => mentions(r.instruction.args, arg.name)) ?? after[0];
          const id = arg.name.toLowerCase();
          const line = lineWith(dockerfile, arg.instruction, arg.name);
          const column = Math.max(dockerfile.source.line(line).indexOf(arg.name), 0) + 1;
          const reach = copiedToEnv
            ? `is copied into \`ENV ${copiedToEnv.name}\` (line ${copiedToEnv.instruction.line}), stored in the image config`
            : `reaches \`RUN\` at line ${run!.instruction.line}: build arguments are recorded in the image history`;
          out.push({
            location: { file: dockerfile.file, line, column },
            message: `\`ARG ${arg.name}\` ${reach}; use \`RUN --mount=type=secret,id=${id}\` instead`,
          });
        }
      }
    }
    return out;
  },
};

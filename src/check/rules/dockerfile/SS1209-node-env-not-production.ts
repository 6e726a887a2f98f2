import { programOf } from "../../facts/shell.js";
import type { Rule, RuleResult } from "../../types.js";
import { contextPackage, envAt, insertBeforeRuntime, mainCommand, rootOf } from "./query.js";

export const rule: Rule = {
  meta: {
    id: "SS1209",
    name: "node-env-not-production",
    title: "`NODE_ENV=production` not set in the image",
    severity: "info",
    category: "hardening",
    rationale:
      "Express, Next and many libraries switch to development behaviour (stack traces in responses, no view caching, verbose logs) unless `NODE_ENV=production`; set only in compose, the image behaves differently under a plain `docker run`.",
    fix: "Add `ENV NODE_ENV=production` to the final stage, just before `CMD` (after any install that needs devDependencies).",
    examples: {
      bad: { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n' },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nUSER node\nENV NODE_ENV=production\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const { dockerfile } = target;
      const final = dockerfile.final;
      if (!final) continue;
      const { base } = rootOf(dockerfile, final);
      const runsNode = programOf(mainCommand(final).argv) === "node";
      const nodeBase = base.repository === "node" || /(?:^|\/)node$|distroless\/nodejs/.test(base.repository);
      if (!nodeBase && !(runsNode && contextPackage(facts, target))) continue;
      const value = envAt(final, "NODE_ENV");
      if (value === "production" || (value !== undefined && /\$/.test(value))) continue;
      const entry = [...final.env].reverse().find((variable) => variable.name === "NODE_ENV");
      const anchor = entry?.instruction ?? final.from;
      const location = { file: dockerfile.file, line: anchor.line, column: anchor.column };
      const message =
        value === undefined
          ? "The image does not set `NODE_ENV=production`, so under a plain `docker run` Node libraries run in development mode: add `ENV NODE_ENV=production` before `CMD`"
          : `The image sets \`NODE_ENV=${value}\`, so Node libraries run in development mode: set \`ENV NODE_ENV=production\` before \`CMD\``;
      const result: RuleResult = { location, message };
      const edit = insertBeforeRuntime(dockerfile, ["ENV NODE_ENV=production"]);
      if (edit) result.fix = { description: "Add `ENV NODE_ENV=production` before `CMD`", edits: [edit] };
      out.push(result);
    }
    return out;
  },
};

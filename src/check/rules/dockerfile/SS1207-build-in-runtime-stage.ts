import { effectiveArgv, programOf } from "../../facts/shell.js";
import type { Rule, RuleResult } from "../../types.js";
import { shippedRuns } from "../helpers.js";
import { commandAt } from "./query.js";

const TOOLS = new Set(["tsc", "webpack"]);
const TOOLS_WITH_BUILD = new Set(["vite", "next", "nuxt", "astro"]);

/** The build words of a command (`npm run build`, `tsc`, `npx vite build`), or undefined. */
function buildStep(argv: string[]): string | undefined {
  let words = effectiveArgv(argv);
  const program = programOf(words);
  // Runners of a local tool: npx tsc, pnpm exec tsc, yarn tsc.
  if (
    program === "npx" ||
    ((program === "pnpm" || program === "yarn" || program === "bun") && words[1] === "exec")
  ) {
    words = words.slice(program === "npx" ? 1 : 2);
    while (words[0]?.startsWith("-")) words = words.slice(1);
  }
  const tool = programOf(words);
  if (TOOLS.has(tool)) return words.join(" ");
  if (TOOLS_WITH_BUILD.has(tool) && words[1] === "build") return words.slice(0, 2).join(" ");
  const sub = words[1] ?? "";
  const script = sub === "run" || sub === "run-script" ? (words[2] ?? "") : sub;
  if (!/^build(?::|$)/.test(script)) return undefined;
  if (tool === "npm" && (sub === "run" || sub === "run-script")) return words.slice(0, 3).join(" ");
  if (tool === "yarn" || tool === "pnpm" || (tool === "bun" && sub === "run"))
    return words.slice(0, sub === "run" ? 3 : 2).join(" ");
  return undefined;
}

export const rule: Rule = {
  meta: {
    id: "SS1207",
    name: "build-in-runtime-stage",
    title: "The app is built in the stage that ships",
    severity: "warning",
    category: "hardening",
    rationale:
      "Compiling in the shipped stage leaves the sources, the compiler and every dev dependency in the image: larger, slower to pull, more to patch, and more for an attacker to use.",
    fix: "Build in a separate stage (`FROM … AS build`) and `COPY --from=build` only the output and production dependencies.",
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nUSER node\nCMD ["node", "dist/index.js"]\n',
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nFROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY --from=build /app/dist ./dist\nUSER node\nCMD ["node", "dist/index.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile, run } of shippedRuns(facts)) {
      for (const command of run.commands) {
        const step = buildStep(command.argv);
        if (!step) continue;
        out.push({
          location: commandAt(dockerfile, { run, command }),
          message: `\`${step}\` runs in the stage that ships, so the sources, compiler and dev dependencies stay in the image: build in a separate stage and copy only the output`,
        });
      }
    }
    return out;
  },
};

import type { StageFacts } from "../../facts/dockerfile.js";
import { effectiveArgv } from "../../facts/shell.js";
import type { Rule, RuleResult } from "../../types.js";
import type { InstallCommand } from "../helpers.js";
import { commandAt, contextPackage, envAt, inlineAssignments, jsInstalls } from "./query.js";

/** Whether an install leaves devDependencies out by its flags or the environment it runs in. */
function productionOnly(install: InstallCommand, stage: StageFacts): boolean {
  const { manager, flags } = install;
  const words = [...flags, ...install.argv];
  if (manager === "npm") {
    if (words.some((word) => /^--omit=dev$|^--production(?:=true)?$|^--only=prod(?:uction)?$/.test(word)))
      return true;
  } else if (manager === "yarn") {
    if (words.some((word) => /^--prod(?:uction)?(?:=true)?$/.test(word))) return true;
  } else if (manager === "pnpm") {
    if (words.some((word) => word === "--prod" || word === "-P" || word === "--production")) return true;
  } else if (manager === "bun") {
    if (words.some((word) => word === "--production" || word === "-p")) return true;
  }
  const line = install.run.instruction.line;
  const inline = inlineAssignments(install.command);
  const nodeEnv = inline.get("NODE_ENV") ?? envAt(stage, "NODE_ENV", line);
  if (nodeEnv === "production") return true;
  for (const name of ["NPM_CONFIG_PRODUCTION", "npm_config_production"]) {
    const value = inline.get(name) ?? envAt(stage, name, line);
    if (value === "true") return true;
  }
  for (const name of ["NPM_CONFIG_OMIT", "npm_config_omit"]) {
    if ((inline.get(name) ?? envAt(stage, name, line)) === "dev") return true;
  }
  return false;
}

/** Whether a later shipped RUN removes dev dependencies again (`npm prune --omit=dev`). */
function prunedLater(stages: StageFacts[], install: InstallCommand): boolean {
  const line = install.run.instruction.line;
  const commands = stages.flatMap((stage) =>
    stage.runs.flatMap((run) => run.commands.map((command, index) => ({ run, command, index }))),
  );
  const own = install.run.commands.indexOf(install.command);
  return commands.some(({ run, command, index }) => {
    if (run.instruction.line < line || (run === install.run && index <= own)) return false;
    const words = effectiveArgv(command.argv);
    if (words[1] !== "prune" && !(words[0] === "yarn" && words[1] === "install")) return false;
    return words.some((word) =>
      /^--omit=dev$|^--production(?:=true)?$|^--prod$|^--only=prod(?:uction)?$/.test(word),
    );
  });
}

export const rule: Rule = {
  meta: {
    id: "SS1208",
    name: "dev-dependencies-shipped",
    title: "devDependencies installed in the shipped image",
    severity: "warning",
    category: "hardening",
    rationale:
      "An install without `--omit=dev` in the stage that ships puts compilers, test tools and type packages in production: a bigger image and vulnerability reports for code that never runs.",
    fix: "Install with `npm ci --omit=dev` in the runtime stage, or build in a separate stage, `npm prune --omit=dev` there, and copy `node_modules` over.",
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nUSER node\nCMD ["node", "server.js"]\n',
        "package.json": '{ "name": "app", "devDependencies": { "nodemon": "^3.1.9" } }\n',
        "package-lock.json": "{}\n",
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\nCOPY . .\nUSER node\nCMD ["node", "server.js"]\n',
        "package.json": '{ "name": "app", "devDependencies": { "nodemon": "^3.1.9" } }\n',
        "package-lock.json": "{}\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const { dockerfile } = target;
      const pkg = contextPackage(facts, target);
      if (!pkg || pkg.devDependencies.size === 0) continue;
      const shipped = dockerfile.stages.filter((stage) => stage.shipped);
      for (const stage of shipped) {
        for (const install of jsInstalls(stage)) {
          if (productionOnly(install, stage) || prunedLater(shipped, install)) continue;
          const dev = [...pkg.devDependencies].slice(0, 3).map((name) => `\`${name}\``);
          const more = pkg.devDependencies.size > 3 ? `, … (${pkg.devDependencies.size} in all)` : "";
          out.push({
            location: commandAt(dockerfile, install),
            message: `\`${install.argv.join(" ")}\` in the stage that ships also installs devDependencies (${dev.join(", ")}${more}): use \`--omit=dev\` here, or install them in a build stage and \`npm prune --omit=dev\` there`,
          });
        }
      }
    }
    return out;
  },
};

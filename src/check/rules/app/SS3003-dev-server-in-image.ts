import type { Rule, RuleResult } from "../../types.js";
import { instructionAt } from "../helpers.js";
import { isDevDockerfile, programName, scriptRelated, startCommands, withoutRunner } from "./support.js";

/** The dev server or watcher a command starts, as the user would name it, or undefined. */
export function devServerOf(raw: readonly string[]): string | undefined {
  const argv = withoutRunner(raw);
  const program = programName(argv[0]);
  const words = argv.slice(1);
  const sub = words.find((word) => !word.startsWith("-"));
  const has = (flag: string) => words.some((word) => word === flag || word.startsWith(`${flag}=`));
  switch (program) {
    case "nodemon":
    case "ts-node-dev":
    case "tsnd":
    case "webpack-dev-server":
      return program;
    case "ts-node":
    case "ts-node-esm":
      return "ts-node";
    case "tsx":
      return sub === "watch" || has("--watch") ? "tsx watch" : undefined;
    case "node":
      return has("--watch") || has("--watch-path") ? "node --watch" : undefined;
    case "vite":
      if (sub !== undefined && /^(?:build|preview|optimize)$/.test(sub)) return undefined;
      return sub === "dev" || sub === "serve" ? `vite ${sub}` : "vite";
    case "next":
      return sub === "dev" ? "next dev" : undefined;
    case "react-scripts":
      return sub === "start" ? "react-scripts start" : undefined;
    case "webpack":
      return sub === "serve" ? "webpack serve" : undefined;
    case "ng":
      return sub === "serve" ? "ng serve" : undefined;
    case "vue-cli-service":
      return sub === "serve" ? "vue-cli-service serve" : undefined;
    case "nuxt":
    case "nuxi":
    case "astro":
    case "remix":
      return sub === "dev" ? `${program} dev` : undefined;
    case "gatsby":
      return sub === "develop" ? "gatsby develop" : undefined;
    case "nest":
      return sub === "start" && (has("--watch") || has("-w")) ? "nest start --watch" : undefined;
    case "flask":
      return sub === "run" ? "flask run" : undefined;
    case "uvicorn":
    case "hypercorn":
    case "gunicorn":
      return has("--reload") ? `${program} --reload` : undefined;
    default:
      break;
  }
  if (/^python[0-9.]*$/.test(program)) {
    const manage = words.findIndex((word) => /(?:^|\/)manage\.py$/.test(word));
    if (manage >= 0 && words[manage + 1] === "runserver") return "manage.py runserver";
  }
  return undefined;
}

export const rule: Rule = {
  meta: {
    id: "SS3003",
    name: "dev-server-in-image",
    title: "The image starts a development server or file watcher",
    severity: "error",
    category: "builder-only",
    rationale:
      "Dev servers and watchers (`nodemon`, `ts-node`, `vite`, `next dev`, `flask run`, `uvicorn --reload`) compile on the fly, watch files that never change in an image, skip production optimisations and need dev dependencies: slow starts, more memory, and behaviour that differs from the tested build.",
    fix: "Build in the Dockerfile and start the built output (`node dist/server.js`, `next start`, `gunicorn`/`uvicorn` without `--reload`).",
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["npm", "run", "dev"]\n',
        "package.json":
          '{\n  "scripts": {\n    "dev": "nodemon src/index.js",\n    "start": "node src/index.js"\n  },\n  "devDependencies": { "nodemon": "^3.1.9" }\n}\n',
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "src/index.js"]\n',
        "package.json":
          '{\n  "scripts": {\n    "dev": "nodemon src/index.js",\n    "start": "node src/index.js"\n  },\n  "devDependencies": { "nodemon": "^3.1.9" }\n}\n',
      },
    },
  },
  check(facts) {
    const results: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      if (isDevDockerfile(target)) continue;
      for (const command of startCommands(facts, target)) {
        const server = devServerOf(command.argv);
        if (!server) continue;
        const keyword = command.instruction.keyword;
        const via = command.script
          ? ` through \`${command.script.pkg.file}\` script \`${command.script.name}\` (\`${command.argv.join(" ")}\`)`
          : "";
        const result: RuleResult = {
          location: instructionAt(target.dockerfile, command.instruction),
          message: `\`${keyword}\` starts \`${server}\`${via}, a development server: run the built app instead`,
        };
        const related = scriptRelated(command);
        if (related) result.related = related;
        results.push(result);
      }
    }
    return results;
  },
};

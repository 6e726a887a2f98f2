import type { BuildContext } from "../../facts/context.js";
import type { CopyFacts, StageFacts } from "../../facts/dockerfile.js";
import type { Rule, RuleResult } from "../../types.js";
import { type InstallCommand, installCommands, isJsDependencyInstall } from "../helpers.js";
import { LOCKFILES } from "./query.js";

/** Directories that hold an app's source (a change there should not reinstall dependencies). */
const SOURCE_DIRS = new Set([
  "src",
  "source",
  "app",
  "lib",
  "server",
  "client",
  "web",
  "api",
  "pages",
  "components",
  "public",
]);
const CODE = /\.(?:[cm]?[jt]sx?|py|vue|svelte|astro)$/;

/** Installs that read a dependency manifest from the context. */
export function isDependencyInstall(install: InstallCommand): boolean {
  if (isJsDependencyInstall(install)) return true;
  const { manager, action, argv } = install;
  if (manager === "pip" || (manager === "uv" && argv[1] === "pip")) {
    if (action === "sync") return true;
    return action === "install" && argv.some((word) => /^(?:-r|--requirement)(?:=|$)|^-r./.test(word));
  }
  if (manager === "poetry") return action === "install";
  if (manager === "uv") return action === "sync";
  if (manager === "pipenv") return action === "install" || action === "sync";
  return false;
}

/** The source of a COPY that is the app's code rather than its manifests, if any. */
function broadSource(copy: CopyFacts): string | undefined {
  if (copy.from !== undefined || copy.heredoc) return undefined;
  for (const source of copy.sources) {
    const cleaned = source
      .replace(/^\.?\/+/, "")
      .replace(/^(?:\.\/)+/, "")
      .replace(/\/+$/, "");
    if (cleaned === "" || cleaned === "." || cleaned === "*") return source;
    if (/\$/.test(cleaned)) continue;
    const base = cleaned.slice(cleaned.lastIndexOf("/") + 1);
    if (!cleaned.includes("/") && SOURCE_DIRS.has(base)) return source;
    if (CODE.test(base) && !/\.config\.|^setup\.py$|^conftest\.py$/.test(base)) return source;
  }
  return undefined;
}

function manifestsFor(install: InstallCommand, context: BuildContext): string {
  switch (install.manager) {
    case "npm":
    case "yarn":
    case "pnpm":
    case "bun": {
      const lock = (LOCKFILES[install.manager] ?? []).find((name) => context.exists(name));
      return lock ? `package.json ${lock}` : "package.json";
    }
    case "poetry":
      return "pyproject.toml poetry.lock";
    case "pipenv":
      return "Pipfile Pipfile.lock";
    case "uv":
      if (install.action === "sync" && install.argv[1] !== "pip") return "pyproject.toml uv.lock";
      break;
    default:
      break;
  }
  const index = install.argv.findIndex((word) => word === "-r" || word === "--requirement");
  const inline = install.argv.find((word) => /^--requirement=|^-r./.test(word));
  const file =
    index >= 0
      ? install.argv[index + 1]
      : (inline?.replace(/^--requirement=|^-r/, "") ?? install.packages[0]);
  return file ?? "requirements.txt";
}

export const rule: Rule = {
  meta: {
    id: "SS1008",
    name: "dependencies-after-source",
    title: "Source copied before the dependencies are installed",
    severity: "warning",
    category: "reproducibility",
    rationale:
      "Docker reuses a layer only while everything before it is unchanged: with the source copied first, every code change invalidates the install layer and each build reinstalls all dependencies.",
    fix: "Copy only the manifests (`package.json` and the lockfile, `requirements.txt`), install, then copy the source.",
    examples: {
      bad: {
        Dockerfile: "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
        "package.json": '{ "name": "app" }\n',
        "package-lock.json": "{}\n",
      },
      good: {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n",
        "package.json": '{ "name": "app" }\n',
        "package-lock.json": "{}\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile, context } of facts.dockerfiles) {
      for (const stage of dockerfile.stages) {
        const install = firstInstall(stage);
        if (!install) continue;
        const line = install.run.instruction.line;
        for (const copy of stage.copies) {
          if (copy.instruction.line >= line || copy.instruction.stage !== stage.index) continue;
          const source = broadSource(copy);
          if (source === undefined) continue;
          const written = install.argv.join(" ");
          out.push({
            location: { file: dockerfile.file, line: copy.instruction.line, column: copy.instruction.column },
            message: `\`${copy.keyword} ${copy.sources.join(" ")} ${copy.destination}\` comes before \`${written}\` (line ${line}), so every source change reinstalls all dependencies: copy \`${manifestsFor(install, context)}\` first, install, then copy the source`,
          });
          break;
        }
      }
    }
    return out;
  },
};

function firstInstall(stage: StageFacts): InstallCommand | undefined {
  return installCommands(stage).find(
    (install) => install.run.instruction.stage === stage.index && isDependencyInstall(install),
  );
}

/**
 * All the facts about one project, derived once from its tree: every rule, `init` and `verify`
 * read this instead of re-reading files.
 */
import { type AppFacts, appFacts } from "./app.js";
import { type ComposeFacts, parseCompose } from "./compose.js";
import { type BuildContext, buildContext, dockerignoreFor } from "./context.js";
import { type DockerfileFacts, parseDockerfile } from "./dockerfile.js";
import type { SourceText } from "./source.js";
import {
  baseName,
  COMPOSE_NAME,
  DOCKERFILE_NAME,
  dirName,
  type InputProblem,
  type ProjectTree,
} from "./tree.js";

export interface DockerfileTarget {
  dockerfile: DockerfileFacts;
  context: BuildContext;
  /** Compose services built from this Dockerfile. */
  services: Array<{ compose: ComposeFacts; service: string }>;
}

export interface ProjectFacts {
  tree: ProjectTree;
  dockerfiles: DockerfileTarget[];
  composeFiles: ComposeFacts[];
  app: AppFacts;
  /** Values from `.env` beside the compose files (Compose interpolates them). */
  composeEnv: Map<string, string>;
  problems: InputProblem[];
  /** The text of any file the checker read. */
  text(path: string): SourceText | undefined;
}

export interface FactsOptions {
  /** Dockerfiles to check instead of discovering them (`--file`). */
  dockerfiles?: string[];
}

export function isDockerfilePath(path: string): boolean {
  return DOCKERFILE_NAME.test(baseName(path)) && !baseName(path).endsWith(".dockerignore");
}

export function isComposePath(path: string): boolean {
  return COMPOSE_NAME.test(baseName(path));
}

export function projectFacts(tree: ProjectTree, options: FactsOptions = {}): ProjectFacts {
  const problems: InputProblem[] = [...tree.problems];
  const app = appFacts(tree);

  const composeEnv = new Map<string, string>();
  for (const file of app.envFiles) {
    if (baseName(file.file) !== ".env") continue;
    for (const entry of file.entries) composeEnv.set(entry.name, entry.value);
  }

  const composeFiles: ComposeFacts[] = [];
  for (const [path, source] of tree.texts) {
    if (!isComposePath(path)) continue;
    const facts = parseCompose(source, composeEnv);
    for (const problem of facts.problems)
      problems.push({ file: path, line: problem.line, column: problem.column, message: problem.message });
    composeFiles.push(facts);
  }
  composeFiles.sort((a, b) => a.file.localeCompare(b.file));

  const dockerfilePaths = options.dockerfiles ?? [...tree.texts.keys()].filter(isDockerfilePath).sort();
  const dockerfiles: DockerfileTarget[] = [];
  // Dockerfiles side by side share their build context (same directory, same .dockerignore):
  // one BuildContext answers for all of them, so what it works out (the entries it sends, each
  // path's verdict) is worked out once.
  const contexts = new Map<string, BuildContext>();
  for (const path of dockerfilePaths) {
    const source = tree.texts.get(path);
    if (!source) {
      if (!tree.problems.some((problem) => problem.file === path))
        problems.push({ file: path, message: "does not exist" });
      continue;
    }
    const dockerfile = parseDockerfile(source);
    for (const problem of dockerfile.problems)
      problems.push({ file: path, line: problem.line, message: problem.message });
    const services: DockerfileTarget["services"] = [];
    let contextDir: string | undefined;
    for (const compose of composeFiles) {
      for (const service of compose.services) {
        if (service.build?.dockerfile === path) {
          services.push({ compose, service: service.name });
          contextDir ??= service.build.context;
        }
      }
    }
    const dir = contextDir ?? dirName(path);
    const ignoreSource = dockerignoreFor(tree, path, dir);
    const contextKey = `${dir}\n${ignoreSource?.path ?? ""}`;
    let context = contexts.get(contextKey);
    if (!context) {
      context = buildContext(tree, dir, ignoreSource);
      contexts.set(contextKey, context);
    }
    dockerfiles.push({ dockerfile, context, services });
  }

  return {
    tree,
    dockerfiles,
    composeFiles,
    app,
    composeEnv,
    problems,
    text: (path) => tree.texts.get(path),
  };
}

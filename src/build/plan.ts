/**
 * `shipshape build` as data: from the project's facts, its git state and the user's flags to the
 * image name, tags, labels, build args and secrets, plus what must stop the build (secrets in the
 * context, a dirty tree). Nothing here touches the file system, git or the engine.
 */

import { packageJson } from "../app/node.js";
import type { BuildContext } from "../check/facts/context.js";
import type { DockerfileFacts, StageFacts } from "../check/facts/dockerfile.js";
import { parseImageRef, substituteVariables } from "../check/facts/image.js";
import type { ProjectTree } from "../check/facts/tree.js";
import type { BuildSecret } from "../engine/plans.js";
import { UsageError } from "../errors.js";
import { canonicalReference, parseReference } from "../registry/reference.js";
import type { GitChange, GitState } from "./git.js";
import { buildArgWarnings, type ContextSecret } from "./secrets.js";

export const LABEL = {
  source: "org.opencontainers.image.source",
  revision: "org.opencontainers.image.revision",
  created: "org.opencontainers.image.created",
  version: "org.opencontainers.image.version",
  baseName: "org.opencontainers.image.base.name",
  baseDigest: "org.opencontainers.image.base.digest",
  command: "io.shipshape.build.command",
  dirty: "io.shipshape.git.dirty",
} as const;

export const lockfileLabel = (path: string) => `io.shipshape.lockfile.${path}.sha256`;

/** Lockfiles whose hashes say exactly which dependencies went in. */
export const LOCKFILE =
  /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|poetry\.lock|uv\.lock|Pipfile\.lock|pdm\.lock|requirements[^/]*\.txt)$/;

/** What the user asked for (the CLI's flags, already parsed). */
export interface BuildRequest {
  /** Dockerfile path relative to the context directory (forward slashes). */
  dockerfile: string;
  name?: string;
  version?: string;
  /** Extra tags (`--tag`), full references. */
  tags?: string[];
  target?: string;
  platform?: string;
  buildArgs?: Record<string, string>;
  secrets?: BuildSecret[];
  noCache?: boolean;
  pull?: boolean;
  allowSecrets?: boolean;
  allowDirty?: boolean;
  /** Leave out the version and sha tags (verify's clean build, --check-reproducible). */
  untagged?: boolean;
}

export interface PlanInput {
  tree: ProjectTree;
  dockerfile: DockerfileFacts;
  context: BuildContext;
  /** The context directory's name, the image name of last resort. */
  dirName: string;
  /** The context directory relative to the git root ("" at the root), for matching changes. */
  git: GitState;
  gitPrefix?: string;
  request: BuildRequest;
  /** Lockfiles the context sends (context-relative) with their SHA-256. */
  lockfiles: Array<{ path: string; sha256: string }>;
  secretsInContext: ContextSecret[];
  /** SOURCE_DATE_EPOCH of the environment, used when there is no commit. */
  sourceDateEpoch?: string;
  /** The file BUILDINFO.json is written to (context-relative), ignored by the dirty check. */
  buildinfoPath?: string;
}

export interface BaseImage {
  /** The stage (index and name) built FROM it. */
  stage: number;
  stageName?: string;
  /** As written, with build args substituted. */
  image: string;
  /** `docker.io/library/node:20.20.2-bookworm-slim` (undefined when it cannot be parsed). */
  canonical?: string;
  /** A digest written in the FROM line. */
  pinned?: string;
  /** The final stage's base: the one the OCI base labels name. */
  final: boolean;
}

export type GitSummary =
  | { state: "none"; reason: string }
  | { state: "no-commits" }
  | {
      state: "clean" | "dirty";
      commit: string;
      short: string;
      commitTime: number;
      remote?: string;
      /** Changes in files the build sends (context-relative). */
      dirtyFiles: string[];
    };

export interface Refusal {
  code: "secrets-in-context" | "dirty-tree" | "nothing-to-tag";
  message: string;
  details: string[];
  hint: string;
}

export interface BuildPlan {
  name: string;
  nameFrom: string;
  version?: { value: string; from: string };
  tags: string[];
  git: GitSummary;
  dockerfile: string;
  target?: string;
  platform?: string;
  /** The stage whose image is the result (the target, else the last). */
  finalStage?: { index: number; name?: string };
  bases: BaseImage[];
  /** Labels known before the base digests are resolved (base.digest is added by the executor). */
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  secrets: BuildSecret[];
  lockfiles: Array<{ path: string; sha256: string }>;
  secretsInContext: ContextSecret[];
  noCache: boolean;
  pull: boolean;
  warnings: string[];
  notes: string[];
  refusals: Refusal[];
}

/** A Docker repository name from a package name: `@acme/Notes API` → `acme/notes-api`. */
export function sanitizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/^@/, "")
    .split("/")
    .map((part) =>
      part
        .replace(/[^a-z0-9._-]+/g, "-")
        .replace(/^[._-]+|[._-]+$/g, "")
        .replace(/[._-]{2,}/g, "-"),
    )
    .filter(Boolean)
    .join("/");
}

/** A tag from a version: `1.2.0+build.5` → `1.2.0_build.5` (tags have no `+`). */
export function sanitizeTag(version: string): string {
  return version
    .trim()
    .replace(/^v(?=\d)/, "")
    .replace(/\+/g, "_")
    .replace(/[^\w.-]+/g, "-")
    .replace(/^[.-]+/, "")
    .slice(0, 128);
}

/** `version`/`name` of `[project]` or `[tool.poetry]` in pyproject.toml. */
function pyprojectField(text: string | undefined, field: "name" | "version"): string | undefined {
  if (!text) return undefined;
  let table = "";
  for (const line of text.split("\n")) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      table = header[1]!.trim();
      continue;
    }
    if (table !== "project" && table !== "tool.poetry") continue;
    const match = new RegExp(`^\\s*${field}\\s*=\\s*["']([^"']+)["']`).exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/** The app's own name and version: package.json, else pyproject.toml. */
export function appIdentity(
  tree: ProjectTree,
  dir: string,
): { name?: string; version?: string; file?: string } {
  const pkg = packageJson(tree, dir);
  const prefix = dir === "" ? "" : `${dir}/`;
  if (pkg) {
    const out: { name?: string; version?: string; file?: string } = { file: `${prefix}package.json` };
    if (typeof pkg.name === "string" && pkg.name.trim()) out.name = pkg.name;
    if (typeof pkg.version === "string" && pkg.version.trim()) out.version = pkg.version;
    return out;
  }
  const pyproject = tree.texts.get(`${prefix}pyproject.toml`)?.text;
  if (pyproject) {
    const out: { name?: string; version?: string; file?: string } = { file: `${prefix}pyproject.toml` };
    const name = pyprojectField(pyproject, "name");
    const version = pyprojectField(pyproject, "version");
    if (name) out.name = name;
    if (version) out.version = version;
    return out;
  }
  return {};
}

/** The stage a build produces: `--target`, else the last. Throws naming the stages when unknown. */
export function resultStage(dockerfile: DockerfileFacts, target: string | undefined): StageFacts | undefined {
  if (target === undefined) return dockerfile.stages.at(-1);
  const stage = dockerfile.stages.find((s) => s.name?.toLowerCase() === target.toLowerCase());
  if (!stage) {
    const names = dockerfile.stages.map((s) => s.name).filter(Boolean);
    throw new UsageError(`--target ${target}: ${dockerfile.file} has no stage named ${target}`, {
      hint: names.length ? `its stages: ${names.join(", ")}` : "its stages have no names (FROM … AS name)",
    });
  }
  return stage;
}

/** Stages the result depends on: its parents and what it copies --from, transitively. */
function neededStages(dockerfile: DockerfileFacts, result: StageFacts): StageFacts[] {
  const needed = new Set<number>();
  const visit = (index: number) => {
    if (needed.has(index)) return;
    const stage = dockerfile.stages[index];
    if (!stage) return;
    needed.add(index);
    if (stage.parentStage !== undefined) visit(stage.parentStage);
    for (const copy of stage.copies) if (copy.fromStage !== undefined) visit(copy.fromStage);
  };
  visit(result.index);
  return [...needed].sort((a, b) => a - b).map((index) => dockerfile.stages[index]!);
}

/** The external image a stage is built FROM, following `FROM other-stage` to its root. */
function rootStage(dockerfile: DockerfileFacts, stage: StageFacts): StageFacts {
  let current = stage;
  for (let hops = 0; current.parentStage !== undefined && hops < dockerfile.stages.length; hops++) {
    current = dockerfile.stages[current.parentStage] ?? current;
  }
  return current;
}

/** Base images of the stages the result needs, with build args substituted into FROM. */
export function baseImages(
  dockerfile: DockerfileFacts,
  result: StageFacts | undefined,
  buildArgs: Readonly<Record<string, string>>,
): BaseImage[] {
  if (!result) return [];
  const values = new Map<string, string | undefined>();
  for (const arg of dockerfile.globalArgs) values.set(arg.name, arg.value);
  for (const [name, value] of Object.entries(buildArgs)) if (values.has(name)) values.set(name, value);
  const finalRoot = rootStage(dockerfile, result).index;
  const out: BaseImage[] = [];
  for (const stage of neededStages(dockerfile, result)) {
    if (stage.parentStage !== undefined) continue;
    const written = stage.from.args.split(/\s+/).find((word) => word && !word.startsWith("--")) ?? "";
    const image = substituteVariables(written, values);
    if (image.toLowerCase() === "scratch") continue;
    const base: BaseImage = { stage: stage.index, image, final: stage.index === finalRoot };
    if (stage.name) base.stageName = stage.name;
    try {
      const reference = parseReference(image);
      // The name as a tag reference; the digest goes in its own label.
      const { digest, ...named } = reference;
      base.canonical = canonicalReference(named);
      if (digest) base.pinned = digest;
    } catch {
      // An image shipshape cannot name (a variable without a value): no labels for it.
    }
    if (!base.pinned) {
      const digest = parseImageRef(image).digest;
      if (digest) base.pinned = digest;
    }
    out.push(base);
  }
  return out;
}

/** Files with uncommitted changes that the build sends (context-relative). */
export function dirtyFiles(
  changes: readonly GitChange[],
  gitPrefix: string,
  context: BuildContext,
  dockerfile: string,
  ignore: readonly string[] = [],
): string[] {
  const prefix = gitPrefix === "" ? "" : `${gitPrefix.replace(/\/+$/, "")}/`;
  const out: string[] = [];
  for (const change of changes) {
    if (!change.path.startsWith(prefix)) continue;
    const path = change.path.slice(prefix.length).replace(/\/+$/, "");
    if (ignore.includes(path)) continue;
    // The Dockerfile and its .dockerignore change the image even when the context excludes them.
    const decides = path === dockerfile || path === `${dockerfile}.dockerignore` || path === ".dockerignore";
    if (decides || context.includes(path)) out.push(`${change.status} ${path}`);
  }
  return out;
}

/** The command recorded in the build.command label: flags and names, never values. */
export function buildCommandText(request: BuildRequest): string {
  const parts = ["shipshape", "build"];
  if (request.dockerfile !== "Dockerfile") parts.push("--file", request.dockerfile);
  if (request.target) parts.push("--target", request.target);
  if (request.platform) parts.push("--platform", request.platform);
  for (const name of Object.keys(request.buildArgs ?? {})) parts.push("--build-arg", name);
  for (const secret of request.secrets ?? []) parts.push("--secret", `id=${secret.id}`);
  if (request.noCache) parts.push("--no-cache");
  if (request.pull) parts.push("--pull");
  if (request.allowDirty) parts.push("--allow-dirty");
  if (request.allowSecrets) parts.push("--allow-secrets");
  return parts.join(" ");
}

function summarizeGit(input: PlanInput, dockerfile: string): GitSummary {
  const git = input.git;
  if (git.kind === "none") return { state: "none", reason: git.reason };
  if (git.kind === "no-commits") return { state: "no-commits" };
  const dirty = dirtyFiles(
    git.changes,
    input.gitPrefix ?? "",
    input.context,
    dockerfile,
    input.buildinfoPath ? [input.buildinfoPath] : [],
  );
  const summary: GitSummary = {
    state: dirty.length ? "dirty" : "clean",
    commit: git.commit,
    short: git.commit.slice(0, 7),
    commitTime: git.commitTime,
    dirtyFiles: dirty,
  };
  if (git.remote) summary.remote = git.remote;
  return summary;
}

function validateTag(reference: string, flag: string): string {
  const parsed = parseReference(reference);
  if (parsed.digest) throw new UsageError(`${flag} ${reference}: a tag cannot have a digest`);
  if (!/:[\w][\w.-]{0,127}$/.test(reference.slice(reference.lastIndexOf("/") + 1)))
    throw new UsageError(`${flag} ${reference}: give the tag too (name:tag)`, {
      hint: "shipshape never tags latest by itself: name the tag you want",
    });
  return reference;
}

export function planBuild(input: PlanInput): BuildPlan {
  const { request } = input;
  const warnings: string[] = [];
  const notes: string[] = [];
  const refusals: Refusal[] = [];
  const dockerfile = request.dockerfile;

  // Name: --name, the package's name, the directory's.
  const identity = appIdentity(input.tree, input.context.dir);
  let name: string;
  let nameFrom: string;
  if (request.name !== undefined) {
    const parsed = parseImageRef(request.name);
    if (parsed.tag || parsed.digest)
      throw new UsageError(`--name ${request.name}: give the name without a tag`, {
        hint: "tags come from the version and the commit; add more with --tag",
      });
    parseReference(request.name);
    name = request.name;
    nameFrom = "--name";
  } else if (identity.name && sanitizeName(identity.name)) {
    name = sanitizeName(identity.name);
    nameFrom = identity.file ?? "package name";
  } else {
    name = sanitizeName(input.dirName) || "app";
    nameFrom = "the directory's name";
  }
  try {
    parseReference(name);
  } catch {
    throw new UsageError(`"${name}" (from ${nameFrom}) is not a valid image name`, {
      hint: "give one with --name, e.g. --name notes-api",
    });
  }

  // Version: --version, package.json / pyproject.toml.
  let version: BuildPlan["version"];
  if (request.version !== undefined) {
    if (!/^[\w][\w.-]{0,127}$/.test(request.version))
      throw new UsageError(`--version ${request.version} cannot be a tag`, {
        hint: "letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'",
      });
    version = { value: request.version, from: "--version" };
  } else if (identity.version) {
    const tag = sanitizeTag(identity.version);
    if (tag) {
      version = { value: tag, from: identity.file ?? "the app's manifest" };
      if (tag !== identity.version)
        notes.push(`version ${identity.version} is tagged as ${tag} (tags cannot contain every character)`);
    }
  }

  const git = summarizeGit(input, dockerfile);
  const dirty = git.state === "dirty";
  if (git.state === "none")
    notes.push(`${git.reason}: no revision or source labels, and no sha-<commit> tag (version tag only)`);
  if (git.state === "no-commits")
    notes.push("the git repository has no commit yet: no revision or source labels, no sha-<commit> tag");
  if (dirty && !request.allowDirty) {
    refusals.push({
      code: "dirty-tree",
      message: `uncommitted changes in ${git.dirtyFiles.length} file${git.dirtyFiles.length === 1 ? "" : "s"} the build sends: the image would not match commit ${git.short}`,
      details: git.dirtyFiles
        .slice(0, 20)
        .concat(git.dirtyFiles.length > 20 ? [`… and ${git.dirtyFiles.length - 20} more`] : []),
      hint: "commit (or stash) them, or build anyway with --allow-dirty (the tags then end in -dirty)",
    });
  }

  // Secrets the context would send.
  if (input.secretsInContext.length > 0) {
    const details = input.secretsInContext.map(
      (secret) => `${secret.path}:${secret.line}  ${secret.kind}: ${secret.shown.join(", ")}`,
    );
    if (request.allowSecrets)
      warnings.push(
        `--allow-secrets: sending ${input.secretsInContext.length} secret file(s) to the builder: ${input.secretsInContext.map((s) => s.path).join(", ")}`,
      );
    else
      refusals.push({
        code: "secrets-in-context",
        message:
          input.secretsInContext.length === 1
            ? "the build context holds a secret file: it would be sent to the builder (and a COPY . . puts it in the image)"
            : `the build context holds ${input.secretsInContext.length} secret files: they would be sent to the builder (and a COPY . . puts them in the image)`,
        details,
        hint: "exclude them in .dockerignore (shipshape check --fix writes it) and pass secrets with --secret; --allow-secrets sends them anyway",
      });
  }

  // Build args: the user's, plus SOURCE_DATE_EPOCH = the commit time.
  const buildArgs: Record<string, string> = { ...(request.buildArgs ?? {}) };
  warnings.push(...buildArgWarnings(request.buildArgs ?? {}));
  const epoch =
    git.state === "clean" || git.state === "dirty" ? String(git.commitTime) : input.sourceDateEpoch;
  if (buildArgs.SOURCE_DATE_EPOCH === undefined && epoch !== undefined && /^\d+$/.test(epoch))
    buildArgs.SOURCE_DATE_EPOCH = epoch;

  // Labels.
  const labels: Record<string, string> = {};
  if (git.state === "clean" || git.state === "dirty") {
    if (git.remote) labels[LABEL.source] = git.remote;
    labels[LABEL.revision] = git.commit;
  }
  const createdEpoch = buildArgs.SOURCE_DATE_EPOCH;
  if (createdEpoch !== undefined && /^\d+$/.test(createdEpoch))
    labels[LABEL.created] = new Date(Number(createdEpoch) * 1000).toISOString().replace(".000Z", "Z");
  else notes.push("no commit time and no SOURCE_DATE_EPOCH: the created label is left out");
  if (version) labels[LABEL.version] = version.value;
  if (dirty) labels[LABEL.dirty] = "true";

  const result = resultStage(input.dockerfile, request.target);
  const bases = baseImages(input.dockerfile, result, buildArgs);
  const finalBase = bases.find((base) => base.final);
  if (finalBase?.canonical) labels[LABEL.baseName] = finalBase.canonical;
  else if (finalBase)
    warnings.push(`the final stage's base ${finalBase.image} cannot be named: no base labels`);
  for (const lockfile of input.lockfiles) labels[lockfileLabel(lockfile.path)] = lockfile.sha256;
  labels[LABEL.command] = buildCommandText(request);

  // Tags: <name>:<version>, <name>:sha-<short>, -dirty when dirty, plus --tag.
  const suffix = dirty ? "-dirty" : "";
  const tags: string[] = [];
  if (!request.untagged) {
    if (version) tags.push(`${name}:${version.value}${suffix}`);
    if (git.state === "clean" || git.state === "dirty") tags.push(`${name}:sha-${git.short}${suffix}`);
    for (const tag of request.tags ?? []) {
      const valid = validateTag(tag, "--tag");
      if (!tags.includes(valid)) tags.push(valid);
    }
    if (tags.length === 0)
      refusals.push({
        code: "nothing-to-tag",
        message: "no version and no commit to tag the image with",
        details: [],
        hint: "give --version 1.2.3 (or a version in package.json / pyproject.toml), build in a git repository, or name a tag with --tag",
      });
  }

  const plan: BuildPlan = {
    name,
    nameFrom,
    tags,
    git,
    dockerfile,
    bases,
    labels,
    buildArgs,
    secrets: request.secrets ?? [],
    lockfiles: input.lockfiles,
    secretsInContext: input.secretsInContext,
    noCache: request.noCache ?? false,
    pull: request.pull ?? false,
    warnings,
    notes,
    refusals,
  };
  if (version) plan.version = version;
  if (request.target) plan.target = request.target;
  if (request.platform) plan.platform = request.platform;
  if (result)
    plan.finalStage = result.name ? { index: result.index, name: result.name } : { index: result.index };
  return plan;
}

/** What happens to each tag, given the image each one names now (undefined: none). */
export interface RetagDecision {
  /** Tags to point at the new image (new, or moved with --force-retag). */
  apply: string[];
  /** Tags that already name this exact image. */
  unchanged: string[];
  /** Tags that name other content and stay as they are (refused). */
  refused: Array<{ tag: string; current: string }>;
  /** Tags moved from other content with --force-retag. */
  moved: Array<{ tag: string; previous: string }>;
}

export function decideRetag(
  tags: readonly string[],
  current: ReadonlyMap<string, string | undefined>,
  imageId: string,
  force: boolean,
): RetagDecision {
  const decision: RetagDecision = { apply: [], unchanged: [], refused: [], moved: [] };
  for (const tag of tags) {
    const existing = current.get(tag);
    if (existing === undefined) decision.apply.push(tag);
    else if (existing === imageId) decision.unchanged.push(tag);
    else if (force) {
      decision.apply.push(tag);
      decision.moved.push({ tag, previous: existing });
    } else decision.refused.push({ tag, current: existing });
  }
  // All or nothing: one refused tag leaves every tag as it was.
  if (decision.refused.length > 0) decision.apply = [];
  return decision;
}

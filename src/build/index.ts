/**
 * `shipshape build` as a library: prepare (load the project, git, the plan, the context report,
 * refusals) and build (base digests, BuildKit without tags, then tags through the Engine API
 * only where no tag would move to different content, BUILDINFO.json). `verify` builds through
 * buildImage too (untagged, no BUILDINFO).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import { buildContext, dockerignoreFor } from "../check/facts/context.js";
import { projectFacts } from "../check/facts/project.js";
import { loadTree } from "../check/load.js";
import { BuildFailedError } from "../engine/build.js";
import { chooseBuildCli } from "../engine/cli.js";
import type { Engine } from "../engine/engine.js";
import type { BuildSecret, BuildSpec } from "../engine/plans.js";
import { InputError, ShipshapeError, UsageError } from "../errors.js";
import { type RegistryResolve, resolveBases } from "./base.js";
import { type BuilderVersions, type BuildInfo, buildInfo, type ResolvedBase } from "./buildinfo.js";
import { type ContextReport, sentFiles, summarizeContext } from "./context.js";
import { gitState } from "./git.js";
import {
  type BuildPlan,
  type BuildRequest,
  decideRetag,
  LABEL,
  LOCKFILE,
  planBuild,
  type Refusal,
  type RetagDecision,
} from "./plan.js";
import {
  compareImages,
  type ImageSnapshot,
  type LayerEntry,
  type ReproducibilityReport,
  readSavedImage,
  snapshotFromConfig,
} from "./reproducible.js";
import { contextSecrets, validateSecrets } from "./secrets.js";

export type { RegistryResolve } from "./base.js";
export type { BuilderVersions, BuildInfo, ResolvedBase } from "./buildinfo.js";
export { BUILDINFO_SCHEMA } from "./buildinfo.js";
export type { ContextEntry, ContextReport } from "./context.js";
export { type GitState, gitState, stripCredentials } from "./git.js";
export {
  type BuildPlan,
  type BuildRequest,
  decideRetag,
  LABEL,
  planBuild,
  type Refusal,
  type RetagDecision,
} from "./plan.js";
export type { Cause, LayerComparison, ReproducibilityReport } from "./reproducible.js";
export { parseSecretSpec } from "./secrets.js";

/** What a build is asked for (the plan's request, with the Dockerfile as a path) and how it runs. */
export interface BuildImageOptions extends Omit<BuildRequest, "dockerfile"> {
  /** Dockerfile path (relative to the current directory, or absolute); default `<dir>/Dockerfile`. */
  file?: string;
  forceRetag?: boolean;
  /** Where BUILDINFO.json goes: a path, or false for none; default `<dir>/BUILDINFO.json`. */
  buildinfo?: string | false;
  /** Where the build log goes; default a file in the temporary directory. */
  logFile?: string;
  /** Labels added to the ones the plan stamps (verify marks the images it builds). */
  labels?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Resolves base tags through a registry; default a RegistryClient with the engine's mirrors. */
  registry?: RegistryResolve;
  signal?: AbortSignal;
}

export type BuildProgress =
  | { kind: "prepared"; prepared: PreparedBuild }
  | { kind: "step"; step: string; build?: number }
  | { kind: "building"; logFile: string; build?: number }
  | { kind: "warning"; text: string };

export interface PreparedBuild {
  dir: string;
  /** Dockerfile path, absolute. */
  dockerfilePath: string;
  plan: BuildPlan;
  context: ContextReport;
  /** BUILDINFO.json's path, when one is written. */
  buildinfoPath?: string;
}

export interface BuildOutcome extends PreparedBuild {
  imageId: string;
  /** Tags that name the image now (applied or already there). */
  tags: string[];
  retag: RetagDecision;
  size: number;
  labels: Record<string, string>;
  bases: ResolvedBase[];
  builder: BuilderVersions;
  logFile: string;
  durationMs: number;
  buildinfo?: BuildInfo;
  /** Lines the build printed that held a --secret value (it was redacted in the log). */
  secretLeaks: string[];
}

/** The build was not started: secrets in the context, a dirty tree, nothing to tag. */
export class BuildRefusedError extends ShipshapeError {
  readonly refusals: Refusal[];
  readonly prepared: PreparedBuild;

  constructor(prepared: PreparedBuild) {
    const refusals = prepared.plan.refusals;
    const text = refusals
      .map((refusal) =>
        [`refusing to build: ${refusal.message}`, ...refusal.details.map((d) => `  ${d}`)].join("\n"),
      )
      .join("\n");
    super(text, { exitCode: 1, hint: refusals.map((refusal) => refusal.hint).join("; ") });
    this.refusals = refusals;
    this.prepared = prepared;
  }
}

/** Built, but a tag already names different content: no tag was moved. */
export class RetagRefusedError extends ShipshapeError {
  readonly outcome: BuildOutcome;

  constructor(outcome: BuildOutcome) {
    const lines = outcome.retag.refused.map(
      ({ tag, current }) => `  ${tag} names ${short(current)}, the new build is ${short(outcome.imageId)}`,
    );
    super(
      `refusing to move ${outcome.retag.refused.length === 1 ? "a tag" : "tags"} to different content (no tag was changed):\n${lines.join("\n")}`,
      {
        exitCode: 1,
        hint: `the new image is ${outcome.imageId}, untagged; --force-retag moves the tags (a rebuild of the same commit that is not bit-for-bit identical gets a new id: see --check-reproducible)`,
      },
    );
    this.outcome = outcome;
  }
}

export function short(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

function posix(path: string): string {
  return path.split(sep).join("/");
}

function realDir(dir: string): string {
  const absolute = resolve(dir);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory())
    throw new InputError(
      dir,
      undefined,
      existsSync(absolute) ? "is not a directory" : "does not exist",
      "give the app's directory: shipshape build <dir>",
    );
  return realpathSync(absolute);
}

function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Everything up to the engine: the plan, the context report and the refusals (not thrown). */
export async function prepareBuild(dirArg: string, options: BuildImageOptions = {}): Promise<PreparedBuild> {
  const env = options.env ?? process.env;
  const dir = realDir(dirArg);
  const dockerfileAbs = options.file
    ? isAbsolute(options.file)
      ? options.file
      : resolve(options.file)
    : join(dir, "Dockerfile");
  if (!existsSync(dockerfileAbs))
    throw new InputError(
      options.file ?? join(dirArg, "Dockerfile"),
      undefined,
      "does not exist",
      options.file ? undefined : "shipshape init writes a Dockerfile; --file names another one",
    );
  const dockerfileReal = realpathSync(dockerfileAbs);
  const dockerfile = posix(relative(dir, dockerfileReal));
  if (dockerfile.startsWith("..") || isAbsolute(dockerfile))
    throw new UsageError(`--file ${options.file}: the Dockerfile must be inside ${dirArg}`, {
      hint: "shipshape builds with the app's directory as the context and reads the Dockerfile from it",
    });

  const secrets = options.secrets ?? [];
  validateSecrets(secrets, env, (path) => existsSync(resolve(path)));

  const tree = loadTree(dir);
  const facts = projectFacts(tree, { dockerfiles: [dockerfile] });
  const target = facts.dockerfiles[0];
  if (!target) throw new InputError(dockerfile, undefined, "cannot be read");
  const problem = facts.problems.find((p) => p.file === dockerfile);
  if (problem && target.dockerfile.stages.length === 0)
    throw new InputError(dockerfile, problem.line, problem.message);
  // The context as `docker build -f <file> <dir>` sends it (compose's context does not apply here).
  const context = buildContext(tree, "", dockerignoreFor(tree, dockerfile, ""));

  const sent = sentFiles(dir, tree, context);
  const report = summarizeContext(
    sent.files,
    context.dockerignore
      ? { truncated: sent.truncated, dockerignore: context.dockerignore.file }
      : { truncated: sent.truncated },
  );
  const lockfiles = context
    .sentEntries()
    .filter((entry) => entry.kind === "file" && LOCKFILE.test(entry.path))
    .map((entry) => ({ path: entry.path, sha256: sha256File(join(dir, entry.path)) }))
    .sort((a, b) => a.path.localeCompare(b.path));

  const buildinfoPath =
    options.buildinfo === false || options.untagged
      ? undefined
      : options.buildinfo
        ? resolve(options.buildinfo)
        : join(dir, "BUILDINFO.json");
  // The record shipshape writes is not a reason to call the tree dirty, also when this run
  // writes none (--check-reproducible): the build's own output lands there.
  const buildinfoRel = posix(
    relative(
      dir,
      typeof options.buildinfo === "string" ? resolve(options.buildinfo) : join(dir, "BUILDINFO.json"),
    ),
  );

  const git = await gitState(dir);
  const request: BuildRequest = {
    dockerfile,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
    ...(options.target ? { target: options.target } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.buildArgs ? { buildArgs: options.buildArgs } : {}),
    secrets,
    noCache: options.noCache ?? false,
    pull: options.pull ?? false,
    allowSecrets: options.allowSecrets ?? false,
    allowDirty: options.allowDirty ?? false,
    untagged: options.untagged ?? false,
  };
  const plan = planBuild({
    tree,
    dockerfile: target.dockerfile,
    context,
    dirName: basename(dir),
    git,
    gitPrefix: git.kind === "none" ? "" : posix(relative(realpathSync(git.root), dir)),
    request,
    lockfiles,
    secretsInContext: contextSecrets(facts, context),
    ...(env.SOURCE_DATE_EPOCH ? { sourceDateEpoch: env.SOURCE_DATE_EPOCH } : {}),
    ...(buildinfoRel.startsWith("..") ? {} : { buildinfoPath: buildinfoRel }),
  });
  if (!buildinfoRel.startsWith("..") && context.includes(buildinfoRel) && existsSync(join(dir, buildinfoRel)))
    plan.warnings.push(
      `${buildinfoRel} is sent to the builder: add it to .dockerignore (and .gitignore), or a COPY . . puts the previous build's record into the image`,
    );
  const prepared: PreparedBuild = { dir, dockerfilePath: dockerfileReal, plan, context: report };
  if (buildinfoPath) prepared.buildinfoPath = buildinfoPath;
  return prepared;
}

/** The secret values a build was given (to keep them out of logs and messages), read only here. */
function secretValues(secrets: readonly BuildSecret[], env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const secret of secrets) {
    let value: string | undefined;
    if (secret.env !== undefined) value = env[secret.env];
    else if (secret.src !== undefined) {
      try {
        if (statSync(secret.src).size <= 1024 * 1024) value = readFileSync(secret.src, "utf8");
      } catch {
        value = undefined;
      }
    }
    for (const piece of (value ?? "").split(/\r?\n/)) if (piece.trim().length >= 6) values.push(piece.trim());
  }
  return values;
}

function redactValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) out = out.split(value).join("****");
  return out;
}

/** Rewrites the log when it holds a secret value; returns the (redacted) lines that held one. */
function scrubLog(logFile: string, values: readonly string[]): string[] {
  if (values.length === 0 || !existsSync(logFile)) return [];
  const text = readFileSync(logFile, "utf8");
  const leaks = text.split("\n").filter((line) => values.some((value) => line.includes(value)));
  if (leaks.length === 0) return [];
  writeFileSync(logFile, redactValues(text, values));
  return leaks.map((line) => redactValues(line, values));
}

/** The docker CLI, the engine and BuildKit, as far as each says. */
export async function builderVersions(engine: Engine): Promise<BuilderVersions> {
  const cli = await chooseBuildCli(engine.config.dockerCli, engine.config.dockerCliExplicit);
  const out: BuilderVersions = {
    dockerCli: cli.version ? { path: cli.path, version: cli.version } : { path: cli.path },
    buildkit: "unknown",
  };
  try {
    const version = await engine.version();
    out.engine = { version: version.server, api: version.api, os: version.os, arch: version.arch };
    const major = Number.parseInt(cli.version ?? "", 10);
    out.buildkit =
      Number.isFinite(major) && major < 23
        ? `built into Docker Engine ${version.server} (DOCKER_BUILDKIT=1; this engine does not report BuildKit's own version)`
        : `through docker buildx (client ${cli.version ?? "unknown"})`;
  } catch {
    // The engine answered the ping but not /version: leave what is known.
  }
  return out;
}

function defaultLogFile(plan: BuildPlan): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return join(tmpdir(), `shipshape-build-${plan.name.replace(/[^a-z0-9.-]+/g, "_")}-${stamp}.log`);
}

function toSpec(prepared: PreparedBuild, labels: Record<string, string>, noCache: boolean): BuildSpec {
  const { plan } = prepared;
  const spec: BuildSpec = {
    context: prepared.dir,
    dockerfile: prepared.dockerfilePath,
    labels,
    buildArgs: plan.buildArgs,
    secrets: plan.secrets,
    noCache,
    pull: plan.pull,
  };
  if (plan.target) spec.target = plan.target;
  if (plan.platform) spec.platform = plan.platform;
  return spec;
}

async function defaultRegistry(engine: Engine): Promise<RegistryResolve> {
  const { RegistryClient } = await import("../registry/client.js");
  let mirrors: string[] = [];
  try {
    mirrors = (await engine.info()).mirrors;
  } catch {
    mirrors = [];
  }
  const client = new RegistryClient({ mirrors, deadlineMs: 30_000 });
  return async (image, platform) => client.resolve(image, platform ? { platform } : {});
}

/** Resolves the bases and returns the labels with base.digest. */
async function labelsWithBase(
  prepared: PreparedBuild,
  engine: Engine,
  options: BuildImageOptions,
  onProgress: (event: BuildProgress) => void,
): Promise<{ labels: Record<string, string>; bases: ResolvedBase[] }> {
  const { plan } = prepared;
  const registry = options.registry ?? (await defaultRegistry(engine));
  const bases = await resolveBases(plan.bases, engine, registry, {
    pull: plan.pull,
    ...(plan.platform ? { platform: plan.platform } : {}),
  });
  const labels = { ...plan.labels, ...options.labels };
  const final = bases.find((base) => base.final);
  if (final?.digest) labels[LABEL.baseDigest] = final.digest;
  else if (final)
    onProgress({
      kind: "warning",
      text: `no digest for the base ${final.image} (${final.problem ?? "unknown"}): the base.digest label is left out`,
    });
  return { labels, bases };
}

/** Runs one BuildKit build, the log scrubbed of secret values (also in a failure's message). */
async function runBuild(
  engine: Engine,
  spec: BuildSpec,
  logFile: string,
  values: readonly string[],
  onProgress: (event: BuildProgress) => void,
  signal: AbortSignal | undefined,
  build?: number,
): Promise<{ imageId: string; durationMs: number; leaks: string[] }> {
  onProgress({ kind: "building", logFile, ...(build ? { build } : {}) });
  try {
    const result = await engine.build(spec, {
      logFile,
      onStep: (step) =>
        onProgress({ kind: "step", step: redactValues(step, values), ...(build ? { build } : {}) }),
      ...(signal ? { signal } : {}),
    });
    return { imageId: result.imageId, durationMs: result.durationMs, leaks: scrubLog(logFile, values) };
  } catch (error) {
    if (error instanceof BuildFailedError) {
      scrubLog(logFile, values);
      const failure = {
        step: error.failure.step === undefined ? undefined : redactValues(error.failure.step, values),
        lastLines: error.failure.lastLines.map((line) => redactValues(line, values)),
        error: error.failure.error === undefined ? undefined : redactValues(error.failure.error, values),
      };
      throw new BuildFailedError(failure, error.logFile, redactValues(error.log, values));
    }
    throw error;
  }
}

export async function buildImage(
  dir: string,
  options: BuildImageOptions,
  engine: Engine,
  onProgress: (event: BuildProgress) => void = () => {},
  /** A prepareBuild result for the same dir and options (saves walking the project twice). */
  preparedBefore?: PreparedBuild,
): Promise<BuildOutcome> {
  const env = options.env ?? process.env;
  const prepared = preparedBefore ?? (await prepareBuild(dir, options));
  if (!preparedBefore) onProgress({ kind: "prepared", prepared });
  if (prepared.plan.refusals.length > 0) throw new BuildRefusedError(prepared);
  const { plan } = prepared;

  const { labels, bases } = await labelsWithBase(prepared, engine, options, onProgress);
  const logFile = options.logFile ? resolve(options.logFile) : defaultLogFile(plan);
  const values = secretValues(plan.secrets, env);
  // Built without tags: they are applied afterwards, only where no tag would move to other content.
  const built = await runBuild(
    engine,
    toSpec(prepared, labels, plan.noCache),
    logFile,
    values,
    onProgress,
    options.signal,
  );

  const current = new Map<string, string | undefined>();
  for (const tag of plan.tags)
    current.set(tag, (await engine.imageExists(tag)) ? (await engine.imageInspect(tag)).Id : undefined);
  const retag = decideRetag(plan.tags, current, built.imageId, options.forceRetag ?? false);
  const info = await engine.imageInspect(built.imageId);
  const builder = await builderVersions(engine);
  const outcome: BuildOutcome = {
    ...prepared,
    imageId: built.imageId,
    tags: [],
    retag,
    size: info.Size,
    labels: (info.Config?.Labels ?? {}) as Record<string, string>,
    bases,
    builder,
    logFile,
    durationMs: built.durationMs,
    secretLeaks: built.leaks,
  };
  if (retag.refused.length > 0) throw new RetagRefusedError(outcome);
  for (const tag of retag.apply) await engine.tagImage(built.imageId, tag);
  outcome.tags = plan.tags.filter((tag) => retag.apply.includes(tag) || retag.unchanged.includes(tag));

  if (prepared.buildinfoPath) {
    outcome.buildinfo = buildInfo(
      plan,
      { files: prepared.context.files, bytes: prepared.context.bytes },
      bases,
      builder,
      {
        imageId: built.imageId,
        tags: outcome.tags,
        size: info.Size,
        labels: outcome.labels,
      },
    );
    writeFileSync(prepared.buildinfoPath, `${JSON.stringify(outcome.buildinfo, null, 2)}\n`);
  }
  return outcome;
}

export interface ReproducibilityOutcome extends PreparedBuild {
  report: ReproducibilityReport;
  /** The first image, kept (untagged); the second is removed. */
  imageId: string;
  secondRemoved: boolean;
  logFiles: [string, string];
  bases: ResolvedBase[];
}

/** The options --check-reproducible prepares with: no tags, no BUILDINFO.json. */
export function reproducibleOptions(options: BuildImageOptions): BuildImageOptions {
  return { ...options, untagged: true, buildinfo: false };
}

/** An image's config and the files of its wanted layers, from `docker save` output. */
async function snapshot(
  engine: Engine,
  imageId: string,
  wanted: ReadonlySet<string>,
): Promise<{ snapshot: ImageSnapshot; entries: Map<string, LayerEntry[]> }> {
  const saved = await readSavedImage(await engine.exportImage(imageId), wanted);
  if (!saved.config) throw new ShipshapeError(`the export of image ${short(imageId)} has no config`);
  return { snapshot: snapshotFromConfig(imageId, saved.config), entries: saved.entries };
}

/** Two builds without cache from the same inputs, compared (see reproducible.ts). */
export async function checkReproducible(
  dir: string,
  options: BuildImageOptions,
  engine: Engine,
  onProgress: (event: BuildProgress) => void = () => {},
  preparedBefore?: PreparedBuild,
): Promise<ReproducibilityOutcome> {
  const env = options.env ?? process.env;
  const prepared = preparedBefore ?? (await prepareBuild(dir, reproducibleOptions(options)));
  if (!preparedBefore) onProgress({ kind: "prepared", prepared });
  if (prepared.plan.refusals.length > 0) throw new BuildRefusedError(prepared);
  const { labels, bases } = await labelsWithBase(prepared, engine, options, onProgress);
  const values = secretValues(prepared.plan.secrets, env);
  const base = options.logFile ? resolve(options.logFile) : defaultLogFile(prepared.plan);
  const stem = base.replace(/\.log$/, "");
  const logFiles: [string, string] = [`${stem}.1.log`, `${stem}.2.log`];
  const spec = toSpec(prepared, labels, true);
  const first = await runBuild(engine, spec, logFiles[0], values, onProgress, options.signal, 1);
  const second = await runBuild(engine, spec, logFiles[1], values, onProgress, options.signal, 2);
  const same = second.imageId === first.imageId;
  try {
    let report: ReproducibilityReport;
    if (same) {
      const one = await snapshot(engine, first.imageId, new Set());
      report = compareImages(one.snapshot, one.snapshot, new Map());
    } else {
      const [a, b] = await Promise.all([
        engine.imageInspect(first.imageId),
        engine.imageInspect(second.imageId),
      ]);
      const layersA = a.RootFS?.Layers ?? [];
      const layersB = b.RootFS?.Layers ?? [];
      const one = await snapshot(
        engine,
        first.imageId,
        new Set(layersA.filter((id, i) => layersB[i] !== id)),
      );
      const two = await snapshot(
        engine,
        second.imageId,
        new Set(layersB.filter((id, i) => layersA[i] !== id)),
      );
      report = compareImages(one.snapshot, two.snapshot, new Map([...one.entries, ...two.entries]));
    }
    return { ...prepared, report, imageId: first.imageId, secondRemoved: !same, logFiles, bases };
  } finally {
    // The second image only existed to be compared (its layers that equal the first's stay).
    if (!same) await engine.removeImage(second.imageId);
  }
}

/**
 * Runs a verify against the engine: builds the image with --no-cache (for a directory), plans
 * the runs (plan.ts), then runs what is independent at the same time: the image export and its
 * contents scan, and the container runs (the compose stack in dependency order, the hardened run
 * that is also the health, signals and minimal-environment run when it is healthy, a plain run
 * only when the hardened one is not, and the runs without each required variable). Every
 * container, network and volume belongs to one EngineSession and is removed at the end, also on
 * failure. The judgements are classify.ts's; this file observes and assembles.
 */
import { randomBytes } from "node:crypto";
import { get } from "node:http";
import { resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { detectApp } from "../app/detect.js";
import type { AppProfile } from "../app/types.js";
import { sentFiles, summarizeContext } from "../build/context.js";
import { buildImage } from "../build/index.js";
import { contextSecrets } from "../build/secrets.js";
import type { DockerfileTarget, ProjectFacts } from "../check/facts/project.js";
import { loadProject } from "../check/index.js";
import { BuildFailedError } from "../engine/build.js";
import type { Engine, EngineSession } from "../engine/engine.js";
import type { RunSpec } from "../engine/plans.js";
import { InputError, ShipshapeError } from "../errors.js";
import {
  classifyMissing,
  explainStop,
  findStackTrace,
  hardenedCauses,
  judgeStop,
  type Listener,
  logLines,
  type MissingVerdict,
  parseListeners,
  type StopObservation,
  scanLogs,
} from "./classify.js";
import { formatBytes, type ImageContents, inspectImageContents } from "./contents.js";
import { checkMetadata } from "./metadata.js";
import { planVerify, type VerifyPlan } from "./plan.js";
import {
  CHECKS,
  type CheckId,
  type CheckResult,
  type CheckState,
  type ImageFacts,
  type VerifyReport,
} from "./types.js";

export interface VerifyTarget {
  /** The app directory: built from when `image` is absent, its facts used either way. */
  dir?: string;
  /** An image to verify instead of building one. */
  image?: string;
  /** The tag of the image verify builds (default `shipshape-verify/<app>:latest`). */
  tag?: string;
}

export interface VerifyOptions {
  envFile?: ReadonlyMap<string, string>;
  /** How long the app gets to become healthy. */
  healthTimeoutMs?: number;
  /** How long a container started without a required variable gets to exit. */
  exitWithinMs?: number;
  signal?: AbortSignal;
  random?: (bytes: number) => string;
}

export interface VerifyHooks {
  onState?(id: CheckId, state: CheckState, result?: CheckResult): void;
  onBuildStep?(step: string): void;
  /** The session, as soon as there is one (the CLI cleans it up on Ctrl-C). */
  onSession?(session: EngineSession): void;
  /** The image verify built (kept, labelled). */
  onImage?(image: { tag: string; id: string }): void;
}

export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;
export const DEFAULT_EXIT_WITHIN_MS = 6_000;
const POLL_MS = 150;
export const LABEL_VERIFY = "io.shipshape.verify";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

class Aborted extends ShipshapeError {
  constructor() {
    super("interrupted", { exitCode: 130 });
  }
}

/** What verify knows about a directory: the facts check reads, detection, the Dockerfile it builds. */
export interface DirFacts {
  dir: string;
  facts: ProjectFacts;
  app?: AppProfile;
  target?: DockerfileTarget;
  appError?: string;
}

export function loadDirFacts(dir: string): DirFacts {
  // Read as `check` reads it (the config's ignorePaths apply), without running the rules.
  const { dir: absolute, tree, facts } = loadProject(dir);
  const target =
    facts.dockerfiles.find((candidate) => candidate.dockerfile.file === "Dockerfile") ??
    facts.dockerfiles.find((candidate) => !candidate.dockerfile.file.includes("/"));
  const out: DirFacts = { dir: absolute, facts };
  if (target) out.target = target;
  try {
    out.app = detectApp(tree);
  } catch (error) {
    out.appError = (error as Error).message;
  }
  return out;
}

export function imageFactsOf(info: {
  Id: string;
  Size?: number;
  Config?: {
    User?: string;
    Env?: string[] | null;
    ExposedPorts?: Record<string, unknown> | null;
    Healthcheck?: {
      Test?: string[];
      Interval?: number;
      Timeout?: number;
      Retries?: number;
      StartPeriod?: number;
    } | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string;
    StopSignal?: string;
    Labels?: Record<string, string> | null;
  };
  RootFS?: { Layers?: string[] };
}): ImageFacts {
  const config = info.Config ?? {};
  const env: Record<string, string> = {};
  for (const entry of config.Env ?? []) {
    const index = entry.indexOf("=");
    if (index > 0) env[entry.slice(0, index)] = entry.slice(index + 1);
  }
  const facts: ImageFacts = {
    id: info.Id,
    user: config.User ?? "",
    env,
    exposedPorts: Object.keys(config.ExposedPorts ?? {})
      .filter((key) => key.endsWith("/tcp") || !key.includes("/"))
      .map((key) => Number.parseInt(key, 10))
      .filter(Number.isFinite),
    labels: config.Labels ?? {},
    sizeBytes: info.Size ?? 0,
    diffIds: info.RootFS?.Layers ?? [],
  };
  const check = config.Healthcheck;
  if (check?.Test?.length && check.Test[0] !== "NONE") {
    const ns = (value: number | undefined) => (value ? value / 1_000_000 : undefined);
    facts.healthcheck = { test: check.Test };
    const interval = ns(check.Interval);
    const timeout = ns(check.Timeout);
    const start = ns(check.StartPeriod);
    if (interval) facts.healthcheck.intervalMs = interval;
    if (timeout) facts.healthcheck.timeoutMs = timeout;
    if (check.Retries) facts.healthcheck.retries = check.Retries;
    if (start) facts.healthcheck.startPeriodMs = start;
  }
  if (config.Cmd) facts.cmd = config.Cmd;
  if (config.Entrypoint) facts.entrypoint = config.Entrypoint;
  if (config.WorkingDir) facts.workdir = config.WorkingDir;
  if (config.StopSignal) facts.stopSignal = config.StopSignal;
  return facts;
}

/** One GET through the published port; a network failure is data (`ECONNRESET`), never a throw. */
export function probeHttp(
  url: string,
  timeoutMs = 2_000,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((done) => {
    const request = get(
      url,
      { timeout: timeoutMs, headers: { "user-agent": "shipshape-verify" } },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 4096) chunks.push(chunk);
        });
        response.on("end", () =>
          done({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8").slice(0, 200),
          }),
        );
        response.on("error", (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
      },
    );
    request.on("timeout", () => request.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    request.on("error", (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
  });
}

interface AppObservation {
  role: "hardened" | "plain";
  id?: string;
  outcome: "healthy" | "exited" | "unhealthy" | "timeout" | "loopback" | "not-started";
  elapsedMs: number;
  exitCode?: number;
  oomKilled?: boolean;
  probe?: string;
  healthOutput?: string;
  listeners?: Listener[];
  /** Logs up to the end of the health wait (startup logs). */
  logs: string;
  error?: string;
}

/** The check results as they settle; the report is assembled from them. */
class Checklist {
  readonly results = new Map<CheckId, CheckResult>();
  private readonly started = new Map<CheckId, number>();
  constructor(private readonly hooks: VerifyHooks) {
    for (const check of CHECKS) hooks.onState?.(check.id, "pending");
  }
  running(id: CheckId): void {
    if (this.started.has(id)) return;
    this.started.set(id, Date.now());
    this.hooks.onState?.(id, "running");
  }
  settle(
    id: CheckId,
    result: Omit<CheckResult, "id" | "number" | "title" | "durationMs"> & { durationMs?: number },
  ) {
    const check = CHECKS.find((c) => c.id === id) as (typeof CHECKS)[number];
    const start = this.started.get(id) ?? Date.now();
    const full: CheckResult = {
      id,
      number: check.number,
      title: check.title,
      ...result,
      durationMs: result.durationMs ?? Date.now() - start,
    };
    if (!full.fix) delete full.fix;
    this.results.set(id, full);
    this.hooks.onState?.(id, full.status, full);
  }
  skipRest(why: string): void {
    for (const check of CHECKS)
      if (!this.results.has(check.id))
        this.settle(check.id, { status: "skip", summary: why, evidence: [], durationMs: 0 });
  }
}

function defaultTag(dir: DirFacts): string {
  const name = (dir.app?.name ?? dir.dir.split("/").at(-1) ?? "app")
    .toLowerCase()
    .replace(/^@[^/]+\//, "")
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "");
  return `shipshape-verify/${name || "app"}:latest`;
}

/** Check 1: --no-cache build, and what the context sends. */
async function cleanBuild(
  engine: Engine,
  dir: DirFacts,
  tag: string,
  list: Checklist,
  options: VerifyOptions,
  hooks: VerifyHooks,
): Promise<string | undefined> {
  list.running("build");
  const target = dir.target as DockerfileTarget;
  const evidence: string[] = [];
  const problems: string[] = [];
  const fixes: string[] = [];
  const context = target.context;
  const sent = sentFiles(dir.dir, dir.facts.tree, context);
  const report = summarizeContext(sent.files, { truncated: sent.truncated, top: 4 });
  evidence.push(
    `context: ${report.files}${report.truncated ? "+" : ""} files, ${formatBytes(report.bytes)}${context.dockerignore ? ` (${context.dockerignore.file} applies)` : " (no .dockerignore: everything is sent)"}`,
  );
  if (report.largest.length)
    evidence.push(
      `  largest: ${report.largest.map((entry) => `${entry.path}${entry.kind === "dir" ? "/" : ""} ${formatBytes(entry.bytes)}`).join(", ")}`,
    );
  for (const secret of contextSecrets(dir.facts, context)) {
    problems.push(`the context sends ${secret.path}`);
    evidence.push(`the context sends ${secret.path} (${secret.kind}: ${secret.shown.join(", ")})`);
  }
  for (const name of [".git", "node_modules", ".venv"])
    if (context.exists(name) && context.includes(name))
      evidence.push(
        `the context sends ${name}/ (${name === ".git" ? "the repository's history" : "host-installed dependencies"})`,
      );
  if (problems.length)
    fixes.push(
      "exclude secret files in .dockerignore (`.env*` with `!.env.example`, `*.pem`, `.npmrc`) and rotate what was sent",
    );
  try {
    // Built as `shipshape build` builds (provenance labels, base digest), but with no cache, no
    // version tags and no BUILDINFO.json: verify judges the context itself instead of refusing it.
    const built = await buildImage(
      dir.dir,
      {
        file: resolve(dir.dir, target.dockerfile.file),
        noCache: true,
        untagged: true,
        buildinfo: false,
        allowSecrets: true,
        allowDirty: true,
        labels: { [LABEL_VERIFY]: "true" },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      engine,
      (event) => {
        if (event.kind === "step") hooks.onBuildStep?.(event.step);
      },
    );
    await engine.tagImage(built.imageId, tag);
    evidence.unshift(
      `built with --no-cache in ${seconds(built.durationMs)}: ${tag} (${built.imageId.replace(/^sha256:/, "").slice(0, 12)})`,
    );
    list.settle("build", {
      status: problems.length ? "fail" : "pass",
      summary: problems.length
        ? `built, but ${problems.join("; ")}`
        : `built from scratch in ${seconds(built.durationMs)}`,
      evidence,
      ...(fixes.length ? { fix: fixes.join("; ") } : {}),
    });
    hooks.onImage?.({ tag, id: built.imageId });
    return built.imageId;
  } catch (error) {
    if (options.signal?.aborted) throw new Aborted();
    if (!(error instanceof BuildFailedError)) throw error;
    const failure = error.failure;
    evidence.unshift(
      `failed${failure.step ? ` at ${failure.step}` : ""}${failure.error ? `: ${failure.error}` : ""}`,
      ...failure.lastLines.map((line) => `  | ${line}`),
      `full log: ${error.logFile}`,
    );
    list.settle("build", {
      status: "fail",
      summary: `the build failed${failure.step ? ` at ${failure.step}` : ""}`,
      evidence,
      fix: "fix the failing step (the image must build from a clean checkout, with no cache)",
    });
    return undefined;
  }
}

export async function verify(
  engine: Engine,
  target: VerifyTarget,
  options: VerifyOptions = {},
  hooks: VerifyHooks = {},
): Promise<VerifyReport> {
  const startedAt = new Date();
  const list = new Checklist(hooks);
  const dir = target.dir ? loadDirFacts(target.dir) : undefined;
  if (dir && !target.image && !dir.target)
    throw new InputError(
      target.dir as string,
      undefined,
      "has no Dockerfile to build",
      "shipshape init writes one; or verify an image: shipshape verify <image> --dir <dir>",
    );

  let image = target.image;
  let imageId: string | undefined;
  const built = !target.image;
  if (!image && dir) {
    const tag = target.tag ?? defaultTag(dir);
    imageId = await cleanBuild(engine, dir, tag, list, options, hooks);
    image = tag;
    if (!imageId) {
      list.skipRest("no image: the build failed");
      return assemble(list, { startedAt, dir, image, built, env: [] });
    }
  } else {
    list.settle("build", {
      status: "skip",
      summary: `verifying the image ${image} as it is (no build)`,
      evidence: [],
      durationMs: 0,
    });
  }
  const reference = imageId ?? (image as string);
  if (!(await engine.imageExists(reference))) await engine.pull(reference);
  const info = await engine.imageInspect(reference);
  imageId = info.Id;
  const imageFacts = imageFactsOf(info as unknown as Parameters<typeof imageFactsOf>[0]);

  const session = engine.session("verify");
  hooks.onSession?.(session);
  const random = options.random ?? ((bytes: number) => randomBytes(bytes).toString("hex"));
  const plan = planVerify({
    image: imageId,
    imageFacts,
    ...(dir
      ? {
          project: {
            facts: dir.facts,
            ...(dir.app ? { app: dir.app } : {}),
            ...(dir.target ? { target: dir.target } : {}),
          },
        }
      : {}),
    envFile: options.envFile ?? new Map(),
    random,
    name: (suffix) => session.name(suffix),
    options: { pollMs: 250 },
  });

  let cleanup: VerifyReport["cleanup"];
  try {
    const contents = inspectContents(engine, imageId, imageFacts, dir, plan, list, options);
    const runs = runContainers(session, plan, imageFacts, list, options, contents);
    await Promise.all([contents.catch(() => undefined), runs]);
  } finally {
    try {
      cleanup = await session.cleanup();
    } catch {
      // The CLI's interrupt handler may be cleaning up at the same time: it removes what is left.
    }
  }
  if (options.signal?.aborted) throw new Aborted();
  return assemble(list, { startedAt, dir, image: image as string, imageId, built, env: plan.env, cleanup });
}

function assemble(
  list: Checklist,
  context: {
    startedAt: Date;
    dir: DirFacts | undefined;
    image: string;
    imageId?: string;
    built: boolean;
    env: VerifyPlan["env"];
    cleanup?: VerifyReport["cleanup"];
  },
): VerifyReport {
  const checks = CHECKS.map((check) => list.results.get(check.id)).filter(
    (result): result is CheckResult => result !== undefined,
  );
  const count = (status: string) => checks.filter((check) => check.status === status).length;
  const report: VerifyReport = {
    schemaVersion: 1,
    tool: { name: "shipshape", version: pkg.version },
    target: { kind: context.built ? "dir" : "image", image: context.image, built: context.built },
    startedAt: context.startedAt.toISOString(),
    durationMs: Date.now() - context.startedAt.getTime(),
    ok: count("fail") === 0,
    summary: { passed: count("pass"), failed: count("fail"), skipped: count("skip") },
    checks,
    environment: context.env.map(({ value: _, ...rest }) => rest),
  };
  if (context.dir) report.target.dir = context.dir.dir;
  if (context.imageId) report.target.imageId = context.imageId;
  if (context.cleanup) report.cleanup = context.cleanup;
  return report;
}

/** Checks 6 and 7: the image's layers from an export, and its metadata. */
async function inspectContents(
  engine: Engine,
  imageId: string,
  image: ImageFacts,
  dir: DirFacts | undefined,
  plan: VerifyPlan,
  list: Checklist,
  options: VerifyOptions,
): Promise<ImageContents | undefined> {
  list.running("contents");
  list.running("metadata");
  let contents: ImageContents;
  try {
    const baseDiffIds = await baseLayers(engine, dir);
    const archive = await engine.exportImage(imageId);
    contents = await inspectImageContents(archive, {
      ...(image.workdir ? { appDir: image.workdir } : {}),
      ...(baseDiffIds ? { baseDiffIds } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) throw new Aborted();
    const message = error instanceof Error ? error.message : String(error);
    for (const id of ["contents", "metadata"] as const)
      list.settle(id, { status: "skip", summary: "the image could not be read", evidence: [message] });
    return undefined;
  }
  const errors = contents.findings.filter((finding) => finding.severity === "error");
  const evidence = contents.findings.map((finding) => {
    const layer =
      finding.layer.index < 0
        ? "image config"
        : `layer ${finding.layer.index}${finding.layer.fromBase ? " (base image)" : ""}: \`${finding.layer.instruction}\``;
    const deleted =
      finding.deletedInLayer !== undefined
        ? `, deleted in layer ${finding.deletedInLayer} but still in the image`
        : "";
    return `${finding.severity === "error" ? "✗" : "!"} ${finding.kind} ${finding.path} (${layer}${deleted}): ${finding.detail}`;
  });
  evidence.push(...contents.notes.map((note) => `note: ${note}`));
  const kinds = [...new Set(errors.map((finding) => finding.kind))];
  const fixes = [...new Set(errors.map((finding) => finding.fix))];
  list.settle("contents", {
    status: errors.length ? "fail" : "pass",
    summary: errors.length
      ? `${errors.length} problem${errors.length === 1 ? "" : "s"} in the layers: ${kinds.join(", ")}`
      : `${contents.layers.length} layers read, nothing that should not ship${contents.findings.length ? ` (${contents.findings.length} warning${contents.findings.length === 1 ? "" : "s"})` : ""}`,
    evidence,
    ...(fixes.length ? { fix: fixes.join("; ") } : {}),
  });

  const expected: Parameters<typeof checkMetadata>[1] = {};
  if (plan.port) {
    expected.port = plan.port.container;
    expected.portEvidence = plan.port.why;
  }
  if (plan.health.detected) expected.healthPath = plan.health.path;
  const parts = checkMetadata(contents, expected);
  const failed = parts.filter((part) => part.status === "fail");
  list.settle("metadata", {
    status: failed.length ? "fail" : "pass",
    summary: failed.length
      ? failed.map((part) => part.title).join("; ")
      : `user, ports, health check, labels and size (${formatBytes(contents.totalBytes)}) in order`,
    evidence: parts.flatMap((part) => [
      `${part.status === "pass" ? "✓" : part.status === "fail" ? "✗" : "-"} ${part.title}`,
      ...part.evidence.map((line) => `  ${line}`),
      ...(part.warnings ?? []).map((line) => `  ! ${line}`),
    ]),
    ...(failed.length ? { fix: failed.flatMap((part) => (part.fix ? [part.fix] : [])).join("; ") } : {}),
    parts: parts.map((part) => ({
      id: part.id,
      title: part.title,
      status: part.status,
      evidence: [...part.evidence, ...(part.warnings ?? [])],
      ...(part.fix ? { fix: part.fix } : {}),
    })),
  });
  return contents;
}

/** The diff ids of the final stage's base image, when the engine has it (after a build it does). */
async function baseLayers(engine: Engine, dir: DirFacts | undefined): Promise<string[] | undefined> {
  const final = dir?.target?.dockerfile.final;
  if (!final || final.parentStage !== undefined) return undefined;
  const base = final.base.text;
  if (!base || base === "scratch" || /\$/.test(base)) return undefined;
  try {
    return (await engine.imageInspect(base)).RootFS?.Layers ?? undefined;
  } catch {
    return undefined;
  }
}

function guard(options: VerifyOptions): void {
  if (options.signal?.aborted) throw new Aborted();
}

/** Checks 2, 3, 4, 5 and 8: the containers. */
async function runContainers(
  session: EngineSession,
  plan: VerifyPlan,
  image: ImageFacts,
  list: Checklist,
  options: VerifyOptions,
  contentsTask: Promise<ImageContents | undefined>,
): Promise<void> {
  for (const id of ["env", "hardened", "health", "signals", "logs"] as const) list.running(id);
  const healthTimeoutMs = options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const runLogs: Array<{ run: string; logs: string }> = [];
  try {
    guard(options);
    if (plan.network) await session.createNetwork(plan.network);
    for (const volume of plan.volumes) await session.createVolume(volume);
    const stack = await startStack(session, plan, options, healthTimeoutMs, runLogs);

    guard(options);
    // A run without a variable gets as long as the app itself takes to start (it may be slow on a
    // busy machine), and at least DEFAULT_EXIT_WITHIN_MS: "still running" must mean "unnoticed".
    let appStarted: () => void = () => undefined;
    const started = new Promise<void>((done) => {
      appStarted = done;
    });
    const missing = Promise.all(
      plan.missing.map((run) => runWithout(session, run, options, started, healthTimeoutMs)),
    );
    const hardened = await runApp(session, plan, plan.hardened, "hardened", healthTimeoutMs, options).finally(
      () => appStarted(),
    );
    runLogs.push({ run: "hardened run", logs: hardened.logs });
    let serving = hardened;
    let plain: AppObservation | undefined;
    if (hardened.outcome !== "healthy") {
      if (hardened.id) await session.remove(hardened.id).catch(() => undefined);
      guard(options);
      plain = await runApp(session, plan, plan.plain, "plain", healthTimeoutMs, options);
      runLogs.push({ run: "plain run", logs: plain.logs });
      serving = plain;
    }

    // 5. Signals, on the container that serves (before anything else stops it).
    let stop: StopObservation | undefined;
    if (
      serving.id &&
      (serving.outcome === "healthy" ||
        serving.outcome === "loopback" ||
        serving.outcome === "timeout" ||
        serving.outcome === "unhealthy")
    ) {
      guard(options);
      const pid1 = await session
        .exec(serving.id, ["cat", "/proc/1/cmdline"], { timeoutMs: 3_000 })
        .catch(() => undefined);
      const stopped = await session.stop(serving.id, 10);
      stop = { ...stopped };
      const cmdline = pid1?.exitCode === 0 ? pid1.stdout.replace(/\0+$/, "").replace(/\0/g, " ").trim() : "";
      if (cmdline) stop.pid1 = cmdline;
    }

    settleEnv(list, plan, serving, await missing, image, await contentsTask.catch(() => undefined));
    settleHardened(list, plan, hardened, plain);
    settleHealth(list, plan, stack, serving);
    settleSignals(list, plan, serving, stop);
    settleLogs(list, runLogs);
  } catch (error) {
    if (error instanceof Aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    for (const id of ["env", "hardened", "health", "signals", "logs"] as const)
      if (!list.results.has(id))
        list.settle(id, {
          status: "fail",
          summary: "the engine failed",
          evidence: message.split("\n").slice(0, 12),
        });
  }
}

interface StackOutcome {
  ok: boolean;
  evidence: string[];
  failure?: string;
}

async function startStack(
  session: EngineSession,
  plan: VerifyPlan,
  options: VerifyOptions,
  timeoutMs: number,
  runLogs: Array<{ run: string; logs: string }>,
): Promise<StackOutcome> {
  const outcome: StackOutcome = { ok: true, evidence: [] };
  for (const step of plan.stack) {
    guard(options);
    const started = Date.now();
    if (step.kind === "job") {
      const result = await session.runToCompletion(step.spec, timeoutMs);
      runLogs.push({ run: step.name, logs: `${result.stdout}${result.stderr}` });
      const took = seconds(Date.now() - started);
      if (result.exitCode === 0) {
        outcome.evidence.push(`${step.name}: \`${commandOf(step.spec)}\` exited 0 in ${took} (${step.why})`);
      } else {
        outcome.ok = false;
        outcome.failure = `${step.name} ${result.timedOut ? "did not finish" : `exited ${result.exitCode}`}`;
        outcome.evidence.push(
          `${step.name}: \`${commandOf(step.spec)}\` ${result.timedOut ? `still running after ${took}` : `exited ${result.exitCode} after ${took}`}`,
        );
        for (const line of logLines(`${result.stdout}${result.stderr}`).slice(-6))
          outcome.evidence.push(`  | ${line}`);
      }
      continue;
    }
    const id = await session.run(step.spec);
    if (step.readiness === "healthcheck") {
      try {
        await session.waitForHealthy(id, timeoutMs, 100);
        outcome.evidence.push(
          `${step.name} (${step.spec.image}): healthy in ${seconds(Date.now() - started)} (${step.why})`,
        );
      } catch (error) {
        outcome.ok = false;
        outcome.failure = `${step.name} did not become healthy`;
        outcome.evidence.push(
          `${step.name} (${step.spec.image}): ${(error as Error).message.split("\n")[0]}`,
        );
      }
    } else outcome.evidence.push(`${step.name} (${step.spec.image}): started (${step.why})`);
  }
  return outcome;
}

function commandOf(spec: RunSpec): string {
  return [...(spec.entrypoint ?? []), ...(spec.cmd ?? [])].join(" ") || "the image's command";
}

async function runWithout(
  session: EngineSession,
  run: VerifyPlan["missing"][number],
  options: VerifyOptions,
  appStarted: Promise<void>,
  timeoutMs: number,
): Promise<MissingVerdict> {
  guard(options);
  const started = Date.now();
  const id = await session.run(run.spec);
  let exitCode = await session.wait(id, options.exitWithinMs ?? DEFAULT_EXIT_WITHIN_MS);
  if (exitCode === undefined) {
    await Promise.race([appStarted, sleep(timeoutMs)]);
    exitCode = await session.wait(id, 2_000);
  }
  const elapsedMs = Date.now() - started;
  const output = await session.logs(id);
  await session.remove(id).catch(() => undefined);
  const observation = { variable: run.variable, elapsedMs, logs: `${output.stdout}${output.stderr}` };
  return classifyMissing(exitCode === undefined ? observation : { ...observation, exitCode });
}

function healthyAnswer(status: number, detected: boolean): boolean {
  return detected ? status >= 200 && status < 400 : status > 0 && status < 500;
}

/** Starts an app run and waits until it is healthy, exits, turns unhealthy, or the time is up. */
async function runApp(
  session: EngineSession,
  plan: VerifyPlan,
  spec: RunSpec,
  role: AppObservation["role"],
  timeoutMs: number,
  options: VerifyOptions,
): Promise<AppObservation> {
  const started = Date.now();
  let id: string;
  try {
    id = await session.run(spec);
  } catch (error) {
    if (error instanceof Aborted) throw error;
    return { role, outcome: "not-started", elapsedMs: 0, logs: "", error: (error as Error).message };
  }
  const observation: AppObservation = { role, id, outcome: "timeout", elapsedMs: 0, logs: "" };
  let hostPort: number | undefined;
  let lastListenCheck = 0;
  for (;;) {
    guard(options);
    const info = await session.inspect(id);
    const elapsed = Date.now() - started;
    const health = info.State.Health;
    if (health?.Log?.length)
      observation.healthOutput = (health.Log.at(-1)?.Output ?? "").trim().slice(0, 200);
    if (!info.State.Running) {
      observation.outcome = "exited";
      observation.exitCode = info.State.ExitCode;
      if (info.State.OOMKilled) observation.oomKilled = true;
      break;
    }
    if (health?.Status === "unhealthy") {
      observation.outcome = "unhealthy";
      break;
    }
    let httpOk = plan.port === undefined;
    if (plan.port) {
      hostPort ??=
        Number(info.NetworkSettings.Ports?.[`${plan.port.container}/tcp`]?.[0]?.HostPort) || undefined;
      if (hostPort) {
        const url = `http://127.0.0.1:${hostPort}${plan.health.path}`;
        const answer = await probeHttp(url);
        if ("status" in answer) {
          observation.probe = `GET ${plan.health.path} → ${answer.status}${answer.body ? ` ${answer.body.replace(/\s+/g, " ").trim().slice(0, 80)}` : ""}`;
          httpOk = healthyAnswer(answer.status, plan.health.detected);
        } else {
          observation.probe = `GET ${plan.health.path} → ${answer.error}`;
          // Connection resets on a running container: is it listening on its loopback only?
          if (elapsed > 1_500 && Date.now() - lastListenCheck > 2_000) {
            lastListenCheck = Date.now();
            const tcp = await session
              .exec(id, ["cat", "/proc/net/tcp", "/proc/net/tcp6"], { timeoutMs: 3_000 })
              .catch(() => undefined);
            const listeners = tcp
              ? parseListeners(tcp.stdout).filter((l) => l.port === plan.port?.container)
              : [];
            if (listeners.length > 0 && listeners.every((listener) => listener.loopback)) {
              observation.outcome = "loopback";
              observation.listeners = listeners;
              break;
            }
          }
        }
      }
    }
    const containerOk = !plan.health.imageHealthcheck || health?.Status === "healthy";
    if (containerOk && httpOk) {
      observation.outcome = "healthy";
      break;
    }
    if (elapsed > timeoutMs) break;
    await sleep(POLL_MS);
  }
  observation.elapsedMs = Date.now() - started;
  const output = await session.logs(id);
  observation.logs = `${output.stdout}${output.stderr}`;
  return observation;
}

function envSummary(plan: VerifyPlan): string {
  const app = plan.env.filter((variable) => variable.app);
  if (app.length === 0) return "started with no variables (none declared)";
  return `started with only the declared variables: ${app.map((v) => `${v.name} (${v.why})`).join(", ")}`;
}

function tail(logs: string, lines = 6): string[] {
  return logLines(logs)
    .slice(-lines)
    .map((line) => `  | ${line.slice(0, 200)}`);
}

function settleEnv(
  list: Checklist,
  plan: VerifyPlan,
  serving: AppObservation,
  verdicts: MissingVerdict[],
  image: ImageFacts,
  contents: ImageContents | undefined,
): void {
  const evidence = [envSummary(plan)];
  const problems: string[] = [];
  const fixes = new Set<string>();
  const missingConfig = scanLogs([{ run: serving.role, logs: serving.logs }]).filter(
    (finding) => finding.category === "missing-config",
  );
  if (serving.outcome === "exited" || serving.outcome === "not-started") {
    problems.push("it does not start with the declared variables");
    evidence.push(
      `${serving.role} run ${serving.outcome === "exited" ? `exited ${serving.exitCode}` : `did not start: ${serving.error}`} after ${seconds(serving.elapsedMs)}`,
    );
    evidence.push(...tail(serving.logs));
  } else {
    evidence.push(
      `${serving.role} run: ${serving.outcome === "healthy" ? `healthy in ${seconds(serving.elapsedMs)}` : "kept running"}`,
    );
  }
  for (const finding of missingConfig) {
    problems.push("its logs ask for configuration");
    evidence.push(`  missing config: ${finding.line}`);
  }
  if (verdicts.length === 0)
    evidence.push(
      plan.env.some((variable) => variable.required && variable.source === "env-file")
        ? "required variables come from --env-from: none was left out"
        : "no variable is marked required (.env.example or the code), so none was left out",
    );
  const envFiles = (contents?.findings ?? []).filter(
    (finding) => finding.kind === "secret" && /(?:^|\/)\.env(?:\.[^/]*)?$/.test(finding.path),
  );
  for (const verdict of verdicts) {
    evidence.push(...verdict.evidence);
    if (verdict.ok) continue;
    if (verdict.problems.includes("unnoticed") || verdict.problems.includes("exit-zero")) {
      problems.push(`absence of ${verdict.variable} unnoticed`);
      if (image.env[verdict.variable] !== undefined)
        evidence.push(`  the image's own ENV sets ${verdict.variable}: a missing value can never be noticed`);
      for (const file of envFiles)
        evidence.push(
          `  ${file.path} in the image (layer ${file.layer.index}: \`${file.layer.instruction}\`) can supply it`,
        );
      fixes.add("validate required variables at startup and exit 1 with one line naming the missing one");
      if (envFiles.length)
        fixes.add("keep .env files out of the image (.dockerignore) and pass configuration at run time");
    }
    if (verdict.problems.includes("stack-trace")) {
      problems.push(`a stack trace instead of a clear message without ${verdict.variable}`);
      fixes.add(
        "print one line naming the missing variable instead of letting an error's stack trace through",
      );
    }
    if (verdict.problems.includes("unclear")) {
      problems.push(`exits without naming ${verdict.variable}`);
      fixes.add("name the missing variable in the error message");
    }
  }
  const unique = [...new Set(problems)];
  list.settle("env", {
    status: unique.length ? "fail" : "pass",
    summary: unique.length
      ? unique.join("; ")
      : `runs with only the declared variables${verdicts.length ? `; without ${verdicts.map((v) => v.variable).join(" or ")} it exits naming it` : ""}`,
    evidence,
    ...(fixes.size ? { fix: [...fixes].join("; ") } : {}),
  });
}

function settleHardened(
  list: Checklist,
  plan: VerifyPlan,
  hardened: AppObservation,
  plain: AppObservation | undefined,
): void {
  const spec = plan.hardened;
  const memory = `${Math.round((spec.memoryBytes ?? 0) / 1024 / 1024)} MiB`;
  const limits = `read-only root, tmpfs ${Object.keys(spec.tmpfs ?? {}).join(", ")}, --cap-drop ALL, no-new-privileges, user ${plan.user.name}, ${memory} memory, ${spec.pidsLimit} processes`;
  const evidence = [`ran ${limits}`];
  const problems: string[] = [];
  const fixes: string[] = [];
  if (plan.user.root) {
    problems.push("runs as root");
    evidence.push(
      `the image's user is root (${plan.user.name === "root (no USER)" ? "the image sets no USER" : `USER ${plan.user.name}`}): verify ran the other checks as it, to keep them informative`,
    );
    fixes.push(
      "run as an unprivileged user: `COPY --chown=node:node` what the app needs, then `USER node` (Python: a system user) before `CMD`",
    );
  }
  const causes = hardenedCauses(hardened.logs, {
    user: plan.user.root ? "" : plan.user.name,
    ...(hardened.oomKilled ? { oomKilled: true } : {}),
  });
  for (const cause of causes) {
    problems.push(
      cause.kind === "read-only"
        ? `writes to the read-only root${cause.path ? ` (${cause.path})` : ""}`
        : cause.kind === "permission"
          ? `cannot write ${cause.path}`
          : cause.kind === "privileged-port"
            ? "binds a privileged port"
            : cause.kind === "memory"
              ? "out of memory"
              : cause.kind === "pids"
                ? "hits the process limit"
                : "needs a dropped capability",
    );
    evidence.push(`  | ${cause.line}`);
    fixes.push(cause.fix);
  }
  const healthyPlain = plain?.outcome === "healthy";
  if (hardened.outcome === "healthy") evidence.push(`healthy hardened in ${seconds(hardened.elapsedMs)}`);
  else {
    evidence.push(`hardened run: ${describeOutcome(hardened)}`);
    if (causes.length === 0) evidence.push(...tail(hardened.logs));
    if (healthyPlain) {
      problems.push("healthy only without the hardening");
      evidence.push(
        `the same image with the same variables is healthy without it (in ${seconds(plain?.elapsedMs ?? 0)})`,
      );
    }
  }
  const unique = [...new Set(problems)];
  if (unique.length === 0 && hardened.outcome !== "healthy") {
    list.settle("hardened", {
      status: "skip",
      summary: "not judged: the app is not healthy without the hardening either (see 4 Health)",
      evidence,
    });
    return;
  }
  list.settle("hardened", {
    status: unique.length ? "fail" : "pass",
    summary: unique.length
      ? unique.join("; ")
      : `healthy read-only, without capabilities, as ${plan.user.name}`,
    evidence,
    ...(fixes.length ? { fix: [...new Set(fixes)].join("; ") } : {}),
  });
}

function describeOutcome(observation: AppObservation): string {
  switch (observation.outcome) {
    case "healthy":
      return `healthy in ${seconds(observation.elapsedMs)}`;
    case "exited":
      return `exited ${observation.exitCode} after ${seconds(observation.elapsedMs)}${observation.oomKilled ? " (out of memory)" : ""}`;
    case "unhealthy":
      return `unhealthy after ${seconds(observation.elapsedMs)}${observation.healthOutput ? ` (last probe: ${observation.healthOutput})` : ""}`;
    case "loopback":
      return `listens on ${observation.listeners?.map((l) => `${l.address}:${l.port}`).join(", ")} only`;
    case "not-started":
      return `did not start: ${observation.error}`;
    default:
      return `not healthy after ${seconds(observation.elapsedMs)}${observation.probe ? ` (${observation.probe})` : ""}`;
  }
}

function settleHealth(list: Checklist, plan: VerifyPlan, stack: StackOutcome, serving: AppObservation): void {
  const evidence = [...stack.evidence];
  const how = [
    plan.health.imageHealthcheck ? "the image's HEALTHCHECK" : undefined,
    plan.port
      ? `GET ${plan.health.path} on the published port ${plan.port.container} (${plan.health.why})`
      : undefined,
  ]
    .filter(Boolean)
    .join(" and ");
  if (!plan.port && !plan.health.imageHealthcheck) {
    list.settle("health", {
      status: "skip",
      summary: "nothing to probe: no HEALTHCHECK and no known port",
      evidence: [...evidence, ...plan.notes],
    });
    return;
  }
  const run =
    serving.role === "hardened" ? "the hardened run" : "a plain run (the hardened one was not healthy)";
  if (serving.outcome === "healthy") {
    evidence.push(`${run}: healthy in ${seconds(serving.elapsedMs)} by ${how}`);
    if (serving.probe) evidence.push(`  ${serving.probe}`);
    list.settle("health", {
      status: stack.ok ? "pass" : "fail",
      summary: stack.ok
        ? `healthy in ${seconds(serving.elapsedMs)}${plan.stack.length ? ` after ${plan.stack.map((s) => s.name).join(", ")}` : ""}`
        : `the stack did not come up: ${stack.failure}`,
      evidence,
      ...(stack.ok
        ? {}
        : { fix: "make the dependency services and migrations succeed before the app starts" }),
    });
    return;
  }
  evidence.push(`${run}: ${describeOutcome(serving)} (waiting on ${how})`);
  let fix = "make the app answer its health check within the timeout";
  let summary = `not healthy: ${describeOutcome(serving)}`;
  if (serving.outcome === "loopback") {
    summary = `the published port never answers: the server listens on ${serving.listeners?.map((l) => l.address).join(", ")} only`;
    evidence.push(`  ${serving.probe ?? ""} from the host; /proc/net/tcp shows the listener on loopback`);
    fix = "listen on 0.0.0.0 (every interface of the container), e.g. `app.listen(PORT, '0.0.0.0')`";
  } else {
    if (serving.probe) evidence.push(`  last probe: ${serving.probe}`);
    if (serving.healthOutput) evidence.push(`  last HEALTHCHECK output: ${serving.healthOutput}`);
    evidence.push(...tail(serving.logs));
  }
  if (!stack.ok) summary = `the stack did not come up (${stack.failure}); ${summary}`;
  list.settle("health", { status: "fail", summary, evidence, fix });
}

function settleSignals(
  list: Checklist,
  plan: VerifyPlan,
  serving: AppObservation,
  stop: StopObservation | undefined,
): void {
  if (!stop) {
    list.settle("signals", {
      status: "skip",
      summary: `nothing to stop: the app ${describeOutcome(serving)}`,
      evidence: [],
    });
    return;
  }
  const evidence = [
    `docker stop: exit code ${stop.exitCode} after ${seconds(stop.durationMs)}${stop.killed ? " (SIGKILL after the 10 s grace period)" : ""}`,
  ];
  if (stop.pid1) evidence.push(`PID 1: ${stop.pid1}`);
  if (judgeStop(stop)) {
    if (stop.exitCode === 143)
      evidence.push("ended by SIGTERM itself (exit 143): no handler ran, in-flight requests may be cut");
    list.settle("signals", {
      status: "pass",
      summary: `stops in ${seconds(stop.durationMs)} with exit code ${stop.exitCode}`,
      evidence,
    });
    return;
  }
  const { why, fix } = explainStop(stop, plan.signals);
  evidence.push(...why.map((line) => `  ${line}`));
  const slow = stop.durationMs > 2_000;
  list.settle("signals", {
    status: "fail",
    summary: stop.killed
      ? `did not stop on SIGTERM: killed after ${seconds(stop.durationMs)}`
      : slow
        ? `slow stop: ${seconds(stop.durationMs)} (more than 2 s)`
        : `stops with exit code ${stop.exitCode}: every stop or redeploy looks like a crash`,
    evidence,
    fix,
  });
}

function settleLogs(list: Checklist, runs: Array<{ run: string; logs: string }>): void {
  const findings = scanLogs(runs);
  const categories = [...new Set(findings.map((finding) => finding.category))];
  const traces = runs.flatMap(({ run, logs }) => {
    const trace = findStackTrace(logs);
    return trace ? [`${run}: a stack trace: ${trace.error}`] : [];
  });
  list.settle("logs", {
    status: findings.length ? "fail" : "pass",
    summary: findings.length
      ? `${categories.join(", ")} errors in the startup logs`
      : `no missing-config, permission, connection or deprecation errors in the logs of ${runs.length === 1 ? "1 run" : `${runs.length} runs`}`,
    evidence: [
      ...findings.map((finding) => `${finding.category} (${finding.run}): ${finding.line}`),
      ...traces,
    ],
    ...(findings.length
      ? {
          fix: [
            categories.includes("missing-config") ? "declare and pass every variable the app needs" : "",
            categories.includes("permission") ? "see 3 Hardened run for the paths and their fixes" : "",
            categories.includes("connection")
              ? "point the connection variables at reachable services, and wait for them before starting"
              : "",
            categories.includes("deprecation") ? "update the deprecated calls or dependencies" : "",
          ]
            .filter(Boolean)
            .join("; "),
        }
      : {}),
  });
}

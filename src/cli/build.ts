/**
 * `shipshape build [dir]` and `build --check-reproducible`: flags to a BuildImageOptions, progress
 * while it builds (BuildKit's steps: one live line in a terminal, plain lines otherwise, nothing
 * with --quiet), and the result as text or JSON. Exit 0 built, 1 refused or failed (or not
 * reproducible), 2 bad input.
 */
import type {
  BuildImageOptions,
  BuildOutcome,
  BuildProgress,
  ContextReport,
  PreparedBuild,
  ReproducibilityReport,
} from "../build/index.js";
import { UsageError } from "../errors.js";
import type { CliIO, Output } from "./output.js";

export interface BuildCommandOptions {
  file?: string;
  target?: string;
  platform?: string;
  buildArg: string[];
  secret: string[];
  name?: string;
  version?: string;
  tag: string[];
  cache?: boolean;
  pull?: boolean;
  allowSecrets?: boolean;
  allowDirty?: boolean;
  forceRetag?: boolean;
  buildinfo?: string | boolean;
  log?: string;
  checkReproducible?: boolean;
  format: string;
}

export async function buildOptions(
  options: BuildCommandOptions,
  env: NodeJS.ProcessEnv,
): Promise<BuildImageOptions> {
  const { parseSecretSpec } = await import("../build/secrets.js");
  if (options.format !== "text" && options.format !== "json")
    throw new UsageError(`--format ${options.format} is not one of text, json`, {
      hint: "--file names the Dockerfile (-f is --format here, as in shipshape check)",
    });
  const buildArgs: Record<string, string> = {};
  for (const arg of options.buildArg) {
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new UsageError(`--build-arg ${eq < 0 ? arg : `${name}=…`}: "${name}" is not an argument name`);
    if (eq < 0) {
      // As docker does: NAME alone takes the value from the environment.
      const value = env[name];
      if (value === undefined)
        throw new UsageError(`--build-arg ${name}: no value given and ${name} is not set in the environment`);
      buildArgs[name] = value;
    } else buildArgs[name] = arg.slice(eq + 1);
  }
  const out: BuildImageOptions = {
    buildArgs,
    secrets: options.secret.map(parseSecretSpec),
    tags: options.tag,
    noCache: options.cache === false,
    pull: options.pull ?? false,
    allowSecrets: options.allowSecrets ?? false,
    allowDirty: options.allowDirty ?? false,
    forceRetag: options.forceRetag ?? false,
    env,
  };
  if (options.file !== undefined) out.file = options.file;
  if (options.target !== undefined) out.target = options.target;
  if (options.platform !== undefined) out.platform = options.platform;
  if (options.name !== undefined) out.name = options.name;
  if (options.version !== undefined) out.version = options.version;
  if (options.buildinfo === false) out.buildinfo = false;
  else if (typeof options.buildinfo === "string") out.buildinfo = options.buildinfo;
  if (options.log !== undefined) out.logFile = options.log;
  return out;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

function plural(count: number, word: string): string {
  const many = word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`;
  return `${count.toLocaleString("en-US")} ${count === 1 ? word : many}`;
}

export function contextLines(report: ContextReport): string[] {
  const atLeast = report.truncated ? "at least " : "";
  const lines = [
    `context  ${atLeast}${formatBytes(report.bytes)} in ${atLeast}${plural(report.files, "file")}${report.dockerignore ? ` (after ${report.dockerignore})` : " (no .dockerignore)"}`,
  ];
  for (const entry of report.largest.slice(0, 8)) {
    const what = entry.kind === "dir" ? `${entry.path}/` : entry.path;
    const files = entry.kind === "dir" ? `  ${plural(entry.files, "file")}` : "";
    lines.push(`  ${formatBytes(entry.bytes).padStart(8)}  ${what}${files}`);
  }
  return lines;
}

function describeGit(prepared: PreparedBuild): string {
  const git = prepared.plan.git;
  if (git.state === "none") return git.reason;
  if (git.state === "no-commits") return "git: no commit yet";
  return `commit ${git.short}${git.state === "dirty" ? ` + uncommitted changes (${git.dirtyFiles.length})` : ""}`;
}

/** Where BuildKit's step headers go: one rewritten line on a terminal, plain lines otherwise. */
class Progress {
  private live = false;
  constructor(
    private readonly io: CliIO,
    private readonly out: Output,
  ) {}

  private get tty(): boolean {
    return this.io.stderr.isTTY === true && this.io.env.TERM !== "dumb";
  }

  step(text: string): void {
    if (this.out.quiet) return;
    if (this.tty) {
      const width = Math.max(20, ((process.stderr.columns as number | undefined) ?? 100) - 2);
      const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
      this.io.stderr.write(`\r\x1b[2K${this.out.colors.dim(line)}`);
      this.live = true;
    } else this.io.stderr.write(`${this.out.colors.dim(text)}\n`);
  }

  /** Ends the live line before anything else is printed. */
  clear(): void {
    if (this.live) {
      this.io.stderr.write("\r\x1b[2K");
      this.live = false;
    }
  }
}

function onProgressFor(out: Output, io: CliIO, progress: Progress, reproducible: boolean) {
  return (event: BuildProgress) => {
    if (event.kind === "step") {
      progress.step(`${event.build ? `build ${event.build}/2 ` : ""}${event.step}`);
      return;
    }
    progress.clear();
    if (event.kind === "warning") out.warn(event.text);
    else if (event.kind === "prepared") {
      const { plan } = event.prepared;
      if (out.quiet) return;
      for (const line of contextLines(event.prepared.context)) out.info(line);
      for (const note of plan.notes) out.info(`note: ${note}`);
      for (const warning of plan.warnings) out.warn(warning);
      if (plan.refusals.length > 0) return;
      const target = plan.target ? ` --target ${plan.target}` : "";
      out.info(
        reproducible
          ? `building ${plan.dockerfile}${target} twice without cache (${describeGit(event.prepared)}) to compare`
          : `building ${plan.name} from ${plan.dockerfile}${target} (${describeGit(event.prepared)})${plan.noCache ? " without cache" : ""}`,
      );
    } else if (event.kind === "building") out.info(`log      ${event.logFile}`);
    void io;
  };
}

function textResult(outcome: BuildOutcome): string {
  const lines = [
    `built ${outcome.imageId} (${formatBytes(outcome.size)}) in ${(outcome.durationMs / 1000).toFixed(1)} s`,
  ];
  const tagNotes = new Map<string, string>();
  for (const tag of outcome.retag.unchanged) tagNotes.set(tag, " (already this image)");
  for (const moved of outcome.retag.moved)
    tagNotes.set(moved.tag, ` (moved from ${moved.previous.slice(7, 19)}, --force-retag)`);
  lines.push(
    `  tags       ${outcome.tags.length ? outcome.tags.map((tag) => `${tag}${tagNotes.get(tag) ?? ""}`).join("\n             ") : "(none)"}`,
  );
  for (const base of outcome.bases) {
    const digest = base.digest ? `@${base.digest}` : " (digest unknown)";
    const from = base.digestFrom === "engine" ? "the engine's pulled image" : base.digestFrom;
    lines.push(
      `  base       ${base.canonical ?? base.image}${digest}${from ? ` (from ${from})` : ""}${base.final ? "" : ` [stage ${base.stageName ?? base.stage}]`}`,
    );
  }
  const keys = Object.keys(outcome.labels).filter(
    (key) => key.startsWith("org.opencontainers.") || key.startsWith("io.shipshape."),
  );
  for (const key of keys.sort()) lines.push(`  label      ${key}=${outcome.labels[key]}`);
  if (outcome.buildinfoPath) lines.push(`  buildinfo  ${outcome.buildinfoPath}`);
  lines.push(`  log        ${outcome.logFile}`);
  return lines.join("\n");
}

function outcomeJson(outcome: BuildOutcome) {
  return {
    imageId: outcome.imageId,
    tags: outcome.tags,
    retag: outcome.retag,
    size: outcome.size,
    durationMs: outcome.durationMs,
    labels: outcome.labels,
    bases: outcome.bases,
    context: outcome.context,
    git: outcome.plan.git,
    warnings: outcome.plan.warnings,
    notes: outcome.plan.notes,
    secretLeaks: outcome.secretLeaks.length,
    buildinfo: outcome.buildinfoPath ?? null,
    logFile: outcome.logFile,
  };
}

export function reproducibilityText(report: ReproducibilityReport, removed: boolean): string {
  const lines: string[] = [];
  const differing = report.layers.filter((layer) => !layer.equal);
  if (report.identical) {
    lines.push(`reproducible: yes — both builds produced ${report.images[0]} (bit-for-bit identical)`);
    return lines.join("\n");
  }
  lines.push(
    `reproducible: no — ${differing.length} of ${report.layersTotal} layers differ; config ${report.config.equal ? "equal" : `differs (${report.config.differences.join(", ")})`} (build time left out); history ${report.history.equal ? "equal" : "differs"}`,
  );
  if (differing.length === 0 && report.config.equal && report.history.equal)
    lines.push(
      "  every layer, the config and the history are equal: only the build time recorded in the config (created) differs, which alone gives the images different ids",
    );
  const fields = new Set(differing.flatMap((layer) => Object.keys(layer.fieldCounts ?? {})));
  if (
    differing.length > 0 &&
    differing.every((layer) => layer.fieldCounts) &&
    [...fields].every((f) => f === "mtime")
  )
    lines.push(
      "  every differing file differs only in its mtime: paths, contents, sizes, modes and owners are equal",
    );
  lines.push(`  build 1  ${report.images[0]} (kept, untagged)`);
  lines.push(`  build 2  ${report.images[1]}${removed ? " (removed)" : ""}`);
  for (const layer of report.layers) {
    const step =
      (layer.createdBy ?? "")
        .replace(/\s+#\s*buildkit$/, "")
        .replace(/^RUN \|\d+ (?:\S+=\S* )*\/bin\/sh -c /, "RUN ")
        .replace(/^RUN \/bin\/sh -c /, "RUN ")
        .replace(/^\/bin\/sh -c #\(nop\) /, "")
        .replace(/^\/bin\/sh -c /, "RUN ")
        .replace(/\s+/g, " ")
        .trim() || "(base image layer)";
    const shown = step.length > 70 ? `${step.slice(0, 69)}…` : step;
    if (layer.equal) {
      lines.push(`  layer ${String(layer.index + 1).padStart(2)}  equal    ${shown}`);
      continue;
    }
    lines.push(`  layer ${String(layer.index + 1).padStart(2)}  DIFFERS  ${shown}`);
    if (layer.differingFiles === undefined) {
      lines.push("            (the layer's files could not be read)");
      continue;
    }
    const counts = Object.entries(layer.fieldCounts ?? {})
      .map(([field, count]) => `${field} ${count}`)
      .join(", ");
    lines.push(
      layer.differingFiles === 0
        ? "            the same files with the same metadata and content: the tar itself differs (entry order or headers)"
        : `            ${plural(layer.differingFiles, "entry")} differ${layer.differingFiles === 1 ? "s" : ""} (${counts})`,
    );
    for (const cause of layer.causes ?? []) lines.push(`            likely: ${cause}`);
    for (const file of (layer.files ?? []).slice(0, 6))
      lines.push(
        `            ${(file.change === "changed" ? file.fields.join(",") : file.change).padEnd(14)} /${file.path}`,
      );
    if ((layer.differingFiles ?? 0) > 6) lines.push(`            … and ${layer.differingFiles! - 6} more`);
  }
  return lines.join("\n");
}

export async function runBuildCommand(
  dir: string,
  options: BuildCommandOptions,
  out: Output,
  io: CliIO,
): Promise<number> {
  const buildOpts = await buildOptions(options, io.env);
  const json = options.format === "json";
  const {
    buildImage,
    checkReproducible,
    prepareBuild,
    reproducibleOptions,
    BuildRefusedError,
    RetagRefusedError,
  } = await import("../build/index.js");
  const { BuildFailedError } = await import("../engine/build.js");
  const progress = new Progress(io, out);
  const onProgress = onProgressFor(out, io, progress, options.checkReproducible ?? false);

  // Refusals need no engine: prepare first, so a refused build never waits for one.
  const prepared = await prepareBuild(
    dir,
    options.checkReproducible ? reproducibleOptions(buildOpts) : buildOpts,
  );
  onProgress({ kind: "prepared", prepared });
  if (prepared.plan.refusals.length > 0) {
    const error = new BuildRefusedError(prepared);
    if (json)
      out.result(
        JSON.stringify(
          {
            built: false,
            refusals: prepared.plan.refusals,
            context: prepared.context,
            git: prepared.plan.git,
          },
          null,
          2,
        ),
      );
    throw error;
  }

  const { Engine } = await import("../engine/engine.js");
  const engine = await Engine.connect();
  try {
    if (options.checkReproducible) {
      const result = await checkReproducible(dir, buildOpts, engine, onProgress, prepared);
      progress.clear();
      if (json)
        out.result(
          JSON.stringify(
            {
              reproducible: result.report.identical,
              report: result.report,
              keptImage: result.imageId,
              secondRemoved: result.secondRemoved,
              logFiles: result.logFiles,
            },
            null,
            2,
          ),
        );
      else out.result(reproducibilityText(result.report, result.secondRemoved));
      return result.report.identical ? 0 : 1;
    }
    const outcome = await buildImage(dir, buildOpts, engine, onProgress, prepared);
    progress.clear();
    if (outcome.secretLeaks.length > 0)
      out.warn(
        `the build printed a --secret value (${outcome.secretLeaks.length} line${outcome.secretLeaks.length === 1 ? "" : "s"}, redacted in the log): a RUN step echoes it`,
      );
    if (json) out.result(JSON.stringify({ built: true, ...outcomeJson(outcome) }, null, 2));
    else out.result(textResult(outcome));
    return 0;
  } catch (error) {
    progress.clear();
    if (json && error instanceof RetagRefusedError)
      out.result(JSON.stringify({ built: true, tagged: false, ...outcomeJson(error.outcome) }, null, 2));
    if (json && error instanceof BuildFailedError)
      out.result(JSON.stringify({ built: false, failure: error.failure, logFile: error.logFile }, null, 2));
    throw error;
  }
}

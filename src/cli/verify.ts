/**
 * `shipshape verify [dir|image]`: builds a directory with --no-cache (or takes an image) and runs
 * the eight pre-deploy checks against the engine. A live checklist on stderr (redrawn in a
 * terminal, one line per finished check otherwise, nothing with --quiet), the report on stdout or
 * -o in text, JSON, JUnit XML or Markdown. Exit 1 when a check fails, 2 for usage, input and
 * engine errors, 130 when interrupted (after removing everything the run created).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { envFileFacts } from "../check/facts/app.js";
import { SourceText } from "../check/facts/source.js";
import type { EngineSession } from "../engine/engine.js";
import { InputError, UsageError } from "../errors.js";
import { parseDuration } from "../sandbox/profile.js";
import { FORMATS, render, stateMark, type VerifyFormat } from "../verify/report.js";
import { CHECKS, type CheckId, type CheckResult, type CheckState } from "../verify/types.js";
import type { CliIO, Output } from "./output.js";

export interface VerifyCommandOptions {
  format: string;
  output?: string;
  envFrom?: string;
  timeout: string;
  dir?: string;
  tag?: string;
}

const INTERRUPTED = 130;

function readEnvFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new InputError(path, undefined, "cannot be read", "--env-from names a file of NAME=value lines");
  }
  const facts = envFileFacts(new SourceText(path, text));
  return new Map(facts.entries.map((entry) => [entry.name, entry.value]));
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Whether a directory holds something verify can read facts from. */
function hasAppFacts(dir: string): boolean {
  return [
    "Dockerfile",
    "package.json",
    "pyproject.toml",
    "requirements.txt",
    "compose.yaml",
    "docker-compose.yml",
  ].some((name) => existsSync(resolve(dir, name)));
}

/** The live checklist: redrawn in place in a terminal, finished checks as plain lines elsewhere. */
class Progress {
  private readonly states = new Map<CheckId, { state: CheckState; result?: CheckResult; since: number }>();
  private step = "";
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;

  constructor(
    private readonly io: CliIO,
    private readonly out: Output,
  ) {
    this.tty = io.stderr.isTTY === true && io.env.TERM !== "dumb" && !out.quiet;
    if (this.tty) {
      this.timer = setInterval(() => this.draw(), 1_000);
      this.timer.unref();
    }
  }

  update(id: CheckId, state: CheckState, result?: CheckResult): void {
    const previous = this.states.get(id);
    this.states.set(id, { state, ...(result ? { result } : {}), since: previous?.since ?? Date.now() });
    if (state === "running" && previous?.state !== "running") this.states.get(id)!.since = Date.now();
    if (this.out.quiet) return;
    if (this.tty) this.draw();
    else if (result) {
      const colors = this.out.colors;
      this.io.stderr.write(
        `${stateMark(result.status, colors)} ${result.number} ${result.title}: ${result.summary} ${colors.dim(`(${(result.durationMs / 1000).toFixed(1)} s)`)}\n`,
      );
    }
  }

  buildStep(step: string): void {
    this.step = step;
    if (this.out.quiet) return;
    if (this.tty) this.draw();
    else this.io.stderr.write(`  build: ${step}\n`);
  }

  note(text: string): void {
    if (this.out.quiet) return;
    if (this.tty) this.clear();
    this.io.stderr.write(`${text}\n`);
    if (this.tty) this.draw();
  }

  private clear(): void {
    if (this.drawn > 0) this.io.stderr.write(`\u001b[${this.drawn}F\u001b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (!this.tty) return;
    const colors = this.out.colors;
    const columns = (this.io.stderr as { columns?: number }).columns ?? 100;
    const lines = CHECKS.map((check) => {
      const entry = this.states.get(check.id);
      const state = entry?.state ?? "pending";
      let detail = "";
      if (entry?.result) detail = entry.result.summary;
      else if (state === "running") {
        const elapsed = `${Math.round((Date.now() - entry!.since) / 1000)} s`;
        detail = check.id === "build" && this.step ? `${elapsed} ${this.step}` : elapsed;
      }
      const line = `${stateMark(state, colors)} ${check.number} ${check.title}${detail ? colors.dim(`  ${detail}`) : ""}`;
      return line.length > columns + 20 ? `${line.slice(0, columns + 10)}…` : line;
    });
    this.clear();
    this.io.stderr.write(`${lines.join("\n")}\n`);
    this.drawn = lines.length;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty && this.drawn > 0) this.draw();
  }
}

export async function runVerify(
  arg: string | undefined,
  options: VerifyCommandOptions,
  out: Output,
  io: CliIO,
): Promise<number> {
  const format = options.format as VerifyFormat;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format ${options.format} is not one of ${FORMATS.join(", ")}`);
  const healthTimeoutMs = parseDuration(options.timeout, "--timeout");
  const envFile = options.envFrom ? readEnvFile(options.envFrom) : undefined;
  if (options.dir && !isDirectory(options.dir))
    throw new InputError(options.dir, undefined, "is not a directory", "--dir names the app's directory");

  const given = arg ?? ".";
  const target: { dir?: string; image?: string; tag?: string } = {};
  if (isDirectory(given)) {
    if (options.dir)
      throw new UsageError("--dir is for verifying an image; a directory is built and verified as it is");
    target.dir = given;
    if (options.tag) target.tag = options.tag;
    if (!readdirSync(given).some((name) => /^(?:Dockerfile|Containerfile)$/.test(name)))
      throw new InputError(
        given,
        undefined,
        "has no Dockerfile to build",
        "shipshape init writes one; or verify an image: shipshape verify <image> --dir <dir>",
      );
  } else {
    if (/^\.{0,2}\//.test(given) || given === ".")
      throw new InputError(
        given,
        undefined,
        "does not exist",
        "give the app's directory or an image reference",
      );
    target.image = given;
    if (options.tag)
      throw new UsageError("--tag names the image verify builds; an image given is verified as it is");
    const facts = options.dir ?? (hasAppFacts(".") ? "." : undefined);
    if (facts) target.dir = facts;
  }

  const { Engine } = await import("../engine/engine.js");
  const { verify } = await import("../verify/run.js");
  const engine = await Engine.connect();
  if (target.image && !(await engine.imageExists(target.image))) {
    try {
      await engine.pull(target.image);
    } catch {
      throw new UsageError(`${target.image}: no such directory, and no such image (locally or to pull)`, {
        hint: "give the app's directory (verify builds it) or an image the engine has or can pull",
      });
    }
  }

  const progress = new Progress(io, out);
  const controller = new AbortController();
  let session: EngineSession | undefined;
  let interrupted = false;
  let running: Promise<unknown> = Promise.resolve();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    controller.abort();
    progress.stop();
    io.stderr.write(`\nverify: ${signal}: removing the containers, networks and volumes this run created\n`);
    void (async () => {
      await Promise.race([running.catch(() => undefined), new Promise((done) => setTimeout(done, 8_000))]);
      for (let attempt = 0; attempt < 2 && session; attempt++) {
        await session.cleanup().catch(() => undefined);
      }
      process.exit(INTERRUPTED);
    })();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    if (target.dir && !target.image) progress.note(`verify: building ${target.dir} with --no-cache`);
    const work = verify(
      engine,
      target,
      {
        healthTimeoutMs,
        signal: controller.signal,
        ...(envFile ? { envFile } : {}),
      },
      {
        onState: (id, state, result) => progress.update(id, state, result),
        onBuildStep: (step) => progress.buildStep(step),
        onSession: (created) => {
          session = created;
        },
        onImage: (image) =>
          progress.note(
            `verify: built ${image.tag} (${image.id.replace(/^sha256:/, "").slice(0, 12)}), kept for you to push or remove`,
          ),
      },
    );
    running = work;
    const report = await work;
    progress.stop();
    const text = render(report, format, { color: out.colorEnabled && !options.output });
    if (options.output) {
      writeFileSync(options.output, text);
      out.info(`wrote ${options.output}`);
    } else out.result(text);
    return report.ok ? 0 : 1;
  } catch (error) {
    if (interrupted) return new Promise<number>(() => undefined); // the signal handler exits
    throw error;
  } finally {
    if (!interrupted) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      progress.stop();
    }
  }
}

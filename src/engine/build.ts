/**
 * Builds run through the docker CLI with BuildKit (the Engine API's /build endpoint has no
 * BuildKit session for secrets and cache mounts). The whole log goes to a file; progress is the
 * step headers BuildKit prints; a failure ends with the failing step and its last lines.
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineError, EngineUnavailableError, ShipshapeError } from "../errors.js";
import { type BuildFailure, isBuildKitUnavailable, summarizeBuildFailure } from "./buildlog.js";
import { buildKitHint, chooseBuildCli } from "./cli.js";
import type { EngineConfig } from "./config.js";
import { type BuildSpec, toBuildInvocation } from "./plans.js";

export interface BuildOptions {
  /** Where the full build log is written; a temporary file when omitted. */
  logFile?: string;
  /** Called with each BuildKit step as it starts, e.g. `[build 4/6] RUN npm run build`. */
  onStep?: (step: string) => void;
  signal?: AbortSignal;
}

export interface BuildResult {
  imageId: string;
  logFile: string;
  durationMs: number;
}

export class BuildFailedError extends ShipshapeError {
  readonly failure: BuildFailure;
  readonly logFile: string;
  readonly log: string;

  constructor(failure: BuildFailure, logFile: string, log: string) {
    const where = failure.step ? ` at ${failure.step}` : "";
    const tail = failure.lastLines.length
      ? `\n${failure.lastLines.map((line) => `  | ${line}`).join("\n")}`
      : "";
    super(`build failed${where}${failure.error ? `: ${failure.error}` : ""}${tail}`, {
      exitCode: 1,
      hint: `full log: ${logFile}`,
    });
    this.failure = failure;
    this.logFile = logFile;
    this.log = log;
  }
}

function buildKitUnavailable(config: EngineConfig, path: string, problem: string | undefined): EngineError {
  return new EngineError(
    `the docker CLI "${path}" cannot build with BuildKit${problem ? `: ${problem}` : ""}`,
    {
      hint: buildKitHint(config.dockerCliExplicit),
    },
  );
}

export async function buildWithCli(
  config: EngineConfig,
  spec: BuildSpec,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const scratch = await mkdtemp(join(tmpdir(), "shipshape-build-"));
  const iidFile = join(scratch, "iid");
  const logFile = options.logFile ?? join(scratch, "build.log");
  const cli = await chooseBuildCli(config.dockerCli, config.dockerCliExplicit);
  if (!cli.found) {
    throw new EngineUnavailableError(`the docker CLI "${cli.path}" was not found`, {
      hint: "install the docker client or set SHIPSHAPE_DOCKER to its path",
    });
  }
  if (!cli.buildkit) throw buildKitUnavailable(config, cli.path, cli.problem);
  const invocation = toBuildInvocation(spec, cli.path, iidFile);
  const started = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, ...invocation.env };
  if (config.endpoint.kind === "unix") env.DOCKER_HOST = config.endpoint.display;
  else env.DOCKER_HOST = `tcp://${config.endpoint.host}:${config.endpoint.port}`;

  const log = createWriteStream(logFile);
  const chunks: string[] = [];
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(invocation.command, invocation.args, {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let pending = "";
    const announced = new Set<string>();
    const onData = (data: Buffer) => {
      const text = data.toString("utf8");
      log.write(text);
      chunks.push(text);
      if (!options.onStep) return;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        // BuildKit repeats a step's header when its output interleaves with others: announce once.
        const step = /^#(\d+) (\[[^\]]+\] .*)$/.exec(line);
        if (step && !announced.has(step[1]!)) {
          announced.add(step[1]!);
          options.onStep(step[2]!);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") {
        reject(
          new EngineUnavailableError(`the docker CLI "${invocation.command}" was not found`, {
            hint: "install the docker client or set SHIPSHAPE_DOCKER to its path",
          }),
        );
      } else reject(error);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
  await new Promise<void>((resolve) => log.end(resolve));
  const text = chunks.join("");

  try {
    if (exitCode !== 0) {
      if (isBuildKitUnavailable(text)) throw buildKitUnavailable(config, invocation.command, undefined);
      throw new BuildFailedError(summarizeBuildFailure(text), logFile, text);
    }
    const imageId = (await readFile(iidFile, "utf8")).trim();
    return { imageId, logFile, durationMs: Date.now() - started };
  } finally {
    await rm(iidFile, { force: true });
    if (options.logFile !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * `shipshape sandbox [options] -- CMD [ARGS…]`: CMD in a throwaway, locked-down container. The
 * exit code is CMD's (124 at the wall-time limit, 137 when OOM-killed); shipshape's own failures
 * exit 125, as `docker run` does, so they cannot be mistaken for the command's.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { detectApp } from "../app/detect.js";
import { imageTag } from "../app/versions.js";
import { loadTree } from "../check/load.js";
import { ShipshapeError, UsageError } from "../errors.js";
import {
  dockerRunEquivalent,
  explain,
  parseDuration,
  parseSize,
  type SandboxOptions,
} from "../sandbox/profile.js";
import type { CliIO, Output } from "./output.js";

export interface SandboxCommandOptions {
  image?: string;
  workspace?: string;
  copyOut?: boolean;
  roMount: string[];
  net: string;
  memory: string;
  cpus: string;
  pids: string;
  timeout: string;
  tmpSize: string;
  runtime?: string;
  user: string;
  explain?: boolean;
}

const FAILED = 125;

/** The image for a workspace: the slim runtime of its language, else Debian slim. */
function defaultImage(workspace: string | undefined): { image: string; why: string } {
  if (workspace) {
    try {
      const profile = detectApp(loadTree(workspace));
      if (profile.stack === "node")
        return { image: imageTag("node", profile.node?.version.value), why: "a Node.js workspace" };
      if (profile.stack === "python")
        return { image: imageTag("python", profile.python?.version.value), why: "a Python workspace" };
    } catch {
      // Not an app shipshape recognises: the plain image.
    }
  }
  return { image: "debian:bookworm-slim", why: workspace ? "no language detected" : "no workspace" };
}

function directory(path: string, flag: string): string {
  const absolute = resolve(path);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory())
    throw new UsageError(`${flag} ${path}: no such directory`, { exitCode: FAILED });
  return realpathSync(absolute);
}

export function sandboxOptions(
  command: string[],
  options: SandboxCommandOptions,
): SandboxOptions & { imageWhy: string } {
  const fail = (error: unknown): never => {
    if (error instanceof ShipshapeError)
      throw new UsageError(error.message, {
        exitCode: FAILED,
        hint:
          error.hint ??
          "sizes look like 512m or 1g, durations like 30s, 10m or 1h (shipshape sandbox --help)",
      });
    throw error;
  };
  if (command.length === 0)
    throw new UsageError("no command to run", {
      exitCode: FAILED,
      hint: "shipshape sandbox [options] -- CMD [ARGS…]",
    });
  if (options.net !== "none" && options.net !== "allow")
    throw new UsageError(`--net ${options.net} is not one of none, allow`, {
      exitCode: FAILED,
      hint: "the sandbox has no network unless you pass --net allow",
    });
  if (!/^\d+(?::\d+)?$/.test(options.user))
    throw new UsageError(`--user ${options.user} must be numeric UID or UID:GID`, { exitCode: FAILED });
  if (/^0(?::|$)/.test(options.user))
    throw new UsageError("--user 0 would run the command as root: the sandbox does not do that", {
      exitCode: FAILED,
    });
  const cpus = Number(options.cpus);
  const pids = Number(options.pids);
  if (!(cpus > 0))
    throw new UsageError(`--cpus ${options.cpus} is not a positive number`, { exitCode: FAILED });
  if (!Number.isInteger(pids) || pids < 8)
    throw new UsageError(`--pids ${options.pids} must be a whole number of at least 8`, { exitCode: FAILED });
  const workspace = options.workspace === undefined ? undefined : directory(options.workspace, "--workspace");
  if (options.copyOut && !workspace)
    throw new UsageError("--copy-out needs --workspace DIR", { exitCode: FAILED });
  const readOnlyMounts = options.roMount.map((spec) => {
    const [source = "", target] = spec.split(/:(?=\/)/);
    const dir = directory(source, "--ro-mount");
    return { source: dir, target: target ?? `/mnt/${basename(dir)}` };
  });
  const image = options.image ? { image: options.image, why: "--image" } : defaultImage(workspace);
  let sizes: { memoryBytes: number; tmpBytes: number; timeoutMs: number } = {
    memoryBytes: 0,
    tmpBytes: 0,
    timeoutMs: 0,
  };
  try {
    sizes = {
      memoryBytes: parseSize(options.memory, "--memory"),
      tmpBytes: parseSize(options.tmpSize, "--tmp-size"),
      timeoutMs: parseDuration(options.timeout, "--timeout"),
    };
  } catch (error) {
    fail(error);
  }
  const user = options.user.includes(":") ? options.user : `${options.user}:${options.user}`;
  return {
    command,
    image: image.image,
    imageWhy: image.why,
    ...(workspace ? { workspace } : {}),
    copyOut: options.copyOut ?? false,
    readOnlyMounts,
    network: options.net,
    cpus,
    pids,
    ...sizes,
    ...(options.runtime ? { runtime: options.runtime } : {}),
    user,
  };
}

export async function runSandboxCommand(
  command: string[],
  options: SandboxCommandOptions,
  out: Output,
  io: CliIO,
): Promise<number> {
  const sandbox = sandboxOptions(command, options);
  if (options.explain) {
    out.result(`${dockerRunEquivalent(sandbox)}\n`);
    if (sandbox.workspace)
      out.result(`(the workspace ${sandbox.workspace} is copied into /workspace first, not mounted)\n`);
    out.result(explain(sandbox).join("\n"));
    return 0;
  }
  const note = (line: string) => io.stderr.write(`${out.colors.dim("sandbox:")} ${line}\n`);
  if (sandbox.network === "allow")
    io.stderr.write(
      `${out.colors.yellow("sandbox: WARNING: --net allow: the command can reach the network (the internet and your LAN)")}\n`,
    );
  out.debug(`image ${sandbox.image} (${sandbox.imageWhy})`);

  const { Engine } = await import("../engine/engine.js");
  const { runSandbox } = await import("../sandbox/run.js");
  let engine: Awaited<ReturnType<typeof Engine.connect>>;
  try {
    engine = await Engine.connect();
  } catch (error) {
    if (error instanceof ShipshapeError)
      throw new UsageError(error.message, { exitCode: FAILED, ...(error.hint ? { hint: error.hint } : {}) });
    throw error;
  }
  // Ctrl-C: kill the command; runSandbox's cleanup then removes the container and the volume.
  const handle: { onInterrupt?: () => void } = {};
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    note("interrupted: stopping the sandbox");
    handle.onInterrupt?.();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const report = await runSandbox(
      engine,
      sandbox,
      { stdout: process.stdout, stderr: process.stderr, note },
      handle,
    );
    return interrupted ? 130 : report.exitCode;
  } catch (error) {
    if (error instanceof ShipshapeError)
      throw new UsageError(error.message, { exitCode: FAILED, ...(error.hint ? { hint: error.hint } : {}) });
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/**
 * Runs one command in a sandbox: a session volume for /workspace (filled from a copy of the host
 * directory), the locked profile, output streamed live, the limits watched (memory, pids, wall
 * time), the workspace changes listed and copied back only when asked, and everything the run
 * created removed at the end — also when it fails or is interrupted.
 */
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { Writable } from "node:stream";
import type { Engine } from "../engine/engine.js";
import { EngineError } from "../errors.js";
import { formatBytes, formatDuration, type SandboxOptions, sandboxRunSpec, WORKDIR } from "./profile.js";
import {
  applyChanges,
  diffWorkspace,
  packWorkspace,
  readWorkspaceArchive,
  snapshotDirectory,
  type WorkspaceChange,
  type WorkspaceSnapshot,
} from "./workspace.js";

/** How shells and runtimes say a fork failed for want of a process slot. */
const FORK_FAILED =
  /Cannot fork|fork: (?:retry|Resource temporarily unavailable)|spawn \S+ EAGAIN|EAGAIN[^\n]*spawn|can't fork|BlockingIOError: \[Errno 11\]/i;

/** The container's pids cgroup on this machine (cgroup v1, v2 with systemd or cgroupfs). */
function pidsEventsFiles(id: string): string[] {
  return [
    `/sys/fs/cgroup/pids/docker/${id}/pids.events`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/pids.events`,
    `/sys/fs/cgroup/docker/${id}/pids.events`,
  ];
}

/** Forks the kernel refused at the pids limit so far (0 when the cgroup is not readable here). */
function pidsLimitHits(id: string): number {
  for (const file of pidsEventsFiles(id)) {
    try {
      return Number(/^max (\d+)/m.exec(readFileSync(file, "utf8"))?.[1] ?? 0);
    } catch {
      // Not this layout, or the container has already gone.
    }
  }
  return 0;
}

/** Calls `onChange` whenever the container's pids.events changes, when it is readable here. */
function watchPidsEvents(id: string, onChange: () => void): FSWatcher | undefined {
  for (const file of pidsEventsFiles(id)) {
    try {
      const watcher = watch(file, onChange);
      watcher.on("error", () => watcher.close());
      return watcher;
    } catch {
      // Not this layout.
    }
  }
  return undefined;
}

export type LimitHit = "memory" | "wall-time" | "pids";

export interface SandboxReport {
  exitCode: number;
  limit?: LimitHit;
  changes?: WorkspaceChange[];
  copiedBack: boolean;
  durationMs: number;
}

export interface SandboxIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** shipshape's own lines (`sandbox: …`). */
  note(line: string): void;
}

/** The runtime must be registered; gVisor registered with --network=none cannot have a network. */
async function checkRuntime(engine: Engine, options: SandboxOptions): Promise<void> {
  if (!options.runtime) return;
  const info = (await engine.api.info()) as {
    Runtimes?: Record<string, { path?: string; runtimeArgs?: string[] }>;
  };
  const runtimes = info.Runtimes ?? {};
  const runtime = runtimes[options.runtime];
  if (!runtime)
    throw new EngineError(
      `the engine has no runtime "${options.runtime}" (it has: ${Object.keys(runtimes).sort().join(", ")})`,
      {
        hint:
          options.runtime === "runsc"
            ? 'install gVisor and register it in /etc/docker/daemon.json: "runtimes": {"runsc": {"path": "/usr/bin/runsc"}}'
            : "register the runtime in the engine's daemon.json",
      },
    );
  if (options.network === "allow" && (runtime.runtimeArgs ?? []).includes("--network=none"))
    throw new EngineError(
      `--net allow cannot work with runtime "${options.runtime}": the engine registers it with --network=none`,
      {
        hint: "drop --net allow, or register a runsc runtime without --network=none",
      },
    );
}

export async function runSandbox(
  engine: Engine,
  options: SandboxOptions,
  io: SandboxIO,
  interrupted: { onInterrupt?: () => void } = {},
): Promise<SandboxReport> {
  await checkRuntime(engine, options);
  const session = engine.session("sandbox");
  const started = Date.now();
  let killedFor: LimitHit | undefined;
  try {
    const [uid, gid] = options.user.split(":").map(Number);
    const before: WorkspaceSnapshot = options.workspace ? snapshotDirectory(options.workspace) : new Map();
    const volume = options.workspace ? await session.createVolume(session.name("workspace")) : undefined;
    // The workspace is a copy, extracted into the volume through a seed container that is never
    // started (the engine writes no archive into a read-only container's volumes). Mounted first
    // at the image's /tmp, the empty volume takes its mode (1777): the sandbox user may add files.
    if (volume) {
      const seed = await session.create({
        image: options.image,
        entrypoint: [],
        cmd: ["true"],
        network: "none",
        volumes: [{ volume, target: "/tmp" }],
      });
      await session.putArchive(seed, "/tmp", await packWorkspace(before, uid ?? 10001, gid ?? uid ?? 10001));
      await session.remove(seed);
    }
    const id = await session.create(sandboxRunSpec(options, volume));
    // stderr goes through as it comes; its tail is kept to recognise a fork that hit the pids limit.
    let stderrTail = "";
    const stderr = new Writable({
      write(chunk: Buffer, _encoding, done) {
        stderrTail = (stderrTail + chunk.toString("utf8")).slice(-16_384);
        io.stderr.write(chunk, done);
      },
    });
    const ended = await session.attach(id, io.stdout, stderr);
    interrupted.onInterrupt = () => {
      void session.kill(id).catch(() => undefined);
    };
    await session.start(id);

    // Limits: wall time by a timer, memory by the engine's OOM flag. The engine reports no "pids
    // limit hit", but the kernel counts refused forks in the container's pids cgroup (pids.events
    // "max") when the engine runs on this machine: watched for changes and read every 20 ms, as a
    // run may end within a second of hitting it. The engine's stats and fork-failure messages on
    // stderr are the fallbacks.
    let maxPids = 0;
    let refusedForks = 0;
    let sampling = true;
    const watcher = watchPidsEvents(id, () => {
      refusedForks = Math.max(refusedForks, 1, pidsLimitHits(id));
    });
    const counter = (async () => {
      while (sampling) {
        refusedForks = Math.max(refusedForks, pidsLimitHits(id));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // A stats sample takes the engine about a second: its own loop, so the counter keeps its pace.
    const statsAbort = new AbortController();
    const stats = (async () => {
      while (sampling) {
        const sample = await session.stats(id, statsAbort.signal);
        if (sample) maxPids = Math.max(maxPids, sample.pids);
        else await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const exitCode = await session.wait(id, options.timeoutMs);
    if (exitCode === undefined) {
      killedFor = "wall-time";
      await session.kill(id);
      await session.wait(id, 10_000);
    }
    sampling = false;
    watcher?.close();
    // A pending stats request would hold the process for a second: it is cut short.
    statsAbort.abort();
    await Promise.all([counter, stats]);
    // The output streams end with the container; a stream the engine never closes costs 2 s at most.
    let streamTimer: NodeJS.Timeout | undefined;
    await Promise.race([ended(), new Promise((resolve) => (streamTimer = setTimeout(resolve, 2_000)))]);
    clearTimeout(streamTimer);
    const state = (await session.inspect(id)).State;
    if (!killedFor && state.OOMKilled) killedFor = "memory";
    if (!killedFor && (refusedForks > 0 || maxPids >= options.pids - 1 || FORK_FAILED.test(stderrTail)))
      killedFor = "pids";

    const report: SandboxReport = {
      exitCode: killedFor === "wall-time" ? 124 : killedFor === "memory" ? 137 : (state.ExitCode ?? 1),
      copiedBack: false,
      durationMs: Date.now() - started,
    };
    if (killedFor) report.limit = killedFor;
    if (killedFor === "wall-time")
      io.note(`killed: the wall-time limit (${formatDuration(options.timeoutMs)}) was reached (exit 124)`);
    else if (killedFor === "memory")
      io.note(
        `killed: the memory limit (${formatBytes(options.memoryBytes)}) was reached: OOM-killed (exit 137)`,
      );
    else if (killedFor === "pids")
      io.note(`the pids limit (${options.pids} processes) was reached: forks beyond it failed`);

    if (options.workspace) {
      const after = await readWorkspaceArchive(await session.getArchive(id, WORKDIR));
      const changes = diffWorkspace(before, after);
      report.changes = changes;
      if (changes.length === 0) io.note("the workspace is unchanged");
      else {
        io.note(`${changes.length} change${changes.length === 1 ? "" : "s"} in the workspace:`);
        for (const change of changes.slice(0, 200)) io.note(`  ${change.change} ${change.path}`);
        if (changes.length > 200) io.note(`  … and ${changes.length - 200} more`);
        if (options.copyOut) {
          applyChanges(options.workspace, after, changes);
          report.copiedBack = true;
          io.note(`copied back to ${options.workspace}`);
        } else io.note(`not copied back (--copy-out applies them to ${options.workspace})`);
      }
    }
    return report;
  } finally {
    await session.cleanup().catch(() => undefined);
  }
}

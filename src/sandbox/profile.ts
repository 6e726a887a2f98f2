/**
 * The sandbox profile, pure: the locked-down defaults, the flags that loosen them, the RunSpec
 * the engine adapter runs, the `docker run` line that does the same, and what it protects
 * against in plain words (and what it does not).
 */
import type { RunSpec } from "../engine/plans.js";
import { UsageError } from "../errors.js";

export interface SandboxOptions {
  command: string[];
  image: string;
  /** Host directory copied into /workspace (never bind-mounted). */
  workspace?: string;
  copyOut: boolean;
  readOnlyMounts: Array<{ source: string; target: string }>;
  network: "none" | "allow";
  memoryBytes: number;
  cpus: number;
  pids: number;
  timeoutMs: number;
  tmpBytes: number;
  runtime?: string;
  user: string;
}

export const DEFAULTS = {
  memory: "512m",
  cpus: 1,
  pids: 256,
  timeout: "10m",
  tmpSize: "64m",
  user: "10001:10001",
} as const;

export const WORKDIR = "/workspace";

/** `512m`, `1g`, `64k`, plain bytes. */
export function parseSize(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?$/i.exec(text.trim());
  if (!match?.[1]) throw new UsageError(`${flag} ${text} is not a size (like 512m or 1g)`);
  const unit = (match[2] ?? "b").toLowerCase()[0];
  const factor = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1;
  const bytes = Math.round(Number(match[1]) * factor);
  if (bytes < 4 * 1024 * 1024 && flag === "--memory")
    throw new UsageError(`--memory ${text} is below the engine's minimum of 6m`);
  return bytes;
}

/** `10m`, `30s`, `1h`, `1500ms`, plain seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text.trim());
  if (!match?.[1]) throw new UsageError(`${flag} ${text} is not a duration (like 30s, 10m or 1h)`);
  const unit = (match[2] ?? "s").toLowerCase();
  const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000;
  return Math.round(Number(match[1]) * factor);
}

export function formatBytes(bytes: number): string {
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}g`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}m`;
  if (bytes % 1024 === 0) return `${bytes / 1024}k`;
  return String(bytes);
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The container: nothing the command may use unless asked for. */
export function sandboxRunSpec(options: SandboxOptions, workspaceVolume?: string): RunSpec {
  const [uid, gid] = options.user.split(":");
  const spec: RunSpec = {
    image: options.image,
    cmd: options.command,
    // The image's own entrypoint is not the sandbox's business: CMD runs as given.
    entrypoint: [],
    user: options.user,
    workdir: WORKDIR,
    network: options.network === "allow" ? "bridge" : "none",
    readOnly: true,
    tmpfs: {
      "/tmp": `rw,nosuid,nodev,noexec,size=${options.tmpBytes}`,
      // No workspace to copy in: the working directory is scratch space the user owns.
      ...(workspaceVolume
        ? {}
        : { [WORKDIR]: `rw,nosuid,nodev,size=${options.tmpBytes},uid=${uid},gid=${gid ?? uid},mode=0755` }),
    },
    capDrop: ["ALL"],
    securityOpt: ["no-new-privileges"],
    memoryBytes: options.memoryBytes,
    memorySwapBytes: options.memoryBytes,
    nanoCpus: Math.round(options.cpus * 1e9),
    pidsLimit: options.pids,
    volumes: workspaceVolume ? [{ volume: workspaceVolume, target: WORKDIR }] : [],
    readOnlyBinds: options.readOnlyMounts,
    labels: { "dev.shipshape.sandbox": "true" },
  };
  if (options.runtime) spec.runtime = options.runtime;
  return spec;
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `docker run` that does what the sandbox does (the workspace copy aside). */
export function dockerRunEquivalent(options: SandboxOptions): string {
  const args = [
    "docker run --rm",
    `--network ${options.network === "allow" ? "bridge" : "none"}`,
    "--read-only",
    `--tmpfs /tmp:rw,nosuid,nodev,noexec,size=${formatBytes(options.tmpBytes)}`,
    "--cap-drop ALL",
    "--security-opt no-new-privileges",
    `--user ${options.user}`,
    `--memory ${formatBytes(options.memoryBytes)} --memory-swap ${formatBytes(options.memoryBytes)}`,
    `--cpus ${options.cpus}`,
    `--pids-limit ${options.pids}`,
    ...(options.runtime ? [`--runtime ${options.runtime}`] : []),
    options.workspace
      ? `--mount type=volume,target=${WORKDIR} -w ${WORKDIR}`
      : `--tmpfs ${WORKDIR}:rw,nosuid,nodev,size=${formatBytes(options.tmpBytes)},uid=${options.user.split(":")[0]},gid=${options.user.split(":")[1] ?? options.user.split(":")[0]},mode=0755 -w ${WORKDIR}`,
    ...options.readOnlyMounts.map(
      (mount) => `--mount type=bind,source=${quote(mount.source)},target=${quote(mount.target)},readonly`,
    ),
    "--entrypoint ''",
    [options.image, ...options.command.map(quote)].join(" "),
  ];
  return args.join(" \\\n  ");
}

/** What the profile protects against, and what it does not, in plain words. */
export function explain(options: SandboxOptions): string[] {
  const gvisor = options.runtime === "runsc";
  const lines = [
    "What this sandbox protects against:",
    options.network === "none"
      ? "  - network: none at all (no DNS, no connections in or out), so nothing can be downloaded or sent"
      : "  - network: ALLOWED (--net allow): the command can reach the internet and your local network",
    "  - the file system: the image is read-only; /tmp is a small in-memory scratch space; the workspace is a copy, so your files change only if you pass --copy-out and after you see the list of changes",
    `  - privileges: runs as uid ${options.user.split(":")[0]} (not root), with every Linux capability dropped and no-new-privileges, so setuid binaries give nothing`,
    `  - resources: ${formatBytes(options.memoryBytes)} of memory (no swap), ${options.cpus} CPU, ${options.pids} processes (fork bombs stop there), ${formatDuration(options.timeoutMs)} of wall time`,
    "  - no Docker socket and no host directories, except what --ro-mount shares (read-only)",
    "",
    "What it does not protect against:",
    gvisor
      ? "  - the kernel: gVisor (runsc) answers the command's system calls itself, which shrinks the host kernel's exposure but is not a VM"
      : "  - the kernel: the command shares the host's Linux kernel; a kernel exploit escapes any container (use --runtime runsc for gVisor)",
    "  - CPU side channels (Spectre-class) and other tenants' timing",
    "  - whatever you share explicitly: --ro-mount directories can be read, --net allow opens the network, --copy-out writes back what the command changed",
    "  - the image itself: a malicious image runs with the same limits, but it is code you chose to run",
  ];
  return lines;
}

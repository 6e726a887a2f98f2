/**
 * What the logs and the engine's observations of a verify run mean: whether a container started
 * without a required variable failed clearly, what made the hardened run fail (a write to a
 * read-only root, a root-owned directory), why a stop was slow, whether the server listens on
 * loopback only, and which log lines are missing-config, permission, connection or deprecation
 * errors. Pure functions of text and numbers.
 */
import { redactLine } from "../check/facts/secrets.js";
import type { SignalFacts } from "./plan.js";

/** Log text, one line per entry, without ANSI colours or carriage returns. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing ANSI colour escapes is the point
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function logLines(text: string): string[] {
  return text
    .replace(ANSI, "")
    .split(/\r?\n/)
    .map((line) => line.replace(/\r/g, "").trimEnd())
    .filter((line) => line.trim() !== "");
}

const NODE_FRAME = /^\s+at (?:.+ \()?(?:[^()]+):\d+:\d+\)?$|^\s+at (?:async )?[\w$.<>[\] ]+ \(node:[^)]+\)$/;
const PYTHON_TRACEBACK = /^Traceback \(most recent call last\):$/;
const JAVA_FRAME = /^\s+at [\w$.]+\([\w$.]+(?::\d+)?\)$/;
const GO_PANIC = /^goroutine \d+ \[[a-z ]+\]:$/;

/** The stack trace in a log, as the error line it is about and the first frame; undefined when there is none. */
export function findStackTrace(text: string): { error: string; frame: string } | undefined {
  const lines = logLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (PYTHON_TRACEBACK.test(line)) {
      // The exception is the first line after the traceback that is not indented.
      const end = lines.findIndex((next, j) => j > i && !/^\s/.test(next));
      return {
        error: (end < 0 ? (lines.at(-1) as string) : (lines[end] as string)).trim(),
        frame: (lines[i + 1] ?? "").trim(),
      };
    }
    if (NODE_FRAME.test(line) || JAVA_FRAME.test(line) || GO_PANIC.test(line)) {
      let j = i - 1;
      while (j >= 0 && (NODE_FRAME.test(lines[j] as string) || JAVA_FRAME.test(lines[j] as string))) j--;
      const error = j >= 0 ? (lines[j] as string).trim() : line.trim();
      return { error, frame: line.trim() };
    }
  }
  return undefined;
}

function names(text: string, variable: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_])${variable}(?![A-Za-z0-9_])`).test(text);
}

export type MissingProblem = "unnoticed" | "stack-trace" | "unclear" | "exit-zero";

export interface MissingObservation {
  variable: string;
  /** The exit code, when the container exited within the wait. */
  exitCode?: number;
  /** How long after the start it exited (or how long verify waited). */
  elapsedMs: number;
  logs: string;
}

export interface MissingVerdict {
  variable: string;
  ok: boolean;
  problems: MissingProblem[];
  evidence: string[];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * A run without a required variable passes when it exits non-zero promptly with a message naming
 * the variable. Still running is "absence unnoticed"; a stack trace where no line names the
 * variable is "a stack trace instead of a clear message".
 */
export function classifyMissing(observation: MissingObservation): MissingVerdict {
  const { variable, exitCode, elapsedMs, logs } = observation;
  const trace = findStackTrace(logs);
  const named = logLines(logs).find((line) => names(line, variable) && !NODE_FRAME.test(line));
  const evidence: string[] = [];
  const problems: MissingProblem[] = [];
  if (exitCode === undefined) {
    problems.push("unnoticed");
    evidence.push(
      `without ${variable}: still running after ${seconds(elapsedMs)}: its absence went unnoticed`,
    );
  } else if (exitCode === 0) {
    problems.push("exit-zero");
    evidence.push(`without ${variable}: exited 0 after ${seconds(elapsedMs)}, as if nothing were wrong`);
  } else {
    evidence.push(`without ${variable}: exited ${exitCode} after ${seconds(elapsedMs)}`);
  }
  if (named && exitCode !== undefined && exitCode !== 0) {
    evidence.push(`  says: ${redactLine(named.trim())}`);
  } else if (trace) {
    problems.push("stack-trace");
    evidence.push(
      `  a stack trace instead of a message naming ${variable}: ${redactLine(trace.error)} (${redactLine(trace.frame)})`,
    );
  } else if (exitCode !== undefined && exitCode !== 0) {
    problems.push("unclear");
    const last = logLines(logs).at(-1);
    evidence.push(
      `  no line names ${variable}${last ? `; last line: ${redactLine(last.trim())}` : " (no output)"}`,
    );
  } else if (named) {
    evidence.push(`  mentions it: ${redactLine(named.trim())}`);
  }
  return { variable, ok: problems.length === 0, problems, evidence };
}

export type CauseKind = "read-only" | "permission" | "not-permitted" | "privileged-port" | "memory" | "pids";

export interface HardenedCause {
  kind: CauseKind;
  /** The path (or port) the failing call named. */
  path?: string;
  /** The log line that shows it. */
  line: string;
  fix: string;
}

function parentOf(path: string, syscall: string | undefined): string {
  if (syscall === "mkdir" || syscall === "mkdtemp" || syscall === "scandir" || syscall === "opendir")
    return path;
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

/** Why the hardened run failed, from its logs (and whether the engine OOM-killed it). */
export function hardenedCauses(
  logs: string,
  options: { user: string; oomKilled?: boolean } = { user: "the app's user" },
): HardenedCause[] {
  const causes: HardenedCause[] = [];
  const seen = new Set<string>();
  const user = /^(?:root|0|)$/.test(options.user) ? "<app user>" : options.user.split(":")[0];
  const add = (cause: HardenedCause) => {
    const key = `${cause.kind} ${cause.path ?? cause.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    causes.push(cause);
  };
  for (const raw of logLines(logs)) {
    const line = redactLine(raw.trim());
    const port =
      /listen EACCES: permission denied (?:[\d.:[\]a-f]+):(\d+)|bind\(\) to [^ ]+:(\d+) failed \(13: Permission denied\)|\[Errno 13\] Permission denied.*\b(?:port|bind)\b/i.exec(
        line,
      );
    if (port) {
      const number = port[1] ?? port[2];
      add({
        kind: "privileged-port",
        ...(number ? { path: number } : {}),
        line,
        fix: `listen on a port above 1023 (e.g. 8080) and publish it as the port you need; a non-root user without capabilities cannot bind${number ? ` ${number}` : " below 1024"}`,
      });
      continue;
    }
    const erofs =
      /EROFS: read-only file system, (\w+) '([^']+)'/.exec(line) ??
      /\[Errno 30\] Read-only file system: '([^']+)'/.exec(line) ??
      /'([^']+)': Read-only file system/.exec(line) ??
      /Read-only file system/.exec(line);
    if (erofs) {
      const syscall = erofs.length === 3 ? erofs[1] : undefined;
      const path = erofs.length === 3 ? erofs[2] : erofs[1];
      const dir = path ? parentOf(path, syscall) : undefined;
      add({
        kind: "read-only",
        ...(path ? { path } : {}),
        line,
        fix: dir
          ? `the app writes to ${dir} on a read-only root: mount a volume there for data that must persist, or a tmpfs for scratch (docker run --tmpfs ${dir}, compose \`tmpfs: [${dir}]\`), or write under /tmp`
          : "the app writes to its read-only root file system: give that path a volume or tmpfs, or write under /tmp",
      });
      continue;
    }
    const eacces =
      /EACCES: permission denied, (\w+) '([^']+)'/.exec(line) ??
      /\[Errno 13\] Permission denied: '([^']+)'/.exec(line) ??
      /cannot (?:create|open|touch) [^']*'([^']+)': Permission denied/.exec(line);
    if (eacces) {
      const syscall = eacces.length === 3 ? eacces[1] : undefined;
      const path = (eacces.length === 3 ? eacces[2] : eacces[1]) as string;
      const dir = parentOf(path, syscall);
      add({
        kind: "permission",
        path,
        line,
        fix: `${dir} is not writable by ${user} (owned by root): \`COPY --chown=${user}:${user}\` what the app writes to, or \`RUN mkdir -p ${dir} && chown ${user}:${user} ${dir}\` before \`USER\``,
      });
      continue;
    }
    const eperm = /EPERM: operation not permitted, (\w+) '([^']+)'|Operation not permitted/.exec(line);
    if (eperm) {
      add({
        kind: "not-permitted",
        ...(eperm[2] ? { path: eperm[2] } : {}),
        line,
        fix: "the call needs a capability `--cap-drop ALL` removed (chown, setuid, raw sockets): do that at build time, or add back only that one capability (`cap_add`)",
      });
      continue;
    }
    if (/fork: (?:retry: )?Resource temporarily unavailable|spawn EAGAIN|can't start new thread/.test(line)) {
      add({
        kind: "pids",
        line,
        fix: "the process limit was reached: the app starts more processes or threads than it should, or needs a higher pids_limit",
      });
    }
  }
  if (options.oomKilled)
    causes.push({
      kind: "memory",
      line: "the engine killed it: out of memory (OOMKilled)",
      fix: "the app needs more memory than the limit: raise mem_limit, or cap the runtime's heap (NODE_OPTIONS=--max-old-space-size)",
    });
  return causes;
}

export type LogCategory = "missing-config" | "permission" | "connection" | "deprecation";

const LOG_PATTERNS: Array<{ category: LogCategory; pattern: RegExp }> = [
  {
    category: "missing-config",
    pattern:
      /\b(?:is not set|is not defined in the environment|(?:is )?required but (?:not set|missing)|missing (?:required )?(?:env(?:ironment)?(?: variable)?|config(?:uration)?)|environment variable [A-Z_][A-Z0-9_]* (?:is )?(?:missing|not set|undefined)|KeyError: '[A-Z_][A-Z0-9_]*'|config error)\b/i,
  },
  {
    category: "permission",
    pattern: /\b(?:EACCES|EPERM|EROFS)\b|permission denied|operation not permitted|read-only file system/i,
  },
  {
    category: "connection",
    pattern:
      /\b(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ECONNRESET)\b|connection refused|could not connect|getaddrinfo|could not translate host name|Name or service not known/i,
  },
  { category: "deprecation", pattern: /DeprecationWarning|\[DEP\d{4}\]|\bis deprecated\b|\bdeprecated:/i },
];

export interface LogFinding {
  category: LogCategory;
  run: string;
  line: string;
}

/** Lines of the runs' logs in the four categories, each distinct line once, redacted. */
export function scanLogs(runs: Array<{ run: string; logs: string }>): LogFinding[] {
  const findings: LogFinding[] = [];
  const seen = new Set<string>();
  for (const { run, logs } of runs) {
    for (const raw of logLines(logs)) {
      // Stack frames and the fields of a printed error object (`code: 'EROFS',`) repeat the error line.
      if (NODE_FRAME.test(raw) || /^\s+(?:code|errno|syscall|path|address|port|dest): /.test(raw)) continue;
      const match = LOG_PATTERNS.find(({ pattern }) => pattern.test(raw));
      if (!match) continue;
      const line = redactLine(raw.trim()).slice(0, 240);
      const key = `${match.category}\n${line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ category: match.category, run, line });
    }
  }
  return findings;
}

export interface Listener {
  address: string;
  port: number;
  loopback: boolean;
}

function ipv4(hex: string): string {
  const bytes = hex.match(/../g) ?? [];
  return bytes
    .reverse()
    .map((byte) => Number.parseInt(byte, 16))
    .join(".");
}

/** Listening TCP sockets from /proc/net/tcp and /proc/net/tcp6. */
export function parseListeners(procNetTcp: string): Listener[] {
  const listeners: Listener[] = [];
  for (const line of procNetTcp.split("\n")) {
    const fields = line.trim().split(/\s+/);
    const [, local, , state] = fields;
    if (state !== "0A" || !local?.includes(":")) continue;
    const [addressHex = "", portHex = ""] = local.split(":");
    const port = Number.parseInt(portHex, 16);
    if (addressHex.length === 8) {
      const address = ipv4(addressHex);
      listeners.push({ address, port, loopback: address.startsWith("127.") });
    } else if (addressHex.length === 32) {
      const any = /^0+$/.test(addressHex);
      const loopback = addressHex === "00000000000000000000000001000000";
      const mapped = /^0000000000000000FFFF0000/i.test(addressHex);
      const address = any ? "::" : loopback ? "::1" : mapped ? ipv4(addressHex.slice(24)) : addressHex;
      listeners.push({ address, port, loopback: loopback || (mapped && address.startsWith("127.")) });
    }
  }
  return listeners;
}

export interface StopObservation {
  durationMs: number;
  exitCode: number;
  killed: boolean;
  /** PID 1's command line, read before the stop. */
  pid1?: string;
}

/** Stop within 2 s, not killed, exit 0 (or 143: ended by SIGTERM itself) passes. */
export function judgeStop(stop: StopObservation): boolean {
  return !stop.killed && stop.durationMs <= 2_000 && (stop.exitCode === 0 || stop.exitCode === 143);
}

/** Why a stop was slow or unclean, from the image's command and the app's code. */
export function explainStop(stop: StopObservation, facts: SignalFacts): { why: string[]; fix: string } {
  const why: string[] = [];
  // What really is PID 1 (read from the container) wins over what the image config says.
  const pid1 = stop.pid1?.split(/\s+/) ?? [];
  const pid1Program = pid1[0] ? pid1[0].replace(/^.*\//, "") : undefined;
  if (pid1Program && /^(?:npm|npx|yarn|pnpm|bun)$/.test(pid1Program) && !facts.packageManager)
    facts = { ...facts, packageManager: pid1Program, command: pid1 };
  if (pid1Program && /^(?:tini|tini-static|dumb-init|docker-init|catatonit)$/.test(pid1Program))
    facts = { ...facts, init: true };
  const fixes: string[] = [];
  const start = facts.start ? JSON.stringify(facts.start) : undefined;
  if (facts.packageManager) {
    why.push(
      `${facts.packageManager} is PID 1 (\`${facts.command.join(" ")}\`): it runs the app as a child process and decides what becomes of SIGTERM and of the exit code`,
    );
    fixes.push(
      `start the runtime itself in exec form${start ? ` (\`CMD ${start}\`)` : ""}, not ${facts.packageManager}`,
    );
  } else if (facts.shellForm) {
    why.push("a shell is PID 1 (shell-form CMD/ENTRYPOINT): `sh -c` does not pass SIGTERM on to the app");
    fixes.push(`use the exec form${start ? ` (\`CMD ${start}\`)` : ' (`CMD ["node", "server.js"]`)'}`);
  }
  if (!facts.init) {
    why.push(
      facts.composeInit
        ? "no init in the image (compose adds one with `init: true`, a plain `docker run` does not)"
        : "no init process: nothing reaps zombies, and a runtime that is PID 1 gets no default signal handling",
    );
    fixes.push(
      'run an init as PID 1 (`docker run --init`, compose `init: true`, or `ENTRYPOINT ["tini", "--"]`)',
    );
  }
  if (facts.codeKnown && facts.handlers.length === 0) {
    why.push("the app has no SIGTERM handler: nothing closes the server and exits 0 when asked to stop");
    fixes.push(
      "handle SIGTERM in the app: stop accepting connections, finish in-flight requests, close pools, exit 0",
    );
  } else if (facts.handlers.length > 0 && !stop.killed && stop.exitCode !== 0 && stop.exitCode !== 143) {
    why.push(
      `the app handles SIGTERM (${facts.handlers.join(", ")}) but still ended with exit code ${stop.exitCode}`,
    );
  }
  if (stop.killed)
    why.unshift(`it did not exit on SIGTERM: the engine killed it with SIGKILL after the grace period`);
  return { why, fix: fixes.join("; ") || "make the app exit 0 promptly on SIGTERM" };
}

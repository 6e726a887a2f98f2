import { describe, expect, it } from "vitest";
import {
  classifyMissing,
  explainStop,
  findStackTrace,
  hardenedCauses,
  judgeStop,
  parseListeners,
  scanLogs,
} from "./classify.js";
import type { SignalFacts } from "./plan.js";

const NODE_TRACE = `Server is running on http://localhost:3000
Error initializing database: Error: connect ECONNREFUSED 127.0.0.1:5432
    at /app/node_modules/pg-pool/index.js:45:11
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
    at async initDb (/app/dist/db.js:15:5) {
  errno: -111,
  code: 'ECONNREFUSED',
}`;

describe("findStackTrace", () => {
  it("finds a Node.js trace and the error line above its frames", () => {
    expect(findStackTrace(NODE_TRACE)).toEqual({
      error: "Error initializing database: Error: connect ECONNREFUSED 127.0.0.1:5432",
      frame: "at /app/node_modules/pg-pool/index.js:45:11",
    });
  });
  it("finds a Python traceback's exception", () => {
    const text = `Traceback (most recent call last):\n  File "/app/main.py", line 3, in <module>\n    URL = os.environ["DATABASE_URL"]\nKeyError: 'DATABASE_URL'`;
    expect(findStackTrace(text)?.error).toBe("KeyError: 'DATABASE_URL'");
  });
  it("finds nothing in a one-line message", () => {
    expect(findStackTrace("config error: DATABASE_URL is not set (see .env.example)")).toBeUndefined();
  });
});

describe("classifyMissing", () => {
  it("passes a prompt non-zero exit with a line naming the variable", () => {
    const verdict = classifyMissing({
      variable: "DATABASE_URL",
      exitCode: 1,
      elapsedMs: 400,
      logs: "config error: DATABASE_URL is not set\n",
    });
    expect(verdict).toMatchObject({ ok: true, problems: [] });
    expect(verdict.evidence).toEqual([
      "without DATABASE_URL: exited 1 after 0.4 s",
      "  says: config error: DATABASE_URL is not set",
    ]);
  });
  it("still running is absence unnoticed; a trace that does not name it is a stack trace instead of a message", () => {
    const verdict = classifyMissing({ variable: "DATABASE_URL", elapsedMs: 6_000, logs: NODE_TRACE });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual(["unnoticed", "stack-trace"]);
    expect(verdict.evidence[0]).toBe(
      "without DATABASE_URL: still running after 6.0 s: its absence went unnoticed",
    );
    expect(verdict.evidence[1]).toMatch(
      /a stack trace instead of a message naming DATABASE_URL: .*ECONNREFUSED/,
    );
  });
  it("a crash with a stack trace that never names the variable", () => {
    const logs =
      "TypeError: Cannot read properties of undefined (reading 'split')\n    at parse (/app/dist/config.js:4:20)\n";
    expect(classifyMissing({ variable: "REDIS_URL", exitCode: 1, elapsedMs: 300, logs }).problems).toEqual([
      "stack-trace",
    ]);
  });
  it("exit 0 and a silent non-zero exit", () => {
    expect(classifyMissing({ variable: "X", exitCode: 0, elapsedMs: 10, logs: "" }).problems).toEqual([
      "exit-zero",
    ]);
    expect(classifyMissing({ variable: "X", exitCode: 2, elapsedMs: 10, logs: "bye\n" }).problems).toEqual([
      "unclear",
    ]);
  });
  it("never prints a secret from the logs", () => {
    const verdict = classifyMissing({
      variable: "API_KEY",
      exitCode: 1,
      elapsedMs: 10,
      logs: "API_KEY missing, fallback sk-proj-FAKEFAKEFAKEFAKEFAKEFAKEFAKE0000 rejected\n",
    });
    expect(verdict.evidence.join("\n")).not.toContain("FAKEFAKEFAKEFAKE");
  });
});

describe("hardenedCauses", () => {
  it("EROFS names the path and the tmpfs/volume fix", () => {
    const [cause] = hardenedCauses(
      "Could not create the uploads directory: Error: EROFS: read-only file system, mkdir '/app/uploads'\n",
      { user: "node" },
    );
    expect(cause).toMatchObject({ kind: "read-only", path: "/app/uploads" });
    expect(cause?.fix).toContain("--tmpfs /app/uploads");
  });
  it("EACCES on a file in a root-owned directory gives the --chown fix for the image's user", () => {
    const [cause] = hardenedCauses("Error: EACCES: permission denied, open '/app/data/db.sqlite'\n", {
      user: "node",
    });
    expect(cause).toMatchObject({ kind: "permission", path: "/app/data/db.sqlite" });
    expect(cause?.fix).toContain("/app/data is not writable by node");
    expect(cause?.fix).toContain("COPY --chown=node:node");
  });
  it("Python's errno 30 and 13, a privileged port, the memory limit", () => {
    expect(hardenedCauses("OSError: [Errno 30] Read-only file system: '/srv/app/cache'\n")[0]).toMatchObject({
      kind: "read-only",
      path: "/srv/app/cache",
    });
    expect(
      hardenedCauses("PermissionError: [Errno 13] Permission denied: '/app/logs/app.log'\n")[0]?.kind,
    ).toBe("permission");
    expect(hardenedCauses("Error: listen EACCES: permission denied 0.0.0.0:80\n")[0]).toMatchObject({
      kind: "privileged-port",
      path: "80",
    });
    expect(hardenedCauses("", { user: "node", oomKilled: true })[0]?.kind).toBe("memory");
  });
});

describe("scanLogs", () => {
  it("sorts lines into the four categories, once each, without frames or error-object fields", () => {
    const findings = scanLogs([
      {
        run: "hardened run",
        logs: `${NODE_TRACE}\n(node:1) [DEP0040] DeprecationWarning: The punycode module is deprecated.\nconfig error: SECRET is not set\nError: EACCES: permission denied, open '/app/x'\nError: EACCES: permission denied, open '/app/x'`,
      },
    ]);
    expect(findings.map((f) => f.category)).toEqual([
      "connection",
      "deprecation",
      "missing-config",
      "permission",
    ]);
    expect(findings[0]?.line).toBe("Error initializing database: Error: connect ECONNREFUSED 127.0.0.1:5432");
  });
  it("is quiet on clean logs", () => {
    expect(
      scanLogs([{ run: "x", logs: "listening on http://0.0.0.0:3000\nSIGTERM received, shutting down\n" }]),
    ).toEqual([]);
  });
});

describe("parseListeners", () => {
  it("reads loopback and wildcard listeners from /proc/net/tcp and tcp6", () => {
    const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   2: 0100007F:0BB8 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   0: 00000000000000000000000001000000:0BB9 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1`;
    expect(parseListeners(tcp)).toEqual([
      { address: "127.0.0.1", port: 3000, loopback: true },
      { address: "0.0.0.0", port: 8080, loopback: false },
      { address: "::1", port: 3001, loopback: true },
    ]);
  });
});

describe("signals", () => {
  const facts: SignalFacts = {
    command: ["npm", "start"],
    shellForm: false,
    init: false,
    composeInit: false,
    handlers: [],
    codeKnown: true,
    packageManager: "npm",
    start: ["node", "dist/index.js"],
  };
  it("a prompt exit 0 or 143 passes; slow, killed or exit 1 fails", () => {
    expect(judgeStop({ durationMs: 300, exitCode: 0, killed: false })).toBe(true);
    expect(judgeStop({ durationMs: 300, exitCode: 143, killed: false })).toBe(true);
    expect(judgeStop({ durationMs: 600, exitCode: 1, killed: false })).toBe(false);
    expect(judgeStop({ durationMs: 2_500, exitCode: 0, killed: false })).toBe(false);
    expect(judgeStop({ durationMs: 10_200, exitCode: 137, killed: true })).toBe(false);
  });
  it("explains npm as PID 1, no init and no handler, with the exec-form fix", () => {
    const { why, fix } = explainStop(
      { durationMs: 600, exitCode: 1, killed: false, pid1: "npm start" },
      facts,
    );
    expect(why[0]).toMatch(/^npm is PID 1/);
    expect(why.join("\n")).toMatch(/no init process/);
    expect(why.join("\n")).toMatch(/no SIGTERM handler/);
    expect(fix).toContain('`CMD ["node","dist/index.js"]`');
  });
  it("believes the container's real PID 1 over the image config", () => {
    const { why } = explainStop(
      { durationMs: 10_100, exitCode: 137, killed: true, pid1: "npm start" },
      {
        ...facts,
        packageManager: undefined as unknown as string,
        command: ["docker-entrypoint.sh", "npm", "start"],
      },
    );
    expect(why[0]).toMatch(/SIGKILL/);
    expect(why[1]).toMatch(/^npm is PID 1/);
  });
});

/**
 * `shipshape sandbox`: a battery of escape attempts against the sandbox profile, each of which must
 * fail harmlessly (with the reason asserted: errno, message, exit code), with the host checked
 * afterwards where that makes sense, and nothing left behind on the engine. The whole battery runs
 * with the default runtime (runc) and again with gVisor (`--runtime runsc`) when the engine has it.
 *
 * Every sandboxed command carries a unique marker among its arguments, so the containers a case
 * created are found by their command line (an event watcher inspects each container as it is
 * created), independent of how the sandbox names or labels them; the cleanup check then asks the
 * engine for anything still carrying that marker or the session label those containers had.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { lookup } from "node:dns/promises";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine/engine.js";
import { LABEL_MANAGED, LABEL_SESSION } from "../../src/engine/plans.js";
import { type AsyncCliResult, BIN, ROOT, shipshapeAsync } from "../support/cli.js";
import { testEngine } from "../support/engine.js";

const engine = (await testEngine()) as Engine;
const RUNTIMES: string[] = ["runc"];
if (engine && (await engine.info()).runtimes.includes("runsc")) RUNTIMES.push("runsc");

const NODE = "node:20.20.2-bookworm-slim";
const PYTHON = "python:3.11.14-slim-bookworm";
const DEBIAN = "debian:bookworm-slim";

// --- running the CLI ------------------------------------------------------------------------------

type Run = AsyncCliResult;

/**
 * The CLI run asynchronously: the container watcher below must keep handling engine events while
 * the sandbox runs, which spawnSync would block.
 */
const cli = (args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> =>
  shipshapeAsync(args, options);

const runtimeArgs = (runtime: string): string[] => (runtime === "runsc" ? ["--runtime", "runsc"] : []);

/** A unique, harmless extra argument put into every sandboxed command line. */
const newMarker = (what: string): string => `ssbx-${what}-${randomBytes(4).toString("hex")}`;

/** shipshape's own lines on stderr. */
const ownLines = (stderr: string): string[] =>
  stderr.split("\n").filter((line) => line.startsWith("sandbox:"));

/** The first JSON object line a probe printed on stdout. */
function probeResult<T>(run: Run): T {
  const line = run.stdout
    .split("\n")
    .map((text) => text.trim())
    .find((text) => text.startsWith("{"));
  if (!line)
    throw new Error(
      `the probe printed no result (exit ${run.code})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
    );
  return JSON.parse(line) as T;
}

/** For failure messages: what the command did. */
const evidence = (run: Run): string =>
  `exit ${run.code}${run.signal ? ` (${run.signal})` : ""} after ${run.ms} ms\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;

// --- the containers each case created, and what is left of them ----------------------------------

interface Created {
  id: string;
  command: string;
  labels: Record<string, string>;
}

const created: Created[] = [];
const inspections: Promise<void>[] = [];
let events: Readable | undefined;

async function watchContainerCreation(): Promise<void> {
  events = (await engine.api.getEvents({
    filters: { type: ["container"], event: ["create"] },
  })) as unknown as Readable;
  let buffered = "";
  events.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line) continue;
      const event = JSON.parse(line) as { id?: string; Actor?: { ID?: string } };
      const id = event.Actor?.ID ?? event.id;
      if (!id) continue;
      inspections.push(
        engine.api
          .getContainer(id)
          .inspect()
          .then(
            (info) => {
              const entrypoint = info.Config.Entrypoint ?? [];
              const parts = [
                ...(Array.isArray(entrypoint) ? entrypoint : [entrypoint]),
                ...(info.Config.Cmd ?? []),
              ];
              created.push({ id, command: parts.join(" "), labels: info.Config.Labels ?? {} });
            },
            () => {
              created.push({ id, command: "", labels: {} });
            },
          ),
      );
    }
  });
}

/** The containers created for `marker`'s case, as seen when they were created. */
async function createdFor(marker: string): Promise<Created[]> {
  await Promise.all(inspections);
  return created.filter((container) => container.command.includes(marker));
}

/** Whatever the case left on the engine: containers carrying its marker, and its sessions' resources. */
async function leftovers(marker: string): Promise<string[]> {
  const problems: string[] = [];
  const all = await engine.api.listContainers({ all: true });
  for (const container of all) {
    if (container.Command.includes(marker))
      problems.push(`container ${container.Id.slice(0, 12)} (${container.State}) still exists`);
  }
  const sessions = new Set(
    (await createdFor(marker)).map((container) => container.labels[LABEL_SESSION]).filter(Boolean),
  );
  for (const session of sessions) {
    const filters = { label: [`${LABEL_SESSION}=${session}`] };
    const [containers, volumes, networks] = await Promise.all([
      engine.api.listContainers({ all: true, filters }),
      engine.api.listVolumes({ filters }),
      engine.api.listNetworks({ filters }),
    ]);
    for (const container of containers)
      problems.push(`session ${session}: container ${container.Id.slice(0, 12)} (${container.State})`);
    for (const volume of volumes.Volumes ?? []) problems.push(`session ${session}: volume ${volume.Name}`);
    for (const network of networks) problems.push(`session ${session}: network ${network.Name}`);
  }
  return problems;
}

/**
 * Nothing the case created remains; and the case did create (exactly what it should have: one or
 * more labelled containers when it ran something, none when it must not run anything).
 */
async function expectCleanedUp(marker: string, ran = true): Promise<void> {
  const mine = await createdFor(marker);
  if (ran) {
    expect(mine.length, "no container with the case's command line was seen being created").toBeGreaterThan(
      0,
    );
    for (const container of mine) {
      expect(
        container.labels[LABEL_MANAGED],
        `container ${container.id.slice(0, 12)} lacks ${LABEL_MANAGED}`,
      ).toBe("true");
      expect(
        container.labels[LABEL_SESSION],
        `container ${container.id.slice(0, 12)} lacks ${LABEL_SESSION}`,
      ).toBeTruthy();
    }
  } else {
    expect(mine.map((container) => container.command)).toEqual([]);
  }
  expect(await leftovers(marker)).toEqual([]);
}

/** Polls until nothing of the case remains, or the deadline passes; returns what remained last. */
async function waitUntilCleanedUp(marker: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await leftovers(marker);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// --- the table printed at the end -----------------------------------------------------------------

const outcomes: { attempt: string; runtime: string; outcome: string }[] = [];
const record = (attempt: string, runtime: string, outcome: string): void => {
  outcomes.push({ attempt, runtime, outcome: outcome.replace(/\s+/g, " ").trim() });
};

// --- host-side fixtures ---------------------------------------------------------------------------

interface FileState {
  sha256: string;
  mode: number;
}

/** Every file and directory under `dir`: content hash and mode (directories hash to ""). */
function snapshot(dir: string): Record<string, FileState> {
  const result: Record<string, FileState> = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      const key = relative(dir, path);
      const mode = lstatSync(path).mode;
      if (entry.isDirectory()) {
        result[`${key}/`] = { sha256: "", mode };
        walk(path);
      } else {
        result[key] = { sha256: createHash("sha256").update(readFileSync(path)).digest("hex"), mode };
      }
    }
  };
  walk(dir);
  return result;
}

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

const scratch: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** A workspace: one file to delete, one to modify, two to leave alone (one in a subdirectory). */
function workspaceFixture(): string {
  const dir = tempDir("shipshape-sbx-ws-");
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, "gone.txt"), "delete me\n");
  writeFileSync(join(dir, "edit.txt"), "before\n");
  writeFileSync(join(dir, "keep.txt"), "keep\n");
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "sub", "deep.txt"), "deep\n");
  return dir;
}

const WORKSPACE_CHANGE = "rm gone.txt && printf 'after\\n' >> edit.txt && printf 'new\\n' > added.txt";

/** `sandbox:   D path` and friends. */
const summaryLine = (stderr: string, kind: "A" | "M" | "D", path: string): boolean =>
  new RegExp(`^sandbox:\\s+${kind}\\s+${path.replace(/\./g, "\\.")}\\s*$`, "m").test(stderr);

/** The `docker run …` equivalent --explain printed, backslash-continued lines joined, `--a=b` as `--a b`. */
function dockerRunLine(text: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.includes("docker run"));
  if (start < 0) return "";
  const parts: string[] = [];
  for (let index = start; index < lines.length; index++) {
    const line = lines[index] ?? "";
    parts.push(line.replace(/\\\s*$/, ""));
    if (!/\\\s*$/.test(line)) break;
  }
  return parts
    .join(" ")
    .replace(/\s+/g, " ")
    .replace(/(--[a-z-]+)=/g, "$1 ");
}

// --- probes run inside the sandbox ----------------------------------------------------------------

/** DNS lookup, TCP by name and TCP to an address resolved on the host (argv[2]); prints JSON. */
const NET_PROBE = `
const dns = require('dns'), net = require('net');
const r = {};
const tcp = (host) => new Promise((done) => {
  const s = net.connect(443, host);
  s.setTimeout(5000, () => { s.destroy(); done('TIMEOUT'); });
  s.on('connect', () => { s.destroy(); done('connected'); });
  s.on('error', (e) => done(e.code || e.message));
});
dns.lookup('registry.npmjs.org', async (e, address) => {
  r.dns = e ? e.code : 'resolved ' + address;
  r.tcpName = await tcp('registry.npmjs.org');
  r.tcpIp = await tcp(process.argv[2]);
  console.log(JSON.stringify(r));
});`;

/** Writes everywhere; argv[2] names a file to leave in /tmp; prints JSON. */
const FS_PROBE = `
const fs = require('fs');
const r = {};
const write = (path, data) => { try { fs.writeFileSync(path, data); return 'ok'; } catch (e) { return e.code; } };
r.root = write('/escape', 'x');
r.etc = write('/etc/escape', 'x');
r.usr = write('/usr/escape', 'x');
r.tmp = write('/tmp/' + process.argv[2], 'left behind');
r.workspace = write('/workspace/probe', 'x');
r.cwd = process.cwd();
console.log(JSON.stringify(r));`;

/** Is argv[2] in /tmp? */
const TMP_SEEN_PROBE = `console.log(JSON.stringify({ seen: require('fs').existsSync('/tmp/' + process.argv[2]) }));`;

/** Writes argv[2] MiB to /tmp (after a small write that must fit); prints JSON. */
const TMP_FILL_PROBE = `
const fs = require('fs');
const r = {};
const write = (path, mib) => { try { fs.writeFileSync(path, Buffer.alloc(mib << 20, 1)); return 'ok'; } catch (e) { return e.code; } };
r.small = write('/tmp/small', 4);
fs.rmSync('/tmp/small', { force: true });
r.big = write('/tmp/big', Number(process.argv[2]));
console.log(JSON.stringify(r));`;

/** Spawns `sleep 60` children until told to stop at 300 or refused; prints JSON and exits 3 when refused. */
const SPAWN_LOOP = `
const { spawn } = require('child_process');
let spawned = 0;
const next = () => {
  if (spawned >= 300) { console.log(JSON.stringify({ spawned, error: null })); process.exit(0); }
  const child = spawn('sleep', ['60']);
  child.on('spawn', () => { spawned++; setImmediate(next); });
  child.on('error', (e) => { console.log(JSON.stringify({ spawned, error: e.code })); process.exit(3); });
};
next();`;

/** Privileged operations, each as its own attempt; prints JSON. */
const PRIV_PROBE = `
const { spawnSync } = require('child_process'), fs = require('fs');
const sh = (command) => {
  const p = spawnSync('sh', ['-c', command], { encoding: 'utf8', input: '' });
  return { code: p.status, out: ((p.stdout || '') + (p.stderr || '')).trim() };
};
const r = {};
r.uid = sh('id -u').out;
r.mount = sh('mount -t tmpfs none /mnt');
r.chownShell = sh('chown 0 /etc/passwd');
try { fs.chownSync('/etc/passwd', 0, 0); r.chownPasswd = 'ok'; } catch (e) { r.chownPasswd = e.code; }
fs.writeFileSync('/tmp/mine', 'x');
try { fs.chownSync('/tmp/mine', 0, 0); r.chownOwn = 'ok'; } catch (e) { r.chownOwn = e.code; }
r.su = sh('su root -c "id -u"');
r.suMount = sh('mount --bind /tmp /mnt');
const status = fs.readFileSync('/proc/self/status', 'utf8');
const field = (name) => { const m = status.match(new RegExp('^' + name + ':\\\\s*(\\\\S+)', 'm')); return m ? m[1] : null; };
r.noNewPrivs = field('NoNewPrivs');
r.capEff = field('CapEff');
r.capBnd = field('CapBnd');
try {
  const fd = fs.openSync('/proc/kcore', 'r');
  const buffer = Buffer.alloc(4096);
  r.kcore = 'read ' + fs.readSync(fd, buffer, 0, 4096, 0) + ' bytes';
} catch (e) { r.kcore = e.code; }
console.log(JSON.stringify(r));`;

const RAW_SOCKET_PROBE = `
import errno, json, socket, sys
r = {}
try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    r["raw"] = "ok"
except OSError as e:
    r["raw"] = errno.errorcode.get(e.errno, str(e.errno))
try:
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    r["packet"] = "ok"
except OSError as e:
    r["packet"] = errno.errorcode.get(e.errno, str(e.errno))
print(json.dumps(r))
`;

/** Reads and then tries to write the file argv[2], and to create a file next to it; prints JSON. */
const RO_PROBE = `
const fs = require('fs'), path = require('path');
const file = process.argv[2];
const r = {};
try { r.read = fs.readFileSync(file, 'utf8'); } catch (e) { r.read = e.code; }
try { fs.writeFileSync(file, 'overwritten'); r.write = 'ok'; } catch (e) { r.write = e.code; }
try { fs.writeFileSync(path.join(path.dirname(file), 'planted'), 'x'); r.create = 'ok'; } catch (e) { r.create = e.code; }
console.log(JSON.stringify(r));`;

// --- the battery ----------------------------------------------------------------------------------

describe.skipIf(!engine)("shipshape sandbox: escape attempts", () => {
  let registryIp = "192.0.2.1"; // TEST-NET-1, used only if the host cannot resolve the registry

  beforeAll(async () => {
    await watchContainerCreation();
    registryIp = await lookup("registry.npmjs.org", { family: 4 }).then(
      (result) => result.address,
      () => registryIp,
    );
  });

  afterAll(() => {
    events?.destroy();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    if (outcomes.length === 0) return;
    const width = Math.max(...outcomes.map((row) => `${row.attempt} (${row.runtime})`.length)) + 2;
    const table = outcomes.map((row) => `${`${row.attempt} (${row.runtime})`.padEnd(width)}${row.outcome}`);
    console.log(`\nshipshape sandbox — escape attempts\n${table.join("\n")}\n`);
  });

  describe("shipshape's own contract", () => {
    it("--explain prints the docker run equivalent and what the profile does and does not protect, and runs nothing", async () => {
      const marker = newMarker("explain");
      const run = await cli([
        "sandbox",
        "--explain",
        "--image",
        DEBIAN,
        "--",
        "sh",
        "-c",
        "echo should-not-run",
        marker,
      ]);
      const text = run.stdout + run.stderr;
      const line = dockerRunLine(text);
      record(
        "--explain",
        "runc",
        run.code === 0 && line ? `printed: ${line.slice(0, 60)}…` : `exit ${run.code}`,
      );
      expect(run.code, evidence(run)).toBe(0);
      expect(line, `no docker run line in:\n${text}`).not.toBe("");
      for (const flag of [
        "--network none",
        "--read-only",
        "--cap-drop ALL",
        "--security-opt no-new-privileges",
        "--pids-limit 256",
        "--memory 512m",
        "--memory-swap 512m",
        "--cpus 1",
        "--user 10001:10001",
        "--rm",
      ]) {
        expect(line, `the docker run line lacks ${flag}`).toContain(flag);
      }
      expect(line).toMatch(/--tmpfs \/tmp[:\s]\S*size=64m/);
      expect(line).toContain(DEBIAN);
      expect(line).toContain(marker);
      expect(text, "the explanation should say the kernel is shared with the host").toMatch(/kernel/i);
      expect(text).toMatch(/shar/i);
      expect(text, "the command ran").not.toMatch(/^should-not-run$/m);
      await expectCleanedUp(marker, false);
    });

    it("--explain reflects every option, and names gVisor for --runtime runsc", async () => {
      const share = tempDir("shipshape-sbx-explain-");
      const marker = newMarker("explain-opts");
      const run = await cli([
        "sandbox",
        "--explain",
        "--image",
        DEBIAN,
        "--memory",
        "256m",
        "--cpus",
        "0.5",
        "--pids",
        "64",
        "--tmp-size",
        "16m",
        "--user",
        "1234:1234",
        "--ro-mount",
        share,
        "--runtime",
        "runsc",
        "--timeout",
        "2m",
        "--",
        "true",
        marker,
      ]);
      const text = run.stdout + run.stderr;
      const line = dockerRunLine(text);
      expect(run.code, evidence(run)).toBe(0);
      for (const flag of [
        "--memory 256m",
        "--cpus 0.5",
        "--pids-limit 64",
        "--user 1234:1234",
        "--runtime runsc",
      ]) {
        expect(line, `the docker run line lacks ${flag}`).toContain(flag);
      }
      expect(line).toMatch(/--tmpfs \/tmp[:\s]\S*size=16m/);
      expect(line).toContain(share);
      expect(line).toContain(`/mnt/${basename(share)}`);
      expect(line).toMatch(/readonly|ro\b/);
      expect(text).toMatch(/gvisor/i);
      await expectCleanedUp(marker, false);
    });

    it("picks the image for the workspace's language: node, python, else debian", async () => {
      const nodeApp = tempDir("shipshape-sbx-nodeapp-");
      writeFileSync(join(nodeApp, "package.json"), '{"name":"x","version":"1.0.0"}\n');
      const pythonApp = tempDir("shipshape-sbx-pyapp-");
      writeFileSync(join(pythonApp, "requirements.txt"), "\n");
      writeFileSync(join(pythonApp, "main.py"), "print('hi')\n");
      const plain = tempDir("shipshape-sbx-plain-");
      writeFileSync(join(plain, "notes.txt"), "hi\n");
      const picked: string[] = [];
      for (const [dir, image] of [
        [nodeApp, NODE],
        [pythonApp, PYTHON],
        [plain, DEBIAN],
      ] as const) {
        const run = await cli(["sandbox", "--explain", "--workspace", dir, "--", "true"]);
        expect(run.code, evidence(run)).toBe(0);
        const line = dockerRunLine(run.stdout + run.stderr);
        picked.push(line.match(/\S+:\S*(bookworm|slim)\S*/)?.[0] ?? "?");
        expect(line, `for ${basename(dir)}`).toContain(` ${image} `);
      }
      record("default image per language", "runc", picked.join(", "));
    });

    it.each<[string, string[], NodeJS.ProcessEnv, RegExp]>([
      ["unknown runtime", ["--runtime", "no-such-runtime"], {}, /no-such-runtime/],
      ["bad --memory", ["--memory", "lots"], {}, /memory/i],
      ["bad --timeout", ["--timeout", "5x"], {}, /timeout/i],
      ["bad --net", ["--net", "maybe"], {}, /net/i],
      ["no engine", [], { DOCKER_HOST: "unix:///nonexistent/shipshape-test.sock" }, /engine|docker/i],
    ])("its own failure (%s) exits 125 with error: and a hint", async (name, options, env, names) => {
      const marker = newMarker("own-failure");
      const run = await cli(["sandbox", "--image", DEBIAN, ...options, "--", "true", marker], { env });
      const said = run.stderr.trim().split("\n").join(" / ");
      record(`own failure: ${name}`, "runc", `exit ${run.code}: ${said}`);
      expect(run.code, evidence(run)).toBe(125);
      expect(run.stderr).toMatch(/^error:/m);
      expect(run.stderr).toMatch(names);
      expect(run.stderr, "no hint: line").toMatch(/^hint:/m);
      if (!env.DOCKER_HOST) await expectCleanedUp(marker, false);
    });

    it("accepts wall times as 5s, 2m, 1h and plain seconds", async () => {
      for (const value of ["5s", "2m", "1h", "30"]) {
        const run = await cli(["sandbox", "--explain", "--image", DEBIAN, "--timeout", value, "--", "true"]);
        expect(run.code, `--timeout ${value}: ${evidence(run)}`).toBe(0);
      }
    });
  });

  describe.each(RUNTIMES)("under %s", (runtime) => {
    const rt = runtimeArgs(runtime);

    it("network egress: DNS and TCP to registry.npmjs.org fail", async () => {
      const marker = newMarker("net");
      const run = await cli([
        "sandbox",
        ...rt,
        "--image",
        NODE,
        "--",
        "node",
        "-e",
        NET_PROBE,
        marker,
        registryIp,
      ]);
      const result = probeResult<{ dns: string; tcpName: string; tcpIp: string }>(run);
      record(
        "network egress",
        runtime,
        `blocked: DNS ${result.dns}, TCP by name ${result.tcpName}, TCP to ${registryIp} ${result.tcpIp}`,
      );
      expect(run.code, evidence(run)).toBe(0);
      expect(["ENOTFOUND", "EAI_AGAIN"]).toContain(result.dns);
      expect(["ENOTFOUND", "EAI_AGAIN"]).toContain(result.tcpName);
      expect(["ENETUNREACH", "EHOSTUNREACH"]).toContain(result.tcpIp);
      await expectCleanedUp(marker);
    });

    if (runtime === "runc") {
      it("--net allow: DNS works, and stderr warns loudly about the network", async () => {
        const marker = newMarker("net-allow");
        const run = await cli([
          "sandbox",
          "--net",
          "allow",
          "--image",
          NODE,
          "--",
          "node",
          "-e",
          NET_PROBE,
          marker,
          registryIp,
        ]);
        const result = probeResult<{ dns: string }>(run);
        const warning = ownLines(run.stderr).find((line) => /network/i.test(line));
        record("network with --net allow", runtime, `allowed: DNS ${result.dns}; warned: ${warning ?? "no"}`);
        expect(run.code, evidence(run)).toBe(0);
        expect(result.dns).toMatch(/^resolved /);
        expect(warning, `no sandbox: line about the network:\n${run.stderr}`).toBeDefined();
        expect(warning).toMatch(/allow|enabled|open|egress|warning|reach/i);
        await expectCleanedUp(marker);
      });
    } else {
      it("--net allow fails with a clear message (the engine registers runsc with --network=none)", async () => {
        const marker = newMarker("net-allow");
        const run = await cli([
          "sandbox",
          ...rt,
          "--net",
          "allow",
          "--image",
          NODE,
          "--",
          "node",
          "-e",
          "0",
          marker,
        ]);
        const error = run.stderr.split("\n").find((line) => line.includes("error:"));
        record(
          "network with --net allow",
          runtime,
          `refused: exit ${run.code}: ${error ?? run.stderr.slice(0, 80)}`,
        );
        expect(run.code, evidence(run)).toBe(125);
        expect(error, evidence(run)).toBeDefined();
        expect(run.stderr).toMatch(/runsc|gvisor/i);
        expect(run.stderr).toMatch(/network/i);
        expect(run.stderr).toMatch(/hint:/);
        expect(await leftovers(marker)).toEqual([]);
      });
    }

    it("filesystem: /, /etc and /usr are read-only; /tmp and /workspace are writable; /tmp does not outlive the run", async () => {
      const marker = newMarker("fs");
      const leftName = `left-${marker}`;
      const run = await cli([
        "sandbox",
        ...rt,
        "--image",
        NODE,
        "--",
        "node",
        "-e",
        FS_PROBE,
        marker,
        leftName,
      ]);
      const result = probeResult<Record<string, string>>(run);
      const next = await cli([
        "sandbox",
        ...rt,
        "--image",
        NODE,
        "--",
        "node",
        "-e",
        TMP_SEEN_PROBE,
        marker,
        leftName,
      ]);
      const seen = probeResult<{ seen: boolean }>(next);
      record(
        "writes to / /etc /usr",
        runtime,
        `blocked: / ${result.root}, /etc ${result.etc}, /usr ${result.usr}; /tmp ${result.tmp}, /workspace ${result.workspace}; next run sees /tmp file: ${seen.seen}`,
      );
      expect(run.code, evidence(run)).toBe(0);
      for (const where of ["root", "etc", "usr"]) expect(["EROFS", "EACCES"], where).toContain(result[where]);
      expect(result.tmp).toBe("ok");
      expect(result.workspace).toBe("ok");
      expect(result.cwd).toBe("/workspace");
      expect(next.code, evidence(next)).toBe(0);
      expect(seen.seen, "the next run saw the previous run's /tmp file").toBe(false);
      expect(existsSync(join("/tmp", leftName)), "the /tmp file appeared on the host").toBe(false);
      await expectCleanedUp(marker);
    });

    it("/tmp is a bounded tmpfs: 32 MiB does not fit with --tmp-size 16m; 80 MiB does not fit the 64 MiB default", async () => {
      const marker = newMarker("tmpfs");
      const small = await cli([
        "sandbox",
        ...rt,
        "--tmp-size",
        "16m",
        "--image",
        NODE,
        "--",
        "node",
        "-e",
        TMP_FILL_PROBE,
        marker,
        "32",
      ]);
      const smallResult = probeResult<{ small: string; big: string }>(small);
      const fits = await cli([
        "sandbox",
        ...rt,
        "--image",
        NODE,
        "--",
        "node",
        "-e",
        TMP_FILL_PROBE,
        marker,
        "48",
      ]);
      const fitsResult = probeResult<{ small: string; big: string }>(fits);
      const over = await cli([
        "sandbox",
        ...rt,
        "--image",
        NODE,
        "--",
        "node",
        "-e",
        TMP_FILL_PROBE,
        marker,
        "80",
      ]);
      const overResult = probeResult<{ small: string; big: string }>(over);
      record(
        "fill /tmp",
        runtime,
        `32 MiB in 16m: ${smallResult.big}; 48 MiB in default: ${fitsResult.big}; 80 MiB in default: ${overResult.big}`,
      );
      expect(small.code, evidence(small)).toBe(0);
      expect(smallResult.small).toBe("ok");
      expect(smallResult.big).toBe("ENOSPC");
      expect(fitsResult.big, evidence(fits)).toBe("ok");
      expect(overResult.big, evidence(over)).toBe("ENOSPC");
      await expectCleanedUp(marker);
    });

    it("a shell fork bomb is stopped by --pids 64, and the host stays responsive", async () => {
      const marker = newMarker("forkbomb");
      const run = await cli([
        "sandbox",
        ...rt,
        "--pids",
        "64",
        "--timeout",
        "60s",
        "--image",
        NODE,
        "--",
        "sh",
        "-c",
        "b(){ b|b& };b; sleep 2; echo survived",
        marker,
      ]);
      const started = Date.now();
      const host = spawnSync(process.execPath, ["-e", "0"], { timeout: 30_000 });
      const hostMs = Date.now() - started;
      const refusals = (run.stderr.match(/Cannot fork/g) ?? []).length;
      const limitLine = ownLines(run.stderr).find((line) => line.includes("pids limit"));
      record(
        "fork bomb",
        runtime,
        `stopped: exit ${run.code}, ${refusals} "Cannot fork"; report: ${limitLine ?? "none"}; host node -e 0 in ${hostMs} ms`,
      );
      expect(host.status).toBe(0);
      expect(hostMs, "the host's node -e 0 took too long after the bomb").toBeLessThan(5_000);
      expect(run.code, `ended by the wall time, not the pids limit: ${evidence(run)}`).not.toBe(124);
      if (runtime === "runc") expect(refusals, evidence(run)).toBeGreaterThan(0);
      expect(limitLine, `no sandbox: line mentions the pids limit:\n${run.stderr}`).toBeDefined();
      await expectCleanedUp(marker);
    });

    it("a node loop spawning children is refused at --pids 64 (EAGAIN), with the command's own exit code", async () => {
      const marker = newMarker("spawnloop");
      const run = await cli([
        "sandbox",
        ...rt,
        "--pids",
        "64",
        "--timeout",
        "60s",
        "--image",
        NODE,
        "--",
        "node",
        "-e",
        SPAWN_LOOP,
        marker,
      ]);
      const started = Date.now();
      const host = spawnSync(process.execPath, ["-e", "0"], { timeout: 30_000 });
      const hostMs = Date.now() - started;
      const result = run.stdout.includes("{")
        ? probeResult<{ spawned: number; error: string | null }>(run)
        : undefined;
      const limitLine = ownLines(run.stderr).find((line) => line.includes("pids limit"));
      record(
        "spawn loop",
        runtime,
        `stopped: exit ${run.code}, ${result ? `spawned ${result.spawned} then ${result.error}` : "no output (sandbox ended)"}; report: ${limitLine ?? "none"}`,
      );
      expect(hostMs).toBeLessThan(5_000);
      expect(host.status).toBe(0);
      expect(run.code, evidence(run)).not.toBe(0);
      expect(run.code, evidence(run)).not.toBe(124);
      if (runtime === "runc") {
        // The command's own exit code (3 = refused), and the reason.
        expect(run.code, evidence(run)).toBe(3);
        expect(result?.error).toBe("EAGAIN");
        expect(result?.spawned).toBeLessThan(64);
      } else {
        // gVisor's sandbox itself cannot take more threads at the limit and ends; it never gets far.
        expect(result?.spawned ?? 0).toBeLessThan(64);
      }
      expect(limitLine, `no sandbox: line mentions the pids limit:\n${run.stderr}`).toBeDefined();
      await expectCleanedUp(marker);
    });

    it("a memory hog is OOM-killed at --memory 128m: exit 137 and the memory limit line", async () => {
      const marker = newMarker("memhog");
      const run = await cli([
        "sandbox",
        ...rt,
        "--memory",
        "128m",
        "--timeout",
        "60s",
        "--image",
        NODE,
        "--",
        "node",
        "-e",
        "const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))",
        marker,
      ]);
      const line = ownLines(run.stderr).find((text) => text.includes("memory limit") && text.includes("OOM"));
      record("memory hog", runtime, `killed: exit ${run.code}; report: ${line ?? "none"}`);
      expect(run.code, evidence(run)).toBe(137);
      expect(line, `no sandbox: line with "memory limit" and "OOM":\n${run.stderr}`).toBeDefined();
      await expectCleanedUp(marker);
    });

    it("an endless loop is killed at --timeout 3s: exit 124, the wall-time line, within 15 s, nothing left", async () => {
      const marker = newMarker("loop");
      const run = await cli(
        [
          "sandbox",
          ...rt,
          "--timeout",
          "3s",
          "--image",
          NODE,
          "--",
          "sh",
          "-c",
          "while :; do :; done",
          marker,
        ],
        {
          timeoutMs: 60_000,
        },
      );
      const line = ownLines(run.stderr).find((text) => text.includes("wall-time limit"));
      record(
        "endless loop",
        runtime,
        `killed: exit ${run.code} after ${run.ms} ms; report: ${line ?? "none"}`,
      );
      expect(run.code, evidence(run)).toBe(124);
      expect(line, `no sandbox: line mentions the wall-time limit:\n${run.stderr}`).toBeDefined();
      expect(run.ms).toBeLessThan(15_000);
      await expectCleanedUp(marker);
    });

    it("privileged operations fail: mount, chown, su, setuid binaries, capabilities, /proc/kcore; id -u is 10001", async () => {
      const marker = newMarker("priv");
      const run = await cli(["sandbox", ...rt, "--image", NODE, "--", "node", "-e", PRIV_PROBE, marker]);
      const r = probeResult<{
        uid: string;
        mount: { code: number; out: string };
        chownShell: { code: number; out: string };
        chownPasswd: string;
        chownOwn: string;
        su: { code: number; out: string };
        suMount: { code: number; out: string };
        noNewPrivs: string | null;
        capEff: string | null;
        capBnd: string | null;
        kcore: string;
      }>(run);
      record("mount tmpfs", runtime, `blocked: exit ${r.mount.code}: ${r.mount.out.split("\n")[0]}`);
      record(
        "chown 0 /etc/passwd",
        runtime,
        `blocked: chown exit ${r.chownShell.code}; fs.chownSync ${r.chownPasswd}; own /tmp file to root ${r.chownOwn}`,
      );
      record(
        "setuid escalation (su, mount)",
        runtime,
        `blocked: su exit ${r.su.code} (${r.su.out.split("\n").at(-1)}); id -u ${r.uid}; NoNewPrivs ${r.noNewPrivs ?? "not reported"}; CapEff ${r.capEff}`,
      );
      record("read /proc/kcore", runtime, `blocked: ${r.kcore}`);
      expect(run.code, evidence(run)).toBe(0);
      expect(r.uid).toBe("10001");
      expect(r.mount.code).not.toBe(0);
      expect(r.mount.out).toMatch(/superuser|permission denied|not permitted/i);
      expect(r.suMount.code).not.toBe(0);
      expect(r.chownShell.code).not.toBe(0);
      expect(r.chownShell.out).toMatch(/not permitted|read-only/i);
      expect(["EROFS", "EPERM"]).toContain(r.chownPasswd);
      expect(r.chownOwn, "chown needs CAP_CHOWN, which must be dropped").toBe("EPERM");
      expect(r.su.code).not.toBe(0);
      expect(r.su.out).not.toMatch(/^0$/m);
      expect(r.capEff).toBe("0000000000000000");
      expect(r.capBnd).toBe("0000000000000000");
      if (runtime === "runsc" && r.noNewPrivs === null) {
        // gVisor's /proc/self/status has no NoNewPrivs line; the setuid case below still holds.
      } else {
        expect(r.noNewPrivs).toBe("1");
      }
      // Docker masks kcore; gVisor has none. Either way, not one byte of kernel memory.
      expect(["ENOENT", "EACCES", "EPERM", "read 0 bytes"]).toContain(r.kcore);
      await expectCleanedUp(marker);
    });

    it("a setuid-root binary brought in through the workspace does not give root", async ({ skip }) => {
      if (process.getuid?.() !== 0) skip("needs root on the host to make a setuid-root file");
      const dir = tempDir("shipshape-sbx-suid-");
      chmodSync(dir, 0o755);
      const binary = join(dir, "suid-id");
      copyFileSync("/usr/bin/id", binary);
      chownSync(binary, 0, 0);
      chmodSync(binary, 0o4755);
      const marker = newMarker("suid");
      const run = await cli([
        "sandbox",
        ...rt,
        "--workspace",
        dir,
        "--image",
        NODE,
        "--",
        "sh",
        "-c",
        'ls -ln suid-id; ./suid-id; echo "euid=$(./suid-id -u) rc=$?"',
        marker,
      ]);
      const euid = run.stdout.match(/^euid=(\S*) rc=(\d+)$/m);
      record(
        "setuid-root binary in workspace",
        runtime,
        `blocked: ./suid-id -u → ${euid?.[1] || "(none)"} (rc ${euid?.[2] ?? "?"})`,
      );
      expect(run.code, evidence(run)).toBe(0);
      expect(euid, evidence(run)).not.toBeNull();
      expect(run.stdout).not.toMatch(/euid=0\b/);
      // Either it ran and stayed 10001, or the workspace refuses to execute it at all.
      if (euid?.[2] === "0") expect(euid?.[1]).toBe("10001");
      else expect(euid?.[2]).toBe("126");
      await expectCleanedUp(marker);
    });

    it("raw sockets cannot be opened (python)", async () => {
      const marker = newMarker("raw");
      const run = await cli([
        "sandbox",
        ...rt,
        "--image",
        PYTHON,
        "--",
        "python3",
        "-c",
        RAW_SOCKET_PROBE,
        marker,
      ]);
      const r = probeResult<{ raw: string; packet: string }>(run);
      record("raw socket", runtime, `blocked: AF_INET/SOCK_RAW ${r.raw}, AF_PACKET ${r.packet}`);
      expect(run.code, evidence(run)).toBe(0);
      expect(["EPERM", "EACCES"]).toContain(r.raw);
      expect(["EPERM", "EACCES", "EAFNOSUPPORT"]).toContain(r.packet);
      await expectCleanedUp(marker);
    });

    it("workspace without --copy-out: the host directory is unchanged byte for byte; the summary lists D, M, A", async () => {
      const dir = workspaceFixture();
      const before = snapshot(dir);
      const marker = newMarker("ws");
      const run = await cli([
        "sandbox",
        ...rt,
        "--workspace",
        dir,
        "--image",
        DEBIAN,
        "--",
        "sh",
        "-c",
        WORKSPACE_CHANGE,
        marker,
      ]);
      const after = snapshot(dir);
      const summary = ownLines(run.stderr).filter((line) => /^sandbox:\s+[AMD]\s/.test(line));
      record(
        "workspace changes, no copy-out",
        runtime,
        `${JSON.stringify(after) === JSON.stringify(before) ? "host unchanged" : "HOST CHANGED"}; summary: ${summary.map((line) => line.replace(/^sandbox:\s+/, "")).join(", ")}`,
      );
      expect(run.code, evidence(run)).toBe(0);
      expect(after).toEqual(before);
      expect(summaryLine(run.stderr, "D", "gone.txt"), run.stderr).toBe(true);
      expect(summaryLine(run.stderr, "M", "edit.txt"), run.stderr).toBe(true);
      expect(summaryLine(run.stderr, "A", "added.txt"), run.stderr).toBe(true);
      expect(summary, "only the changed files are listed").toHaveLength(3);
      expect(run.stderr).toMatch(/^sandbox:.*not copied back/m);
      await expectCleanedUp(marker);
    });

    it("workspace with --copy-out: exactly the deletion, the modification and the addition reach the host", async () => {
      const dir = workspaceFixture();
      const before = snapshot(dir);
      const marker = newMarker("ws-out");
      const run = await cli([
        "sandbox",
        ...rt,
        "--workspace",
        dir,
        "--copy-out",
        "--image",
        DEBIAN,
        "--",
        "sh",
        "-c",
        WORKSPACE_CHANGE,
        marker,
      ]);
      const after = snapshot(dir);
      const { "gone.txt": _gone, ...expected } = before;
      const edit = before["edit.txt"];
      const summary = ownLines(run.stderr).filter((line) => /^sandbox:\s+[AMD]\s/.test(line));
      record(
        "workspace changes, --copy-out",
        runtime,
        `host: ${Object.keys(after)
          .filter((key) => JSON.stringify(after[key]) !== JSON.stringify(before[key]))
          .concat(
            Object.keys(before)
              .filter((key) => !(key in after))
              .map((key) => `-${key}`),
          )
          .join(", ")}; summary: ${summary.map((line) => line.replace(/^sandbox:\s+/, "")).join(", ")}`,
      );
      expect(run.code, evidence(run)).toBe(0);
      expect(Object.keys(after).sort()).toEqual(Object.keys({ ...expected, "added.txt": 1 }).sort());
      expect(readFileSync(join(dir, "edit.txt"), "utf8")).toBe("before\nafter\n");
      expect(readFileSync(join(dir, "added.txt"), "utf8")).toBe("new\n");
      expect(existsSync(join(dir, "gone.txt"))).toBe(false);
      expect(after["edit.txt"]?.mode, "edit.txt's mode changed").toBe(edit?.mode);
      for (const untouched of ["keep.txt", "sub/", "sub/deep.txt", ""].filter((key) => key in before)) {
        expect(after[untouched], `${untouched} changed`).toEqual(before[untouched]);
      }
      expect(after["edit.txt"]?.sha256).toBe(sha("before\nafter\n"));
      expect(summaryLine(run.stderr, "D", "gone.txt"), run.stderr).toBe(true);
      expect(summaryLine(run.stderr, "M", "edit.txt"), run.stderr).toBe(true);
      expect(summaryLine(run.stderr, "A", "added.txt"), run.stderr).toBe(true);
      expect(summary).toHaveLength(3);
      expect(run.stderr).toMatch(/^sandbox:.*copied back/m);
      expect(run.stderr).not.toMatch(/not copied back/);
      await expectCleanedUp(marker);
    });

    it("--ro-mount DIR and DIR:TARGET: the file is readable and cannot be written", async () => {
      const share = tempDir("shipshape-sbx-ro-");
      chmodSync(share, 0o755);
      writeFileSync(join(share, "secret.txt"), "ro-content\n", { mode: 0o644 });
      const before = snapshot(share);
      const marker = newMarker("ro");
      const target = `/mnt/${basename(share)}/secret.txt`;
      const run = await cli([
        "sandbox",
        ...rt,
        "--ro-mount",
        share,
        "--image",
        NODE,
        "--",
        "node",
        "-e",
        RO_PROBE,
        marker,
        target,
      ]);
      const r = probeResult<{ read: string; write: string; create: string }>(run);
      const custom = await cli([
        "sandbox",
        ...rt,
        "--ro-mount",
        `${share}:/data`,
        "--image",
        NODE,
        "--",
        "node",
        "-e",
        RO_PROBE,
        marker,
        "/data/secret.txt",
      ]);
      const c = probeResult<{ read: string; write: string; create: string }>(custom);
      record(
        "write to --ro-mount",
        runtime,
        `read ${JSON.stringify(r.read)}; blocked: write ${r.write}, create ${r.create}; at /data: read ${JSON.stringify(c.read)}, write ${c.write}`,
      );
      expect(run.code, evidence(run)).toBe(0);
      expect(r.read).toBe("ro-content\n");
      expect(["EROFS", "EACCES"]).toContain(r.write);
      expect(["EROFS", "EACCES"]).toContain(r.create);
      expect(custom.code, evidence(custom)).toBe(0);
      expect(c.read).toBe("ro-content\n");
      expect(["EROFS", "EACCES"]).toContain(c.write);
      expect(snapshot(share), "the host directory changed").toEqual(before);
      await expectCleanedUp(marker);
    });

    it("stdout, stderr and the exit code pass through", async () => {
      const marker = newMarker("io");
      const run = await cli([
        "sandbox",
        ...rt,
        "--image",
        DEBIAN,
        "--",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 7",
        marker,
      ]);
      record("stdout/stderr/exit code", runtime, `exit ${run.code}, stdout ${JSON.stringify(run.stdout)}`);
      expect(run.code, evidence(run)).toBe(7);
      expect(run.stdout).toBe("out\n");
      expect(run.stderr).toMatch(/^err$/m);
      expect(run.stderr).not.toMatch(/^out$/m);
      await expectCleanedUp(marker);
    });

    it("output streams live, before the command ends", async () => {
      const marker = newMarker("live");
      const child = spawn(
        process.execPath,
        [
          BIN,
          "sandbox",
          ...rt,
          "--image",
          DEBIAN,
          "--",
          "sh",
          "-c",
          "echo first; sleep 4; echo second",
          marker,
        ],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let exited = false;
      let exitedBeforeFirst: boolean | undefined;
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        if (exitedBeforeFirst === undefined && stdout.includes("first")) exitedBeforeFirst = exited;
      });
      const code = await new Promise<number | null>((resolve) =>
        child.on("close", (value) => {
          exited = true;
          resolve(value);
        }),
      );
      record(
        "live output",
        runtime,
        exitedBeforeFirst === false ? "streamed before exit" : "buffered until exit",
      );
      expect(code).toBe(0);
      expect(stdout).toBe("first\nsecond\n");
      expect(exitedBeforeFirst, "the first line arrived only when the command had ended").toBe(false);
      await expectCleanedUp(marker);
    });

    it("SIGINT to the CLI mid-run: the CLI ends and nothing remains within 10 s", async () => {
      const marker = newMarker("sigint");
      const child = spawn(
        process.execPath,
        [BIN, "sandbox", ...rt, "--image", DEBIAN, "--", "sh", "-c", "echo ready; sleep 300", marker],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("close", (code, signal) => resolve({ code, signal })),
      );
      try {
        const deadline = Date.now() + 60_000;
        while (!stdout.includes("ready") && Date.now() < deadline && child.exitCode === null)
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect(stdout, `the command never said ready\n${stderr}`).toContain("ready");
        // The engine's list can lag the container's first output on a busy machine: ask for a while.
        let running: unknown[] = [];
        for (const until = Date.now() + 10_000; running.length === 0 && Date.now() < until; ) {
          running = (await engine.api.listContainers()).filter((container) =>
            container.Command.includes(marker),
          );
          if (running.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(running, "no running container carries the case's command").toHaveLength(1);

        const interrupted = Date.now();
        child.kill("SIGINT");
        const left = await waitUntilCleanedUp(marker, 10_000);
        const ended = await Promise.race([
          closed,
          new Promise<undefined>((resolve) =>
            setTimeout(() => resolve(undefined), Math.max(0, interrupted + 10_000 - Date.now())),
          ),
        ]);
        record(
          "SIGINT mid-run",
          runtime,
          `CLI ${ended ? `exit ${ended.code ?? ended.signal}` : "still running after 10 s"}; left: ${left.length ? left.join(", ") : "nothing"} after ${Date.now() - interrupted} ms`,
        );
        expect(left, `still there 10 s after SIGINT\n${stderr}`).toEqual([]);
        expect(ended, "the CLI did not end within 10 s of SIGINT").toBeDefined();
        await expectCleanedUp(marker);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    });
  });
});

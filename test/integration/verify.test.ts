/**
 * `shipshape verify` run as a user runs it, against the engine: the naive fixture fails each check
 * for the reasons DEFECTS.md documents (with that evidence), the hardened fixture with its compose
 * stack and what `shipshape init` generates pass every check, and Ctrl-C mid-run leaves nothing
 * with the run's session label behind (and disturbs nothing else). Each fixture is built once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine/engine.js";
import { LABEL_SESSION } from "../../src/engine/plans.js";
import type { CheckResult, VerifyReport } from "../../src/verify/types.js";
import { type AsyncCliResult, BIN, shipshapeAsync } from "../support/cli.js";
import { testEngine } from "../support/engine.js";
import { fixtureApp } from "../support/fixtures.js";

const engine = (await testEngine()) as Engine;
const TAGS = {
  naive: `shipshape-test/verify-naive:it-${process.pid}`,
  hardened: `shipshape-test/verify-hardened:it-${process.pid}`,
  init: `shipshape-test/verify-init-python:it-${process.pid}`,
  initNaive: `shipshape-test/verify-init-naive:it-${process.pid}`,
};
const roots: string[] = [];

type Run = AsyncCliResult;

/** `shipshape verify …`, asynchronously: the SIGINT case watches the engine while it runs. */
function verifyCli(args: string[], onSpawn?: (child: ChildProcess) => void): Promise<Run> {
  return shipshapeAsync(["verify", ...args], {
    env: { NO_COLOR: "1" },
    timeoutMs: 590_000,
    ...(onSpawn ? { onSpawn } : {}),
  });
}

function parse(run: Run): VerifyReport {
  try {
    return JSON.parse(run.stdout) as VerifyReport;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout.slice(0, 800)}\n${run.stderr.slice(-2000)}`);
  }
}

const check = (report: VerifyReport, id: CheckResult["id"]): CheckResult => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};
const text = (result: CheckResult) => [result.summary, ...result.evidence, result.fix ?? ""].join("\n");

afterAll(async () => {
  for (const tag of Object.values(TAGS)) await engine?.removeImage(tag, true).catch(() => undefined);
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!engine)("shipshape verify against the engine", () => {
  it("ai-naive-express fails with the documented evidence for each reason", async () => {
    const run = await verifyCli([fixtureApp("ai-naive-express"), "--format", "json", "--tag", TAGS.naive]);
    const report = parse(run);
    expect(run.code, run.stderr.slice(-2000)).toBe(1);
    expect(report.ok).toBe(false);

    // Root user: the hardened run says so, and so does the metadata.
    const hardened = check(report, "hardened");
    expect(hardened.status).toBe("fail");
    expect(hardened.summary).toContain("runs as root");
    expect(text(hardened)).toContain("the image sets no USER");
    // A write to the read-only root, tied to its path and the fix.
    expect(hardened.summary).toContain("writes to the read-only root (/app/uploads)");
    expect(text(hardened)).toContain("EROFS: read-only file system, mkdir '/app/uploads'");
    expect(hardened.fix).toContain("--tmpfs /app/uploads");
    const metadata = check(report, "metadata");
    expect(metadata.parts?.find((part) => /non-root/.test(part.title))?.status).toBe("fail");

    // A secret in a layer, also one written and deleted in a later layer; nothing shown in full.
    const contents = check(report, "contents");
    expect(contents.status).toBe("fail");
    expect(text(contents)).toMatch(/secret \/app\/\.env \(layer \d+: `COPY \. \.`\)/);
    expect(text(contents)).toMatch(
      /secret \/root\/\.npmrc \(layer (\d+): `RUN echo .*, deleted in layer (\d+) but still in the image\)/,
    );
    // devDependencies and compilers in the image.
    expect(text(contents)).toMatch(/dev-dependency \/app\/node_modules .*typescript/);
    expect(text(contents)).toMatch(/compiler \/usr\/bin\/\S+ .*gcc/);
    expect(run.stdout).not.toContain("FAKEFAKEFAKEFAKE");

    // Without its variables it does not fail clearly: the baked .env hides the absence, and the
    // fallback to localhost ends in a stack trace instead of a message naming the variable.
    const env = check(report, "env");
    expect(env.status).toBe("fail");
    expect(env.summary).toContain("absence of DATABASE_URL unnoticed");
    expect(env.summary).toContain("a stack trace instead of a clear message without DATABASE_URL");
    expect(env.summary).toContain("absence of JWT_SECRET unnoticed");
    expect(text(env)).toMatch(
      /a stack trace instead of a message naming DATABASE_URL: .*ECONNREFUSED 127\.0\.0\.1:5432/,
    );
    expect(text(env)).toMatch(/\/app\/\.env in the image \(layer \d+: `COPY \. \.`\) can supply it/);

    // Slow/unclean stop: npm is PID 1.
    const signals = check(report, "signals");
    expect(signals.status).toBe("fail");
    expect(text(signals)).toContain("PID 1: npm start");
    expect(text(signals)).toMatch(/npm is PID 1/);
    expect(text(signals)).toMatch(/no SIGTERM handler/);

    // Health: the published port never answers, and why.
    const health = check(report, "health");
    expect(health.status).toBe("fail");
    expect(health.summary).toContain("listens on 127.0.0.1 only");
    expect(report.cleanup?.containers).toBeGreaterThan(0);
  }, 600_000);

  it("hardened-express with its compose stack passes every check", async () => {
    const run = await verifyCli([fixtureApp("hardened-express"), "--format", "json", "--tag", TAGS.hardened]);
    const report = parse(run);
    const failed = report.checks.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${text(c)}`);
    expect(failed).toEqual([]);
    expect(run.code).toBe(0);
    const health = check(report, "health");
    expect(health.evidence[0]).toMatch(/^db \(postgres:15\.18-bookworm\): healthy in/);
    expect(health.evidence[1]).toMatch(/^migrate: `node dist\/migrate\.js` exited 0/);
    expect(text(health)).toContain("GET /healthz → 200");
    expect(text(check(report, "env"))).toContain("config error: DATABASE_URL is not set");
    expect(text(check(report, "signals"))).toContain("PID 1: node dist/server.js");
    // The clean build is stamped as `shipshape build` stamps: provenance labels and the base digest.
    const labels = (await engine.imageInspect(TAGS.hardened)).Config?.Labels ?? {};
    expect(labels).toMatchObject({
      "io.shipshape.verify": "true",
      "org.opencontainers.image.version": "1.0.0",
      "org.opencontainers.image.base.name": "docker.io/library/node:20.20.2-bookworm-slim",
    });
    expect(labels["org.opencontainers.image.base.digest"]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(labels["io.shipshape.lockfile.package-lock.json.sha256"]).toMatch(/^[0-9a-f]{64}$/);
  }, 600_000);

  it("the setup `shipshape init` writes (python-stdlib) passes every check", async () => {
    const root = mkdtempSync(join(tmpdir(), "shipshape-verify-init-"));
    roots.push(root);
    const dir = join(root, "python-stdlib");
    cpSync(fixtureApp("python-stdlib"), dir, { recursive: true });
    mkdirSync(join(root, "aside"));
    for (const name of ["Dockerfile", ".dockerignore", "compose.yaml"])
      if (existsSync(join(dir, name))) renameSync(join(dir, name), join(root, "aside", name));
    const init = await new Promise<number | null>((resolve) =>
      spawn(process.execPath, [BIN, "init", dir, "--yes"], { stdio: "ignore" }).on("close", resolve),
    );
    expect(init).toBe(0);
    const run = await verifyCli([dir, "--format", "json", "--tag", TAGS.init]);
    const report = parse(run);
    const failed = report.checks.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${text(c)}`);
    expect(failed).toEqual([]);
    expect(run.code).toBe(0);
  }, 600_000);

  it("init on ai-naive-express, then verify: every check passes but the app's own missing env validation, and no volume is left behind", async () => {
    const root = mkdtempSync(join(tmpdir(), "shipshape-verify-init-naive-"));
    roots.push(root);
    const dir = join(root, "notes");
    cpSync(fixtureApp("ai-naive-express"), dir, { recursive: true });
    for (const name of ["Dockerfile", "docker-compose.yml", ".env"]) rmSync(join(dir, name));
    const init = await new Promise<number | null>((resolve) =>
      spawn(process.execPath, [BIN, "init", dir, "--yes"], { stdio: "ignore" }).on("close", resolve),
    );
    expect(init).toBe(0);
    // The volumes every container of this image mounts (the image's VOLUME /app/uploads, the
    // compose volume verify mounts there), seen while they run: all must be gone afterwards.
    const seen = new Map<string, string>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const containers = await engine.api
          .listContainers({ all: true, filters: { ancestor: [TAGS.initNaive] } })
          .catch(() => []);
        for (const container of containers)
          for (const mount of container.Mounts ?? [])
            if (mount.Type === "volume" && mount.Name) seen.set(mount.Name, mount.Destination);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    let run: Run;
    try {
      run = await verifyCli([dir, "--format", "json", "--tag", TAGS.initNaive]);
    } finally {
      polling = false;
      await poll;
    }
    const report = parse(run);
    expect(run.code, run.stderr.slice(-2000)).toBe(1);
    const failed = report.checks.filter((c) => c.status !== "pass").map((c) => c.id);
    expect(failed, report.checks.map((c) => `${c.id}: ${text(c)}`).join("\n")).toEqual(["env"]);
    // Check 2 fails for the app's own reason: it never validates its variables.
    const env = check(report, "env");
    expect(env.summary).toContain("absence of DATABASE_URL unnoticed");
    expect(env.summary).toContain("absence of JWT_SECRET unnoticed");
    expect(text(env)).not.toMatch(/EACCES|EROFS|uploads/);
    // The hardened run wrote its uploads directory: a volume at /app/uploads, owned by node.
    const hardened = check(report, "hardened");
    expect(hardened.summary).toBe("healthy read-only, without capabilities, as node");
    expect([...seen.values()]).toContain("/app/uploads");
    const left = (await engine.api.listVolumes()).Volumes ?? [];
    expect(left.filter((volume) => seen.has(volume.Name)).map((v) => v.Name)).toEqual([]);
  }, 600_000);

  it("Ctrl-C mid-run removes every container, network and volume of its session, and nothing else", async () => {
    // Something of another session that must survive.
    const bystander = engine.session("it-bystander");
    try {
      const keep = await bystander.run({ image: TAGS.hardened, entrypoint: ["sleep"], cmd: ["120"] });
      let sessionId: string | undefined;
      let sent = false;
      const run = await verifyCli(
        [TAGS.hardened, "--dir", fixtureApp("hardened-express"), "--format", "json"],
        (child) => {
          const started = Date.now();
          const poll = setInterval(async () => {
            if (sent || Date.now() - started > 120_000) return clearInterval(poll);
            const containers = await engine.api.listContainers({
              all: true,
              filters: { label: [LABEL_SESSION], name: ["shipshape-verify-"] },
            });
            const mine = containers.find(
              (c) => Date.parse(new Date(c.Created * 1000).toISOString()) >= started - 2_000,
            );
            if (mine && !sent) {
              sent = true;
              sessionId = mine.Labels[LABEL_SESSION];
              clearInterval(poll);
              child.kill("SIGINT");
            }
          }, 100);
        },
      );
      expect(sent, run.stderr).toBe(true);
      expect(run.code, run.stderr).toBe(130);
      expect(run.stderr).toContain("SIGINT: removing the containers, networks and volumes this run created");
      const filters = { label: [`${LABEL_SESSION}=${sessionId}`] };
      const [containers, networks, volumes] = await Promise.all([
        engine.api.listContainers({ all: true, filters }),
        engine.api.listNetworks({ filters }),
        engine.api.listVolumes({ filters }),
      ]);
      expect({
        containers: containers.length,
        networks: networks.length,
        volumes: (volumes.Volumes ?? []).length,
      }).toEqual({
        containers: 0,
        networks: 0,
        volumes: 0,
      });
      expect((await bystander.inspect(keep)).State.Running).toBe(true);
    } finally {
      await bystander.cleanup();
    }
  }, 600_000);
});

/**
 * `shipshape init` proven against the test bed: on copies of the fixture apps with their Docker
 * files moved aside, what init writes passes `shipshape check` with no error or warning, builds
 * with no cache, starts with only the `.env.example` values, becomes healthy, runs non-root on a
 * read-only root filesystem and stops on SIGTERM in under 2 s. The Express + PostgreSQL apps run
 * as their generated compose stack, whose database is not reachable from the host.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Engine, EngineSession } from "../../src/engine/engine.js";
import { shipshape } from "../support/cli.js";
import { probeHttp, testEngine } from "../support/engine.js";
import { fixtureApp } from "../support/fixtures.js";

const engine = (await testEngine()) as Engine;
const GENERATED = ["Dockerfile", ".dockerignore", "compose.yaml", ".env.example", ".gitignore"];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A copy of a fixture app with its Docker files moved out of the directory. */
function withoutDockerFiles(app: string): { dir: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), `shipshape-init-${app}-`));
  const dir = join(root, app);
  cpSync(fixtureApp(app), dir, { recursive: true });
  mkdirSync(join(root, "aside"));
  for (const name of ["Dockerfile", "compose.yaml", "docker-compose.yml", ".dockerignore"])
    if (existsSync(join(dir, name))) renameSync(join(dir, name), join(root, "aside", name));
  return { dir, root };
}

/** `NAME=value` lines of .env.example. */
function envExample(dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(dir, ".env.example"), "utf8").split("\n")) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1]) env[match[1]] = match[2] ?? "";
  }
  return env;
}

interface CheckJson {
  findings: Array<{ ruleId: string; severity: string; message: string; file: string; line: number }>;
}

/**
 * The build stage's build line per fixture: a plain build script's tool straight from
 * node_modules/.bin (so the real build below proves it equivalent), anything else through npm.
 */
const BUILD_RUN: Record<string, string> = {
  "ai-naive-express": "RUN node_modules/.bin/tsc",
  "hardened-express": "RUN node_modules/.bin/tsc",
  "next-app": "RUN node_modules/.bin/next build",
  "vite-spa": "RUN npm run build",
};

function expectBuildRun(dir: string, app: string): void {
  const expected = BUILD_RUN[app];
  if (expected === undefined) return;
  const runs = readFileSync(join(dir, "Dockerfile"), "utf8")
    .split("\n")
    .filter((line) => /^RUN (?:npm run build|node_modules\/\.bin\/)/.test(line));
  expect(runs).toEqual([expected]);
}

function initAndCheck(dir: string): void {
  const init = shipshape(["init", dir, "--yes"]);
  expect(init.code, init.stderr).toBe(0);
  for (const name of ["Dockerfile", ".dockerignore", ".env.example", "DOCKER.md"])
    expect(existsSync(join(dir, name))).toBe(true);
  const check = shipshape(["check", dir, "--format", "json", "--fail-on", "none"]);
  expect(check.code, check.stderr).toBe(0);
  const report = JSON.parse(check.stdout) as CheckJson;
  const inGenerated = report.findings.filter(
    (finding) => GENERATED.includes(finding.file) && finding.severity !== "info",
  );
  expect(inGenerated.map((f) => `${f.ruleId} ${f.file}:${f.line} ${f.message}`)).toEqual([]);
}

const hasCompose = spawnSync("docker-compose", ["version"], { stdio: "ignore" }).status === 0;

describe.skipIf(!engine)("shipshape init: what it writes builds, runs hardened and becomes healthy", () => {
  const roots: string[] = [];
  const images: string[] = [];
  let session: EngineSession;

  /** Runs an image the hardened way (read-only, tmpfs /tmp, no capabilities) and waits for healthy. */
  async function runHardened(image: string, containerPort: number, env?: Record<string, string>) {
    const port = await freePort();
    const id = await session.run({
      image,
      ...(env ? { env } : {}),
      readOnly: true,
      tmpfs: { "/tmp": "rw,size=64m" },
      capDrop: ["ALL"],
      securityOpt: ["no-new-privileges"],
      memoryBytes: 512 * 1024 * 1024,
      pidsLimit: 200,
      ports: [{ containerPort, hostPort: port, hostIp: "127.0.0.1" }],
    });
    await session.waitForHealthy(id, 90_000);
    return { id, port };
  }

  /** `docker stop`: SIGTERM must end it, within 2 s. */
  async function expectPromptStop(id: string): Promise<void> {
    const stopped = await session.stop(id, 10);
    expect(stopped.killed).toBe(false);
    expect(stopped.durationMs).toBeLessThan(2_000);
  }

  afterAll(async () => {
    await session?.cleanup();
    for (const image of images) await engine.removeImage(image, true).catch(() => undefined);
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  for (const app of ["python-stdlib", "vite-spa", "next-app"]) {
    it(`${app}: passes check, builds with no cache, runs non-root and read-only, healthy, stops in < 2 s`, async () => {
      session ??= engine.session("it-init");
      const { dir, root } = withoutDockerFiles(app);
      roots.push(root);
      initAndCheck(dir);
      expectBuildRun(dir, app);
      const image = `shipshape-test/init-${app}:it`;
      images.push(image);
      await engine.build({ context: dir, tags: [image], noCache: true });

      const inspected = await engine.imageInspect(image);
      const exposed = Number(Object.keys(inspected.Config.ExposedPorts ?? {})[0]?.split("/")[0]);
      const { id, port } = await runHardened(image, exposed, envExample(dir));
      const info = await session.inspect(id);
      expect(info.Config.User).toMatch(/^(?:node|app)$/);
      expect(info.HostConfig.ReadonlyRootfs).toBe(true);
      expect(info.Mounts.filter((mount) => mount.Type === "bind")).toEqual([]);
      const health = inspected.Config.Healthcheck?.Test?.join(" ") ?? "";
      const path = /127\.0\.0\.1:'\+\(process\.env\.PORT\|\|\d+\)\+'([^']*)'|\+'([^']*)', timeout/.exec(
        health,
      );
      const answer = await probeHttp(`http://127.0.0.1:${port}${path?.[1] ?? path?.[2] ?? "/"}`);
      expect("status" in answer ? answer.status : answer.error).toBe(200);
      await expectPromptStop(id);
    }, 600_000);
  }

  it("a static SPA with no server of its own (vite-spa without server.mjs): served by the server init writes", async () => {
    session ??= engine.session("it-init");
    const { dir, root } = withoutDockerFiles("vite-spa");
    roots.push(root);
    rmSync(join(dir, "server.mjs"));
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    delete manifest.scripts.start;
    writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    initAndCheck(dir);
    expect(existsSync(join(dir, "docker/serve-static.mjs"))).toBe(true);
    const image = "shipshape-test/init-static-spa:it";
    images.push(image);
    await engine.build({ context: dir, tags: [image], noCache: true });
    const { id, port } = await runHardened(image, 8080);
    const page = await probeHttp(`http://127.0.0.1:${port}/`);
    expect(page).toMatchObject({ status: 200, body: expect.stringContaining("<!doctype html>") });
    // A client-side route falls back to index.html.
    expect(await probeHttp(`http://127.0.0.1:${port}/settings/timer`)).toMatchObject({ status: 200 });
    expect((await session.inspect(id)).Config.User).toBe("node");
    await expectPromptStop(id);
  }, 600_000);

  it("npm-workspaces: init --app apps/api builds from the repository root with the workspace it needs", async () => {
    session ??= engine.session("it-init");
    const { dir, root } = withoutDockerFiles("npm-workspaces");
    roots.push(root);
    const init = shipshape(["init", dir, "--app", "apps/api", "--yes"]);
    expect(init.code, init.stderr).toBe(0);
    const check = shipshape(["check", dir, "--format", "json", "--fail-on", "none"]);
    const findings = (JSON.parse(check.stdout) as CheckJson).findings.filter(
      (f) => f.file.startsWith("apps/api/") && !f.file.startsWith("apps/api/src/") && f.severity !== "info",
    );
    expect(findings.map((f) => `${f.ruleId} ${f.file}:${f.line} ${f.message}`)).toEqual([]);
    const image = "shipshape-test/init-npm-workspaces:it";
    images.push(image);
    await engine.build({
      context: dir,
      dockerfile: join(dir, "apps/api/Dockerfile"),
      tags: [image],
      noCache: true,
    });
    const { id, port } = await runHardened(image, 3000);
    // The shared workspace was built and shipped: the API answers with its greeting.
    const answer = await probeHttp(`http://127.0.0.1:${port}/`);
    expect(answer).toMatchObject({ status: 200, body: "hello world" });
    expect((await session.inspect(id)).Config.User).toBe("node");
    await expectPromptStop(id);
  }, 600_000);

  for (const app of ["ai-naive-express", "hardened-express"]) {
    it.skipIf(!hasCompose)(
      `${app}: its compose stack comes up healthy with the database unpublished and internal`,
      async () => {
        session ??= engine.session("it-init");
        const { dir, root } = withoutDockerFiles(app);
        roots.push(root);
        initAndCheck(dir);
        expectBuildRun(dir, app);
        const image = `shipshape-test/init-${app}:it`;
        images.push(image);
        await engine.build({ context: dir, tags: [image], noCache: true });

        // Only the .env.example values, as a user who copies it to .env.
        cpSync(join(dir, ".env.example"), join(dir, ".env"));
        const project = `shipshape-init-${app.replace(/[^a-z0-9]/g, "")}-${process.pid}`;
        const env = { ...process.env, APP_IMAGE: image, APP_PORT: String(await freePort()) };
        const compose = (...args: string[]) =>
          spawnSync("docker-compose", ["-p", project, ...args], {
            cwd: dir,
            env,
            encoding: "utf8",
            timeout: 300_000,
          });
        try {
          const up = compose("up", "-d", "--no-build");
          expect(up.status, up.stderr).toBe(0);
          const idOf = (service: string) => compose("ps", "-q", service).stdout.trim();
          const appId = idOf("app");
          await session.waitForHealthy(appId, 180_000);
          const [appInfo, db] = await Promise.all([session.inspect(appId), session.inspect(idOf("db"))]);
          expect(appInfo.Config.User).toBe("node");
          expect(appInfo.HostConfig).toMatchObject({ ReadonlyRootfs: true, CapDrop: ["ALL"] });
          expect(appInfo.Mounts.filter((mount) => mount.Type === "bind")).toEqual([]);
          if (app === "ai-naive-express") {
            // The directory it creates at startup: a named volume there, writable by node.
            expect(appInfo.Mounts).toContainEqual(
              expect.objectContaining({ Type: "volume", Destination: "/app/uploads" }),
            );
            const writable = await session.exec(appId, [
              "node",
              "-e",
              "require('fs').accessSync('/app/uploads', require('fs').constants.W_OK)",
            ]);
            expect(writable.exitCode, writable.stderr).toBe(0);
          }
          expect(Object.values(appInfo.NetworkSettings.Ports ?? {}).flat()).toEqual([
            expect.objectContaining({ HostIp: "127.0.0.1", HostPort: env.APP_PORT }),
          ]);
          const answer = await probeHttp(`http://127.0.0.1:${env.APP_PORT}/`);
          expect("status" in answer).toBe(true);

          // The database: no published port, only an internal network, and no answer on 5432 here.
          expect(
            Object.values(db.NetworkSettings.Ports ?? {})
              .flat()
              .filter(Boolean),
          ).toEqual([]);
          for (const network of Object.keys(db.NetworkSettings.Networks ?? {}))
            expect((await engine.api.getNetwork(network).inspect()).Internal).toBe(true);
          const reached = await new Promise<boolean>((resolve) => {
            const socket = connect(5432, "127.0.0.1");
            const settle = (value: boolean) => {
              socket.destroy();
              resolve(value);
            };
            socket.setTimeout(1_000, () => settle(false));
            socket.on("connect", () => settle(true));
            socket.on("error", () => resolve(false));
          });
          expect(reached).toBe(false);

          // `docker stop` on the app container: SIGTERM through tini must end it promptly.
          await expectPromptStop(appId);
        } finally {
          compose("down", "-v", "--remove-orphans");
        }
      },
      600_000,
    );
  }
});

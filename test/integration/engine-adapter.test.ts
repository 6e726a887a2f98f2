/**
 * The engine adapter against the real engine, on the hardened fixture app: build it with
 * BuildKit, run it with its database, reach its health endpoint through 127.0.0.1, stop it, and
 * leave nothing behind, also when a step fails.
 */
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildFailedError } from "../../src/engine/build.js";
import { type Engine, type EngineSession, withSession } from "../../src/engine/engine.js";
import { testEngine, waitForHttp } from "../support/engine.js";
import { fixtureApp } from "../support/fixtures.js";

const engine = (await testEngine()) as Engine;
const IMAGE = "shipshape-test/hardened-express:it";
const DB_PASSWORD = "it-only-password";

describe.skipIf(!engine)("engine adapter: hardened-express with PostgreSQL", () => {
  let session: EngineSession;
  const steps: string[] = [];

  beforeAll(async () => {
    session = engine.session("it-adapter");
    await engine.build(
      { context: fixtureApp("hardened-express"), tags: [IMAGE] },
      { onStep: (step) => steps.push(step) },
    );
  });

  afterAll(async () => {
    if (!session) return;
    await session.cleanup();
    expect(await session.owned()).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it("reports BuildKit's steps while it builds", () => {
    expect(steps.some((step) => /^\[build \d+\/\d+\] RUN npm ci/.test(step))).toBe(true);
    expect(steps.some((step) => /^\[runtime \d+\/\d+\] COPY --from=build/.test(step))).toBe(true);
  });

  it("runs the app with its database, healthy on 127.0.0.1, non-root, and stops on SIGTERM in under 2 s", async () => {
    const network = session.name("backend");
    await session.createNetwork(network);
    const volume = await session.createVolume(session.name("pgdata"));
    const db = await session.run({
      image: "postgres:15-bookworm",
      name: session.name("db"),
      network,
      networkAliases: ["db"],
      env: { POSTGRES_USER: "notes", POSTGRES_PASSWORD: DB_PASSWORD, POSTGRES_DB: "notes" },
      volumes: [{ volume, target: "/var/lib/postgresql/data" }],
      healthcheck: {
        test: ["CMD-SHELL", "pg_isready -h 127.0.0.1 -U notes -d notes"],
        intervalMs: 500,
        timeoutMs: 3000,
        retries: 60,
      },
    });
    await session.waitForHealthy(db, 60_000);

    const databaseUrl = `postgres://notes:${DB_PASSWORD}@db:5432/notes`;
    const migration = await session.runToCompletion(
      {
        image: IMAGE,
        cmd: ["node", "dist/migrate.js"],
        network,
        env: { DATABASE_URL: databaseUrl },
        readOnly: true,
      },
      60_000,
    );
    expect(migration.exitCode, migration.stderr).toBe(0);

    const api = await session.run({
      image: IMAGE,
      name: session.name("api"),
      network,
      env: { DATABASE_URL: databaseUrl },
      ports: [{ containerPort: 3000 }],
      readOnly: true,
      tmpfs: { "/tmp": "rw,size=16m" },
      capDrop: ["ALL"],
      securityOpt: ["no-new-privileges:true"],
      pidsLimit: 100,
      memoryBytes: 256 * 1024 * 1024,
    });
    const inspected = await session.inspect(api);
    expect(inspected.Config.User).toBe("node");
    expect(inspected.HostConfig.PortBindings?.["3000/tcp"]?.[0]?.HostIp).toBe("127.0.0.1");

    await session.waitForHealthy(api, 60_000);
    const port = await session.hostPort(api, 3000);
    const health = await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);

    const created = await fetch(`http://127.0.0.1:${port}/api/notes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "ship it", body: "from the engine adapter test" }),
    });
    expect(created.status).toBe(201);
    const notes = (await (await fetch(`http://127.0.0.1:${port}/api/notes`)).json()) as { title: string }[];
    expect(notes.map((note) => note.title)).toContain("ship it");

    const stopped = await session.stop(api, 10);
    expect(stopped.killed).toBe(false);
    expect(stopped.exitCode).toBe(0);
    expect(stopped.durationMs).toBeLessThan(2_000);
    const logs = await session.logs(api);
    expect(`${logs.stdout}${logs.stderr}`).toMatch(/SIGTERM/);
  });

  it("removes everything a session made even when the work fails", async () => {
    let leaked: EngineSession | undefined;
    const failing = withSession(engine, "it-cleanup", async (inner) => {
      leaked = inner;
      await inner.createNetwork(inner.name("net"));
      await inner.createVolume(inner.name("vol"));
      await inner.run({
        image: IMAGE,
        cmd: ["node", "-e", "setInterval(() => {}, 1000)"],
        name: inner.name("idle"),
      });
      const removed = await inner.create({ image: IMAGE, name: inner.name("removed") });
      await inner.remove(removed);
      expect(await inner.owned()).toEqual({ containers: 1, networks: 1, volumes: 1 });
      throw new Error("a step failed");
    });
    await expect(failing).rejects.toThrow("a step failed");
    expect(await leaked?.owned()).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it("pulls an image the engine does not have yet before creating the container, as docker run does", async () => {
    await engine.removeImage("debian:bookworm-slim");
    expect(await engine.imageExists("debian:bookworm-slim")).toBe(false);
    const run = await session.runToCompletion({
      image: "debian:bookworm-slim",
      cmd: ["cat", "/etc/debian_version"],
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^12\./);
    expect(await engine.imageExists("debian:bookworm-slim")).toBe(true);
  });

  it("ends a failed build with the failing step and its last lines", async () => {
    const failed = engine.build({
      context: fixtureApp("builder-traps/global-tsc"),
      tags: ["shipshape-test/global-tsc:it"],
    });
    await expect(failed).rejects.toBeInstanceOf(BuildFailedError);
    const error = (await failed.catch((e: unknown) => e)) as BuildFailedError;
    expect(error.failure.step).toMatch(/RUN npm run build/);
    expect(error.failure.lastLines.join("\n")).toMatch(/tsc: not found/);
    expect(error.message).toMatch(/^build failed at \[.*\] RUN npm run build/);
  });
});

describe.skipIf(!engine)("engine adapter: image export", () => {
  it("streams the image as docker save writes it: manifest, config and every layer", async () => {
    const image = await engine.imageInspect(IMAGE);
    const entries = new Map<string, Buffer>();
    const extract = tar.extract();
    extract.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: unknown) => {
        if (header.name.endsWith(".json")) chunks.push(chunk as Buffer);
      });
      stream.on("end", () => {
        entries.set(header.name, Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    const exported = await engine.exportImage(IMAGE);
    await pipeline(exported, extract);

    const manifest = JSON.parse(entries.get("manifest.json")!.toString("utf8")) as {
      Config: string;
      RepoTags: string[];
      Layers: string[];
    }[];
    expect(manifest).toHaveLength(1);
    expect(manifest[0]!.RepoTags).toContain(IMAGE);
    expect(manifest[0]!.Layers.length).toBe(image.RootFS.Layers?.length);
    for (const layer of manifest[0]!.Layers) expect(entries.has(layer)).toBe(true);
    const config = JSON.parse(entries.get(manifest[0]!.Config)!.toString("utf8"));
    expect(config.config.User).toBe("node");
  });
});

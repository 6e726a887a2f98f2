/**
 * The naive fixture's claims (DEFECTS.md), proven against the engine: it builds and "works on my
 * machine", and it is insecure in exactly the documented ways.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine, EngineSession } from "../../src/engine/engine.js";
import { probeHttp, testEngine } from "../support/engine.js";
import { fixtureApp } from "../support/fixtures.js";

const engine = (await testEngine()) as Engine;
const APP = fixtureApp("ai-naive-express");
const IMAGE = "shipshape-test/ai-naive-express:it";
const FAKE_KEY = "sk-proj-FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000notarealkey";

describe.skipIf(!engine)("fixture ai-naive-express: builds, runs, and is insecure as documented", () => {
  let session: EngineSession;
  let app: string;

  beforeAll(async () => {
    session = engine.session("it-naive");
    await engine.build({ context: APP, tags: [IMAGE] });
    const network = session.name("net");
    await session.createNetwork(network);
    const db = await session.run({
      image: "postgres:15-bookworm",
      network,
      networkAliases: ["db"],
      env: { POSTGRES_USER: "postgres", POSTGRES_PASSWORD: "password123", POSTGRES_DB: "notes" },
      healthcheck: { test: ["CMD-SHELL", "pg_isready -h 127.0.0.1"], intervalMs: 500, retries: 60 },
    });
    await session.waitForHealthy(db);
    // As its compose file runs it: DATABASE_URL pointing at the db service, port published.
    app = await session.run({
      image: IMAGE,
      network,
      env: { DATABASE_URL: "postgresql://postgres:password123@db:5432/notes", NODE_ENV: "production" },
      ports: [{ containerPort: 3000 }],
    });
  });

  afterAll(async () => {
    await session?.cleanup();
  });

  it("builds from node:latest and keeps the build tools in the runtime image", async () => {
    const image = await engine.imageInspect(IMAGE);
    const which = await session.runToCompletion({
      image: IMAGE,
      entrypoint: ["sh", "-c"],
      cmd: ["for tool in gcc g++ make git python3 curl; do command -v $tool; done | wc -l"],
    });
    expect(which.stdout.trim()).toBe("6");
    expect(image.Size).toBeGreaterThan(500 * 1024 * 1024);
  });

  it("runs as root, with no health check, and npm as its command", async () => {
    const image = await engine.imageInspect(IMAGE);
    expect(image.Config.User).toBe("");
    expect(image.Config.Healthcheck ?? null).toBeNull();
    expect(image.Config.Cmd).toEqual(["npm", "start"]);
    const id = await session.exec(app, ["id", "-u"]);
    expect(id.stdout.trim()).toBe("0");
  });

  it("bakes the fake OpenAI key into the image config and the committed .env into a layer", async () => {
    const image = await engine.imageInspect(IMAGE);
    expect(image.Config.Env).toContain(`OPENAI_API_KEY=${FAKE_KEY}`);
    const dotenv = await session.runToCompletion({ image: IMAGE, entrypoint: ["cat"], cmd: ["/app/.env"] });
    expect(dotenv.exitCode).toBe(0);
    expect(dotenv.stdout).toBe(readFileSync(`${APP}/.env`, "utf8"));
    expect(dotenv.stdout).toMatch(/^JWT_SECRET=/m);
  });

  it("ships devDependencies (tsc, ts-node, nodemon) in its node_modules", async () => {
    const bins = await session.runToCompletion({
      image: IMAGE,
      entrypoint: ["ls"],
      cmd: ["/app/node_modules/.bin"],
    });
    expect(bins.stdout.split("\n")).toEqual(expect.arrayContaining(["tsc", "ts-node", "nodemon"]));
  });

  it("works inside its container, but listens on localhost so its published port does not answer", async () => {
    let inside = { stdout: "" };
    for (let attempt = 0; attempt < 40 && !inside.stdout.includes('"ok"'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      inside = await session.exec(app, [
        "node",
        "-e",
        "fetch('http://localhost:3000/health').then(r=>r.text()).then(t=>console.log(t),e=>console.log(String(e)))",
      ]);
    }
    expect(inside.stdout).toContain('{"status":"ok"}');
    const logs = await session.logs(app);
    expect(logs.stdout).toContain("Server is running on http://localhost:3000");
    const port = await session.hostPort(app, 3000);
    const outside = await probeHttp(`http://127.0.0.1:${port}/health`);
    expect(outside).toHaveProperty("error");
    expect((outside as { error: string }).error).toMatch(/ECONNRESET|socket hang up|ETIMEDOUT/);
  });

  it("has npm as PID 1, so every docker stop ends in exit code 1", async () => {
    const pid1 = await session.exec(app, ["sh", "-c", "tr '\\0' ' ' </proc/1/cmdline"]);
    expect(pid1.stdout.trim()).toBe("npm start");
    const stopped = await session.stop(app, 10);
    expect(stopped.exitCode).not.toBe(0);
    const logs = await session.logs(app);
    expect(`${logs.stdout}${logs.stderr}`).toMatch(/npm error signal SIGTERM|SIGTERM/);
  });

  it("has no .dockerignore, and compose publishes Postgres on every interface with a literal password", () => {
    expect(() => readFileSync(`${APP}/.dockerignore`)).toThrow();
    const compose = readFileSync(`${APP}/docker-compose.yml`, "utf8");
    expect(compose).toMatch(/^\s+- "5432:5432"$/m);
    expect(compose).toMatch(/POSTGRES_PASSWORD: password123/);
    expect(compose).toMatch(/depends_on:\n\s+- db/);
    expect(compose).not.toMatch(/healthcheck/);
  });
});

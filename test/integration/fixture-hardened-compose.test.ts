/**
 * hardened-express's compose file, run by Compose for real: the database becomes healthy, the
 * one-off migrate service completes, and only then does the API start and become healthy,
 * published on 127.0.0.1 only, with the database unpublished on an internal network.
 */
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine, EngineSession } from "../../src/engine/engine.js";
import { testEngine, waitForHttp } from "../support/engine.js";
import { fixtureApp } from "../support/fixtures.js";

const engine = (await testEngine()) as Engine;
const APP = fixtureApp("hardened-express");
const IMAGE = "shipshape-test/hardened-express:compose";

/** Compose v2 (`docker compose`) when the CLI has it, else v1 (`docker-compose`). */
function composeCommand(): string[] {
  if (spawnSync("docker", ["compose", "version"], { stdio: "ignore" }).status === 0)
    return ["docker", "compose"];
  return ["docker-compose"];
}

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

describe.skipIf(!engine)("fixture hardened-express: compose brings the stack up in dependency order", () => {
  const [command, ...prefix] = composeCommand();
  const project = `shipshape-it-${process.pid}`;
  let env: NodeJS.ProcessEnv;
  let session: EngineSession;
  const compose = (...args: string[]) =>
    spawnSync(command!, [...prefix, "-p", project, "-f", `${APP}/compose.yaml`, ...args], {
      cwd: APP,
      env,
      encoding: "utf8",
      timeout: 300_000,
    });

  beforeAll(async () => {
    session = engine.session("it-compose");
    await engine.build({ context: APP, tags: [IMAGE] });
    env = {
      ...process.env,
      POSTGRES_PASSWORD: `it-${project}`,
      API_IMAGE: IMAGE,
      API_PORT: String(await freePort()),
    };
  });

  afterAll(() => {
    if (!env) return;
    const down = compose("down", "-v", "--remove-orphans");
    expect(down.status, down.stderr).toBe(0);
  });

  it("waits for db health and completed migrations before starting the api, which becomes healthy", async () => {
    const config = compose("config", "-q");
    expect(config.status, config.stderr).toBe(0);
    const up = compose("up", "-d", "--no-build");
    expect(up.status, up.stderr).toBe(0);

    const id = (service: string) => compose("ps", "-a", "-q", service).stdout.trim();
    const api = id("api");
    await session.waitForHealthy(api, 120_000);
    const [db, migrate, apiInfo] = await Promise.all([
      session.inspect(id("db")),
      session.inspect(id("migrate")),
      session.inspect(api),
    ]);

    expect(migrate.State.Status).toBe("exited");
    expect(migrate.State.ExitCode).toBe(0);
    expect(Date.parse(migrate.State.StartedAt)).toBeGreaterThanOrEqual(Date.parse(db.State.StartedAt));
    expect(Date.parse(apiInfo.State.StartedAt)).toBeGreaterThanOrEqual(Date.parse(migrate.State.FinishedAt));

    const health = await waitForHttp(`http://127.0.0.1:${env.API_PORT}/healthz`);
    expect(health.status).toBe(200);

    expect(Object.values(apiInfo.NetworkSettings.Ports ?? {}).flat()).toEqual([
      expect.objectContaining({ HostIp: "127.0.0.1", HostPort: env.API_PORT }),
    ]);
    expect(
      Object.values(db.NetworkSettings.Ports ?? {})
        .flat()
        .filter(Boolean),
    ).toEqual([]);
    expect(apiInfo.HostConfig).toMatchObject({ ReadonlyRootfs: true, Init: true, CapDrop: ["ALL"] });
    expect(apiInfo.Config.User).toBe("node");
    const backend = Object.keys(db.NetworkSettings.Networks ?? {})[0]!;
    expect((await engine.api.getNetwork(backend).inspect()).Internal).toBe(true);
  });
});

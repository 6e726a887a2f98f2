/**
 * The other runnable fixture apps do what their READMEs claim: they build in the test bed, run
 * non-root, become healthy, serve, and stop on SIGTERM in under 2 s. (python-fastapi is static
 * only: PyPI is unreachable here, so it cannot be built.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine, EngineSession } from "../../src/engine/engine.js";
import type { RunSpec } from "../../src/engine/plans.js";
import { testEngine, waitForHttp } from "../support/engine.js";
import { fixtureApp } from "../support/fixtures.js";

const engine = (await testEngine()) as Engine;

/** Builds the app, runs it hardened, waits for its HEALTHCHECK, and returns its base URL. */
async function startHardened(
  session: EngineSession,
  app: string,
  port: number,
  extra: Partial<RunSpec> = {},
) {
  const image = `shipshape-test/${app}:it`;
  await engine.build({ context: fixtureApp(app), tags: [image] });
  const id = await session.run({
    image,
    ports: [{ containerPort: port }],
    readOnly: true,
    tmpfs: { "/tmp": "rw,size=32m" },
    capDrop: ["ALL"],
    securityOpt: ["no-new-privileges:true"],
    ...extra,
  });
  await session.waitForHealthy(id, 90_000);
  const url = `http://127.0.0.1:${await session.hostPort(id, port)}`;
  const info = await session.inspect(id);
  return { id, url, user: info.Config.User, image };
}

describe.skipIf(!engine)("runnable fixture apps", () => {
  let session: EngineSession;

  beforeAll(() => {
    session = engine.session("it-apps");
  });

  afterAll(async () => {
    await session?.cleanup();
  });

  it("vite-spa: builds with Vite, serves its bundle as non-root, stops fast", async () => {
    const app = await startHardened(session, "vite-spa", 8080);
    expect(app.user).toBe("node");
    const index = await (await waitForHttp(`${app.url}/`)).text();
    const bundle = /\/assets\/[^"]+\.js/.exec(index)?.[0];
    expect(bundle).toBeDefined();
    expect((await fetch(`${app.url}${bundle}`)).status).toBe(200);
    const stop = await session.stop(app.id);
    expect(stop.durationMs).toBeLessThan(2_000);
    expect(stop.killed).toBe(false);
  });

  it("next-app: the standalone server renders its page and API as non-root, stops fast", async () => {
    const app = await startHardened(session, "next-app", 3000);
    expect(app.user).toBe("node");
    const page = await waitForHttp(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Release Notes");
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    expect((await fetch(`${app.url}/robots.txt`)).status).toBe(200);
    const stop = await session.stop(app.id);
    expect(stop.durationMs).toBeLessThan(2_000);
    expect(stop.killed).toBe(false);
  });

  it("python-stdlib: fails fast naming a missing variable; with it, healthy as non-root, stops fast", async () => {
    const image = "shipshape-test/python-stdlib:it";
    await engine.build({ context: fixtureApp("python-stdlib"), tags: [image] });
    const missing = await session.runToCompletion({ image }, 30_000);
    expect(missing.exitCode).toBe(1);
    expect(`${missing.stdout}${missing.stderr}`).toMatch(
      /required environment variable API_TOKEN is not set/,
    );

    const app = await startHardened(session, "python-stdlib", 8000, { env: { API_TOKEN: "it-token" } });
    expect(app.user).not.toBe("");
    expect(app.user).not.toBe("root");
    expect((await waitForHttp(`${app.url}/health`)).status).toBe(200);
    const stop = await session.stop(app.id);
    expect(stop.durationMs).toBeLessThan(2_000);
    expect(stop.killed).toBe(false);
  });
});

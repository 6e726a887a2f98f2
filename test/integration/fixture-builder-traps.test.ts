/**
 * Each builder trap fails the way its TRAP.md says: at build time with the documented message, or
 * at run time with the documented log or network result. The expected text comes from the trap's
 * own trap.json, so the documentation and the proof cannot drift apart.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildFailedError } from "../../src/engine/build.js";
import type { Engine, EngineSession } from "../../src/engine/engine.js";
import { probeHttp, testEngine, waitForHttp } from "../support/engine.js";
import { fixtureApp } from "../support/fixtures.js";

const engine = (await testEngine()) as Engine;

interface Trap {
  trap: string;
  fails: "build" | "run";
  expect: string;
  port?: number;
  env?: Record<string, string>;
  missing?: string[];
}

const trapDir = (name: string) => fixtureApp(`builder-traps/${name}`);
const trap = (name: string): Trap => JSON.parse(readFileSync(join(trapDir(name), "trap.json"), "utf8"));
const image = (name: string) => `shipshape-test/trap-${name}:it`;

/** Builds a trap and returns the BuildKit log of its failure (the build must fail). */
async function failedBuildLog(context: string, tag: string): Promise<BuildFailedError> {
  const error = await engine.build({ context, tags: [tag] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the build was expected to fail").toBeInstanceOf(BuildFailedError);
  return error as BuildFailedError;
}

describe.skipIf(!engine)("fixture builder traps: each fails the way it documents", () => {
  let session: EngineSession;

  beforeAll(() => {
    session = engine.session("it-traps");
  });

  afterAll(async () => {
    await session?.cleanup();
  });

  it("lockfile-ignored: npm ci finds no lockfile, and building without the .dockerignore line works", async () => {
    const spec = trap("lockfile-ignored");
    expect(spec.fails).toBe("build");
    const failure = await failedBuildLog(trapDir("lockfile-ignored"), image("lockfile-ignored"));
    expect(failure.log).toMatch(new RegExp(spec.expect));
    expect(failure.failure.step).toMatch(/RUN npm ci/);

    // The control: the same app with package-lock.json no longer ignored builds.
    const copy = mkdtempSync(join(tmpdir(), "shipshape-trap-"));
    try {
      cpSync(trapDir("lockfile-ignored"), copy, {
        recursive: true,
        filter: (source) => !source.includes("node_modules"),
      });
      const ignore = readFileSync(join(copy, ".dockerignore"), "utf8");
      writeFileSync(join(copy, ".dockerignore"), ignore.replace(/^package-lock\.json\n/m, ""));
      await expect(engine.build({ context: copy, tags: [image("lockfile-fixed")] })).resolves.toHaveProperty(
        "imageId",
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("global-tsc: the build fails because tsc is not installed in the image", async () => {
    const spec = trap("global-tsc");
    expect(spec.fails).toBe("build");
    const failure = await failedBuildLog(trapDir("global-tsc"), image("global-tsc"));
    expect(failure.failure.lastLines.join("\n")).toMatch(new RegExp(spec.expect));
    const pkg = JSON.parse(readFileSync(join(trapDir("global-tsc"), "package.json"), "utf8"));
    expect(pkg.scripts.build).toMatch(/\btsc\b/);
    expect({ ...pkg.dependencies, ...pkg.devDependencies }).not.toHaveProperty("typescript");
  });

  it("dist-not-copied: builds, then the container exits at once without its entry point", async () => {
    const spec = trap("dist-not-copied");
    expect(spec.fails).toBe("run");
    await engine.build({ context: trapDir("dist-not-copied"), tags: [image("dist-not-copied")] });
    const run = await session.runToCompletion(
      { image: image("dist-not-copied"), env: spec.env ?? {} },
      30_000,
    );
    expect(run.timedOut).toBe(false);
    expect(run.exitCode).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(new RegExp(spec.expect));
  });

  it("undeclared-env: without the variable it crashes with a trace that never names it; with it, it serves", async () => {
    const spec = trap("undeclared-env");
    expect(spec.fails).toBe("run");
    await engine.build({ context: trapDir("undeclared-env"), tags: [image("undeclared-env")] });
    const run = await session.runToCompletion(
      { image: image("undeclared-env"), env: spec.env ?? {} },
      30_000,
    );
    expect(run.exitCode).not.toBe(0);
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toMatch(new RegExp(spec.expect));
    for (const name of spec.missing ?? []) expect(output).not.toContain(name);

    // The control: declaring the variable is all it takes.
    const env = Object.fromEntries((spec.missing ?? []).map((name) => [name, "any-value-for-the-test"]));
    const served = await session.run({
      image: image("undeclared-env"),
      env,
      ports: [{ containerPort: spec.port ?? 3000 }],
    });
    const port = await session.hostPort(served, spec.port ?? 3000);
    expect((await waitForHttp(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });

  it("listens-localhost: healthy inside its container, unreachable through its published port", async () => {
    const spec = trap("listens-localhost");
    expect(spec.fails).toBe("run");
    await engine.build({ context: trapDir("listens-localhost"), tags: [image("listens-localhost")] });
    const id = await session.run({
      image: image("listens-localhost"),
      ports: [{ containerPort: spec.port ?? 3000 }],
    });
    await session.waitForHealthy(id, 60_000);
    const port = await session.hostPort(id, spec.port ?? 3000);
    const outside = await probeHttp(`http://127.0.0.1:${port}/health`);
    expect(outside).toHaveProperty("error");
    expect((outside as { error: string }).error).toMatch(new RegExp(spec.expect));
  });

  it("build-time-api-url: the API URL is baked at build time; setting it at run time changes nothing", async () => {
    const spec = trap("build-time-api-url");
    expect(spec.fails).toBe("run");
    await engine.build({ context: trapDir("build-time-api-url"), tags: [image("build-time-api-url")] });
    const id = await session.run({
      image: image("build-time-api-url"),
      env: spec.env ?? {},
      ports: [{ containerPort: spec.port ?? 8080 }],
    });
    const port = await session.hostPort(id, spec.port ?? 8080);
    const index = await (await waitForHttp(`http://127.0.0.1:${port}/`)).text();
    const bundlePath = /\/assets\/[^"]*\.js/.exec(index)?.[0];
    expect(bundlePath, "index.html references a JS bundle").toBeDefined();
    const bundle = await (await fetch(`http://127.0.0.1:${port}${bundlePath}`)).text();
    expect(bundle).toContain(spec.expect);
    expect(bundle).not.toContain("api.example.com");
    expect(spec.env?.VITE_API_URL).toBe("https://api.example.com");
  });
});

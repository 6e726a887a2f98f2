import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fastHealthcheck, parseSize, planVerify } from "./plan.js";
import { loadDirFacts } from "./run.js";
import type { ImageFacts } from "./types.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/apps/${name}`, import.meta.url));
const hex = (bytes: number) => "cd".repeat(bytes);

function image(overrides: Partial<ImageFacts> = {}): ImageFacts {
  return {
    id: "sha256:1",
    user: "node",
    env: {},
    exposedPorts: [3000],
    labels: {},
    sizeBytes: 1,
    diffIds: [],
    ...overrides,
  };
}

function planFor(app: string, imageFacts: ImageFacts, envFile = new Map<string, string>()) {
  const dir = loadDirFacts(fixture(app));
  return planVerify({
    image: "sha256:img",
    imageFacts,
    project: {
      facts: dir.facts,
      ...(dir.app ? { app: dir.app } : {}),
      ...(dir.target ? { target: dir.target } : {}),
    },
    envFile,
    random: hex,
    name: (suffix) => `shipshape-test-${suffix}`,
  });
}

describe("planVerify on hardened-express (compose: db, migrate, api)", () => {
  const plan = planFor(
    "hardened-express",
    image({
      healthcheck: {
        test: ["CMD", "node", "-e", "…"],
        intervalMs: 10_000,
        retries: 3,
        startPeriodMs: 10_000,
      },
    }),
  );

  it("brings up db, then runs the migrate service to completion, on a session network", () => {
    expect(plan.network).toBe("shipshape-test-net");
    expect(plan.stack.map((step) => [step.kind, step.name, step.readiness])).toEqual([
      ["service", "db", "healthcheck"],
      ["job", "migrate", "started"],
    ]);
    const [db, migrate] = plan.stack;
    expect(db?.spec).toMatchObject({
      image: "postgres:15.18-bookworm",
      network: "shipshape-test-net",
      networkAliases: ["db"],
    });
    expect(db?.spec.env).toEqual({
      POSTGRES_USER: "notes",
      POSTGRES_PASSWORD: hex(32),
      POSTGRES_DB: "notes",
    });
    // Compose's `$$POSTGRES_USER` reaches the container's shell as `$POSTGRES_USER`.
    expect(db?.spec.healthcheck?.test).toEqual([
      "CMD-SHELL",
      'pg_isready -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"',
    ]);
    expect(migrate?.spec).toMatchObject({ image: "sha256:img", cmd: ["node", "dist/migrate.js"] });
    expect(migrate?.spec.env?.DATABASE_URL).toBe(`postgres://notes:${hex(32)}@db:5432/notes`);
  });

  it("gives the app only what it reads or compose passes it; compose's own settings stay out", () => {
    expect(plan.appService).toBe("api");
    expect(plan.hardened.env).toEqual({
      DATABASE_URL: `postgres://notes:${hex(32)}@db:5432/notes`,
      HOST: "0.0.0.0",
      PORT: "3000",
    });
    expect(
      plan.env
        .filter((v) => !v.app)
        .map((v) => v.name)
        .sort(),
    ).toEqual(["API_IMAGE", "API_PORT", "POSTGRES_DB", "POSTGRES_PASSWORD", "POSTGRES_USER"]);
  });

  it("runs hardened: read-only, tmpfs /tmp, no capabilities, no-new-privileges, compose's limits, a fast HEALTHCHECK", () => {
    expect(plan.hardened).toMatchObject({
      readOnly: true,
      tmpfs: { "/tmp": expect.stringContaining("size=") },
      capDrop: ["ALL"],
      securityOpt: ["no-new-privileges:true"],
      memoryBytes: 256 * 1024 * 1024,
      memorySwapBytes: 256 * 1024 * 1024,
      pidsLimit: 100,
      ports: [{ containerPort: 3000 }],
    });
    expect(plan.hardened.user).toBeUndefined(); // the image's own USER
    expect(plan.hardened.healthcheck).toMatchObject({ intervalMs: 250, startPeriodMs: 10_000, retries: 120 });
    expect(plan.plain.readOnly).toBeUndefined();
    expect(plan.user).toEqual({ name: "node", root: false });
  });

  it("one run without each required variable, with no port and no health check", () => {
    expect(plan.missing.map((run) => run.variable)).toEqual(["DATABASE_URL"]);
    expect(plan.missing[0]?.spec.env).toEqual({ HOST: "0.0.0.0", PORT: "3000" });
    expect(plan.missing[0]?.spec.ports).toBeUndefined();
    expect(plan.health).toMatchObject({ path: "/healthz", detected: true, imageHealthcheck: true });
    expect(plan.signals).toMatchObject({ init: false, composeInit: true, shellForm: false });
    expect(plan.signals.handlers).toContain("src/server.ts:35");
  });

  it("a required variable given in --env-from is not left out", () => {
    const withFile = planFor(
      "hardened-express",
      image(),
      new Map([["DATABASE_URL", "postgres://x:y@db:5432/z"]]),
    );
    expect(withFile.missing).toEqual([]);
    expect(withFile.hardened.env?.DATABASE_URL).toBe("postgres://x:y@db:5432/z");
  });
});

describe("planVerify on ai-naive-express (no .env.example, a db without healthcheck, root)", () => {
  const plan = planFor(
    "ai-naive-express",
    image({ user: "", cmd: ["npm", "start"], entrypoint: ["docker-entrypoint.sh"] }),
  );

  it("waits for the db with a built-in postgres probe, and uses compose's literal DATABASE_URL", () => {
    expect(plan.stack.map((step) => [step.name, step.readiness])).toEqual([["db", "healthcheck"]]);
    expect(plan.stack[0]?.why).toMatch(/postgres readiness probe/);
    expect(plan.hardened.env?.DATABASE_URL).toBe("postgresql://postgres:password123@db:5432/notes");
  });

  it("declares what the code reads, marks required ones, and sees npm as PID 1 through the entrypoint script", () => {
    expect(Object.keys(plan.hardened.env ?? {}).sort()).toEqual([
      "DATABASE_URL",
      "JWT_SECRET",
      "OPENAI_API_KEY",
      "PORT",
    ]);
    expect(plan.missing.map((run) => run.variable)).toEqual(["DATABASE_URL", "JWT_SECRET"]);
    expect(plan.user).toEqual({ name: "root (no USER)", root: true });
    expect(plan.signals).toMatchObject({ packageManager: "npm", init: false, handlers: [], codeKnown: true });
  });
});

describe("planVerify without the app's directory", () => {
  it("probes the one exposed port, with no stack and no required variables", () => {
    const plan = planVerify({
      image: "example:1",
      imageFacts: image({ exposedPorts: [8080] }),
      envFile: new Map([["API_KEY", "k"]]),
      random: hex,
      name: (suffix) => suffix,
    });
    expect(plan.port).toEqual({ container: 8080, why: "the port the image exposes" });
    expect(plan.stack).toEqual([]);
    expect(plan.network).toBeUndefined();
    expect(plan.missing).toEqual([]);
    expect(plan.hardened.env).toEqual({ API_KEY: "k" });
    expect(plan.health).toMatchObject({ path: "/", detected: false });
  });
});

describe("helpers", () => {
  it("parseSize reads compose sizes", () => {
    expect(parseSize("256m")).toBe(256 * 1024 * 1024);
    expect(parseSize("1g")).toBe(1024 ** 3);
    expect(parseSize("1024")).toBe(1024);
    expect(parseSize("lots")).toBeUndefined();
  });
  it("fastHealthcheck keeps the image's tolerance with a short interval", () => {
    expect(fastHealthcheck({ test: ["CMD", "true"], intervalMs: 30_000, retries: 3 }, 500)).toEqual({
      test: ["CMD", "true"],
      intervalMs: 500,
      timeoutMs: 10_000,
      retries: 180,
      startPeriodMs: 0,
    });
  });
});

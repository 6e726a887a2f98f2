import { describe, expect, it } from "vitest";
import {
  type EnvContext,
  interpolate,
  placeholder,
  planEnvironment,
  serviceKindOfImage,
  serviceUrl,
} from "./env.js";

const hex = (bytes: number) => "ab".repeat(bytes);
const context = (overrides: Partial<EnvContext> = {}): EnvContext => ({
  envFile: new Map(),
  port: 3000,
  services: () => [],
  random: hex,
  ...overrides,
});
const request = (name: string, extra: Partial<Parameters<typeof placeholder>[0]> = {}) => ({
  name,
  required: false,
  secret: false,
  app: true,
  ...extra,
});

describe("interpolate (compose's rules)", () => {
  const values = new Map([
    ["USER", "notes"],
    ["EMPTY", ""],
  ]);
  it.each([
    ["${USER}", "notes"],
    ["$USER", "notes"],
    ["${MISSING:-fallback}", "fallback"],
    ["${EMPTY:-fallback}", "fallback"],
    ["${EMPTY-fallback}", ""],
    ["${USER:?must be set}", "notes"],
    ["${USER:+set}", "set"],
    ["$$USER", "$USER"],
    ["postgres://${USER}:${PASS:-x}@db/${DB:-notes}", "postgres://notes:x@db/notes"],
    ["${DATABASE_URL:-postgres://${USER}@db:${PGPORT:-5432}/app}", "postgres://notes@db:5432/app"],
  ])("%s → %s", (text, expected) => {
    expect(interpolate(text, values).text).toBe(expected);
  });
  it("lists what it could not fill", () => {
    expect(interpolate("${A:?set A}/${B}", values)).toEqual({ text: "/", missing: ["A", "B"] });
  });
});

describe("placeholders of the right shape", () => {
  it("PORT is the app's port, HOST every interface, NODE_ENV production", () => {
    expect(placeholder(request("PORT"), { ...context(), services: [] }).value).toBe("3000");
    expect(placeholder(request("HOST"), { ...context(), services: [] }).value).toBe("0.0.0.0");
    expect(placeholder(request("NODE_ENV"), { ...context(), services: [] }).value).toBe("production");
  });
  it("secrets are random hex, never the example's value", () => {
    const value = placeholder(request("JWT_SECRET", { secret: true, example: "change-me" }), {
      ...context(),
      services: [],
    });
    expect(value).toEqual({ value: hex(32), source: "generated", why: "random hex (a secret)" });
  });
  it("a database URL points at the compose service with its credentials", () => {
    const services = [
      {
        name: "db",
        kind: "postgres" as const,
        env: { POSTGRES_USER: "notes", POSTGRES_PASSWORD: "pw", POSTGRES_DB: "notes" },
      },
    ];
    const value = placeholder(request("DATABASE_URL", { example: "postgres://u:p@localhost:5432/x" }), {
      ...context(),
      services,
    });
    expect(value.value).toBe("postgres://notes:pw@db:5432/notes");
    expect(value.why).toBe("URL of the compose service db");
  });
  it("without a service, a URL never keeps the example's localhost", () => {
    const value = placeholder(request("DATABASE_URL", { example: "postgres://u:p@localhost:5432/x" }), {
      ...context(),
      services: [],
    });
    expect(value.value).toMatch(/^postgres:\/\/verify:[a-f0-9]+@postgres\.invalid:5432\/verify$/);
    expect(placeholder(request("REDIS_URL"), { ...context(), services: [] }).value).toBe(
      "redis://redis.invalid:6379/verify",
    );
    expect(
      placeholder(request("API_URL", { example: "https://api.example.org/v1" }), {
        ...context(),
        services: [],
      }).value,
    ).toBe("https://api.example.org/v1");
  });
  it("numbers, flags and plain values", () => {
    const c = { ...context(), services: [] };
    expect(placeholder(request("API_PORT", { example: "8081" }), c).value).toBe("8081");
    expect(placeholder(request("REQUEST_TIMEOUT_MS"), c).value).toBe("10");
    expect(placeholder(request("ENABLE_SIGNUPS"), c).value).toBe("false");
    expect(placeholder(request("LOG_LEVEL"), c).value).toBe("info");
    expect(placeholder(request("APP_NAME", { example: "notes" }), c)).toMatchObject({
      value: "notes",
      source: "example",
    });
    expect(placeholder(request("REGION"), c).value).toBe("placeholder-region");
  });
  it("service URLs per kind", () => {
    expect(serviceUrl({ name: "cache", kind: "redis", env: {} })).toBe("redis://cache:6379");
    expect(
      serviceUrl({
        name: "db",
        kind: "mysql",
        env: { MYSQL_USER: "a", MYSQL_PASSWORD: "b", MYSQL_DATABASE: "c" },
      }),
    ).toBe("mysql://a:b@db:3306/c");
    expect(serviceKindOfImage("postgres:15.18-bookworm")).toBe("postgres");
    expect(serviceKindOfImage("127.0.0.1:5000/library/redis:7@sha256:abc")).toBe("redis");
    expect(serviceKindOfImage("node:20")).toBeUndefined();
  });
});

describe("planEnvironment", () => {
  it("--env-from wins, compose values are interpolated with the others, the rest are placeholders", () => {
    const planned = planEnvironment(
      [
        request("POSTGRES_PASSWORD", { secret: true, app: false }),
        request("DATABASE_URL", {
          required: true,
          compose: "postgres://notes:${POSTGRES_PASSWORD:?set it}@db:5432/notes",
        }),
        request("OPENAI_API_KEY", { secret: true }),
        request("PORT"),
      ],
      context({ envFile: new Map([["OPENAI_API_KEY", "from-file"]]) }),
    );
    expect(Object.fromEntries(planned.map((v) => [v.name, [v.value, v.source]]))).toEqual({
      POSTGRES_PASSWORD: [hex(32), "generated"],
      DATABASE_URL: [`postgres://notes:${hex(32)}@db:5432/notes`, "compose"],
      OPENAI_API_KEY: ["from-file", "env-file"],
      PORT: ["3000", "generated"],
    });
    expect(planned.find((v) => v.name === "POSTGRES_PASSWORD")?.app).toBe(false);
  });
  it("services see the values chosen first (a password compose interpolates into the database)", () => {
    const planned = planEnvironment(
      [
        request("PGPASS", { secret: true, app: false }),
        request("DATABASE_URL", { required: true, service: "postgres" }),
      ],
      context({
        services: (values) => [
          { name: "db", kind: "postgres", env: { POSTGRES_PASSWORD: values.get("PGPASS") ?? "" } },
        ],
      }),
    );
    expect(planned[1]?.value).toBe(`postgres://postgres:${hex(32)}@db:5432/postgres`);
  });
});

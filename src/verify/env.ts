/**
 * The minimal environment of a verify run: which variables the app container gets and with which
 * values, chosen without ever reading the developer's own `.env`: `--env-from` values first, then
 * what the compose service passes (interpolated with the values chosen here), then placeholders of
 * the right shape (a URL of the compose service for `*_URL`, the app's port for `PORT`, random hex
 * for secrets). Pure: the random source is a parameter.
 */
import { interpolate as interpolateText } from "../check/facts/interpolate.js";
import { isPlaceholder, isSecretName } from "../check/facts/secrets.js";
import type { EnvSource, PlannedVar } from "./types.js";

export type ServiceKind = "postgres" | "mysql" | "redis" | "mongodb";

/** A backing service a URL variable can point at: a compose service with its interpolated environment. */
export interface ServiceTarget {
  name: string;
  kind: ServiceKind;
  env: Record<string, string>;
}

export interface EnvRequest {
  name: string;
  required: boolean;
  secret: boolean;
  /** The value `.env.example` shows (a hint of the shape, never used when it is a placeholder or secret). */
  example?: string;
  /** The raw value the compose service passes (`postgres://${POSTGRES_USER}…`), interpolated later. */
  compose?: string;
  /** Passed to the app container (false: a value only compose interpolates). */
  app: boolean;
  /** The backing service this variable connects to, when detection knows. */
  service?: ServiceKind;
}

export interface EnvContext {
  /** Values from `--env-from`. */
  envFile: ReadonlyMap<string, string>;
  /** The port the app listens on. */
  port?: number;
  /** The backing services, given the values chosen so far (their environment interpolates them). */
  services: (values: ReadonlyMap<string, string>) => ServiceTarget[];
  /** Random hex of `bytes` bytes (injected so tests are deterministic). */
  random: (bytes: number) => string;
}

/**
 * Compose interpolation as Compose runs it (interpolate.ts): `$$` is a literal `$`, unknown
 * variables become empty and are listed in `missing`; defaults may nest (`${A:-${B}}`).
 */
export function interpolate(
  text: string,
  values: ReadonlyMap<string, string>,
): { text: string; missing: string[] } {
  return interpolateText(text, values, { unknown: "empty", dollarEscape: true });
}

/** The kind of backing service an image provides (`postgres:15`, `bitnami/redis`, `mariadb`). */
export function serviceKindOfImage(image: string): ServiceKind | undefined {
  const repository =
    (image.split("@")[0] ?? "")
      .replace(/:[^/:]*$/, "")
      .split("/")
      .at(-1) ?? "";
  if (/^(?:postgres|postgresql|postgis|timescaledb)/.test(repository)) return "postgres";
  if (/^(?:mysql|mariadb)/.test(repository)) return "mysql";
  if (/^(?:redis|valkey|keydb)/.test(repository)) return "redis";
  if (/^mongo/.test(repository)) return "mongodb";
  return undefined;
}

/** The kind of service a variable name connects to, by convention. */
export function serviceKindOfName(name: string): ServiceKind | undefined {
  if (/^(?:REDIS|CACHE|VALKEY)_(?:URL|URI|DSN)$/.test(name)) return "redis";
  if (/^MONGO(?:DB)?_(?:URL|URI|DSN)$/.test(name)) return "mongodb";
  if (/^MYSQL_(?:URL|URI|DSN)$/.test(name)) return "mysql";
  if (/^(?:DATABASE|DB|POSTGRES|POSTGRESQL|PG)_?(?:URL|URI|DSN|CONNECTION_STRING)$/.test(name))
    return "postgres";
  return undefined;
}

/** The connection URL of a backing service, with the credentials its own environment sets up. */
export function serviceUrl(service: ServiceTarget): string {
  const env = service.env;
  const host = service.name;
  switch (service.kind) {
    case "postgres": {
      const user = env.POSTGRES_USER || "postgres";
      const password = env.POSTGRES_PASSWORD ?? "";
      const db = env.POSTGRES_DB || user;
      return `postgres://${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ""}@${host}:5432/${encodeURIComponent(db)}`;
    }
    case "mysql": {
      const user = env.MYSQL_USER || env.MARIADB_USER || "root";
      const password =
        (user === "root"
          ? (env.MYSQL_ROOT_PASSWORD ?? env.MARIADB_ROOT_PASSWORD)
          : (env.MYSQL_PASSWORD ?? env.MARIADB_PASSWORD)) ?? "";
      const db = env.MYSQL_DATABASE || env.MARIADB_DATABASE || "";
      return `mysql://${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ""}@${host}:3306/${encodeURIComponent(db)}`;
    }
    case "redis":
      return `redis://${host}:6379`;
    case "mongodb": {
      const user = env.MONGO_INITDB_ROOT_USERNAME;
      const password = env.MONGO_INITDB_ROOT_PASSWORD;
      const auth = user && password ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}@` : "";
      return `mongodb://${auth}${host}:27017/${env.MONGO_INITDB_DATABASE || "app"}${auth ? "?authSource=admin" : ""}`;
    }
  }
}

const LOOPBACK_URL =
  /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?::\d+)?(?:\/|$)/i;

/** A placeholder of the right shape for a variable, and why it has that shape. */
export function placeholder(
  request: EnvRequest,
  context: Omit<EnvContext, "services"> & { services: ServiceTarget[] },
): { value: string; source: EnvSource; why: string } {
  const name = request.name;
  const example = request.example?.trim().replace(/^["']|["']$/g, "");
  const usableExample =
    example !== undefined &&
    example !== "" &&
    !request.secret &&
    !isPlaceholder(example) &&
    !/change[-_]?me|your[-_]|<|example\.com|xxx/i.test(example) &&
    !LOOPBACK_URL.test(example);
  const numericExample = usableExample && /^\d+(?:\.\d+)?$/.test(example ?? "");
  const generated = (value: string, why: string) => ({ value, source: "generated" as const, why });

  if (name === "PORT" && context.port !== undefined) return generated(String(context.port), "the app's port");
  if (name === "HOST" || name === "HOSTNAME" || name === "BIND" || name === "LISTEN_HOST")
    return generated("0.0.0.0", "every interface of the container");
  if (name === "NODE_ENV" || name === "APP_ENV" || name === "ENVIRONMENT" || name === "RAILS_ENV")
    return generated("production", "production");

  if (/_(?:URL|URI|DSN)$|^(?:DATABASE|DB)_?CONNECTION_STRING$/.test(name)) {
    const kind = request.service ?? serviceKindOfName(name);
    const target = context.services.find((service) => service.kind === kind);
    if (target) return generated(serviceUrl(target), `URL of the compose service ${target.name}`);
    if (usableExample) return { value: example as string, source: "example", why: ".env.example" };
    if (kind) {
      const scheme = kind === "mongodb" ? "mongodb" : kind;
      const port = { postgres: 5432, mysql: 3306, redis: 6379, mongodb: 27017 }[kind];
      const credentials = kind === "redis" ? "" : `verify:${context.random(16)}@`;
      return generated(
        `${scheme}://${credentials}${kind}.invalid:${port}/verify`,
        `a ${kind} URL (no compose service to point at)`,
      );
    }
    return generated("http://placeholder.invalid/", "a URL");
  }
  if (request.secret || isSecretName(name)) return generated(context.random(32), "random hex (a secret)");
  if (/(?:^|_)PORT$/.test(name))
    return numericExample
      ? { value: example as string, source: "example", why: ".env.example" }
      : generated(String(context.port ?? 8080), "a port");
  if (
    /(?:_TIMEOUT|_MS|_SECONDS|_SECS|_TTL|_LIMIT|_SIZE|_COUNT|_WORKERS|_CONCURRENCY|_RETRIES|_INTERVAL)$|^MAX_|^MIN_/.test(
      name,
    )
  )
    return numericExample
      ? { value: example as string, source: "example", why: ".env.example" }
      : generated("10", "a number");
  if (/^(?:ENABLE|DISABLE|IS|USE|ALLOW)_|_(?:ENABLED|DISABLED)$|^DEBUG$/.test(name))
    return usableExample
      ? { value: example as string, source: "example", why: ".env.example" }
      : generated("false", "a flag");
  if (/LOG_?LEVEL$/.test(name)) return generated("info", "a log level");
  if (/_EMAIL$|^EMAIL/.test(name)) return generated("verify@example.com", "an email address");
  if (usableExample) return { value: example as string, source: "example", why: ".env.example" };
  return generated(`placeholder-${name.toLowerCase().replace(/_/g, "-")}`, "a placeholder");
}

/**
 * Values for every requested variable: `--env-from` first, then the compose value interpolated
 * with the others, then a placeholder of the right shape.
 */
export function planEnvironment(requests: EnvRequest[], context: EnvContext): PlannedVar[] {
  const values = new Map<string, string>();
  const chosen = new Map<string, { value: string; source: EnvSource; why: string }>();
  const isUrl = (name: string) => /_(?:URL|URI|DSN)$|CONNECTION_STRING$/.test(name);
  const choose = (request: EnvRequest, picked: { value: string; source: EnvSource; why: string }) => {
    chosen.set(request.name, picked);
    values.set(request.name, picked.value);
  };
  // 1. --env-from values and placeholders that depend on nothing else.
  for (const request of requests) {
    const fromFile = context.envFile.get(request.name);
    if (fromFile !== undefined) choose(request, { value: fromFile, source: "env-file", why: "--env-from" });
    else if (request.compose === undefined && !isUrl(request.name))
      choose(request, placeholder(request, { ...context, services: [] }));
  }
  // 2. The services' environment interpolates those; URLs point at the services.
  const services = context.services(values);
  const withServices = { ...context, services };
  // 3. Compose values, interpolated with everything chosen so far.
  for (const request of requests) {
    if (chosen.has(request.name) || request.compose === undefined) continue;
    const { text, missing } = interpolate(request.compose, values);
    if (missing.length === 0 && text !== "")
      choose(request, { value: text, source: "compose", why: "the compose service's environment" });
  }
  for (const request of requests)
    if (!chosen.has(request.name)) choose(request, placeholder(request, withServices));
  return requests.map((request) => {
    const picked = chosen.get(request.name) as { value: string; source: EnvSource; why: string };
    return {
      name: request.name,
      value: picked.value,
      source: picked.source,
      why: picked.why,
      required: request.required,
      secret: request.secret,
      app: request.app,
    };
  });
}

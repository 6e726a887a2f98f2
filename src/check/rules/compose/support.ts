/**
 * Shared queries of the compose rules: which services are the app, which are databases or
 * one-off jobs, what override files beside a compose file change, and which Dockerfile builds a
 * service.
 */
import type { ComposeFacts, ServiceFacts } from "../../facts/compose.js";
import type { ImageRef } from "../../facts/image.js";
import type { DockerfileTarget, ProjectFacts } from "../../facts/project.js";
import { dirName } from "../../facts/tree.js";
import type { RuleResult } from "../../types.js";

export interface ComposeService {
  compose: ComposeFacts;
  service: ServiceFacts;
}

// The compose rules ask the same questions about the same services (every service, its
// overrides, whether it is a database): each is answered once per project. The lists are
// shared: callers must not modify them.
const servicesOf = new WeakMap<ProjectFacts, ComposeService[]>();
const overrideFilesOf = new WeakMap<ComposeFacts, ComposeFacts[]>();
const overridesOfService = new WeakMap<ServiceFacts, { compose: ComposeFacts; services: ServiceFacts[] }>();
const siblingsOf = new WeakMap<ComposeFacts, Map<string, ComposeService[]>>();
const databaseOf = new WeakMap<ServiceFacts, { compose: ComposeFacts; database: boolean }>();

/** Every service of every compose file, override files included (shared: do not modify). */
export function allServices(facts: ProjectFacts): ComposeService[] {
  let services = servicesOf.get(facts);
  if (!services) {
    services = facts.composeFiles.flatMap((compose) =>
      compose.services.map((service) => ({ compose, service })),
    );
    servicesOf.set(facts, services);
  }
  return services;
}

/**
 * Services of base (non-override) compose files that define a container: the ones absence checks
 * judge. A service with neither `image` nor `build` (after overrides) is a fragment completed
 * elsewhere (`extends: {file: ...}`, another `-f` file) and is not judged.
 */
export function baseServices(facts: ProjectFacts): ComposeService[] {
  return allServices(facts).filter(
    (entry) =>
      !entry.compose.isOverride &&
      (hasKey(facts, entry, "image") || hasKey(facts, entry, "build") || entry.service.image !== undefined),
  );
}

/** Override files (`compose.override.yaml`) in the same directory as a compose file. */
export function overrideFiles(facts: ProjectFacts, compose: ComposeFacts): ComposeFacts[] {
  let files = overrideFilesOf.get(compose);
  if (!files) {
    const dir = dirName(compose.file);
    files = facts.composeFiles.filter(
      (other) => other !== compose && other.isOverride && dirName(other.file) === dir,
    );
    overrideFilesOf.set(compose, files);
  }
  return files;
}

/** The same service in the override files beside its compose file. */
export function overridesOf(facts: ProjectFacts, entry: ComposeService): ServiceFacts[] {
  if (entry.compose.isOverride) return [];
  const known = overridesOfService.get(entry.service);
  if (known && known.compose === entry.compose) return known.services;
  const services = overrideFiles(facts, entry.compose).flatMap((compose) =>
    compose.services.filter((service) => service.name === entry.service.name),
  );
  overridesOfService.set(entry.service, { compose: entry.compose, services });
  return services;
}

/** Whether the service or an override of it sets a key. */
export function hasKey(facts: ProjectFacts, entry: ComposeService, key: string): boolean {
  return entry.service.keys.has(key) || overridesOf(facts, entry).some((service) => service.keys.has(key));
}

/** A value as Compose sees it after merging the overrides: the last file that sets the key wins. */
export function effective<T>(
  facts: ProjectFacts,
  entry: ComposeService,
  key: string,
  read: (service: ServiceFacts) => T,
): T {
  let value = read(entry.service);
  for (const override of overridesOf(facts, entry)) if (override.keys.has(key)) value = read(override);
  return value;
}

/** Services in the same directory's compose files (base and overrides) by name (shared: do not modify). */
export function siblingServices(facts: ProjectFacts, compose: ComposeFacts, name: string): ComposeService[] {
  let byName = siblingsOf.get(compose);
  if (!byName) {
    byName = new Map();
    siblingsOf.set(compose, byName);
  }
  let siblings = byName.get(name);
  if (!siblings) {
    siblings = findSiblingServices(facts, compose, name);
    byName.set(name, siblings);
  }
  return siblings;
}

function findSiblingServices(facts: ProjectFacts, compose: ComposeFacts, name: string): ComposeService[] {
  const dir = dirName(compose.file);
  return facts.composeFiles
    .filter((other) => dirName(other.file) === dir)
    .flatMap((other) =>
      other.services
        .filter((service) => service.name === name)
        .map((service) => ({ compose: other, service })),
    );
}

/** The Dockerfile that builds a service (from this file or an override beside it). */
export function dockerfileOf(facts: ProjectFacts, entry: ComposeService): DockerfileTarget | undefined {
  const dir = dirName(entry.compose.file);
  const own = facts.dockerfiles.find((target) =>
    target.services.some((s) => s.compose === entry.compose && s.service === entry.service.name),
  );
  return (
    own ??
    facts.dockerfiles.find((target) =>
      target.services.some((s) => s.service === entry.service.name && dirName(s.compose.file) === dir),
    )
  );
}

/** Last path segments of database and broker images (`postgres`, `bitnami/postgresql`, `mongodb/mongodb-community-server`). */
const DATABASE_NAMES = new Set([
  "postgres",
  "postgresql",
  "postgresql-repmgr",
  "postgis",
  "timescaledb",
  "timescaledb-ha",
  "mysql",
  "mysql-server",
  "percona-server",
  "mariadb",
  "mongo",
  "mongodb",
  "mongodb-community-server",
  "mongodb-enterprise-server",
  "redis",
  "redis-stack",
  "redis-stack-server",
  "valkey",
  "keydb",
  "dragonfly",
  "memcached",
  "elasticsearch",
  "opensearch",
  "rabbitmq",
  "cassandra",
  "scylla",
  "couchdb",
  "couchbase",
  "neo4j",
  "clickhouse",
  "clickhouse-server",
  "influxdb",
  "cockroach",
  "etcd",
]);

export function isDatabaseImage(ref: ImageRef | undefined): boolean {
  if (!ref || ref.unresolved) return false;
  const repository = ref.repository.toLowerCase();
  if (repository.startsWith("mssql/")) return true;
  const last = repository.slice(repository.lastIndexOf("/") + 1);
  return DATABASE_NAMES.has(last);
}

/** A database service: its image, or the base of the Dockerfile that builds it, is a database. */
export function isDatabase(facts: ProjectFacts, entry: ComposeService): boolean {
  const known = databaseOf.get(entry.service);
  if (known && known.compose === entry.compose) return known.database;
  const database = judgeDatabase(facts, entry);
  databaseOf.set(entry.service, { compose: entry.compose, database });
  return database;
}

function judgeDatabase(facts: ProjectFacts, entry: ComposeService): boolean {
  const image = effective(facts, entry, "image", (service) => service.image?.ref);
  if (!hasKey(facts, entry, "build")) return isDatabaseImage(image);
  return isDatabaseImage(dockerfileOf(facts, entry)?.dockerfile.final?.base);
}

/** The app being shipped: a service built from this project (`build:`) that is not a database. */
export function isAppService(facts: ProjectFacts, entry: ComposeService): boolean {
  return hasKey(facts, entry, "build") && !isDatabase(facts, entry);
}

/**
 * A one-off job (migrations, seeding): not restarted, and another service waits for it to
 * finish (`condition: service_completed_successfully`). It needs no health check.
 */
export function isOneOff(facts: ProjectFacts, entry: ComposeService): boolean {
  const restart = effective(facts, entry, "restart", (service) => service.restart);
  if (restart === "always" || restart === "unless-stopped") return false;
  const dir = dirName(entry.compose.file);
  return facts.composeFiles
    .filter((compose) => dirName(compose.file) === dir)
    .some((compose) =>
      compose.services.some((service) =>
        service.dependsOn.some(
          (dependency) =>
            dependency.service === entry.service.name &&
            dependency.condition === "service_completed_successfully",
        ),
      ),
    );
}

/** `true` when the image declares a working HEALTHCHECK, `false` when it has none, undefined when unknown. */
export function imageHealthcheck(facts: ProjectFacts, entry: ComposeService): boolean | undefined {
  if (hasKey(facts, entry, "build")) {
    const target = dockerfileOf(facts, entry);
    const final = target?.dockerfile.final;
    if (!final) return undefined;
    return final.healthcheck !== undefined && !final.healthcheck.none;
  }
  if (isDatabase(facts, entry)) return false;
  return undefined;
}

/** `name` in backticks for messages. */
export function code(text: string): string {
  return `\`${text}\``;
}

/** A result, with the fix only when there is one. */
export function result(
  location: RuleResult["location"],
  message: string,
  fix?: RuleResult["fix"],
): RuleResult {
  return fix ? { location, message, fix } : { location, message };
}

/** The app services of base compose files: the ones asked for the runtime hardening keys. */
export function appServices(facts: ProjectFacts): ComposeService[] {
  return baseServices(facts).filter((entry) => isAppService(facts, entry));
}

/**
 * The verify plan: from the image (as the engine describes it) and, when verify has the app's
 * directory, the facts `check` and `init` read (detection, the Dockerfile, compose), which
 * containers to run with which RunSpec: the compose services the app depends on and its
 * migrations, in dependency order; the hardened run (read-only root, tmpfs /tmp, no capabilities,
 * no-new-privileges, the image's user, memory and process limits); the plain run with the same
 * minimal environment; one run per required variable without it. Pure data, tested without an
 * engine; run.ts executes it.
 */
import type { AppProfile } from "../app/types.js";
import type { ComposeFacts, ServiceFacts } from "../check/facts/compose.js";
import type { DockerfileTarget, ProjectFacts } from "../check/facts/project.js";
import { isSecretName } from "../check/facts/secrets.js";
import { programName } from "../check/facts/shell.js";
import { dirName } from "../check/facts/tree.js";
import type { HealthcheckSpec, RunSpec } from "../engine/plans.js";
import {
  type EnvRequest,
  interpolate,
  planEnvironment,
  type ServiceTarget,
  serviceKindOfImage,
  serviceKindOfName,
} from "./env.js";
import type { ImageFacts, PlannedVar } from "./types.js";

export interface PlanOptions {
  /** Memory limit of the hardened run (compose's mem_limit wins). */
  memoryBytes?: number;
  /** Process limit of the hardened run (compose's pids_limit wins). */
  pidsLimit?: number;
  /** How often health is polled, in ms: the image's HEALTHCHECK interval is shortened to this. */
  pollMs?: number;
}

export interface PlanInput {
  /** The image to run: a reference or an id. */
  image: string;
  imageFacts: ImageFacts;
  /** The app's facts, when verify knows its directory. */
  project?: { facts: ProjectFacts; app?: AppProfile; target?: DockerfileTarget };
  envFile: ReadonlyMap<string, string>;
  random: (bytes: number) => string;
  /** A resource name unique to the session (EngineSession.name). */
  name: (suffix: string) => string;
  options?: PlanOptions;
}

/** One container of the app's stack, started before the app. */
export interface StackStep {
  /** A service that keeps running (a database), or a job that must finish with exit 0 (migrations). */
  kind: "service" | "job";
  name: string;
  spec: RunSpec;
  /** How verify knows the service is ready: its health check, or only that it started. */
  readiness: "healthcheck" | "started";
  /** Where the health check (or the job's command) came from, for the evidence. */
  why: string;
}

export interface SignalFacts {
  /** The command PID 1 runs (entrypoint + cmd of the image). */
  command: string[];
  /** `/bin/sh -c …`: the shell is PID 1. */
  shellForm: boolean;
  /** npm/yarn/pnpm/bun/npx as PID 1. */
  packageManager?: string;
  /** An init (tini, dumb-init) is PID 1. */
  init: boolean;
  /** Whether compose runs the app with `init: true`. */
  composeInit: boolean;
  /** Where the app handles SIGTERM ("src/server.ts:27"); empty when detection found no handler. */
  handlers: string[];
  /** Whether verify read the app's code at all (without it, "no handler" is not claimed). */
  codeKnown: boolean;
  /** The start command detection found (for the fix). */
  start?: string[];
}

export interface VerifyPlan {
  env: PlannedVar[];
  /** The session network the stack and the app share (absent: the default bridge). */
  network?: string;
  stack: StackStep[];
  /** Named volumes the app's compose service mounts: session volumes replace them. */
  volumes: string[];
  /** The compose service the app is (its name is the app's alias on the network). */
  appService?: string;
  port?: { container: number; why: string };
  health: { path: string; detected: boolean; why: string; imageHealthcheck: boolean };
  user: { name: string; root: boolean };
  hardened: RunSpec;
  plain: RunSpec;
  missing: Array<{ variable: string; spec: RunSpec }>;
  signals: SignalFacts;
  /** Things the plan could not do, said in the report. */
  notes: string[];
}

const MIB = 1024 * 1024;
export const DEFAULT_MEMORY_BYTES = 512 * MIB;
export const DEFAULT_PIDS_LIMIT = 256;
const INITS = new Set(["tini", "tini-static", "dumb-init", "docker-init", "catatonit", "s6-svscan", "init"]);
const PACKAGE_MANAGERS = new Set(["npm", "npx", "yarn", "pnpm", "bun", "pipenv", "poetry", "uv"]);

/** Sizes as compose writes them (`512m`, `1g`, `268435456`). */
export function parseSize(text: string | undefined): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$/i.exec(text ?? "");
  if (!match) return undefined;
  const unit = { "": 1, k: 1024, m: MIB, g: 1024 * MIB }[match[2]!.toLowerCase() as "" | "k" | "m" | "g"];
  return Math.round(Number(match[1]) * unit);
}

/** The image's HEALTHCHECK with a short interval, so that verify learns "healthy" without waiting. */
export function fastHealthcheck(
  healthcheck: NonNullable<ImageFacts["healthcheck"]>,
  pollMs: number,
): HealthcheckSpec {
  const interval = healthcheck.intervalMs ?? 30_000;
  const retries = healthcheck.retries ?? 3;
  // Keep the image's tolerance (retries × interval) with the shorter interval.
  const tolerance = Math.max(retries * interval, retries * pollMs);
  return {
    test: healthcheck.test,
    intervalMs: pollMs,
    timeoutMs: Math.min(healthcheck.timeoutMs ?? 30_000, 10_000),
    retries: Math.min(Math.ceil(tolerance / pollMs), 1_000),
    startPeriodMs: healthcheck.startPeriodMs ?? 0,
  };
}

/** A readiness probe for a database image the compose file gives none. */
function builtinReadiness(kind: ReturnType<typeof serviceKindOfImage>): string[] | undefined {
  switch (kind) {
    case "postgres":
      // -h 127.0.0.1: during first-start init postgres listens on the socket only.
      return ["CMD-SHELL", 'pg_isready -h 127.0.0.1 -U "${POSTGRES_USER:-postgres}"'];
    case "mysql":
      return [
        "CMD-SHELL",
        "mysqladmin ping -h 127.0.0.1 --silent || mariadb-admin ping -h 127.0.0.1 --silent",
      ];
    case "redis":
      return ["CMD", "redis-cli", "ping"];
    case "mongodb":
      return [
        "CMD-SHELL",
        "mongosh --quiet --eval 'db.runCommand({ping:1})' || mongo --quiet --eval 'db.runCommand({ping:1})'",
      ];
    default:
      return undefined;
  }
}

/** The compose service the image is: built from the verified Dockerfile, the one that publishes ports. */
export function appServiceOf(
  target: DockerfileTarget | undefined,
): { compose: ComposeFacts; service: ServiceFacts } | undefined {
  const candidates: Array<{ compose: ComposeFacts; service: ServiceFacts }> = [];
  for (const ref of target?.services ?? []) {
    const service = ref.compose.services.find((s) => s.name === ref.service);
    if (service && !ref.compose.isOverride) candidates.push({ compose: ref.compose, service });
  }
  if (candidates.length === 0) return undefined;
  // The web service: not a one-off others wait to complete, publishes a port, keeps the image's command.
  const oneOff = new Set(
    candidates.flatMap(({ compose }) =>
      compose.services.flatMap((s) =>
        s.dependsOn.filter((d) => d.condition === "service_completed_successfully").map((d) => d.service),
      ),
    ),
  );
  const score = ({ service }: { service: ServiceFacts }) =>
    (oneOff.has(service.name) ? -4 : 0) + (service.ports.length > 0 ? 2 : 0) + (service.command ? 0 : 1);
  return [...candidates].sort((a, b) => score(b) - score(a))[0];
}

/** The services `service` depends on, dependencies first (each once). */
function dependencyOrder(compose: ComposeFacts, service: ServiceFacts): ServiceFacts[] {
  const order: ServiceFacts[] = [];
  const seen = new Set<string>([service.name]);
  const visit = (current: ServiceFacts) => {
    for (const dependency of current.dependsOn) {
      if (seen.has(dependency.service)) continue;
      seen.add(dependency.service);
      const next = compose.services.find((s) => s.name === dependency.service);
      if (!next) continue;
      visit(next);
      order.push(next);
    }
  };
  visit(service);
  return order;
}

/** Variables a compose text interpolates (`${POSTGRES_PASSWORD:?…}`, `$USER`). */
function referencedVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)|(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)/g)].map(
    (match) => (match[1] ?? match[2]) as string,
  );
}

function envRecord(service: ServiceFacts, values: ReadonlyMap<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of service.environment) {
    const value = entry.value === undefined ? values.get(entry.name) : interpolate(entry.value, values).text;
    if (value !== undefined) env[entry.name] = value;
  }
  return env;
}

function signalFacts(image: ImageFacts, project: PlanInput["project"], composeInit: boolean): SignalFacts {
  const full = [...(image.entrypoint ?? []), ...(image.cmd ?? [])];
  // An entrypoint script that ends in `exec "$@"` (the official images' docker-entrypoint.sh) hands PID 1 on.
  const command = full.filter((word, index) => index > 0 || !/(?:^|\/)docker-entrypoint\.sh$/.test(word));
  const shellForm = /^(?:\/bin\/)?(?:sh|bash|ash|dash)$/.test(command[0] ?? "") && command[1] === "-c";
  const first = programName(command[0]);
  const inner = shellForm ? programName((command[2] ?? "").trim().split(/\s+/)[0]) : first;
  const handlers = (project?.facts.app.signalHandlers ?? [])
    .filter((handler) => handler.signal === "SIGTERM" || handler.signal === "SIGINT")
    .map((handler) => `${handler.file}:${handler.line}`);
  const facts: SignalFacts = {
    command,
    shellForm,
    init: INITS.has(first),
    composeInit,
    handlers,
    codeKnown: (project?.facts.app.sourceFiles.length ?? 0) > 0,
  };
  if (PACKAGE_MANAGERS.has(inner)) facts.packageManager = inner;
  if (project?.app?.start.value.length) facts.start = project.app.start.value;
  return facts;
}

/** The env requests: what `.env.example` (or detection) declares, plus what compose interpolates. */
function envRequests(
  input: PlanInput,
  app: { compose: ComposeFacts; service: ServiceFacts } | undefined,
  dependencies: ServiceFacts[],
): EnvRequest[] {
  const project = input.project;
  const profile = project?.app;
  const appDir = profile?.dir ?? project?.target?.context.dir ?? "";
  const example = project?.facts.app.envFiles.find((file) => file.example && dirName(file.file) === appDir);
  const detected = new Map((profile?.env ?? []).map((variable) => [variable.name, variable]));
  const composeEnv = new Map((app?.service.environment ?? []).map((entry) => [entry.name, entry]));
  const composeText = [app?.service, ...dependencies]
    .flatMap((service) => service?.environment.map((entry) => entry.value ?? "") ?? [])
    .join("\n");
  const interpolated = new Set(referencedVariables(composeText));
  // Variables the compose file interpolates anywhere (ports, image names): compose settings.
  const inCompose = new Set(app ? referencedVariables(app.compose.source.text) : []);
  const serviceOf = new Map((profile?.services ?? []).flatMap((s) => (s.urlEnv ? [[s.urlEnv, s.kind]] : [])));

  const requests = new Map<string, EnvRequest>();
  const add = (name: string, exampleValue: string | undefined) => {
    if (requests.has(name)) return;
    const variable = detected.get(name);
    const entry = composeEnv.get(name);
    // Only compose interpolates it: declared for compose, neither read by the app nor passed to it.
    const appReads = variable !== undefined && !variable.declaredOnly;
    const passed = !inCompose.has(name) || entry !== undefined || appReads;
    const request: EnvRequest = {
      name,
      required: variable?.required ?? false,
      secret: variable?.secret ?? isSecretName(name),
      app: passed,
    };
    if (exampleValue !== undefined) request.example = exampleValue;
    if (entry?.value !== undefined) request.compose = entry.value;
    const kind = serviceOf.get(name) ?? serviceKindOfName(name);
    if (kind) request.service = kind;
    requests.set(name, request);
  };
  if (example) for (const entry of example.entries) add(entry.name, entry.value);
  else
    for (const variable of profile?.env ?? [])
      if (!variable.buildTime && !variable.declaredOnly) add(variable.name, undefined);
  for (const name of input.envFile.keys()) add(name, undefined);
  // Variables compose interpolates that nothing declares still need a value (a password).
  for (const name of interpolated) {
    if (requests.has(name)) continue;
    add(name, undefined);
    const request = requests.get(name) as EnvRequest;
    request.app = false;
  }
  return [...requests.values()];
}

export function planVerify(input: PlanInput): VerifyPlan {
  const { imageFacts, project } = input;
  const pollMs = input.options?.pollMs ?? 250;
  const notes: string[] = [];
  const app = project ? appServiceOf(project.target) : undefined;
  const dependencies = app ? dependencyOrder(app.compose, app.service) : [];
  const ourServices = new Set((project?.target?.services ?? []).map((ref) => ref.service));

  // Port: detection, else the one port the image exposes.
  let port: VerifyPlan["port"];
  if (project?.app?.kind !== undefined && project.app.port.sure)
    port = { container: project.app.port.value, why: `detected (${project.app.port.how})` };
  else if (imageFacts.exposedPorts.length === 1)
    port = { container: imageFacts.exposedPorts[0] as number, why: "the port the image exposes" };
  else if (project?.app)
    port = { container: project.app.port.value, why: `detected (${project.app.port.how})` };

  const requests = envRequests(input, app, dependencies);
  const network = dependencies.length > 0 ? input.name("net") : undefined;
  const servicesFor = (values: ReadonlyMap<string, string>): ServiceTarget[] =>
    dependencies.flatMap((service) => {
      const image = service.image?.ref.text;
      const kind = image ? serviceKindOfImage(image) : undefined;
      return kind ? [{ name: service.name, kind, env: envRecord(service, values) }] : [];
    });
  const env = planEnvironment(requests, {
    envFile: input.envFile,
    ...(port ? { port: port.container } : {}),
    services: servicesFor,
    random: input.random,
  });
  const values = new Map(env.map((variable) => [variable.name, variable.value]));
  const appEnv = Object.fromEntries(env.filter((v) => v.app).map((v) => [v.name, v.value]));

  // The stack: dependency services, then jobs (migrations) built from this image.
  const stack: StackStep[] = [];
  for (const service of dependencies) {
    const serviceEnv = envRecord(service, values);
    if (service.build && !ourServices.has(service.name)) {
      notes.push(
        `compose service ${service.name} is built from another Dockerfile: verify does not start it`,
      );
      continue;
    }
    const waitedToComplete = [app?.service, ...dependencies].some((s) =>
      s?.dependsOn.some(
        (d) => d.service === service.name && d.condition === "service_completed_successfully",
      ),
    );
    if (ourServices.has(service.name) || (service.build && waitedToComplete)) {
      const spec: RunSpec = { image: input.image, name: input.name(service.name), env: serviceEnv };
      if (service.command) spec.cmd = service.command;
      if (service.entrypoint) spec.entrypoint = service.entrypoint;
      if (network) Object.assign(spec, { network, networkAliases: [service.name] });
      stack.push({
        kind: "job",
        name: service.name,
        spec,
        readiness: "started",
        why: `compose service ${service.name}${service.command ? `: ${service.command.join(" ")}` : ""}`,
      });
      continue;
    }
    const image = service.image ? interpolate(service.image.ref.text, values).text : undefined;
    if (!image) {
      notes.push(`compose service ${service.name} has no image: verify does not start it`);
      continue;
    }
    const spec: RunSpec = { image, name: input.name(service.name), env: serviceEnv };
    if (service.command) spec.cmd = service.command.map((word) => interpolate(word, values).text);
    if (service.entrypoint) spec.entrypoint = service.entrypoint;
    if (service.user) spec.user = service.user;
    if (network) Object.assign(spec, { network, networkAliases: [service.name] });
    const composeTest =
      service.healthcheck && !service.healthcheck.disabled ? service.healthcheck.test : undefined;
    const test = composeTest?.length
      ? composeTest.map((word) => interpolate(word, values).text)
      : builtinReadiness(serviceKindOfImage(image));
    if (test) {
      // Compose's `$$` is a literal `$` for the container's shell: the test keeps it as `$`.
      spec.healthcheck = { test: normaliseTest(test), intervalMs: pollMs, timeoutMs: 5_000, retries: 240 };
    }
    stack.push({
      kind: "service",
      name: service.name,
      spec,
      readiness: test ? "healthcheck" : "started",
      why: composeTest?.length
        ? "its compose healthcheck"
        : test
          ? `a ${serviceKindOfImage(image)} readiness probe (compose gives it no healthcheck)`
          : "started (no healthcheck to wait on)",
    });
  }
  // Migrations detection found, when compose does not run them as a service.
  const migrations = project?.app?.migrations;
  if (migrations && dependencies.length > 0 && !stack.some((step) => step.kind === "job")) {
    const spec: RunSpec = {
      image: input.image,
      name: input.name("migrate"),
      env: appEnv,
      cmd: migrations.command,
    };
    if (network) Object.assign(spec, { network });
    stack.push({
      kind: "job",
      name: "migrations",
      spec,
      readiness: "started",
      why: `detected migrations (${migrations.tool}): ${migrations.command.join(" ")}`,
    });
  }

  // The app's runs.
  const base: RunSpec = { image: input.image, env: appEnv };
  if (network) Object.assign(base, { network, networkAliases: [app?.service.name ?? "app"] });
  if (port) base.ports = [{ containerPort: port.container }];
  if (imageFacts.healthcheck) base.healthcheck = fastHealthcheck(imageFacts.healthcheck, pollMs);

  const user = imageFacts.user.trim();
  const root = user === "" || /^(?:root|0)(?::.*)?$/.test(user);
  const composeService = app?.service;
  const tmpfs: Record<string, string> = { "/tmp": "rw,nosuid,nodev,size=64m" };
  for (const path of composeService?.tmpfs ?? [])
    tmpfs[path.split(":")[0] as string] ??= "rw,nosuid,nodev,size=64m";
  const volumes: string[] = [];
  const volumeMounts = (composeService?.volumes ?? [])
    .filter((volume) => volume.type === "volume" && volume.target)
    .map((volume, index) => {
      const name = input.name(`vol${index}`);
      volumes.push(name);
      return { volume: name, target: volume.target as string };
    });
  const memoryBytes =
    parseSize(composeService?.limits.memory) ?? input.options?.memoryBytes ?? DEFAULT_MEMORY_BYTES;
  const pidsLimit = Number(composeService?.limits.pids) || input.options?.pidsLimit || DEFAULT_PIDS_LIMIT;
  const hardened: RunSpec = {
    ...base,
    name: input.name("app-hardened"),
    readOnly: true,
    tmpfs,
    capDrop: ["ALL"],
    securityOpt: ["no-new-privileges:true"],
    memoryBytes,
    memorySwapBytes: memoryBytes,
    pidsLimit,
  };
  if (volumeMounts.length > 0) hardened.volumes = volumeMounts;
  const plain: RunSpec = { ...base, name: input.name("app") };
  if (volumeMounts.length > 0) plain.volumes = volumeMounts;
  const missing = env
    .filter((variable) => variable.required && variable.app && variable.source !== "env-file")
    .map((variable) => {
      const { [variable.name]: _, ...rest } = appEnv;
      const spec: RunSpec = {
        ...base,
        name: input.name(`without-${variable.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`),
        env: rest,
      };
      delete spec.ports;
      delete spec.healthcheck;
      return { variable: variable.name, spec };
    });

  const health = project?.app?.health;
  const plan: VerifyPlan = {
    env,
    stack,
    volumes,
    health: {
      path: health?.value ?? "/",
      detected: health !== undefined,
      why: health
        ? `${health.how}${health.evidence[0] ? `: ${health.evidence[0].file}:${health.evidence[0].line ?? 1}` : ""}`
        : "no health route detected: any HTTP answer below 500",
      imageHealthcheck: imageFacts.healthcheck !== undefined,
    },
    user: { name: user === "" ? "root (no USER)" : user, root },
    hardened,
    plain,
    missing,
    signals: signalFacts(imageFacts, project, composeService?.init === true),
    notes,
  };
  if (network) plan.network = network;
  if (composeService) plan.appService = composeService.name;
  if (port) plan.port = port;
  if (!port) notes.push("no port to probe: neither detection nor the image's EXPOSE names exactly one");
  return plan;
}

/** Compose's string form of a test (`test: pg_isready`) is CMD-SHELL. */
function normaliseTest(test: string[]): string[] {
  if (test[0] === "CMD" || test[0] === "CMD-SHELL" || test[0] === "NONE") return test;
  return ["CMD-SHELL", test.join(" ")];
}

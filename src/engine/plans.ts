/**
 * Pure translations from what shipshape wants to run into what the engine is asked for:
 * Engine API create options and docker CLI build invocations. Nothing here talks to an engine,
 * so every choice (defaults, safety, labels) is tested as data.
 */
import type { ContainerCreateOptions } from "dockerode";

export const LABEL_MANAGED = "io.shipshape.managed";
export const LABEL_SESSION = "io.shipshape.session";

export interface PortBinding {
  containerPort: number;
  protocol?: "tcp" | "udp";
  /** Host address to publish on. Defaults to 127.0.0.1: shipshape never publishes on every interface unasked. */
  hostIp?: string;
  /** Host port; omitted or 0 lets the engine pick a free one. */
  hostPort?: number;
}

export interface VolumeMount {
  /** A named volume (bind mounts of host paths are deliberately not offered here). */
  volume: string;
  target: string;
  readOnly?: boolean;
}

/** A host directory shown read-only inside the container (`shipshape sandbox --ro-mount`). */
export interface ReadOnlyBind {
  source: string;
  target: string;
}

export interface HealthcheckSpec {
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

export interface RunSpec {
  image: string;
  name?: string;
  cmd?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  ports?: PortBinding[];
  network?: string;
  networkAliases?: string[];
  volumes?: VolumeMount[];
  /** Host directories, always read-only: only what a user asked to share. */
  readOnlyBinds?: ReadOnlyBind[];
  readOnly?: boolean;
  /** Mount point → mount options, e.g. { "/tmp": "rw,size=64m" }. */
  tmpfs?: Record<string, string>;
  capDrop?: string[];
  capAdd?: string[];
  securityOpt?: string[];
  /** Run docker's init (tini) as PID 1. */
  init?: boolean;
  memoryBytes?: number;
  /** Memory plus swap; equal to memoryBytes means no swap beyond the limit. */
  memorySwapBytes?: number;
  nanoCpus?: number;
  pidsLimit?: number;
  runtime?: string;
  labels?: Record<string, string>;
  stopSignal?: string;
  stopTimeoutSeconds?: number;
  healthcheck?: HealthcheckSpec;
}

const ms = (value: number | undefined) => (value === undefined ? undefined : value * 1_000_000);

function portKey(port: PortBinding): string {
  return `${port.containerPort}/${port.protocol ?? "tcp"}`;
}

/** Engine API create options for a RunSpec, labelled as belonging to `sessionLabels`' session. */
export function toCreateOptions(
  spec: RunSpec,
  sessionLabels: Record<string, string> = {},
): ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of spec.ports ?? []) {
    const key = portKey(port);
    exposed[key] = {};
    const list = bindings[key] ?? [];
    list.push({ HostIp: port.hostIp ?? "127.0.0.1", HostPort: port.hostPort ? String(port.hostPort) : "" });
    bindings[key] = list;
  }

  const options: ContainerCreateOptions = {
    Image: spec.image,
    Labels: { ...spec.labels, ...sessionLabels },
    HostConfig: {
      PortBindings: bindings,
      ReadonlyRootfs: spec.readOnly ?? false,
      Mounts: [
        ...(spec.volumes ?? []).map((mount) => ({
          Type: "volume" as const,
          Source: mount.volume,
          Target: mount.target,
          ReadOnly: mount.readOnly ?? false,
        })),
        ...(spec.readOnlyBinds ?? []).map((bind) => ({
          Type: "bind" as const,
          Source: bind.source,
          Target: bind.target,
          ReadOnly: true,
        })),
      ],
    },
  };
  const host = options.HostConfig ?? {};
  if (spec.name !== undefined) options.name = spec.name;
  if (spec.cmd !== undefined) options.Cmd = spec.cmd;
  if (spec.entrypoint !== undefined) options.Entrypoint = spec.entrypoint;
  if (spec.env !== undefined) options.Env = Object.entries(spec.env).map(([key, value]) => `${key}=${value}`);
  if (spec.user !== undefined) options.User = spec.user;
  if (spec.workdir !== undefined) options.WorkingDir = spec.workdir;
  if (spec.ports?.length) options.ExposedPorts = exposed;
  if (spec.stopSignal !== undefined) options.StopSignal = spec.stopSignal;
  if (spec.stopTimeoutSeconds !== undefined) options.StopTimeout = spec.stopTimeoutSeconds;
  if (spec.healthcheck !== undefined) {
    const check = spec.healthcheck;
    options.Healthcheck = {
      Test: check.test,
      ...(check.intervalMs === undefined ? {} : { Interval: ms(check.intervalMs) }),
      ...(check.timeoutMs === undefined ? {} : { Timeout: ms(check.timeoutMs) }),
      ...(check.retries === undefined ? {} : { Retries: check.retries }),
      ...(check.startPeriodMs === undefined ? {} : { StartPeriod: ms(check.startPeriodMs) }),
    };
  }
  if (spec.network !== undefined) {
    host.NetworkMode = spec.network;
    options.NetworkingConfig = {
      EndpointsConfig: { [spec.network]: spec.networkAliases ? { Aliases: spec.networkAliases } : {} },
    };
  }
  if (spec.tmpfs !== undefined) host.Tmpfs = spec.tmpfs;
  if (spec.capDrop !== undefined) host.CapDrop = spec.capDrop;
  if (spec.capAdd !== undefined) host.CapAdd = spec.capAdd;
  if (spec.securityOpt !== undefined) host.SecurityOpt = spec.securityOpt;
  if (spec.init !== undefined) host.Init = spec.init;
  if (spec.memoryBytes !== undefined) host.Memory = spec.memoryBytes;
  if (spec.memorySwapBytes !== undefined) host.MemorySwap = spec.memorySwapBytes;
  if (spec.nanoCpus !== undefined) host.NanoCpus = spec.nanoCpus;
  if (spec.pidsLimit !== undefined) host.PidsLimit = spec.pidsLimit;
  if (spec.runtime !== undefined) host.Runtime = spec.runtime;
  return options;
}

export interface BuildSecret {
  id: string;
  /** Take the secret from this environment variable of the build process … */
  env?: string;
  /** … or from this file. */
  src?: string;
}

export interface BuildSpec {
  /** The build context directory. */
  context: string;
  /** Dockerfile path; relative paths are resolved by the docker CLI against the working directory. */
  dockerfile?: string;
  tags?: string[];
  target?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  secrets?: BuildSecret[];
  platform?: string;
  noCache?: boolean;
  pull?: boolean;
}

export interface CliInvocation {
  command: string;
  args: string[];
  /** Variables added to the child's environment. */
  env: Record<string, string>;
}

/** The docker CLI call that builds `spec` with BuildKit, writing the image id to `iidFile`. */
export function toBuildInvocation(spec: BuildSpec, dockerCli: string, iidFile: string): CliInvocation {
  const args = ["build", "--progress=plain", "--iidfile", iidFile];
  if (spec.dockerfile !== undefined) args.push("--file", spec.dockerfile);
  for (const tag of spec.tags ?? []) args.push("--tag", tag);
  if (spec.target !== undefined) args.push("--target", spec.target);
  if (spec.platform !== undefined) args.push("--platform", spec.platform);
  for (const [key, value] of Object.entries(spec.buildArgs ?? {}))
    args.push("--build-arg", `${key}=${value}`);
  for (const [key, value] of Object.entries(spec.labels ?? {})) args.push("--label", `${key}=${value}`);
  for (const secret of spec.secrets ?? []) {
    const source =
      secret.env !== undefined ? `env=${secret.env}` : secret.src !== undefined ? `src=${secret.src}` : "";
    args.push("--secret", source ? `id=${secret.id},${source}` : `id=${secret.id}`);
  }
  if (spec.noCache) args.push("--no-cache");
  if (spec.pull) args.push("--pull");
  args.push(spec.context);
  return { command: dockerCli, args, env: { DOCKER_BUILDKIT: "1" } };
}

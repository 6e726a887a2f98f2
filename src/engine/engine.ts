/**
 * The Docker engine adapter: every later feature talks to the engine through this file.
 * Containers, networks and volumes are created through an EngineSession, which labels them so
 * that cleanup removes exactly what this session made, also after a failure.
 */
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { EngineError, EngineUnavailableError } from "../errors.js";
import { type BuildOptions, type BuildResult, buildWithCli } from "./build.js";
import { chooseBuildCli, type DockerCliProbe } from "./cli.js";
import { type EngineConfig, resolveEngineConfig } from "./config.js";
import { type ContainerOutput, demuxLogs } from "./logs.js";
import { type BuildSpec, LABEL_MANAGED, LABEL_SESSION, type RunSpec, toCreateOptions } from "./plans.js";

export interface EngineVersion {
  server: string;
  api: string;
  os: string;
  arch: string;
}

const PING_TIMEOUT_MS = 3_000;

function timeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Turns a failed connection into the one-line error the CLI shows. */
export function unavailableError(config: EngineConfig, error: unknown): EngineUnavailableError {
  const where = `${config.endpoint.display}${config.fromEnv ? " (from DOCKER_HOST)" : ""}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === "ENOENT"
      ? "the socket does not exist"
      : code === "EACCES"
        ? "permission denied"
        : code === "ECONNREFUSED"
          ? "connection refused"
          : code === "ETIMEDOUT" || error instanceof EngineUnavailableError
            ? "no answer"
            : ((error as Error | undefined)?.message ?? "no answer");
  const hint =
    code === "EACCES"
      ? "run as a user in the docker group (or root), or point DOCKER_HOST at an engine you can use"
      : "start a Docker engine (on a machine without one: sudo bash scripts/testbed.sh) or set DOCKER_HOST to where one runs";
  return new EngineUnavailableError(`no Docker engine answered at ${where}: ${reason}`, {
    hint,
    cause: error,
  });
}

function dockerOptions(config: EngineConfig): Docker.DockerOptions {
  const endpoint = config.endpoint;
  if (endpoint.kind === "unix") return { socketPath: endpoint.socketPath };
  return {
    host: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.tls ? "https" : "http",
    ...(config.tls ? { ca: config.tls.ca, cert: config.tls.cert, key: config.tls.key } : {}),
  };
}

export class Engine {
  readonly config: EngineConfig;
  readonly api: Docker;

  private constructor(config: EngineConfig) {
    this.config = config;
    this.api = new Docker(dockerOptions(config));
  }

  /** Connects and pings; throws EngineUnavailableError (one line, with a hint) when nothing answers. */
  static async connect(config: EngineConfig = resolveEngineConfig()): Promise<Engine> {
    const engine = new Engine(config);
    try {
      await timeout(engine.api.ping(), PING_TIMEOUT_MS, () => new EngineUnavailableError("no answer"));
    } catch (error) {
      throw unavailableError(config, error);
    }
    return engine;
  }

  async version(): Promise<EngineVersion> {
    const version = await this.api.version();
    return { server: version.Version, api: version.ApiVersion, os: version.Os, arch: version.Arch };
  }

  async info(): Promise<{
    runtimes: string[];
    mirrors: string[];
    storageDriver: string;
    cgroupVersion: string;
  }> {
    const info = await this.api.info();
    return {
      runtimes: Object.keys(info.Runtimes ?? {}),
      mirrors: info.RegistryConfig?.Mirrors ?? [],
      storageDriver: info.Driver ?? "",
      cgroupVersion: info.CgroupVersion ?? "",
    };
  }

  /** The docker CLI that builds run through (SHIPSHAPE_DOCKER, or the first one that can BuildKit-build). */
  buildCli(): Promise<DockerCliProbe> {
    return chooseBuildCli(this.config.dockerCli, this.config.dockerCliExplicit);
  }

  /** Builds with BuildKit through the docker CLI (see build.ts). */
  build(spec: BuildSpec, options: BuildOptions = {}): Promise<BuildResult> {
    return buildWithCli(this.config, spec, options);
  }

  async imageInspect(reference: string): Promise<Docker.ImageInspectInfo> {
    try {
      return await this.api.getImage(reference).inspect();
    } catch (error) {
      throw engineError(`cannot inspect image ${reference}`, error);
    }
  }

  async imageExists(reference: string): Promise<boolean> {
    try {
      await this.api.getImage(reference).inspect();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw engineError(`cannot inspect image ${reference}`, error);
    }
  }

  /** Points `reference` (`name:tag`) at an image (id or reference), as `docker tag` does. */
  async tagImage(image: string, reference: string): Promise<void> {
    const slash = reference.lastIndexOf("/");
    const colon = reference.lastIndexOf(":");
    const repo = colon > slash ? reference.slice(0, colon) : reference;
    const tag = colon > slash ? reference.slice(colon + 1) : "latest";
    try {
      await this.api.getImage(image).tag({ repo, tag });
    } catch (error) {
      throw engineError(`cannot tag ${image} as ${reference}`, error);
    }
  }

  /** The image's history (`docker history`): one entry per instruction, newest first. */
  async imageHistory(
    reference: string,
  ): Promise<Array<{ Id: string; Created: number; CreatedBy: string; Size: number; Comment: string }>> {
    try {
      return (await this.api.getImage(reference).history()) as Array<{
        Id: string;
        Created: number;
        CreatedBy: string;
        Size: number;
        Comment: string;
      }>;
    } catch (error) {
      throw engineError(`cannot read the history of image ${reference}`, error);
    }
  }

  /** The image as `docker save` writes it: a tar of its config, manifest and every layer. */
  async exportImage(reference: string): Promise<Readable> {
    try {
      return (await this.api.getImage(reference).get()) as unknown as Readable;
    } catch (error) {
      throw engineError(`cannot export image ${reference}`, error);
    }
  }

  /** Pulls an image (through the engine's configured mirrors), waiting for the pull to finish. */
  async pull(reference: string): Promise<void> {
    try {
      const stream = await this.api.pull(reference);
      await new Promise<void>((resolve, reject) => {
        this.api.modem.followProgress(
          stream,
          (error: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
            const failed = events?.find((event) => event.error);
            if (error) reject(error);
            else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
            else resolve();
          },
        );
      });
    } catch (error) {
      throw engineError(`cannot pull image ${reference}`, error);
    }
  }

  async removeImage(reference: string, force = false): Promise<void> {
    try {
      await this.api.getImage(reference).remove({ force });
    } catch (error) {
      if (statusOf(error) !== 404) throw engineError(`cannot remove image ${reference}`, error);
    }
  }

  /** A session: a unique name prefix and a label on everything it creates, for exact cleanup. */
  session(purpose = "run"): EngineSession {
    return new EngineSession(this, purpose);
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}

function engineError(what: string, error: unknown): EngineError {
  const json = (error as { json?: { message?: string } } | undefined)?.json;
  const detail = json?.message ?? (error as Error | undefined)?.message ?? String(error);
  return new EngineError(`${what}: ${detail.trim()}`, { cause: error });
}

export interface StopResult {
  durationMs: number;
  exitCode: number;
  /** The engine had to SIGKILL it after the stop timeout. */
  killed: boolean;
}

export interface RunResult extends ContainerOutput {
  exitCode: number | undefined;
  timedOut: boolean;
}

export class EngineSession {
  readonly engine: Engine;
  readonly id: string;
  private readonly labels: Record<string, string>;

  constructor(engine: Engine, purpose: string) {
    this.engine = engine;
    this.id = `${purpose.replace(/[^a-z0-9-]/gi, "-").toLowerCase()}-${randomBytes(4).toString("hex")}`;
    this.labels = { [LABEL_MANAGED]: "true", [LABEL_SESSION]: this.id };
  }

  private get api(): Docker {
    return this.engine.api;
  }

  /** A resource name unique to this session. */
  name(suffix: string): string {
    return `shipshape-${this.id}-${suffix}`;
  }

  async createNetwork(name: string, options: { internal?: boolean } = {}): Promise<string> {
    try {
      const network = await this.api.createNetwork({
        Name: name,
        Internal: options.internal ?? false,
        Labels: this.labels,
        CheckDuplicate: true,
      });
      return network.id;
    } catch (error) {
      throw engineError(`cannot create network ${name}`, error);
    }
  }

  async connectNetwork(network: string, container: string, aliases: string[] = []): Promise<void> {
    try {
      await this.api
        .getNetwork(network)
        .connect({ Container: container, EndpointConfig: { Aliases: aliases } });
    } catch (error) {
      throw engineError(`cannot connect ${container} to network ${network}`, error);
    }
  }

  async createVolume(name: string): Promise<string> {
    try {
      const volume = await this.api.createVolume({ Name: name, Labels: this.labels });
      return volume.name;
    } catch (error) {
      throw engineError(`cannot create volume ${name}`, error);
    }
  }

  /** Creates a container; like `docker run`, pulls the image first when the engine does not have it. */
  async create(spec: RunSpec): Promise<string> {
    const options = toCreateOptions(spec, this.labels);
    try {
      return (await this.api.createContainer(options)).id;
    } catch (error) {
      if (statusOf(error) !== 404) throw engineError(`cannot create container from ${spec.image}`, error);
    }
    await this.engine.pull(spec.image);
    try {
      return (await this.api.createContainer(options)).id;
    } catch (error) {
      throw engineError(`cannot create container from ${spec.image}`, error);
    }
  }

  async start(id: string): Promise<void> {
    try {
      await this.api.getContainer(id).start();
    } catch (error) {
      throw engineError(`cannot start container ${id.slice(0, 12)}`, error);
    }
  }

  /** Creates and starts a container; returns its id. */
  async run(spec: RunSpec): Promise<string> {
    const id = await this.create(spec);
    await this.start(id);
    return id;
  }

  /** Runs a container to its end (a one-off job such as migrations); kills it after `timeoutMs`. */
  async runToCompletion(spec: RunSpec, timeoutMs = 120_000): Promise<RunResult> {
    const id = await this.run(spec);
    const exitCode = await this.wait(id, timeoutMs);
    if (exitCode === undefined) await this.kill(id);
    const output = await this.logs(id);
    return { ...output, exitCode, timedOut: exitCode === undefined };
  }

  inspect(id: string): Promise<Docker.ContainerInspectInfo> {
    return this.api.getContainer(id).inspect();
  }

  /** Waits for the container to exit; resolves its exit code, or undefined after `timeoutMs`. */
  async wait(id: string, timeoutMs: number): Promise<number | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const waited = this.api
      .getContainer(id)
      .wait()
      .then((result: { StatusCode: number }) => result.StatusCode);
    const expired = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      return await Promise.race([waited, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** `docker stop`: SIGTERM (or the image's stop signal), then SIGKILL after `timeoutSeconds`. */
  async stop(id: string, timeoutSeconds = 10): Promise<StopResult> {
    const started = Date.now();
    try {
      await this.api.getContainer(id).stop({ t: timeoutSeconds });
    } catch (error) {
      if (statusOf(error) !== 304) throw engineError(`cannot stop container ${id.slice(0, 12)}`, error);
    }
    const durationMs = Date.now() - started;
    const state = (await this.inspect(id)).State;
    return {
      durationMs,
      exitCode: state.ExitCode,
      killed: state.ExitCode === 137 && durationMs >= timeoutSeconds * 1000,
    };
  }

  async kill(id: string, signal = "SIGKILL"): Promise<void> {
    try {
      await this.api.getContainer(id).kill({ signal });
    } catch (error) {
      if (statusOf(error) !== 409 && statusOf(error) !== 304)
        throw engineError(`cannot kill ${id.slice(0, 12)}`, error);
    }
  }

  /** Removes a container (and its anonymous volumes); `force` kills it first if it runs. */
  async remove(id: string, force = true): Promise<void> {
    try {
      await this.api.getContainer(id).remove({ force, v: true });
    } catch (error) {
      if (statusOf(error) !== 404) throw engineError(`cannot remove container ${id.slice(0, 12)}`, error);
    }
  }

  async logs(id: string): Promise<ContainerOutput> {
    const buffer = (await this.api
      .getContainer(id)
      .logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return demuxLogs(Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer)));
  }

  /** Runs a command inside a running container (`docker exec`) and collects its output. */
  async exec(
    id: string,
    cmd: string[],
    options: { user?: string; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    const container = this.api.getContainer(id);
    let exec: Docker.Exec;
    try {
      exec = await container.exec({
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
        ...(options.user === undefined ? {} : { User: options.user }),
      });
    } catch (error) {
      throw engineError(`cannot exec in container ${id.slice(0, 12)}`, error);
    }
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise<boolean>((resolve) => {
      stream.on("end", () => resolve(true));
      stream.on("close", () => resolve(true));
    });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), options.timeoutMs ?? 30_000);
    });
    const finished = await Promise.race([ended, expired]).finally(() => clearTimeout(timer));
    if (!finished) stream.destroy();
    const output = demuxLogs(Buffer.concat(chunks));
    const exitCode = finished ? ((await exec.inspect()).ExitCode ?? undefined) : undefined;
    return { ...output, exitCode: exitCode ?? undefined, timedOut: !finished };
  }

  /**
   * Streams a container's stdout and stderr as they are written (attach before start, so nothing
   * is missed); resolves when the streams end.
   */
  async attach(
    id: string,
    stdout: NodeJS.WritableStream,
    stderr: NodeJS.WritableStream,
  ): Promise<() => Promise<void>> {
    let stream: NodeJS.ReadWriteStream;
    try {
      stream = (await this.api
        .getContainer(id)
        .attach({ stream: true, stdout: true, stderr: true, logs: true })) as NodeJS.ReadWriteStream;
    } catch (error) {
      throw engineError(`cannot attach to container ${id.slice(0, 12)}`, error);
    }
    this.api.modem.demuxStream(stream, stdout, stderr);
    const ended = new Promise<void>((resolve) => {
      stream.on("end", () => resolve());
      stream.on("close", () => resolve());
      stream.on("error", () => resolve());
    });
    return () => ended;
  }

  /** Extracts a tar archive into a directory of a (created) container: `docker cp` in. */
  async putArchive(id: string, path: string, archive: Readable | Buffer): Promise<void> {
    try {
      await this.api.getContainer(id).putArchive(archive, { path });
    } catch (error) {
      throw engineError(`cannot copy into container ${id.slice(0, 12)}:${path}`, error);
    }
  }

  /** A tar archive of a path in a container (running or stopped): `docker cp` out. */
  async getArchive(id: string, path: string): Promise<Readable> {
    try {
      return (await this.api.getContainer(id).getArchive({ path })) as unknown as Readable;
    } catch (error) {
      throw engineError(`cannot copy ${path} out of container ${id.slice(0, 12)}`, error);
    }
  }

  /** One sample of a running container's resource use: memory bytes and process count. */
  async stats(id: string, signal?: AbortSignal): Promise<{ memoryBytes: number; pids: number } | undefined> {
    try {
      const stats = (await this.api
        .getContainer(id)
        .stats({ stream: false, ...(signal ? { abortSignal: signal } : {}) })) as {
        memory_stats?: { usage?: number };
        pids_stats?: { current?: number };
      };
      return { memoryBytes: stats.memory_stats?.usage ?? 0, pids: stats.pids_stats?.current ?? 0 };
    } catch {
      return undefined;
    }
  }

  /** The host port the engine published `containerPort` on. */
  async hostPort(id: string, containerPort: number, protocol: "tcp" | "udp" = "tcp"): Promise<number> {
    const ports = (await this.inspect(id)).NetworkSettings.Ports ?? {};
    const binding = ports[`${containerPort}/${protocol}`]?.[0];
    if (!binding)
      throw new EngineError(`container ${id.slice(0, 12)} does not publish port ${containerPort}`);
    return Number(binding.HostPort);
  }

  /**
   * Waits until the container's HEALTHCHECK reports healthy. Fails early, with the last log
   * lines, when it turns unhealthy or exits.
   */
  async waitForHealthy(id: string, timeoutMs = 60_000, pollMs = 250): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = (await this.inspect(id)).State;
      const health = state.Health?.Status;
      if (health === "healthy") return;
      if (!state.Health) throw new EngineError(`container ${id.slice(0, 12)} has no health check`);
      if (!state.Running || health === "unhealthy" || Date.now() > deadline) {
        const why = !state.Running
          ? `exited with code ${state.ExitCode}`
          : health === "unhealthy"
            ? "became unhealthy"
            : `was not healthy after ${Math.round(timeoutMs / 1000)}s`;
        const logs = await this.logs(id);
        const tail = `${logs.stdout}${logs.stderr}`.trim().split("\n").slice(-10).join("\n");
        const probe = state.Health.Log?.at(-1)?.Output?.trim();
        throw new EngineError(
          `container ${id.slice(0, 12)} ${why}${probe ? `; last probe: ${probe}` : ""}${tail ? `\n${tail}` : ""}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /**
   * Removes every container, network and volume labelled with this session, found by label so that
   * resources whose creation response was lost go too. Safe to call more than once.
   */
  async cleanup(): Promise<{ containers: number; networks: number; volumes: number }> {
    const filters = { label: [`${LABEL_SESSION}=${this.id}`] };
    const containers = await this.api.listContainers({ all: true, filters });
    await Promise.all(
      containers.map((info) =>
        this.api
          .getContainer(info.Id)
          .remove({ force: true, v: true })
          .catch((error: unknown) => {
            if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
          }),
      ),
    );
    const networks = await this.api.listNetworks({ filters });
    for (const network of networks) await this.api.getNetwork(network.Id).remove();
    const volumes = (await this.api.listVolumes({ filters })).Volumes ?? [];
    for (const volume of volumes) await this.api.getVolume(volume.Name).remove({ force: true });
    return { containers: containers.length, networks: networks.length, volumes: volumes.length };
  }

  /** What this session still owns on the engine (for tests that prove cleanup). */
  async owned(): Promise<{ containers: number; networks: number; volumes: number }> {
    const filters = { label: [`${LABEL_SESSION}=${this.id}`] };
    const [containers, networks, volumes] = await Promise.all([
      this.api.listContainers({ all: true, filters }),
      this.api.listNetworks({ filters }),
      this.api.listVolumes({ filters }),
    ]);
    return {
      containers: containers.length,
      networks: networks.length,
      volumes: (volumes.Volumes ?? []).length,
    };
  }
}

/**
 * Runs `work` in a fresh session and removes everything the session created afterwards, whether
 * `work` succeeded or threw (the error is rethrown after cleanup).
 */
export async function withSession<T>(
  engine: Engine,
  purpose: string,
  work: (session: EngineSession) => Promise<T>,
): Promise<T> {
  const session = engine.session(purpose);
  try {
    return await work(session);
  } finally {
    await session.cleanup();
  }
}

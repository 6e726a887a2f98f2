import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";

/** Where the Docker Engine API is reached, as `DOCKER_HOST` says (or the default socket). */
export type EngineEndpoint =
  | { kind: "unix"; socketPath: string; display: string }
  | { kind: "tcp"; host: string; port: number; tls: boolean; display: string };

export interface EngineConfig {
  endpoint: EngineEndpoint;
  /** Whether the endpoint came from DOCKER_HOST (for error messages). */
  fromEnv: boolean;
  /** The docker CLI used for BuildKit builds (`SHIPSHAPE_DOCKER`, else `docker` on PATH). */
  dockerCli: string;
  /** Whether dockerCli was chosen by SHIPSHAPE_DOCKER (then it is used as it is, never replaced). */
  dockerCliExplicit: boolean;
  /** TLS material for tcp endpoints with DOCKER_TLS_VERIFY. */
  tls?: { ca: Buffer; cert: Buffer; key: Buffer } | undefined;
}

export const DEFAULT_SOCKET = "/var/run/docker.sock";

/** Parses a DOCKER_HOST value; throws a UsageError naming the variable when it cannot be used. */
export function parseDockerHost(value: string, tlsVerify = false): EngineEndpoint {
  const trimmed = value.trim();
  if (trimmed.startsWith("unix://")) {
    const socketPath = trimmed.slice("unix://".length);
    if (!socketPath.startsWith("/")) {
      throw new UsageError(
        `DOCKER_HOST=${value}: a unix socket path must be absolute (unix:///var/run/docker.sock)`,
      );
    }
    return { kind: "unix", socketPath, display: `unix://${socketPath}` };
  }
  if (trimmed.startsWith("tcp://") || trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
    let url: URL;
    try {
      url = new URL(trimmed.replace(/^tcp:/, "http:"));
    } catch {
      throw new UsageError(`DOCKER_HOST=${value}: not a valid address (expected tcp://HOST:PORT)`);
    }
    const tls = tlsVerify || url.protocol === "https:";
    const port = url.port === "" ? (tls ? 2376 : 2375) : Number(url.port);
    return { kind: "tcp", host: url.hostname, port, tls, display: `tcp://${url.hostname}:${port}` };
  }
  const scheme = trimmed.split("://")[0] ?? trimmed;
  throw new UsageError(`DOCKER_HOST=${value}: the ${scheme}:// scheme is not supported`, {
    hint: "use unix:///path/to/docker.sock or tcp://HOST:PORT (for ssh, forward the socket: ssh -L)",
  });
}

export function resolveEngineConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const dockerHost = env.DOCKER_HOST?.trim();
  const tlsVerify =
    env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== "" && env.DOCKER_TLS_VERIFY !== "0";
  const endpoint: EngineEndpoint = dockerHost
    ? parseDockerHost(dockerHost, tlsVerify)
    : { kind: "unix", socketPath: DEFAULT_SOCKET, display: `unix://${DEFAULT_SOCKET}` };
  const config: EngineConfig = {
    endpoint,
    fromEnv: Boolean(dockerHost),
    dockerCli: env.SHIPSHAPE_DOCKER?.trim() || "docker",
    dockerCliExplicit: Boolean(env.SHIPSHAPE_DOCKER?.trim()),
  };
  if (endpoint.kind === "tcp" && endpoint.tls) {
    const dir = env.DOCKER_CERT_PATH?.trim() || join(env.HOME ?? "", ".docker");
    try {
      config.tls = {
        ca: readFileSync(join(dir, "ca.pem")),
        cert: readFileSync(join(dir, "cert.pem")),
        key: readFileSync(join(dir, "key.pem")),
      };
    } catch (error) {
      throw new UsageError(`DOCKER_TLS_VERIFY is set but the TLS files in ${dir} cannot be read`, {
        hint: "set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem",
        cause: error,
      });
    }
  }
  return config;
}

/**
 * What the configured docker CLI can do. Clients before 23.0 build with BuildKit themselves
 * (DOCKER_BUILDKIT=1); later ones need the buildx plugin. Probed without building anything.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface DockerCliProbe {
  path: string;
  found: boolean;
  version: string | undefined;
  buildkit: boolean;
  /** Why BuildKit builds will not work, when they will not. */
  problem: string | undefined;
}

export function clientHasBuiltinBuildKit(version: string): boolean {
  const major = Number.parseInt(version.split(".")[0] ?? "", 10);
  return Number.isFinite(major) && major < 23;
}

export async function probeDockerCli(path: string): Promise<DockerCliProbe> {
  let version: string;
  try {
    const { stdout } = await run(path, ["version", "--format", "{{.Client.Version}}"], { timeout: 10_000 });
    version = stdout.trim();
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stdout?: string };
    if (err.code === "ENOENT") {
      return { path, found: false, version: undefined, buildkit: false, problem: `${path} not found` };
    }
    // `docker version` exits non-zero when the server is down but still prints the client version.
    version = (err.stdout ?? "").trim().split("\n")[0] ?? "";
    if (!/^\d+\.\d+/.test(version)) {
      return { path, found: true, version: undefined, buildkit: false, problem: `${path} version failed` };
    }
  }
  if (clientHasBuiltinBuildKit(version))
    return { path, found: true, version, buildkit: true, problem: undefined };
  try {
    await run(path, ["buildx", "version"], { timeout: 10_000 });
    return { path, found: true, version, buildkit: true, problem: undefined };
  } catch {
    return {
      path,
      found: true,
      version,
      buildkit: false,
      problem: `docker ${version} needs the buildx plugin for BuildKit builds and it is missing`,
    };
  }
}

/** Where a docker CLI usually lives, for when the one on PATH cannot BuildKit-build. */
const WELL_KNOWN_CLIS = ["/usr/bin/docker", "/usr/local/bin/docker"];

const chosen = new Map<string, Promise<DockerCliProbe>>();

/**
 * The docker CLI to build with. SHIPSHAPE_DOCKER (an explicit choice) is used as it is; the default
 * `docker` is kept when it can build with BuildKit, else the first well-known client that can.
 * When none can, the default's probe is returned so the error names what was asked for.
 */
export function chooseBuildCli(configured: string, explicit: boolean): Promise<DockerCliProbe> {
  const key = `${explicit}:${configured}`;
  let choice = chosen.get(key);
  if (!choice) {
    choice = (async () => {
      const first = await probeDockerCli(configured);
      if (explicit || first.buildkit) return first;
      for (const path of WELL_KNOWN_CLIS) {
        const probe = await probeDockerCli(path);
        if (probe.buildkit) return probe;
      }
      return first;
    })();
    chosen.set(key, choice);
  }
  return choice;
}

/** What to do when the docker CLI cannot BuildKit-build; one wording for doctor and for builds. */
export function buildKitHint(explicit: boolean): string {
  return explicit
    ? "SHIPSHAPE_DOCKER names this CLI: point it at one that can (Debian's /usr/bin/docker can, with DOCKER_BUILDKIT=1)"
    : "install the buildx plugin, or set SHIPSHAPE_DOCKER to a docker CLI that can (Debian's /usr/bin/docker can)";
}

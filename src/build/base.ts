/**
 * The digest each base image name points to: the manifest (or, for a multi-platform image, the
 * index) digest the registry serves for the name, as the OCI base.digest annotation means it —
 * never the image id (the config's digest). In order: a digest written in FROM; the digest the
 * engine recorded when it pulled the image (RepoDigests); the registry.
 */
import type { Engine } from "../engine/engine.js";
import { parseReference } from "../registry/reference.js";
import type { ResolvedBase } from "./buildinfo.js";
import type { BaseImage } from "./plan.js";

/** Resolves a tag through a registry (RegistryClient.resolve's shape), for tests to fake. */
export type RegistryResolve = (image: string, platform?: string) => Promise<{ digest: string }>;

/** The RepoDigests entry for the same repository as `image` (`node@sha256:…` for `node:20`). */
export function repoDigestFor(image: string, repoDigests: readonly string[]): string | undefined {
  let wanted: ReturnType<typeof parseReference>;
  try {
    wanted = parseReference(image);
  } catch {
    return undefined;
  }
  for (const entry of repoDigests) {
    try {
      const ref = parseReference(entry);
      if (ref.domain === wanted.domain && ref.repository === wanted.repository && ref.digest)
        return ref.digest;
    } catch {
      // An entry the parser refuses is not the one.
    }
  }
  return undefined;
}

export async function resolveBases(
  bases: readonly BaseImage[],
  engine: Pick<Engine, "imageInspect" | "imageExists">,
  registry: RegistryResolve | undefined,
  options: { pull: boolean; platform?: string },
): Promise<ResolvedBase[]> {
  const out: ResolvedBase[] = [];
  for (const base of bases) {
    const resolved: ResolvedBase = { stage: base.stage, image: base.image, final: base.final };
    if (base.stageName) resolved.stageName = base.stageName;
    if (base.canonical) resolved.canonical = base.canonical;
    out.push(resolved);
    if (base.pinned) {
      resolved.digest = base.pinned;
      resolved.digestFrom = "pinned";
      continue;
    }
    if (!base.canonical) {
      resolved.problem = "the image name has a variable without a value";
      continue;
    }
    const fromEngine = async () => {
      if (!(await engine.imageExists(base.image))) return undefined;
      const info = await engine.imageInspect(base.image);
      return repoDigestFor(base.image, info.RepoDigests ?? []);
    };
    const fromRegistry = async () =>
      registry ? (await registry(base.image, options.platform)).digest : undefined;
    // --pull makes BuildKit ask the registry: the engine's copy may be older, so ask it too.
    const order = options.pull
      ? ([
          ["registry", fromRegistry],
          ["engine", fromEngine],
        ] as const)
      : ([
          ["engine", fromEngine],
          ["registry", fromRegistry],
        ] as const);
    const problems: string[] = [];
    for (const [from, lookup] of order) {
      try {
        const digest = await lookup();
        if (digest) {
          resolved.digest = digest;
          resolved.digestFrom = from;
          break;
        }
        problems.push(from === "engine" ? "not in the engine's images" : "no registry client");
      } catch (error) {
        problems.push(`${from}: ${(error as Error).message}`);
      }
    }
    if (!resolved.digest) resolved.problem = problems.join("; ");
  }
  return out;
}

/**
 * The registry side of `pin`: a RegistryClient made on first use, with Docker Hub mirrors from
 * SHIPSHAPE_REGISTRY_MIRROR or, when that is not set, from the engine's `registry-mirrors` (so
 * `pin` resolves a tag where `docker pull` would pull it). No engine is fine: no mirrors then.
 */
import { resolveEngineConfig } from "../engine/config.js";
import { Engine } from "../engine/engine.js";
import { RegistryClient, type RegistryClientOptions } from "../registry/index.js";
import type { ImageResolver } from "./pin.js";

export interface RegistryResolverOptions {
  env?: NodeJS.ProcessEnv;
  /** Per request (default the client's 10 s). */
  timeoutMs?: number;
  /** Called once with where the mirrors came from, for --verbose. */
  onMirrors?: (mirrors: readonly string[], from: "env" | "engine" | "none") => void;
  /** For tests: what the client would otherwise be given. */
  client?: RegistryClientOptions;
}

/** Asks the engine for its mirrors; none when no engine answers. */
export async function engineMirrors(env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    const engine = await Engine.connect(resolveEngineConfig(env));
    return (await engine.info()).mirrors;
  } catch {
    return [];
  }
}

export function registryResolver(options: RegistryResolverOptions = {}): ImageResolver {
  const env = options.env ?? process.env;
  let client: Promise<RegistryClient> | undefined;
  const get = (): Promise<RegistryClient> => {
    client ??= (async () => {
      const fromEnv = env.SHIPSHAPE_REGISTRY_MIRROR !== undefined;
      const mirrors = fromEnv ? [] : await engineMirrors(env);
      const made = new RegistryClient({
        env,
        mirrors,
        ...(options.timeoutMs === undefined
          ? {}
          : { timeoutMs: options.timeoutMs, deadlineMs: Math.max(options.timeoutMs * 3, 10_000) }),
        ...options.client,
      });
      options.onMirrors?.(made.mirrors, fromEnv ? "env" : mirrors.length > 0 ? "engine" : "none");
      return made;
    })();
    return client;
  };
  return {
    resolve: async (image, resolveOptions) => (await get()).resolve(image, resolveOptions),
    tags: async (image) => (await get()).tags(image),
  };
}

/**
 * BUILDINFO.json: what went into an image and what came out, as data. Inputs name build args and
 * secrets, never their values.
 */
import type { BuildPlan } from "./plan.js";

export const BUILDINFO_SCHEMA = "shipshape.buildinfo/v1";

export interface ResolvedBase {
  stage: number;
  stageName?: string;
  image: string;
  canonical?: string;
  /** The manifest (or index) digest the name pointed to, when known. */
  digest?: string;
  /** Where the digest came from: written in FROM, the engine's pulled image, or the registry. */
  digestFrom?: "pinned" | "engine" | "registry";
  /** Why there is no digest. */
  problem?: string;
  final: boolean;
}

export interface BuilderVersions {
  dockerCli: { path: string; version?: string };
  engine?: { version: string; api: string; os: string; arch: string };
  /** BuildKit's version where the builder reports it; else how BuildKit was reached. */
  buildkit: string;
}

export interface BuildInfo {
  schema: typeof BUILDINFO_SCHEMA;
  inputs: {
    dockerfile: string;
    target?: string;
    platform?: string;
    context: { files: number; bytes: number };
    git:
      | { commit: string; commitTime: string; dirty: boolean; dirtyFiles: string[]; source?: string }
      | { commit: null; reason: string };
    baseImages: Array<{ stage: string; image: string; digest: string | null; digestFrom?: string }>;
    lockfiles: Array<{ path: string; sha256: string }>;
    /** Names only. */
    buildArgs: string[];
    /** Ids only. */
    secrets: string[];
    noCache: boolean;
    pull: boolean;
    builder: BuilderVersions;
  };
  outputs: {
    imageId: string;
    tags: string[];
    size: number;
    labels: Record<string, string>;
  };
}

export function buildInfo(
  plan: BuildPlan,
  context: { files: number; bytes: number },
  bases: readonly ResolvedBase[],
  builder: BuilderVersions,
  outputs: BuildInfo["outputs"],
): BuildInfo {
  const git: BuildInfo["inputs"]["git"] =
    plan.git.state === "clean" || plan.git.state === "dirty"
      ? {
          commit: plan.git.commit,
          commitTime: new Date(plan.git.commitTime * 1000).toISOString().replace(".000Z", "Z"),
          dirty: plan.git.state === "dirty",
          dirtyFiles: plan.git.dirtyFiles,
          ...(plan.git.remote ? { source: plan.git.remote } : {}),
        }
      : {
          commit: null,
          reason: plan.git.state === "none" ? plan.git.reason : "the repository has no commit yet",
        };
  return {
    schema: BUILDINFO_SCHEMA,
    inputs: {
      dockerfile: plan.dockerfile,
      ...(plan.target ? { target: plan.target } : {}),
      ...(plan.platform ? { platform: plan.platform } : {}),
      context,
      git,
      baseImages: bases.map((base) => ({
        stage: base.stageName ?? String(base.stage),
        image: base.canonical ?? base.image,
        digest: base.digest ?? null,
        ...(base.digestFrom ? { digestFrom: base.digestFrom } : {}),
      })),
      lockfiles: plan.lockfiles,
      buildArgs: Object.keys(plan.buildArgs).sort(),
      secrets: plan.secrets.map((secret) => secret.id),
      noCache: plan.noCache,
      pull: plan.pull,
      builder,
    },
    outputs,
  };
}

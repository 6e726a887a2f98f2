/**
 * The data `shipshape verify` works with: the image as the engine describes it, the checks and
 * their results, and the report every output format is rendered from (JSON is this, as is).
 */

/** The eight checks, in the order they are reported. */
export const CHECKS = [
  { id: "build", number: 1, title: "Clean build" },
  { id: "env", number: 2, title: "Minimal environment" },
  { id: "hardened", number: 3, title: "Hardened run" },
  { id: "health", number: 4, title: "Health" },
  { id: "signals", number: 5, title: "Signals" },
  { id: "contents", number: 6, title: "Image contents" },
  { id: "metadata", number: 7, title: "Metadata and size" },
  { id: "logs", number: 8, title: "Logs" },
] as const;

export type CheckId = (typeof CHECKS)[number]["id"];
export type CheckStatus = "pass" | "fail" | "skip";
/** A check's state while verify runs (the live checklist shows it). */
export type CheckState = "pending" | "running" | CheckStatus;

/** Part of a check that is judged on its own (check 7's user, ports, health check, labels, size). */
export interface CheckPart {
  id: string;
  title: string;
  status: CheckStatus;
  evidence: string[];
  fix?: string;
}

export interface CheckResult {
  id: CheckId;
  number: number;
  title: string;
  status: CheckStatus;
  /** One line: the verdict in words ("healthy in 1.2 s", "runs as root"). */
  summary: string;
  /** What was observed: log lines, timings, paths, layers (secrets always redacted). */
  evidence: string[];
  /** What to change, when it failed. */
  fix?: string;
  parts?: CheckPart[];
  durationMs: number;
}

/** The image as `docker image inspect` describes it. */
export interface ImageFacts {
  id: string;
  /** Config.User ("" when the image sets none: root). */
  user: string;
  env: Record<string, string>;
  exposedPorts: number[];
  healthcheck?: {
    test: string[];
    intervalMs?: number;
    timeoutMs?: number;
    retries?: number;
    startPeriodMs?: number;
  };
  cmd?: string[];
  entrypoint?: string[];
  workdir?: string;
  stopSignal?: string;
  labels: Record<string, string>;
  sizeBytes: number;
  /** The layers' diff ids, bottom first. */
  diffIds: string[];
}

/** Where a variable's value came from, for the report (values themselves are never reported). */
export type EnvSource = "env-file" | "compose" | "example" | "generated";

export interface PlannedVar {
  name: string;
  value: string;
  source: EnvSource;
  /** How the value was chosen, in a few words ("URL of the compose service db"). */
  why: string;
  required: boolean;
  secret: boolean;
  /** Passed to the app container (false: only compose interpolates it). */
  app: boolean;
}

export interface VerifyReport {
  /** Bumped only when a field changes meaning or goes away; new fields may appear in any version. */
  schemaVersion: 1;
  tool: { name: "shipshape"; version: string };
  target: {
    kind: "dir" | "image";
    /** The app directory (when verify had one: built from it, or --dir). */
    dir?: string;
    /** The image verified: the reference given, or the tag verify built. */
    image: string;
    imageId?: string;
    /** Whether verify built the image (and kept it: see `kept`). */
    built: boolean;
  };
  startedAt: string;
  durationMs: number;
  ok: boolean;
  summary: { passed: number; failed: number; skipped: number };
  checks: CheckResult[];
  /** The variables the runs received: names, where each value came from, never the values. */
  environment: Array<Omit<PlannedVar, "value">>;
  /** What verify created on the engine and removed at the end. */
  cleanup?: { containers: number; networks: number; volumes: number };
}

/** shipshape as a library: every command is also callable from code. */

export { detectApp } from "./app/detect.js";
export type { AppProfile, DetectOptions, Evidence } from "./app/types.js";
export {
  type BuildImageOptions,
  type BuildInfo,
  type BuildOutcome,
  type BuildProgress,
  BuildRefusedError,
  buildImage,
  type ContextReport,
  checkReproducible,
  type PreparedBuild,
  prepareBuild,
  type ReproducibilityReport,
  RetagRefusedError,
} from "./build/index.js";
export { renderRulesMarkdown } from "./check/docs.js";
export * from "./check/index.js";
export { type CliIO, Output } from "./cli/output.js";
export { run } from "./cli/program.js";
export * from "./engine/index.js";
export { EngineError, EngineUnavailableError, InputError, ShipshapeError, UsageError } from "./errors.js";
export { type InitPlan, planInit } from "./init/plan.js";
export {
  findReferences,
  type ImageResolver,
  type PinEntry,
  type PinOptions,
  type PinResult,
  type PinStatus,
  pinCheckPassed,
  pinProject,
  registryResolver,
} from "./pin/index.js";
export * from "./registry/index.js";
export { runSandbox } from "./sandbox/run.js";
export {
  type ContentFinding,
  type ContentOptions,
  type ImageContents,
  inspectImageContents,
  type LayerInfo,
} from "./verify/contents.js";
export { checkMetadata, type MetadataCheck } from "./verify/metadata.js";
export { planVerify, type VerifyPlan } from "./verify/plan.js";
export { formatJunit, formatMarkdown, render as renderVerifyReport } from "./verify/report.js";
export { loadDirFacts, type VerifyOptions, type VerifyTarget, verify } from "./verify/run.js";
export type { CheckResult as VerifyCheckResult, VerifyReport } from "./verify/types.js";

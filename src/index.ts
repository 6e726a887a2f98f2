/** shipshape as a library: every command is also callable from code. */
export { type CliIO, Output } from "./cli/output.js";
export { run } from "./cli/program.js";
export { type CheckResult, runRules } from "./check/engine.js";
export { type ProjectFacts, projectFacts } from "./check/facts/project.js";
export { type ProjectTree, treeFromFiles } from "./check/facts/tree.js";
export { loadTree } from "./check/load.js";
export * from "./check/index.js";
export { renderRulesMarkdown } from "./check/docs.js";
export * from "./engine/index.js";
export { EngineError, EngineUnavailableError, InputError, ShipshapeError, UsageError } from "./errors.js";

/** shipshape as a library: every command is also callable from code. */

export { renderRulesMarkdown } from "./check/docs.js";
export * from "./check/index.js";
export { type CliIO, Output } from "./cli/output.js";
export { run } from "./cli/program.js";
export * from "./engine/index.js";
export { EngineError, EngineUnavailableError, InputError, ShipshapeError, UsageError } from "./errors.js";

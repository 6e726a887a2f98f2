/** shipshape as a library: every command is also callable from code. */
export { type CliIO, Output } from "./cli/output.js";
export { run } from "./cli/program.js";
export * from "./engine/index.js";
export { EngineError, EngineUnavailableError, InputError, ShipshapeError, UsageError } from "./errors.js";

/**
 * What every report format gets: the check's result plus what it needs to explain it (the rules'
 * metadata, the source lines for code frames, the tool version, the `--fail-on` threshold).
 */
import type { CheckResult } from "../engine.js";
import type { SourceText } from "../facts/source.js";
import type { Rule, Severity } from "../types.js";

export interface ReportInput {
  result: CheckResult;
  /** Display path of the checked directory (relative to the working directory, or absolute). */
  root: string;
  /** The text of a checked file, for code frames and fingerprints (undefined when not read). */
  sources: (file: string) => SourceText | undefined;
  /** The rules' metadata (rationale, fix, docs) by id; findings of unknown rules still report. */
  rules: readonly Rule[];
  toolVersion: string;
  failOn: Severity | "none";
  /** How many findings `--fix` fixed before this result was computed. */
  fixed?: number;
}

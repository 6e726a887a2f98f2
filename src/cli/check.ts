/**
 * `shipshape check [dir]`: audit, print in the chosen format, exit 1 when findings reach the
 * `--fail-on` threshold, 2 when nothing could be checked. `--fix` applies mechanical fixes first.
 */
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { type CheckRun, checkDirectory, failsAt, fixDirectory, RULES } from "../check/index.js";
import type { ReportInput } from "../check/report/report.js";
import type { Severity } from "../check/types.js";
import { InputError, UsageError } from "../errors.js";
import type { Output } from "./output.js";

export const FORMATS = ["text", "json", "sarif", "markdown"] as const;
export type Format = (typeof FORMATS)[number];
export const FAIL_ON = ["error", "warning", "info", "none"] as const;

export interface CheckCommandOptions {
  format: string;
  failOn?: string;
  fix?: boolean;
  file?: string[];
  config?: string;
  output?: string;
}

function displayRoot(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === "" ? "." : rel.startsWith("..") ? dir : rel;
}

export async function runCheck(
  dirArg: string | undefined,
  options: CheckCommandOptions,
  out: Output,
): Promise<number> {
  const format = options.format as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format ${options.format} is not one of ${FORMATS.join(", ")}`);
  }
  if (options.failOn !== undefined && !(FAIL_ON as readonly string[]).includes(options.failOn)) {
    throw new UsageError(`--fail-on ${options.failOn} is not one of ${FAIL_ON.join(", ")}`);
  }
  const dir = dirArg ?? ".";
  const checkOptions = {
    ...(options.file?.length ? { files: options.file } : {}),
    ...(options.config ? { configFile: options.config } : {}),
    ...(options.failOn ? { failOn: options.failOn as Severity | "none" } : {}),
  };

  let run: CheckRun;
  let fixedCount: number | undefined;
  if (options.fix) {
    const report = fixDirectory(dir, checkOptions);
    run = report.run;
    fixedCount = report.applied.length;
    if (report.written.length > 0) {
      out.info(
        `fixed ${report.applied.length} finding${report.applied.length === 1 ? "" : "s"} in ${report.written.join(", ")}`,
      );
    }
  } else {
    run = checkDirectory(dir, checkOptions);
  }

  const { result, facts } = run;
  const nothingToCheck =
    facts.dockerfiles.length === 0 &&
    facts.composeFiles.length === 0 &&
    facts.app.packages.length === 0 &&
    facts.app.pythonManifests.length === 0;
  if (nothingToCheck && result.problems.length === 0) {
    throw new InputError(
      displayRoot(run.dir),
      undefined,
      "has no Dockerfile, compose file or app manifest to check",
      "shipshape init writes a hardened setup for the app it finds",
    );
  }

  const input: ReportInput = {
    result,
    root: displayRoot(run.dir),
    sources: (file) => run.tree.texts.get(file),
    rules: RULES,
    toolVersion: pkg.version,
    failOn: run.failOn,
    ...(fixedCount !== undefined ? { fixed: fixedCount } : {}),
  };
  const report = await render(format, input, out);
  if (options.output) {
    writeFileSync(options.output, report.endsWith("\n") || report === "" ? report : `${report}\n`);
    out.info(`wrote ${options.output}`);
  } else if (report !== "") {
    out.result(report);
  }

  // Exit 2 when the inputs that matter could not be read at all.
  const checkedSomething =
    facts.dockerfiles.some((target) => target.dockerfile.stages.length > 0) ||
    facts.composeFiles.some((compose) => compose.problems.length === 0) ||
    facts.app.packages.length > 0 ||
    facts.app.pythonManifests.length > 0;
  if (!checkedSomething && result.problems.length > 0) return 2;
  return failsAt(result.findings, run.failOn) ? 1 : 0;
}

async function render(format: Format, input: ReportInput, out: Output): Promise<string> {
  switch (format) {
    case "json":
      return (await import("../check/report/json.js")).formatJson(input);
    case "sarif":
      return (await import("../check/report/sarif.js")).formatSarif(input);
    case "markdown":
      return (await import("../check/report/markdown.js")).formatMarkdown(input);
    default: {
      const text = (await import("../check/report/text.js")).formatText(input, {
        color: out.colorEnabled,
        verbose: out.verbose,
      });
      if (text === "" && !out.quiet) {
        // Quiet success: one line on stderr, nothing on stdout.
        const files = input.result.filesChecked;
        out.info(
          out.colors.green(`no problems in ${input.root} (${files} file${files === 1 ? "" : "s"} checked)`),
        );
      }
      return text;
    }
  }
}

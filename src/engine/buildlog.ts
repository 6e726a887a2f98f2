/**
 * Reading BuildKit's plain progress output (`--progress=plain`): which step failed and what it
 * printed last, so a failed build ends with the cause instead of a wall of log.
 */
export interface BuildFailure {
  /** The failing step as BuildKit names it, e.g. `[build 4/6] RUN npm run build`. */
  step: string | undefined;
  /** The step's last output lines, without BuildKit's `#N 0.123` prefixes. */
  lastLines: string[];
  /** BuildKit's own error line. */
  error: string | undefined;
}

const STEP_HEADER = /^#(\d+) (\[.+)$/;
const STEP_OUTPUT = /^#(\d+) \d+\.\d+ (.*)$/;
const STEP_ERROR = /^#(\d+) ERROR: (.*)$/;

export function summarizeBuildFailure(log: string, tailLines = 12): BuildFailure {
  const headers = new Map<string, string>();
  const output = new Map<string, string[]>();
  let failedId: string | undefined;
  let error: string | undefined;
  for (const line of log.split(/\r?\n/)) {
    const header = STEP_HEADER.exec(line);
    if (header) {
      headers.set(header[1]!, header[2]!);
      continue;
    }
    const printed = STEP_OUTPUT.exec(line);
    if (printed) {
      const lines = output.get(printed[1]!) ?? [];
      lines.push(printed[2]!);
      output.set(printed[1]!, lines);
      continue;
    }
    const failed = STEP_ERROR.exec(line);
    if (failed) {
      failedId ??= failed[1]!;
      error ??= failed[2]!;
      continue;
    }
    if (/^(error|ERROR):? /.test(line) && error === undefined) error = line.replace(/^(error|ERROR):? /, "");
  }
  return {
    step: failedId === undefined ? undefined : headers.get(failedId),
    lastLines: failedId === undefined ? [] : (output.get(failedId) ?? []).slice(-tailLines),
    error,
  };
}

/** The docker CLI refused to build with BuildKit (e.g. a client without the buildx plugin). */
export function isBuildKitUnavailable(log: string): boolean {
  return /BuildKit is enabled but the buildx component is missing or broken|buildx: not found|unknown flag: --iidfile/i.test(
    log,
  );
}

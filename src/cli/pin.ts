/**
 * `shipshape pin [dir]`: pin every base image, `# syntax=` frontend and compose image to
 * `tag@sha256:…`. Resolves everything first and writes only when every lookup succeeded.
 * Exit 0 done (or, with --check, all pinned and current); 1 --check found something unpinned,
 * unpinnable or drifted; 2 bad usage or input, or a registry that could not answer (in every
 * mode: without the registry's answer the check is not a verdict).
 */
import { join, relative } from "node:path";
import { isComposePath, isDockerfilePath } from "../check/facts/project.js";
import { loadProject } from "../check/index.js";
import { ShipshapeError, UsageError } from "../errors.js";
import { readText, unifiedDiff, writeChanges } from "../init/write.js";
import {
  type ImageResolver,
  type PinEntry,
  type PinMode,
  type PinResult,
  pinCheckPassed,
  pinProject,
  registryResolver,
} from "../pin/index.js";
import { parsePlatform } from "../registry/index.js";
import type { CliIO, Output } from "./output.js";

export interface PinCommandOptions {
  dryRun?: boolean;
  check?: boolean;
  update?: boolean;
  resolveTags?: boolean;
  platform?: string;
  format: string;
  file?: string[];
  timeout?: string;
}

const FORMATS = ["text", "json"];

export async function runPin(
  dirArg: string | undefined,
  options: PinCommandOptions,
  out: Output,
  io: CliIO,
  resolver?: ImageResolver,
): Promise<number> {
  if (!FORMATS.includes(options.format))
    throw new UsageError(`--format ${options.format} is not one of ${FORMATS.join(", ")}`);
  if (options.check && (options.update || options.dryRun || options.resolveTags)) {
    const other = options.update ? "--update" : options.dryRun ? "--dry-run" : "--resolve-tags";
    throw new UsageError(`--check changes nothing, so it cannot be combined with ${other}`, {
      hint: "run shipshape pin --check in CI, shipshape pin --update to move digests",
    });
  }
  if (options.platform !== undefined) parsePlatform(options.platform);
  let timeoutMs: number | undefined;
  if (options.timeout !== undefined) {
    const seconds = Number(options.timeout.replace(/s$/, ""));
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600)
      throw new UsageError(`--timeout ${options.timeout} is not a number of seconds between 0 and 600`);
    timeoutMs = Math.round(seconds * 1000);
  }
  const mode: PinMode = options.check ? "check" : options.update ? "update" : "pin";

  const dir = dirArg ?? ".";
  const run = loadProject(dir, options.file?.length ? { files: options.file } : {});
  const root = displayRoot(run.dir);
  const { facts } = run;
  if (facts.dockerfiles.length === 0 && facts.composeFiles.length === 0) {
    throw new ShipshapeError(`${root}: has no Dockerfile or compose file with images to pin`, {
      hint: "shipshape init writes a Dockerfile with an exact base image",
    });
  }
  for (const problem of facts.problems) {
    if (!isDockerfilePath(problem.file) && !isComposePath(problem.file)) continue;
    out.warn(`${shown(root, problem.file)}${problem.line ? `:${problem.line}` : ""}: ${problem.message}`);
  }

  const registry =
    resolver ??
    registryResolver({
      env: io.env,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      onMirrors: (mirrors, from) =>
        out.debug(
          mirrors.length === 0
            ? "no registry mirror for Docker Hub images"
            : `Docker Hub images through ${mirrors.join(", ")} (${from === "env" ? "SHIPSHAPE_REGISTRY_MIRROR" : "the engine's registry-mirrors"})`,
        ),
    });
  const result = await pinProject(facts, registry, {
    mode,
    ...(options.resolveTags ? { resolveTags: true } : {}),
    ...(options.platform === undefined ? {} : { platform: options.platform }),
    ...(options.file?.length ? { compose: false } : {}),
  });

  // Write only when everything resolved, and only files nobody changed meanwhile.
  let written: string[] = [];
  if (mode !== "check" && !options.dryRun && result.errors.length === 0 && result.changes.length > 0) {
    for (const change of result.changes) {
      if (readText(join(run.dir, change.path)) !== change.before)
        throw new ShipshapeError(
          `${shown(root, change.path)} changed while pin was resolving: nothing written`,
          {
            hint: "run shipshape pin again",
          },
        );
    }
    written = writeChanges(run.dir, result.changes, true).written;
  }

  if (options.format === "json") {
    out.result(JSON.stringify(toJson(result, root, options, written), null, 2));
  } else {
    printText(result, root, options, written, out);
  }
  if (result.errors.length > 0) return 2;
  if (mode === "check") return pinCheckPassed(result) ? 0 : 1;
  return 0;
}

function displayRoot(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === "" ? "." : rel.startsWith("..") ? dir : rel;
}

function shown(root: string, file: string): string {
  return root === "." ? file : `${root}/${file}`;
}

function where(root: string, entry: PinEntry): string {
  return `${shown(root, entry.file)}:${entry.line}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function printText(
  result: PinResult,
  root: string,
  options: PinCommandOptions,
  written: string[],
  out: Output,
): void {
  const { colors } = out;
  // Services that share one anchored `image:` are one line: the same text is pinned once.
  const entries: PinEntry[] = [];
  const seen = new Map<string, PinEntry>();
  for (const entry of result.entries) {
    const key = `${entry.file}:${entry.line}:${entry.column}`;
    const first = seen.get(key);
    if (first?.service && entry.service) {
      first.service = `${first.service}, ${entry.service}`;
      continue;
    }
    const copy = { ...entry };
    seen.set(key, copy);
    entries.push(copy);
  }
  const width = Math.max(0, ...entries.map((entry) => where(root, entry).length));
  const at = (entry: PinEntry) => colors.dim(where(root, entry).padEnd(width));
  const details = (entry: PinEntry): string[] => {
    const lines: string[] = [];
    if (entry.tagMove)
      lines.push(`tag ${entry.tagMove.from} → ${entry.tagMove.to} (the exact version with the same digest)`);
    if (entry.note) lines.push(entry.note);
    if (entry.viaArg) lines.push(`through the default of ARG ${entry.viaArg}`);
    if (entry.service?.includes(",")) lines.push(`services ${entry.service}`);
    if (entry.platform) lines.push(`${entry.platform.platform}: ${entry.platform.digest}`);
    return lines.map((line) => `${" ".repeat(width)}    ${colors.dim(line)}`);
  };
  const lines: string[] = [];

  for (const error of result.errors) out.error(error.message, error.hint);

  if (result.mode === "check") {
    for (const entry of entries) {
      if (entry.status === "unpinned")
        lines.push(`${at(entry)}  ${entry.image}  ${colors.red("not pinned by digest")}`);
      else if (entry.status === "drift")
        lines.push(
          `${at(entry)}  ${entry.image}  ${colors.red("drifted")}: pinned ${entry.previousDigest}, the tag now points to ${entry.digest}`,
        );
      else if (entry.status === "unpinnable")
        lines.push(`${at(entry)}  ${entry.image}  ${colors.red("cannot be pinned")}: ${entry.reason}`);
      else if (options.platform && entry.platform)
        lines.push(`${at(entry)}  ${entry.image}  ${colors.green("current")}`, ...details(entry));
    }
    if (lines.length > 0) out.result(lines.join("\n"));
    const failing = entries.filter((entry) => ["unpinned", "drift", "unpinnable"].includes(entry.status));
    if (result.errors.length > 0) {
      out.info("not all images could be checked: see the errors above");
    } else if (failing.length > 0) {
      const drift = failing.some((entry) => entry.status === "drift");
      out.info(
        `${failing.length} of ${plural(entries.length, "image")} ${failing.length === 1 ? "is" : "are"} not pinned or drifted: run shipshape pin${drift ? " (--update moves drifted digests)" : ""}`,
      );
    } else if (entries.length === 0) {
      out.info("nothing to check: no image references (scratch and stages are left alone)");
    } else {
      out.info(colors.green(`all ${plural(entries.length, "image")} pinned by digest and current`));
    }
    return;
  }

  for (const entry of entries) {
    if (entry.status === "pinned")
      lines.push(`${at(entry)}  ${entry.image}  →  ${colors.green(entry.digest ?? "")}`, ...details(entry));
    else if (entry.status === "updated")
      lines.push(
        entry.previousDigest === entry.digest
          ? `${at(entry)}  ${entry.image}  →  ${entry.pinned}`
          : `${at(entry)}  ${entry.image.replace(/@.*$/, "")}  ${entry.previousDigest}  →  ${colors.green(entry.digest ?? "")}`,
        ...details(entry),
      );
    else if ((entry.status === "current" || entry.status === "unchanged") && (entry.platform || entry.note))
      lines.push(`${at(entry)}  ${entry.image}  ${colors.dim(entry.status)}`, ...details(entry));
  }
  for (const entry of entries)
    if (entry.status === "unpinnable")
      out.warn(`${where(root, entry)}: ${entry.image} cannot be pinned: ${entry.reason}`);

  if (result.errors.length > 0) {
    out.info(
      `nothing written: ${plural(result.errors.length, "image")} could not be resolved (pin writes only when every image resolves)`,
    );
    return;
  }
  if (options.dryRun) {
    if (lines.length > 0) out.result(lines.join("\n"));
    for (const change of result.changes) out.result(unifiedDiff(change));
    if (result.changes.length > 0)
      out.info(`dry run: ${plural(result.changes.length, "file")} would change; nothing written`);
    else out.info(nothingToDo(result));
    return;
  }
  if (lines.length > 0) out.result(lines.join("\n"));
  if (written.length > 0) {
    const pinned = entries.filter((entry) => entry.status === "pinned").length;
    const updated = entries.filter((entry) => entry.status === "updated").length;
    const what = [
      pinned > 0 ? `pinned ${plural(pinned, "image")}` : "",
      updated > 0 ? `updated ${updated}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    out.info(`${what} in ${written.map((file) => shown(root, file)).join(", ")}`);
  } else {
    out.info(nothingToDo(result));
  }
}

function nothingToDo(result: PinResult): string {
  const pinned = result.entries.filter(
    (entry) => entry.status === "current" || entry.status === "unchanged",
  ).length;
  const unpinnable = result.entries.filter((entry) => entry.status === "unpinnable").length;
  if (result.entries.length === 0)
    return "nothing to pin: no image references (scratch and stages are left alone)";
  if (pinned === 0) return `nothing pinned: ${plural(unpinnable, "image")} cannot be pinned (see above)`;
  return `nothing to pin: ${plural(pinned, "image")} already pinned${unpinnable > 0 ? `, ${unpinnable} cannot be` : ""}${result.mode === "pin" ? " (shipshape pin --check compares them with their tags)" : ""}`;
}

function toJson(result: PinResult, root: string, options: PinCommandOptions, written: string[]): object {
  return {
    schemaVersion: 1,
    mode: result.mode,
    dryRun: options.dryRun === true,
    root,
    ok: result.errors.length === 0 && (result.mode !== "check" || pinCheckPassed(result)),
    images: result.entries,
    errors: result.errors.map((error) => ({
      image: error.image,
      registry: error.registry,
      kind: error.kind,
      ...(error.status === undefined ? {} : { status: error.status }),
      message: error.message,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    })),
    changes: result.changes.map((change) => ({
      path: change.path,
      why: change.why,
      diff: unifiedDiff(change),
    })),
    written,
  };
}

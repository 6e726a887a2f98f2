/**
 * `shipshape init [dir]`: detect the app, plan the files, show what would change, and write with
 * consent (`--yes`, or a yes at the prompt). Existing files are replaced only with `--force`.
 * `--dry-run` shows the detection and the diffs and writes nothing.
 */
import { resolve } from "node:path";
import { detectApp } from "../app/detect.js";
import type { AppProfile, Detected, DetectOptions } from "../app/types.js";
import { parseShell } from "../check/facts/shell.js";
import { loadTree } from "../check/load.js";
import { UsageError } from "../errors.js";
import { buildStepCommand, directBuildReason, imageWorkdir } from "../init/dockerfile.js";
import { planInit } from "../init/plan.js";
import { compare, type PlannedChange, unifiedDiff, writeChanges } from "../init/write.js";
import type { CliIO, Output } from "./output.js";
import { ask, confirm } from "./prompt.js";

export interface InitCommandOptions {
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
  format: string;
  app?: string;
  port?: string;
  start?: string;
  healthPath?: string;
  writable?: string[];
  compose?: boolean;
}

function detectOptions(options: InitCommandOptions): DetectOptions {
  const out: DetectOptions = {};
  if (options.app !== undefined) out.app = options.app;
  if (options.port !== undefined) {
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new UsageError(`--port ${options.port} is not a port number (1-65535)`);
    out.port = port;
  }
  if (options.start !== undefined) {
    const argv = parseShell(options.start)[0]?.argv ?? [];
    if (argv.length === 0) throw new UsageError(`--start "${options.start}" is not a command`);
    out.start = argv;
  }
  if (options.healthPath !== undefined) {
    if (!options.healthPath.startsWith("/"))
      throw new UsageError(`--health-path ${options.healthPath} must start with /`);
    out.healthPath = options.healthPath;
  }
  if (options.writable?.length) out.writable = options.writable;
  return out;
}

function where(detected: Detected<unknown>): string {
  const first = detected.evidence[0];
  if (!first) return detected.how;
  return `${detected.how}: \`${first.text}\` in ${first.file}${first.line ? `:${first.line}` : ""}`;
}

function describe(profile: AppProfile, out: Output): string[] {
  const c = out.colors;
  const row = (label: string, value: string, detected?: Detected<unknown>) =>
    `  ${label.padEnd(13)}${value}${detected ? c.dim(`  (${where(detected)})`) : ""}${detected && !detected.sure ? c.yellow("  unsure") : ""}`;
  const lines = [`Detected ${c.bold(profile.name)}${profile.dir ? ` in ${profile.dir}` : ""}:`];
  lines.push(row("stack", `${profile.stack} · ${profile.framework.value}`, profile.framework));
  if (profile.node) {
    lines.push(row("node", profile.node.version.value, profile.node.version));
    lines.push(row("packages", profile.node.manager.value, profile.node.manager));
  }
  if (profile.python) {
    lines.push(row("python", profile.python.version.value, profile.python.version));
    lines.push(
      row(
        "packages",
        `${profile.python.manager.value}${profile.python.pinned ? "" : " (not all pinned)"}`,
        profile.python.manager,
      ),
    );
  }
  if (profile.build) {
    // The tool run directly: say it is the build script without the package manager, and where it is.
    const why = directBuildReason(profile);
    lines.push(
      row(
        "build",
        `${buildStepCommand(profile)}${profile.build.outDir ? ` → ${profile.build.outDir}/` : ""}`,
        why
          ? { value: profile.build.direct, evidence: profile.build.evidence, sure: true, how: why }
          : undefined,
      ),
    );
  }
  lines.push(row("start", profile.start.value.join(" "), profile.start));
  lines.push(row("port", String(profile.port.value), profile.port));
  lines.push(
    profile.health
      ? row("health", profile.health.value, profile.health)
      : row("health", c.yellow("none found (TCP probe of the port)")),
  );
  for (const service of profile.services)
    lines.push(row("service", `${service.kind}${service.urlEnv ? ` via ${service.urlEnv}` : ""}`));
  if (profile.migrations) lines.push(row("migrations", profile.migrations.command.join(" ")));
  const code = profile.env.filter((v) => !v.declaredOnly);
  if (code.length > 0)
    lines.push(
      row("env", code.map((v) => `${v.name}${v.required ? "*" : ""}`).join(", ") + c.dim("  (* required)")),
    );
  for (const path of profile.writablePaths)
    lines.push(
      path.sure
        ? row("writes", `${path.value}/ → ${imageWorkdir(profile)}/${path.value}`, path)
        : `  ${"writes".padEnd(13)}${c.yellow(path.value ? `${path.value}/ unsure` : "unsure")}${c.dim(`  (${where(path)})`)}`,
    );
  for (const defect of profile.defects)
    lines.push(
      `  ${c.red("defect")}       ${defect.message}${c.dim(`  (${defect.evidence.file}:${defect.evidence.line ?? ""})`)}`,
    );
  return lines;
}

function statusLabel(change: PlannedChange, force: boolean, out: Output): string {
  const c = out.colors;
  if (change.status === "create") return c.green("create");
  if (change.status === "unchanged") return c.dim("same  ");
  if (change.edit) return c.yellow("edit  ");
  return force ? c.yellow("replace") : c.dim("keep  ");
}

/** "Dockerfile exists and differs", "Dockerfile, compose.yaml exist and differ". */
function existDiffer(paths: string[]): string {
  return `${paths.join(", ")} ${paths.length === 1 ? "exists and differs" : "exist and differ"}`;
}

export async function runInit(
  dirArg: string | undefined,
  options: InitCommandOptions,
  out: Output,
  io: CliIO,
): Promise<number> {
  if (options.format !== "text" && options.format !== "json")
    throw new UsageError(`--format ${options.format} is not one of text, json`);
  const root = resolve(dirArg ?? ".");
  const tree = loadTree(root);
  let profile = detectApp(tree, detectOptions(options));
  // In a terminal, ask for what detection could not settle (Enter keeps the assumption shown).
  const interactive =
    !options.dryRun &&
    !options.yes &&
    options.format === "text" &&
    process.stdin.isTTY === true &&
    io.stderr.isTTY === true;
  if (interactive) {
    const asked: InitCommandOptions = { ...options };
    for (const item of profile.unsure) {
      if (item.flag === "--port") {
        const answer = await ask(`${item.why}. Port the app listens on [${profile.port.value}]: `);
        asked.port = answer === "" ? String(profile.port.value) : answer;
      } else if (item.flag === "--start") {
        const answer = await ask(`${item.why}. Command that starts it [${profile.start.value.join(" ")}]: `);
        asked.start = answer === "" ? profile.start.value.join(" ") : answer;
      }
    }
    if (asked.port !== options.port || asked.start !== options.start)
      profile = detectApp(tree, detectOptions(asked));
  }
  const existing = (name: string) =>
    tree.texts.get(profile.dir === "" ? name : `${profile.dir}/${name}`)?.text;
  const gitignore = existing(".gitignore");
  const envExample = existing(".env.example");
  const plan = planInit(profile, {
    compose: options.compose !== false,
    ...(gitignore !== undefined ? { gitignore } : {}),
    ...(envExample !== undefined ? { envExample } : {}),
  });
  const changes = compare(root, plan);
  const blocking = profile.unsure.filter((item) => item.flag === "--port" || item.flag === "--start");

  if (options.format === "json") {
    out.result(
      JSON.stringify(
        {
          schemaVersion: 1,
          profile,
          files: changes.map((change) => ({
            path: change.path,
            status: change.status,
            why: change.why,
            edit: change.edit,
            content: change.after,
          })),
          image: plan.image,
        },
        null,
        2,
      ),
    );
  } else {
    out.result(describe(profile, out).join("\n"));
    out.result("");
    const width = Math.max(...changes.map((change) => change.path.length));
    out.result(changes.length > 0 ? "Files:" : "Nothing to write.");
    for (const change of changes)
      out.result(
        `  ${statusLabel(change, options.force ?? false, out)} ${change.path.padEnd(width)}  ${out.colors.dim(change.why)}`,
      );
    const shown = changes.filter(
      (change) => change.status !== "unchanged" && (change.status === "change" || options.dryRun),
    );
    for (const change of shown) out.result(`\n${unifiedDiff(change)}`);
  }
  for (const item of profile.unsure)
    out.warn(
      item.flag === "--writable"
        ? `${item.why}; if it is a directory under the app, pass --writable <dir> (repeatable) to say`
        : `${item.why}; pass ${item.flag} to say`,
    );
  if (options.dryRun) return 0;

  if (blocking.length > 0 && !options.yes) {
    throw new UsageError(
      `detection is unsure of ${blocking.map((item) => item.flag.slice(2)).join(" and ")}: nothing written`,
      {
        hint: `pass ${blocking.map((item) => `${item.flag} <value>`).join(" ")} (or --yes to accept the assumption)`,
      },
    );
  }
  const pending = changes.filter(
    (change) => change.status === "create" || (change.status === "change" && (change.edit || options.force)),
  );
  if (pending.length === 0) {
    const kept = changes.filter((change) => change.status === "change");
    if (kept.length > 0) {
      out.info(`nothing written: ${existDiffer(kept.map((c) => c.path))} (--force replaces them)`);
      return 1;
    }
    out.info("nothing to write: the files are up to date");
    return 0;
  }
  if (!options.yes) {
    if (io.stderr.isTTY !== true || !process.stdin.isTTY)
      throw new UsageError(
        `nothing written: ${pending.length} file${pending.length === 1 ? "" : "s"} to write`,
        {
          hint: "run with --yes to write them, or --dry-run to see the diffs",
        },
      );
    if (!(await confirm(`Write ${pending.map((c) => c.path).join(", ")}? [y/N] `))) {
      out.info("nothing written");
      return 1;
    }
  }
  const result = writeChanges(root, changes, options.force ?? false);
  if (result.written.length > 0) out.info(`wrote ${result.written.join(", ")}`);
  if (result.kept.length > 0) out.warn(`kept ${existDiffer(result.kept)} (--force replaces them)`);
  out.info(
    `next: shipshape check${dirArg && dirArg !== "." ? ` ${dirArg}` : ""}; DOCKER.md says how to build, run and verify`,
  );
  return 0;
}

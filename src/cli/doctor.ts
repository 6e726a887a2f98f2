/**
 * `shipshape doctor`: can this machine do what shipshape needs? An engine that answers, a docker
 * CLI that builds with BuildKit, and the optional gVisor runtime. Exit 1 when a required part fails.
 */
import type { Output } from "./output.js";

export interface DoctorCheck {
  id: "engine" | "buildkit" | "runtimes" | "mirrors";
  status: "pass" | "fail" | "info";
  detail: string;
  hint?: string;
}

export async function runDoctor(env: NodeJS.ProcessEnv): Promise<DoctorCheck[]> {
  const { Engine, buildKitHint, chooseBuildCli, resolveEngineConfig } = await import("../engine/index.js");
  const { ShipshapeError } = await import("../errors.js");
  const config = resolveEngineConfig(env);
  const checks: DoctorCheck[] = [];

  const probe = chooseBuildCli(config.dockerCli, config.dockerCliExplicit);
  try {
    const engine = await Engine.connect(config);
    const [version, info] = await Promise.all([engine.version(), engine.info()]);
    checks.push({
      id: "engine",
      status: "pass",
      detail: `Docker ${version.server} (API ${version.api}, ${version.os}/${version.arch}) at ${config.endpoint.display}`,
    });
    const gvisor = info.runtimes.includes("runsc");
    checks.push({
      id: "runtimes",
      status: "info",
      detail: `${info.runtimes.filter((name) => !name.startsWith("io.containerd")).join(", ")}${gvisor ? " (gVisor available)" : ""}`,
      ...(gvisor ? {} : { hint: "sandbox --runtime runsc needs gVisor registered as runsc in daemon.json" }),
    });
    checks.push({
      id: "mirrors",
      status: "info",
      detail: info.mirrors.length ? info.mirrors.join(", ") : "none (images come from their registries)",
    });
  } catch (error) {
    if (!(error instanceof ShipshapeError)) throw error;
    checks.unshift({
      id: "engine",
      status: "fail",
      detail: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    });
  }

  const cli = await probe;
  checks.splice(1, 0, {
    id: "buildkit",
    status: cli.buildkit ? "pass" : "fail",
    detail: cli.buildkit
      ? `${cli.path} (client ${cli.version}) builds with BuildKit`
      : (cli.problem ?? `${cli.path} cannot build with BuildKit`),
    ...(cli.buildkit ? {} : { hint: buildKitHint(config.dockerCliExplicit) }),
  });
  return checks;
}

export function printDoctor(checks: DoctorCheck[], out: Output, json: boolean): number {
  const failed = checks.some((check) => check.status === "fail");
  if (json) {
    out.result(JSON.stringify({ ok: !failed, checks }, null, 2));
    return failed ? 1 : 0;
  }
  const c = out.colors;
  const mark = { pass: c.green("✓"), fail: c.red("✗"), info: c.dim("·") };
  const lines = checks.map((check) => {
    const line = `${mark[check.status]} ${check.id.padEnd(9)} ${check.detail}`;
    return check.hint && check.status === "fail" ? `${line}\n  ${c.dim(`hint: ${check.hint}`)}` : line;
  });
  if (!out.quiet || failed) out.result(lines.join("\n"));
  return failed ? 1 : 0;
}

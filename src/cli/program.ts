/**
 * The CLI: parses arguments, runs a command, maps its outcome to an exit code
 * (0 success, 1 findings or a failed check, 2 usage or input error). Thin on purpose.
 */
import { Command, CommanderError } from "commander";
import pkg from "../../package.json" with { type: "json" };
import { ShipshapeError, UsageError } from "../errors.js";
import { DEFAULTS } from "../sandbox/profile.js";
import { COMMANDS } from "./commands.js";
import { type CliIO, Output, wantsColor } from "./output.js";

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

interface GlobalOptions {
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

function plannedHelp(): string {
  const planned = COMMANDS.filter((entry) => !entry.built);
  if (planned.length === 0) return "";
  const width = Math.max(...planned.map((entry) => entry.name.length)) + 2;
  const lines = planned.map((entry) => `  ${entry.name.padEnd(width)}${entry.summary}`);
  return `\nNot built yet (they say so and exit 2):\n${lines.join("\n")}`;
}

const HELP_FOOTER = `
Exit codes:
  0  success
  1  findings, or a check that failed
  2  usage or input error (nothing was checked)

Environment:
  DOCKER_HOST        the engine to use (default unix:///var/run/docker.sock)
  SHIPSHAPE_DOCKER   the docker CLI used for BuildKit builds (default: docker on PATH)
  NO_COLOR           set to disable colours (as --no-color)`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  let output: Output | undefined;
  const outputFor = (command: Command): Output => {
    output ??= new Output(io, command.optsWithGlobals<GlobalOptions>());
    return output;
  };

  const program = new Command("shipshape")
    .description("Make an app ship as one hardened, reproducible container image, and prove it.")
    .version(pkg.version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("--no-color", "disable colours (also NO_COLOR=1)")
    .option("-q, --quiet", "print only results and errors")
    .option("-v, --verbose", "print more detail about what is happening")
    .showSuggestionAfterError(true)
    .addHelpText("after", `${plannedHelp()}\n${HELP_FOOTER}`)
    .configureHelp({ sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => {
        const colors = new Output(io, { color: wantsColor(undefined, io.env, io.stderr) }).colors;
        write(text.replace(/^error:/, colors.red("error:")));
      },
    })
    .exitOverride();

  program
    .command("doctor")
    .description("check that this machine can build and run containers for shipshape")
    .option("--json", "print the checks as JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const { runDoctor, printDoctor } = await import("./doctor.js");
      const out = outputFor(command);
      exitCode = printDoctor(await runDoctor(io.env), out, options.json ?? false);
    });

  program
    .command("check")
    .description(COMMANDS.find((entry) => entry.name === "check")!.summary)
    .argument("[dir]", "the app's directory", ".")
    .option("-f, --format <format>", "text, json, sarif or markdown", "text")
    .option(
      "--fail-on <severity>",
      "exit 1 at this severity or above: error, warning, info, none (default: error, or failOn in .shipshape.yaml)",
    )
    .option("--fix", "apply the mechanical fixes in place, then check again")
    .option("--file <dockerfile...>", "check these Dockerfiles instead of finding them")
    .option("-c, --config <file>", "use this config file instead of <dir>/.shipshape.yaml")
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .addHelpText(
      "after",
      `
Examples:
  shipshape check                          audit the current directory
  shipshape check --fix                    apply mechanical fixes, then audit again
  shipshape check -f sarif -o check.sarif  for GitHub code scanning
  shipshape check --fail-on warning        fail CI on warnings too

Inline ignores: a comment on the line above a finding,
  # shipshape-ignore SS1001 reason       (also honours # hadolint ignore=DL3007)
Rules: docs/rules.md`,
    )
    .action(async (dir: string, options: import("./check.js").CheckCommandOptions, command: Command) => {
      const { runCheck } = await import("./check.js");
      exitCode = await runCheck(dir, options, outputFor(command));
    });

  program
    .command("init")
    .description(COMMANDS.find((entry) => entry.name === "init")!.summary)
    .argument("[dir]", "the app's directory", ".")
    .option("-n, --dry-run", "show what was detected and the diffs; write nothing")
    .option("-y, --yes", "write without asking")
    .option("--force", "replace existing files that differ")
    .option("-f, --format <format>", "text or json", "text")
    .option("--app <dir>", "the workspace to containerize in a monorepo")
    .option("--port <port>", "the port the app listens on")
    .option("--start <command>", "the command that starts the app in the image")
    .option("--health-path <path>", "the HTTP path that answers 200 when the app is healthy")
    .option("--no-compose", "do not write compose.yaml")
    .addHelpText(
      "after",
      `
Examples:
  shipshape init --dry-run          what it detects and would write
  shipshape init --yes              write the files (never replaces existing ones)
  shipshape init --yes --force      also replace existing files that differ
  shipshape init --app apps/api     one workspace of a monorepo`,
    )
    .action(async (dir: string, options: import("./init.js").InitCommandOptions, command: Command) => {
      const { runInit } = await import("./init.js");
      exitCode = await runInit(dir, options, outputFor(command), io);
    });

  program
    .command("fix")
    .description(COMMANDS.find((entry) => entry.name === "fix")!.summary)
    .argument("[dir]", "the app's directory", ".")
    .option("-n, --dry-run", "show the diffs; write nothing")
    .option("-y, --yes", "write without asking")
    .option("-f, --format <format>", "text or json", "text")
    .action(async (dir: string, options: import("./fix.js").FixCommandOptions, command: Command) => {
      const { runFix } = await import("./fix.js");
      exitCode = await runFix(dir, options, outputFor(command));
    });

  const collect = (value: string, previous: string[]) => [...previous, value];
  program
    .command("sandbox")
    .description(COMMANDS.find((entry) => entry.name === "sandbox")!.summary)
    .usage("[options] -- CMD [ARGS...]")
    .argument("[command...]", "the command to run, after --")
    .option("--image <ref>", "the image (default: a slim image for the workspace's language)")
    .option("--workspace <dir>", "copy this directory into /workspace (never bind-mounted)")
    .option("--copy-out", "after the run, copy the workspace's changes back to --workspace")
    .option(
      "--ro-mount <dir[:target]>",
      "share a host directory read-only (default /mnt/<name>)",
      collect,
      [],
    )
    .option("--net <mode>", "none, or allow (the network: printed loudly)", "none")
    .option("--memory <size>", "memory limit, no swap beyond it", DEFAULTS.memory)
    .option("--cpus <n>", "CPU limit", String(DEFAULTS.cpus))
    .option("--pids <n>", "process limit (stops fork bombs)", String(DEFAULTS.pids))
    .option("--timeout <duration>", "wall-time limit (30s, 10m, 1h)", DEFAULTS.timeout)
    .option("--tmp-size <size>", "size of the /tmp tmpfs", DEFAULTS.tmpSize)
    .option("--runtime <name>", "an engine runtime, e.g. runsc (gVisor)")
    .option("--user <uid[:gid]>", "the non-root user to run as", DEFAULTS.user)
    .option(
      "--explain",
      "print the docker run equivalent and what the profile does and does not protect against",
    )
    .addHelpText(
      "after",
      `
Exit code: the command's; 124 at the wall-time limit, 137 when OOM-killed, 125 when shipshape
itself fails (no engine, a bad option, a runtime the engine lacks).

Examples:
  shipshape sandbox -- node -e "console.log(process.getuid())"
  shipshape sandbox --workspace . -- npm test              your files stay as they are
  shipshape sandbox --workspace . --copy-out -- npx prettier --write .
  shipshape sandbox --runtime runsc --timeout 2m -- ./untrusted.sh
  shipshape sandbox --explain -- sh`,
    )
    .action(
      async (command: string[], options: import("./sandbox.js").SandboxCommandOptions, cmd: Command) => {
        const { runSandboxCommand } = await import("./sandbox.js");
        exitCode = await runSandboxCommand(command, options, outputFor(cmd), io);
      },
    );

  for (const entry of COMMANDS) {
    if (entry.built) continue;
    const command = program
      .command(entry.name, { hidden: !entry.built })
      .description(entry.summary)
      .allowUnknownOption()
      .allowExcessArguments()
      .helpOption("-h, --help", "show help");
    if (entry.args) command.usage(`[options] ${entry.args}`);
    command.action(() => {
      throw new UsageError(`shipshape ${entry.name} is not built yet in shipshape ${pkg.version}`, {
        hint: "shipshape --help lists what works today",
      });
    });
  }

  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
      if (error.code === "commander.help") return EXIT.ok;
      return EXIT.usage;
    }
    const out = output ?? new Output(io, program.opts<GlobalOptions>());
    if (error instanceof ShipshapeError) {
      out.error(error.message, error.hint);
      return error.exitCode;
    }
    const err = error as Error;
    out.error(
      `unexpected failure: ${err.message ?? String(error)}`,
      "this is a bug in shipshape; --verbose shows where",
    );
    if (out.verbose && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT.usage;
  }
}

/**
 * The CLI: parses arguments, runs a command, maps its outcome to an exit code
 * (0 success, 1 findings or a failed check, 2 usage or input error). Thin on purpose.
 */
import { Command, CommanderError, Help, Option } from "commander";
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

const VERSION_OPTION = new Option("-V, --version", "print the version");

/**
 * `--version` belongs to the program only before a command name: in `shipshape build --version
 * 2.0.0` it is build's (commander would take it for the program's anywhere on the line).
 */
function programVersionAsked(argv: string[]): boolean {
  for (const arg of argv) {
    if (arg === "-V" || arg === "--version") return true;
    if (!arg.startsWith("-") || arg === "--") return false;
  }
  return false;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  if (programVersionAsked(argv)) {
    io.stdout.write(`${pkg.version}\n`);
    return EXIT.ok;
  }
  let exitCode: number = EXIT.ok;
  let output: Output | undefined;
  const outputFor = (command: Command): Output => {
    output ??= new Output(io, command.optsWithGlobals<GlobalOptions>());
    return output;
  };

  const program = new Command("shipshape")
    .description("Make an app ship as one hardened, reproducible container image, and prove it.")
    .helpOption("-h, --help", "show help")
    .option("--no-color", "disable colours (also NO_COLOR=1)")
    .option("-q, --quiet", "print only results and errors")
    .option("-v, --verbose", "print more detail about what is happening")
    .showSuggestionAfterError(true)
    .addHelpText("after", `${plannedHelp()}\n${HELP_FOOTER}`)
    .configureHelp({
      sortSubcommands: false,
      // -V/--version is handled before parsing (see programVersionAsked), so it is shown, not parsed.
      visibleOptions(command) {
        const options = Help.prototype.visibleOptions.call(this, command);
        return command.parent ? options : [VERSION_OPTION, ...options];
      },
    })
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
    .option(
      "--writable <path>",
      "a directory the app writes at run time (repeatable): owned by the app's user, a volume",
      (value: string, previous: string[] = []) => [...previous, value],
    )
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

  program
    .command("pin")
    .description(COMMANDS.find((entry) => entry.name === "pin")!.summary)
    .argument("[dir]", "the app's directory", ".")
    .option("-n, --dry-run", "show the diffs; write nothing")
    .option("--check", "change nothing; exit 1 when an image is not pinned or its tag moved (for CI)")
    .option("--update", "also move pinned digests to what their tags point to now (prints old → new)")
    .option("--resolve-tags", "move latest, bare and major-only tags to the exact version they point to")
    .option("--platform <os/arch>", "also show each image's digest for this platform")
    .option("-f, --format <format>", "text or json", "text")
    .option("--file <dockerfile...>", "pin only these Dockerfiles (no compose files)")
    .option("--timeout <seconds>", "per registry request (default 10)")
    .addHelpText(
      "after",
      `
What it pins: every FROM (stages and scratch left alone), a # syntax= line and compose image:
(services that build are left alone), written as tag@sha256:… with every other byte kept.
It resolves every image before writing anything: one failure, nothing written.

Examples:
  shipshape pin                        pin what is not pinned yet
  shipshape pin --dry-run              the diffs, nothing written
  shipshape pin --check                in CI: exit 1 when unpinned or drifted
  shipshape pin --update               move digests to what the tags point to now
  shipshape pin --resolve-tags         node:20 → node:20.20.2-bookworm-slim@sha256:…
  shipshape pin --platform linux/arm64 also show the arm64 digest

Registries: credentials from ~/.docker/config.json (DOCKER_CONFIG), Docker Hub images through
SHIPSHAPE_REGISTRY_MIRROR or the engine's registry-mirrors; plain http for loopback and
SHIPSHAPE_INSECURE_REGISTRIES. Exit 2 when a registry cannot answer (also with --check).`,
    )
    .action(async (dir: string, options: import("./pin.js").PinCommandOptions, command: Command) => {
      const { runPin } = await import("./pin.js");
      exitCode = await runPin(dir, options, outputFor(command), io);
    });

  const repeat = (value: string, previous: string[]) => [...previous, value];
  program
    .command("build")
    .description(COMMANDS.find((entry) => entry.name === "build")!.summary)
    .argument("[dir]", "the app's directory (the build context)", ".")
    .option("--file <dockerfile>", "the Dockerfile, inside dir (default <dir>/Dockerfile)")
    .option("--target <stage>", "build this stage")
    .option("--platform <os/arch>", "build for this platform")
    .option("--build-arg <NAME=value>", "a build arg (NAME alone: from the environment)", repeat, [])
    .option("--secret <id=…,env=…|src=…>", "a BuildKit secret for RUN --mount=type=secret", repeat, [])
    .option("--name <name>", "the image name (default: the package's name, else the directory's)")
    .option("--version <version>", "the version tag (default: package.json / pyproject.toml)")
    .option("--tag <name:tag>", "an extra tag", repeat, [])
    .option("--no-cache", "build without BuildKit's cache")
    .option("--pull", "ask the registry for newer base images")
    .option("--allow-secrets", "send secret files found in the context anyway")
    .option("--allow-dirty", "build uncommitted changes (tags end in -dirty)")
    .option("--force-retag", "move existing tags that name different content")
    .option("--buildinfo <file>", "where BUILDINFO.json goes (default <dir>/BUILDINFO.json)")
    .option("--no-buildinfo", "write no BUILDINFO.json")
    .option("--log <file>", "keep the build log here (default: a file in the temp directory)")
    .option("--check-reproducible", "build twice without cache and compare the images layer by layer")
    .option("-f, --format <format>", "text or json", "text")
    .addHelpText(
      "after",
      `
Tags: <name>:<version> and <name>:sha-<commit> (-dirty with --allow-dirty), never latest. An
existing tag is only moved to different content with --force-retag. Labels: OCI source,
revision, created (the commit time, also passed as SOURCE_DATE_EPOCH), version, base.name,
base.digest; io.shipshape.lockfile.<file>.sha256 and io.shipshape.build.command.

Examples:
  shipshape build                                   build ., tag version and commit
  shipshape build --secret id=npm_token,env=NPM_TOKEN
                                                    a token for RUN --mount=type=secret,id=npm_token
  shipshape build --no-cache --pull --tag registry.example.com/api:1.4.0
  shipshape build --allow-dirty                     try uncommitted work (tags end in -dirty)
  shipshape build --check-reproducible              two clean builds, compared (exit 1 if they differ)
  shipshape build -f json > build.json

Exit codes: 0 built (or reproducible), 1 refused, failed or not reproducible, 2 bad input.`,
    )
    .action(async (dir: string, options: import("./build.js").BuildCommandOptions, command: Command) => {
      const { runBuildCommand } = await import("./build.js");
      exitCode = await runBuildCommand(dir, options, outputFor(command), io);
    });

  program
    .command("verify")
    .description(COMMANDS.find((entry) => entry.name === "verify")!.summary)
    .argument("[dir|image]", "the app's directory (built with --no-cache first) or an image", ".")
    .option("-f, --format <format>", "text, json, junit or markdown", "text")
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .option(
      "--env-from <file>",
      "an env file with values for the app's variables (others get placeholders of the right shape; named so because Node 20 takes --env-file for itself)",
    )
    .option("--timeout <duration>", "how long the app gets to become healthy", "60s")
    .option(
      "--dir <dir>",
      "verifying an image: the app's directory to read its facts from (default: . when it has them)",
    )
    .option("--tag <image>", "the tag of the image verify builds (default shipshape-verify/<app>:latest)")
    .addHelpText(
      "after",
      `
Checks: 1 clean build (--no-cache, what the context sends), 2 minimal environment (only the
declared variables; without each required one it must exit non-zero naming it), 3 hardened run
(read-only root, tmpfs /tmp, --cap-drop ALL, no-new-privileges, non-root, memory and pids
limits), 4 health (HEALTHCHECK or an HTTP probe; a compose app's dependencies and migrations
first), 5 signals (docker stop within 2 s, exit 0), 6 image contents (every layer, deleted files
too), 7 metadata and size, 8 logs. Every check runs (each is independent); the image verify
builds is kept, labelled io.shipshape.verify=true. Every container, network and volume it
creates is removed at the end, on failure and on Ctrl-C.

Examples:
  shipshape verify                              build . from scratch and verify it
  shipshape verify registry.example.com/api:1.4.0 --dir .
  shipshape verify --env-from .env.ci -f junit -o verify.xml
  shipshape verify -f markdown > verify.md      for a pull-request comment

Exit codes: 0 every check passed, 1 a check failed, 2 bad input or no engine, 130 interrupted.`,
    )
    .action(async (target: string, options: import("./verify.js").VerifyCommandOptions, command: Command) => {
      const { runVerify } = await import("./verify.js");
      exitCode = await runVerify(target, options, outputFor(command), io);
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

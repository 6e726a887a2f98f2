import type { ListenFacts } from "../../facts/app.js";
import type { DockerfileTarget, ProjectFacts } from "../../facts/project.js";
import type { Location, Rule, RuleResult } from "../../types.js";
import { at, instructionAt } from "../helpers.js";
import {
  imageEnv,
  optionValue,
  programName,
  relativeTo,
  type StartCommand,
  scriptRelated,
  startCommands,
  targetsOf,
  withoutRunner,
} from "./support.js";

const LOOPBACK = /^(?:localhost|ip6-localhost|127(?:\.\d{1,3}){3}|::1|\[::1\]|::ffff:127\.0\.0\.1)$/i;

/** Python servers started from the command line: `app.run()` under `__main__` is then never reached. */
const PYTHON_SERVERS = /^(?:gunicorn|uvicorn|hypercorn|daphne|granian|waitress-serve|flask)$/;

/** Whether an image's start command runs this Python file (by name: `python app.py`, `python -u src/app.py`). */
function pythonRuns(facts: ProjectFacts, file: string): boolean {
  const name = file.slice(file.lastIndexOf("/") + 1);
  return facts.dockerfiles.some((target) =>
    startCommands(facts, target).some((command) => {
      const argv = command.argv;
      if (!/^python[0-9.]*$/.test(programName(argv[0]))) return false;
      const script = argv.slice(1).find((word) => !word.startsWith("-"));
      return script !== undefined && programName(script) === name;
    }),
  );
}

/** A value the container's environment gives a variable (image ENV, compose `environment`). */
function envValues(target: DockerfileTarget, name: string): Array<string | undefined> {
  const values: Array<string | undefined> = [];
  const image = imageEnv(target);
  if (image.has(name)) values.push(image.get(name));
  for (const { compose, service } of target.services) {
    const entry = compose.services
      .find((candidate) => candidate.name === service)
      ?.environment.find((e) => e.name === name);
    if (entry) values.push(entry.interpolated ? undefined : entry.value);
  }
  return values;
}

/** The loopback address a server command binds, with how it was decided, or undefined. */
function commandLoopback(
  facts: ProjectFacts,
  target: DockerfileTarget,
  command: StartCommand,
): { host: string; how: string } | undefined {
  const argv = withoutRunner(command.argv);
  const program = programName(argv[0]);
  const words = argv.slice(1);
  const subcommand = words.find((word) => !word.startsWith("-"));
  const envSet = (name: string) => envValues(target, name).length > 0;
  const explicit = (host: string | undefined, how: string) =>
    host !== undefined && LOOPBACK.test(host) ? { host, how } : undefined;
  const bindHost = (bind: string | undefined) => {
    if (bind === undefined) return undefined;
    const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(bind);
    if (v6) return v6[1];
    return bind.replace(/:\d+$/, "");
  };
  switch (program) {
    case "uvicorn":
    case "hypercorn": {
      const host =
        program === "uvicorn"
          ? optionValue(words, ["--host"])
          : bindHost(optionValue(words, ["--bind", "-b"]));
      if (host !== undefined) return explicit(host, `\`${program}\` binds it`);
      if (optionValue(words, ["--uds", "--fd"]) !== undefined) return undefined;
      if (envSet(program === "uvicorn" ? "UVICORN_HOST" : "HYPERCORN_BIND")) return undefined;
      if (program === "hypercorn" && words.some((word) => /^(?:-c|--config)(?:=|$)/.test(word)))
        return undefined;
      return { host: "127.0.0.1", how: `\`${program}\` binds \`127.0.0.1\` unless given \`--host 0.0.0.0\`` };
    }
    case "gunicorn":
    case "daphne":
    case "granian": {
      const host =
        program === "granian"
          ? optionValue(words, ["--host"])
          : bindHost(optionValue(words, ["--bind", "-b"]));
      return explicit(host, `\`${program}\` binds it`);
    }
    case "flask": {
      if (subcommand !== "run") return undefined;
      const host = optionValue(words, ["--host", "-h"]);
      if (host !== undefined) return explicit(host, "`flask run` binds it");
      if (envSet("FLASK_RUN_HOST")) return undefined;
      return { host: "127.0.0.1", how: "`flask run` binds `127.0.0.1` unless given `--host 0.0.0.0`" };
    }
    case "next": {
      if (subcommand !== "start" && subcommand !== "dev") return undefined;
      return explicit(optionValue(words, ["--hostname", "-H"]), `\`next ${subcommand}\` binds it`);
    }
    case "vite": {
      if (
        subcommand !== "preview" &&
        subcommand !== "dev" &&
        subcommand !== "serve" &&
        subcommand !== undefined
      )
        return undefined;
      const index = words.findIndex((word) => word === "--host" || word.startsWith("--host="));
      if (index >= 0) {
        const value = words[index]?.startsWith("--host=") ? words[index]?.slice(7) : words[index + 1];
        if (value === undefined || value.startsWith("-")) return undefined;
        return explicit(value, "`vite` binds it");
      }
      // A vite config can set `server.host` / `preview.host`.
      const configured = [...facts.tree.texts.keys()].some(
        (path) =>
          /(?:^|\/)vite\.config\.[cm]?[jt]s$/.test(path) && /\bhost\s*:/.test(facts.text(path)?.text ?? ""),
      );
      if (configured) return undefined;
      return { host: "localhost", how: "`vite` serves on `localhost` unless given `--host 0.0.0.0`" };
    }
    default:
      break;
  }
  if (/^python[0-9.]*$/.test(program)) {
    const manage = words.findIndex((word) => /(?:^|\/)manage\.py$/.test(word));
    if (manage >= 0 && words[manage + 1] === "runserver") {
      const address = words.slice(manage + 2).find((word) => !word.startsWith("-"));
      if (address === undefined || /^\d+$/.test(address))
        return {
          host: "127.0.0.1",
          how: "`manage.py runserver` binds `127.0.0.1` unless given `0.0.0.0:8000`",
        };
      return explicit(bindHost(address), "`manage.py runserver` binds it");
    }
  }
  return undefined;
}

function listenHost(facts: ProjectFacts, listen: ListenFacts): string | undefined {
  if (listen.host !== undefined) return listen.host;
  const source = facts.text(listen.file);
  // Flask's `app.run()` binds 127.0.0.1 unless given a host.
  if (listen.file.endsWith(".py"))
    return source &&
      /\bFlask\(/.test(source.text) &&
      /^app\.run\(/.test(source.line(listen.line).trim()) &&
      !/\bhost\s*=/.test(listen.text)
      ? "127.0.0.1"
      : undefined;
  // Fastify listens on localhost unless told otherwise.
  if (!source || !/\bfastify\b/i.test(source.text) || !listen.text.startsWith("{")) return undefined;
  for (let line = listen.line; line <= Math.min(source.lineCount, listen.line + 4); line++) {
    const text = source.line(line);
    if (/\bhost\s*:|\bhost\b\s*[,}]/.test(text)) return undefined;
    if (line > listen.line && /\)\s*;?\s*$/.test(text)) break;
  }
  return "localhost";
}

export const rule: Rule = {
  meta: {
    id: "SS3001",
    name: "listens-on-localhost",
    title: "The server listens on `localhost` inside the container",
    severity: "error",
    category: "builder-only",
    rationale:
      "Inside a container `localhost` is the container's own loopback, and Docker forwards published ports to its network interface: the app logs that it is listening, its in-container health check passes, and every request from outside fails with `Connection reset by peer`.",
    fix: 'Listen on `0.0.0.0` (or `process.env.HOST ?? "0.0.0.0"`); publish on `127.0.0.1` on the host if it should stay private.',
    examples: {
      bad: {
        "server.js":
          'const express = require("express");\nconst app = express();\napp.listen(3000, "localhost");\n',
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY server.js ./\nCMD ["node", "server.js"]\n',
      },
      good: {
        "server.js":
          'const express = require("express");\nconst app = express();\napp.listen(3000, "0.0.0.0");\n',
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY server.js ./\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    if (facts.dockerfiles.length === 0) return [];
    const results: RuleResult[] = [];
    const pythonServerStarts = facts.dockerfiles.some((target) =>
      startCommands(facts, target).some((command) =>
        PYTHON_SERVERS.test(programName(withoutRunner(command.argv)[0])),
      ),
    );
    for (const listen of facts.app.listens) {
      const targets = targetsOf(facts, listen.file).filter((target) =>
        target.context.includes(relativeTo(target.context.dir, listen.file)),
      );
      if (targets.length === 0) continue;
      const host = listenHost(facts, listen);
      if (host === undefined || !LOOPBACK.test(host)) continue;
      // Python: `app.run()` only runs when the image starts that file (`python app.py`).
      if (listen.file.endsWith(".py") && (pythonServerStarts || !pythonRuns(facts, listen.file))) continue;
      // `listen(PORT, process.env.HOST ?? "localhost")` with HOST set for the container is fine.
      if (listen.hostEnv) {
        const values = targets.flatMap((target) => envValues(target, listen.hostEnv!));
        if (values.some((value) => value === undefined || !LOOPBACK.test(value))) continue;
      }
      const how =
        listen.host !== undefined
          ? ""
          : listen.file.endsWith(".py")
            ? " (Flask's default when `app.run()` gets no `host`)"
            : " (Fastify's default when no `host` is given)";
      results.push({
        location: at(listen.file, listen.line, listen.column),
        message: `The server listens on \`${host}\`${how}: inside the container that is its own loopback, so requests to the published port fail with \`Connection reset by peer\`; listen on \`0.0.0.0\``,
      });
    }
    for (const target of facts.dockerfiles) {
      for (const command of startCommands(facts, target)) {
        const loopback = commandLoopback(facts, target, command);
        if (!loopback) continue;
        const location: Location = instructionAt(target.dockerfile, command.instruction);
        const shown = command.argv.join(" ");
        const via = command.script
          ? ` (script \`${command.script.name}\` in \`${command.script.pkg.file}\`)`
          : "";
        const result: RuleResult = {
          location,
          message: `\`${shown}\`${via} listens on \`${loopback.host}\` (${loopback.how}): inside the container nothing outside can connect; bind \`0.0.0.0\``,
        };
        const related = scriptRelated(command);
        if (related) result.related = related;
        results.push(result);
      }
    }
    return results;
  },
};

import type { ListenFacts } from "../../facts/app.js";
import type { ServiceFacts } from "../../facts/compose.js";
import { isWithin } from "../../facts/context.js";
import { lineOfText } from "../../facts/dockerfile.js";
import { substituteVariables } from "../../facts/image.js";
import type { DockerfileTarget, ProjectFacts } from "../../facts/project.js";
import { parseShell } from "../../facts/shell.js";
import type { Location, Rule, RuleResult } from "../../types.js";
import { at, instructionAt, nodeAt } from "../helpers.js";
import { imageEnv, optionValue, programName, relativeTo, startCommands, withoutRunner } from "./support.js";

/** Where the app's port is decided: a listen call, or a server command's `--port`. */
interface PortSource {
  port: number;
  location: Location;
  what: string;
}

type Lookup = (name: string) => string | undefined | null;

/** The port a listen call binds given the environment (null: the environment cannot be known). */
function listenPort(listen: ListenFacts, env: Lookup): { port: number; fromDefault: boolean } | undefined {
  if (listen.portEnv) {
    const value = env(listen.portEnv);
    if (value === null) return undefined;
    if (value !== undefined)
      return /^\d+$/.test(value) ? { port: Number(value), fromDefault: false } : undefined;
    return listen.port === undefined ? undefined : { port: listen.port, fromDefault: true };
  }
  return listen.port === undefined ? undefined : { port: listen.port, fromDefault: false };
}

/** `--port 8000`, `--bind 0.0.0.0:8000`, `-p 3000`, `runserver 0.0.0.0:8000`. */
function commandPort(argv: readonly string[]): number | undefined {
  const words = withoutRunner(argv);
  const program = programName(words[0]);
  const rest = words.slice(1);
  const number = (value: string | undefined) => (value && /^\d+$/.test(value) ? Number(value) : undefined);
  const bindPort = (value: string | undefined) => number(/:(\d+)$/.exec(value ?? "")?.[1]);
  switch (program) {
    case "uvicorn":
    case "granian":
      return number(optionValue(rest, ["--port"]));
    case "gunicorn":
    case "hypercorn":
    case "daphne":
      return bindPort(optionValue(rest, ["--bind", "-b"])) ?? number(optionValue(rest, ["--port", "-p"]));
    case "next":
    case "vite":
      return number(optionValue(rest, ["--port", "-p"]));
    case "flask":
      return number(optionValue(rest, ["--port", "-p"]));
    default:
      break;
  }
  const manage = rest.findIndex((word) => /(?:^|\/)manage\.py$/.test(word));
  if (/^python[0-9.]*$/.test(program) && manage >= 0 && rest[manage + 1] === "runserver") {
    const address = rest.slice(manage + 2).find((word) => !word.startsWith("-"));
    return number(address) ?? bindPort(address);
  }
  return undefined;
}

/** Ports an HTTP probe in a health check connects to. */
function probePorts(text: string): number[] {
  const ports: number[] = [];
  const url = /\bhttps?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d+))?(?=[/'"\s`]|$)/g;
  for (const match of text.matchAll(url))
    ports.push(match[1] ? Number(match[1]) : /^https/.test(match[0]) ? 443 : 80);
  const bare = /(?:^|[\s'"])(?:localhost|127\.0\.0\.1):(\d+)(?=[/'"\s]|$)/g;
  for (const match of text.matchAll(bare))
    if (!/https?:\/\/$/.test(text.slice(0, match.index ?? 0))) ports.push(Number(match[1]));
  return [...new Set(ports)];
}

/**
 * The ports the app listens on in an environment; undefined when the code does not say (compare
 * with EXPOSE instead), null when it depends on a value that cannot be known here (compare nothing).
 */
function appPorts(
  facts: ProjectFacts,
  target: DockerfileTarget,
  env: Lookup,
  command: { argv: string[]; location: Location } | undefined,
  allowDefaults: boolean,
): PortSource[] | undefined | null {
  const fromCommands: PortSource[] = [];
  if (command) {
    const port = commandPort(command.argv);
    if (port !== undefined)
      fromCommands.push({ port, location: command.location, what: `\`${command.argv.join(" ")}\`` });
  } else {
    for (const start of startCommands(facts, target)) {
      const port = commandPort(start.argv);
      if (port !== undefined)
        fromCommands.push({
          port,
          location: instructionAt(target.dockerfile, start.instruction),
          what: `\`${start.argv.join(" ")}\``,
        });
    }
  }
  if (fromCommands.length > 0) return fromCommands;
  if (command) return undefined;
  const listens = facts.app.listens.filter(
    (listen) =>
      // `targetsOf(facts, listen.file).includes(target)`, asked of the one target (a target of facts.dockerfiles).
      isWithin(listen.file, target.context.dir) &&
      target.context.includes(relativeTo(target.context.dir, listen.file)),
  );
  if (listens.length === 0) return undefined;
  const sources: PortSource[] = [];
  for (const listen of listens) {
    if (listen.portEnv && env(listen.portEnv) === null) return null;
    const resolved = listenPort(listen, env);
    if (!resolved || (resolved.fromDefault && !allowDefaults)) return undefined;
    sources.push({
      port: resolved.port,
      location: at(listen.file, listen.line, listen.column),
      what: `the listen call at \`${listen.file}:${listen.line}\`${resolved.fromDefault ? ` (\`${listen.portEnv}\` unset: default ${resolved.port})` : listen.portEnv ? ` (\`${listen.portEnv}=${resolved.port}\`)` : ""}`,
    });
  }
  return sources;
}

function describe(sources: readonly PortSource[]): string {
  const ports = [...new Set(sources.map((source) => source.port))];
  return `${ports.length === 1 ? "port" : "ports"} ${ports.join(", ")} (${sources[0]?.what ?? ""})`;
}

function related(sources: readonly PortSource[] | undefined): RuleResult["related"] {
  return (sources ?? []).map((source) => ({ ...source.location, message: `listens on ${source.port}` }));
}

export const rule: Rule = {
  meta: {
    id: "SS3011",
    name: "port-mismatch",
    title: "`EXPOSE`, published ports and health checks disagree with the port the app listens on",
    severity: "error",
    category: "runtime",
    rationale:
      "The app listens on one port and the image, compose or the health check point at another: the published port answers `Connection refused` and the health check marks a working container unhealthy.",
    fix: "Use one port everywhere: set `ENV PORT` (or the server's `--port`) and make `EXPOSE`, compose `ports` and the health check URL match it.",
    examples: {
      bad: {
        "server.js": 'const http = require("node:http");\nhttp.createServer(handler).listen(3000);\n',
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY server.js ./\nEXPOSE 8080\nCMD ["node", "server.js"]\n',
      },
      good: {
        "server.js": 'const http = require("node:http");\nhttp.createServer(handler).listen(3000);\n',
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY server.js ./\nEXPOSE 3000\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const results: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const dockerfile = target.dockerfile;
      const final = dockerfile.final;
      if (!final) continue;
      const image = imageEnv(target);
      const imageLookup: Lookup = (name) => (image.has(name) ? (image.get(name) ?? null) : undefined);
      // The image on its own: a platform may set PORT, so a default from the code is not enough.
      const code = appPorts(facts, target, imageLookup, undefined, false);
      if (code === null) continue;
      const exposes = final.exposes.filter((expose) => expose.protocol === "tcp");
      const reference = code?.map((source) => source.port) ?? exposes.map((expose) => expose.port);
      if (code && exposes.length > 0 && !exposes.some((expose) => reference.includes(expose.port))) {
        const expose = exposes[0]!;
        results.push({
          location: instructionAt(dockerfile, expose.instruction),
          message: `\`EXPOSE ${expose.port}\` but the app listens on ${describe(code)}: publishing the exposed port reaches nothing`,
          related: related(code),
        });
      }
      const healthcheck = final.healthcheck;
      if (healthcheck && !healthcheck.none && reference.length > 0) {
        const text = healthcheck.instruction.args;
        const wrong = probePorts(text).filter((port) => !reference.includes(port));
        if (wrong.length > 0) {
          const line = lineOfText(dockerfile, healthcheck.instruction, `:${wrong[0]}`);
          results.push({
            location: at(
              dockerfile.file,
              line,
              line === healthcheck.instruction.line ? healthcheck.instruction.column : 1,
            ),
            message: `\`HEALTHCHECK\` probes port ${wrong[0]} but the app listens on ${code ? describe(code) : `the exposed port ${reference.join(", ")}`}: the container is marked unhealthy while it works`,
            related: related(code),
          });
        }
      }
      for (const { compose, service } of target.services) {
        const svc = compose.services.find((candidate) => candidate.name === service);
        if (!svc || svc.entrypoint) continue;
        const lookup = serviceLookup(facts, svc, image);
        const command = svc.command
          ? {
              argv:
                svc.command.length === 1 ? (parseShell(svc.command[0] ?? "")[0]?.argv ?? []) : svc.command,
              location: nodeAt(compose.file, svc.keys.get("command") ?? svc.position),
            }
          : undefined;
        const ports = appPorts(facts, target, lookup, command, true);
        if (ports === null) continue;
        const serviceReference = ports?.map((source) => source.port) ?? exposes.map((expose) => expose.port);
        if (serviceReference.length === 0) continue;
        const what = ports ? describe(ports) : `the exposed port ${serviceReference.join(", ")}`;
        const published = svc.ports.filter(
          (port) =>
            port.protocol === "tcp" &&
            port.containerPort !== undefined &&
            !/-\d+$/.test(port.text.replace(/\/\w+$/, "")),
        );
        if (
          published.length > 0 &&
          !published.some((port) => serviceReference.includes(port.containerPort!))
        ) {
          const port = published[0]!;
          results.push({
            location: nodeAt(compose.file, port.position),
            message: `\`${service}\` publishes container port ${port.containerPort} but the app listens on ${what}: the published port answers \`Connection refused\``,
            related: related(ports),
          });
        }
        if (svc.healthcheck && !svc.healthcheck.disabled) {
          const wrong = probePorts(svc.healthcheck.test.join(" ")).filter(
            (port) => !serviceReference.includes(port),
          );
          if (wrong.length > 0)
            results.push({
              location: nodeAt(compose.file, svc.healthcheck.position),
              message: `the \`${service}\` health check probes port ${wrong[0]} but the app listens on ${what}: the service never becomes healthy`,
              related: related(ports),
            });
        }
      }
    }
    return results;
  },
};

/** A compose service's environment over the image's: undefined = unset, null = unknown. */
function serviceLookup(
  facts: ProjectFacts,
  service: ServiceFacts,
  image: Map<string, string | undefined>,
): Lookup {
  return (name) => {
    const entry = service.environment.find((candidate) => candidate.name === name);
    if (entry) {
      if (entry.value === undefined) return null; // passed through from the host
      const value = entry.interpolated
        ? substituteVariables(entry.value, facts.composeEnv, "compose")
        : entry.value;
      return /\$/.test(value) ? null : value;
    }
    if (service.envFiles.length > 0) {
      for (const file of service.envFiles) {
        const env = facts.app.envFiles.find((candidate) => candidate.file === file);
        if (!env) return null;
        const found = env.entries.find((candidate) => candidate.name === name);
        if (found) return found.value;
      }
    }
    if (image.has(name)) return image.get(name) ?? null;
    return undefined;
  };
}

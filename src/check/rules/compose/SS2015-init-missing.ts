import type { Rule, RuleResult } from "../../types.js";
import { serviceAt } from "../helpers.js";
import { addToService } from "./edits.js";
import { appServices, dockerfileOf, effective, isOneOff, result } from "./support.js";

/** Programs that run as PID 1 to reap zombies and forward signals. */
const INITS = new Set(["tini", "tini-static", "dumb-init", "catatonit", "s6-svscan", "init", "docker-init"]);

export const rule: Rule = {
  meta: {
    id: "SS2015",
    name: "init-missing",
    title: "App runs as PID 1 without an init",
    severity: "info",
    category: "hardening",
    rationale:
      "PID 1 gets no default signal handlers and must reap orphaned children: a runtime or a package manager as PID 1 can ignore `docker stop` until the 10-second SIGKILL and leave zombie processes behind.",
    fix: "Set `init: true` on the service (Docker runs tini as PID 1), or start the image with tini or dumb-init.",
    examples: {
      bad: {
        "compose.yaml": "services:\n  app:\n    build: .\n",
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n',
      },
      good: {
        "compose.yaml": "services:\n  app:\n    build: .\n    init: true\n",
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const entry of appServices(facts)) {
      if (isOneOff(facts, entry)) continue;
      if (effective(facts, entry, "init", (service) => service.init) === true) continue;
      const final = dockerfileOf(facts, entry)?.dockerfile.final;
      if (!final) continue;
      const entrypoint = effective(facts, entry, "entrypoint", (service) => service.entrypoint);
      const command = effective(facts, entry, "command", (service) => service.command);
      const argv =
        entrypoint !== undefined
          ? entrypoint
          : (final.entrypoint?.argv ?? (command !== undefined ? command : (final.cmd?.argv ?? [])));
      const program = argv[0]?.trim().split(/\s+/)[0] ?? "";
      const name = program.slice(program.lastIndexOf("/") + 1);
      if (INITS.has(name)) continue;
      const edit = addToService(entry.compose, entry.service, () => ["init: true"]);
      const runs = name ? `\`${name}\` runs as PID 1` : "the image's command runs as PID 1";
      out.push(
        result(
          serviceAt(entry.service),
          `\`${entry.service.name}\` has no init: ${runs}, which reaps no zombies and may not stop on SIGTERM; add \`init: true\``,
          edit && { description: "Run an init as PID 1 (`init: true`)", edits: [edit] },
        ),
      );
    }
    return out;
  },
};

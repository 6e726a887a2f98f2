import type { Rule, RuleResult } from "../../types.js";
import { isInit, processOf, servicesOf } from "./query.js";

export const rule: Rule = {
  meta: {
    id: "SS1205",
    name: "no-init-process",
    title: "No init process in front of the app",
    severity: "info",
    category: "hardening",
    rationale:
      "PID 1 gets no default signal handling from the kernel and must reap orphaned children: an app that is not written for that ignores SIGTERM (so `docker stop` waits 10 seconds) and leaves zombies.",
    fix: "Set `init: true` on the compose service (`docker run --init`), or make `tini`/`dumb-init` the `ENTRYPOINT`.",
    examples: {
      bad: { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n' },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\nUSER node\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const { dockerfile } = target;
      const final = dockerfile.final;
      if (!final) continue;
      const process = processOf(final);
      const program = process.argv[0];
      if (program && isInit(program)) continue;
      // An empty CMD/ENTRYPOINT does not build.
      if (
        process.pid1 &&
        (process.pid1.form === "exec" ? process.pid1.argv : [process.pid1.script ?? ""]).join("").trim() ===
          ""
      )
        continue;
      if (servicesOf(target).some((service) => service.init === true)) continue;
      const anchor = process.pid1?.instruction ?? final.from;
      const shown = process.pid1
        ? `\`${(process.pid1.form === "exec" ? process.pid1.argv : [process.pid1.script ?? ""]).join(" ")}\``
        : "The image's command";
      out.push({
        location: { file: dockerfile.file, line: anchor.line, column: anchor.column },
        message: `${shown} runs as PID 1 with no init to forward signals and reap zombies: set \`init: true\` in compose (\`docker run --init\`) or use \`tini\` as the \`ENTRYPOINT\``,
      });
    }
    return out;
  },
};

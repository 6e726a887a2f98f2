import type { Rule, RuleResult } from "../../types.js";
import { servicesOf, stageChain } from "./query.js";

export const rule: Rule = {
  meta: {
    id: "SS1202",
    name: "no-healthcheck",
    title: "No health check for the image",
    severity: "warning",
    category: "hardening",
    rationale:
      "Without a `HEALTHCHECK` (or a compose `healthcheck`) Docker cannot tell a started container from a working one: `docker ps` shows `Up` for a wedged app, and nothing can wait for it to be ready.",
    fix: 'Add a `HEALTHCHECK` that probes the app with a tool the image has (`node -e "fetch(...)"` on slim images), or a `healthcheck:` on the compose service.',
    equivalents: { trivy: ["DS026"], checkov: ["CKV_DOCKER_2"], dockle: ["CIS-DI-0006"] },
    examples: {
      bad: {
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nEXPOSE 3000\nCMD ["node", "server.js"]\n',
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nUSER node\nEXPOSE 3000\nHEALTHCHECK CMD ["node", "-e", "fetch(\'http://127.0.0.1:3000/health\').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const { dockerfile } = target;
      const final = dockerfile.final;
      if (!final) continue;
      const healthcheck = final.healthcheck;
      if (healthcheck && !healthcheck.none) continue;
      const services = servicesOf(target);
      if (services.some((service) => service.healthcheck && !service.healthcheck.disabled)) continue;
      // Only for something that serves: it exposes or publishes a port, or the app listens.
      const exposes = stageChain(dockerfile, final).some((stage) => stage.exposes.length > 0);
      const publishes = services.some((service) => service.ports.length > 0);
      if (!exposes && !publishes && facts.app.listens.length === 0) continue;
      const composeNote =
        services.length > 0
          ? ` and no compose service that builds it (${services.map((s) => `\`${s.name}\``).join(", ")}) has a \`healthcheck\``
          : "";
      if (healthcheck?.none) {
        out.push({
          location: {
            file: dockerfile.file,
            line: healthcheck.instruction.line,
            column: healthcheck.instruction.column,
          },
          message: `\`HEALTHCHECK NONE\` turns the health check off${composeNote}: Docker cannot tell a wedged app from a working one`,
        });
        continue;
      }
      out.push({
        location: { file: dockerfile.file, line: final.from.line, column: final.from.column },
        message: `The image has no \`HEALTHCHECK\`${composeNote}: Docker cannot tell a wedged app from a working one`,
      });
    }
    return out;
  },
};

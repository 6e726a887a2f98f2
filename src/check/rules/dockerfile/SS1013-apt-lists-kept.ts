import type { Rule, RuleResult } from "../../types.js";
import { aptInstalls, cacheMountOn, removes } from "./apt.js";
import { commandAt, upToAction } from "./query.js";

export const rule: Rule = {
  meta: {
    id: "SS1013",
    name: "apt-lists-kept",
    title: "apt package lists left in the image",
    severity: "info",
    category: "reproducibility",
    rationale:
      "`apt-get update` downloads the package lists to `/var/lib/apt/lists`; unless the same RUN deletes them they stay in the layer (tens of megabytes) and go stale.",
    fix: "End the same RUN with `&& rm -rf /var/lib/apt/lists/*` (or use `RUN --mount=type=cache,target=/var/lib/apt`).",
    equivalents: { hadolint: ["DL3009"] },
    examples: {
      bad: {
        Dockerfile:
          "FROM debian:12.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends tini\n",
      },
      good: {
        Dockerfile:
          "FROM debian:12.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      for (const stage of dockerfile.stages) {
        if (!stage.shipped) continue;
        const seen = new Set<number>();
        for (const install of aptInstalls(stage)) {
          const run = install.run;
          if (seen.has(run.instruction.line)) continue;
          seen.add(run.instruction.line);
          if (removes(run, "/var/lib/apt/lists")) continue;
          if (cacheMountOn(run, "/var/lib/apt") || cacheMountOn(run, "/var/lib/apt/lists")) continue;
          out.push({
            location: commandAt(dockerfile, install),
            message: `This RUN installs with \`${upToAction(install)}\` but keeps \`/var/lib/apt/lists\` in the layer: end it with \`&& rm -rf /var/lib/apt/lists/*\``,
          });
        }
      }
    }
    return out;
  },
};

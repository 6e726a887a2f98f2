import type { Rule, RuleResult } from "../../types.js";
import { aptInstalls } from "./apt.js";
import { commandAt, editAtAction, stageChain, upToAction } from "./query.js";

export const rule: Rule = {
  meta: {
    id: "SS1012",
    name: "apt-no-install-recommends",
    title: "`apt-get install` without `--no-install-recommends`",
    severity: "info",
    category: "reproducibility",
    rationale:
      "apt installs every recommended package too: the image carries packages nobody asked for (often tens of megabytes, and more CVEs to triage), and what they are changes with the distribution.",
    fix: "Add `--no-install-recommends` and list the packages the app actually needs.",
    equivalents: { hadolint: ["DL3015"] },
    examples: {
      bad: {
        Dockerfile:
          "FROM debian:12.12-slim\nRUN apt-get update && apt-get install -y tini && rm -rf /var/lib/apt/lists/*\n",
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
        // What a build stage installs never reaches the image.
        if (!stage.shipped) continue;
        const configured = stageChain(dockerfile, stage).some((s) =>
          s.runs.some((run) => /Install-Recommends/i.test(run.script)),
        );
        if (configured) continue;
        for (const install of aptInstalls(stage)) {
          if (install.argv.includes("--no-install-recommends")) continue;
          if (install.argv.some((word) => /Install-Recommends=(?:false|0|no)/i.test(word))) continue;
          const result: RuleResult = {
            location: commandAt(dockerfile, install),
            message: `\`${upToAction(install)}\` also installs every recommended package: add \`--no-install-recommends\``,
          };
          const edit = editAtAction(dockerfile, install, "install", {
            insertAfter: " --no-install-recommends",
          });
          if (edit) result.fix = { description: "Add `--no-install-recommends`", edits: [edit] };
          out.push(result);
        }
      }
    }
    return out;
  },
};

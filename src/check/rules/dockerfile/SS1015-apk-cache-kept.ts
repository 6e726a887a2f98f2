import type { Rule, RuleResult } from "../../types.js";
import { apkAdds, cacheMountOn, removes } from "./apt.js";
import { commandAt, editAtAction, upToAction } from "./query.js";

export const rule: Rule = {
  meta: {
    id: "SS1015",
    name: "apk-cache-kept",
    title: "`apk add` without `--no-cache`",
    severity: "info",
    category: "reproducibility",
    rationale:
      "Without `--no-cache`, apk keeps the package index it downloaded under `/var/cache/apk` in the layer: dead weight that goes stale.",
    fix: "Use `apk add --no-cache`.",
    equivalents: { hadolint: ["DL3019"] },
    examples: {
      bad: { Dockerfile: "FROM alpine:3.20.3\nRUN apk add tini\n" },
      good: { Dockerfile: "FROM alpine:3.20.3\nRUN apk add --no-cache tini\n" },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      for (const stage of dockerfile.stages) {
        if (!stage.shipped) continue;
        for (const install of apkAdds(stage)) {
          if (install.argv.includes("--no-cache")) continue;
          const run = install.run;
          if (
            removes(run, "/var/cache/apk") ||
            cacheMountOn(run, "/var/cache/apk") ||
            cacheMountOn(run, "/etc/apk/cache")
          )
            continue;
          const result: RuleResult = {
            location: commandAt(dockerfile, install),
            message: `\`${upToAction(install)}\` keeps the package index in \`/var/cache/apk\`: use \`apk add --no-cache\``,
          };
          const edit = editAtAction(dockerfile, install, "add", { insertAfter: " --no-cache" });
          if (edit) result.fix = { description: "Add `--no-cache`", edits: [edit] };
          out.push(result);
        }
      }
    }
    return out;
  },
};

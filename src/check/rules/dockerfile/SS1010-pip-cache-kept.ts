import type { Rule, RuleResult } from "../../types.js";
import { installCommands } from "../helpers.js";
import { pipInstallOf } from "./python.js";
import { commandAt, editAtAction, envAt, inlineAssignments, upToAction } from "./query.js";

export const rule: Rule = {
  meta: {
    id: "SS1010",
    name: "pip-cache-kept",
    title: "`pip install` keeps its download cache in the image",
    severity: "warning",
    category: "reproducibility",
    rationale:
      "pip stores every downloaded wheel under `/root/.cache/pip`; in a Docker layer that cache is never used again but ships with the image, often tens to hundreds of megabytes.",
    fix: "Add `--no-cache-dir` (or set `ENV PIP_NO_CACHE_DIR=1`, or use `RUN --mount=type=cache,target=/root/.cache/pip`).",
    equivalents: { hadolint: ["DL3042"] },
    examples: {
      bad: {
        Dockerfile:
          "FROM python:3.11.14-slim-bookworm\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\n",
        "requirements.txt": "flask==3.1.0\n",
      },
      good: {
        Dockerfile:
          "FROM python:3.11.14-slim-bookworm\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\n",
        "requirements.txt": "flask==3.1.0\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      for (const stage of dockerfile.stages) {
        // A cache in a build stage is never shipped.
        if (!stage.shipped) continue;
        for (const install of installCommands(stage)) {
          if (install.manager !== "pip") continue;
          const pip = pipInstallOf(install);
          if (!pip) continue;
          if (pip.options.includes("--no-cache-dir") || pip.options.includes("--cache-dir")) continue;
          if (envAt(stage, "PIP_NO_CACHE_DIR", install.run.instruction.line) !== undefined) continue;
          if (inlineAssignments(install.command).has("PIP_NO_CACHE_DIR")) continue;
          if (install.run.mounts.some((mount) => mount.type === "cache")) continue;
          const result: RuleResult = {
            location: commandAt(dockerfile, install),
            message: `\`${upToAction(install)}\` keeps downloaded packages in \`/root/.cache/pip\` inside the image: add \`--no-cache-dir\``,
          };
          const edit = editAtAction(dockerfile, install, "install", { insertAfter: " --no-cache-dir" });
          if (edit) result.fix = { description: "Add `--no-cache-dir`", edits: [edit] };
          out.push(result);
        }
      }
    }
    return out;
  },
};

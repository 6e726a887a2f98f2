import type { Rule, RuleResult } from "../../types.js";
import { installCommands } from "../helpers.js";
import {
  INSTALLER_PACKAGES,
  isIndexSpec,
  isPinnedSpec,
  packageName,
  pipInstallOf,
  readRequirements,
  requirementsFile,
} from "./python.js";
import { commandAt } from "./query.js";

export const rule: Rule = {
  meta: {
    id: "SS1009",
    name: "python-install-unpinned",
    title: "Python dependencies installed without exact versions or a lock",
    severity: "warning",
    category: "reproducibility",
    rationale:
      "`pip install flask`, a requirements file with ranges, or a lock that is not enforced installs whatever is newest at build time: a rebuild of the same commit can pull a release that breaks the app.",
    fix: "Pin exact versions (`flask==3.1.0`, or a `pip-compile`d requirements file with `--hash`), commit `poetry.lock`, and use `uv sync --locked` / `pipenv install --deploy`.",
    equivalents: { hadolint: ["DL3013"] },
    examples: {
      bad: {
        Dockerfile:
          "FROM python:3.11.14-slim-bookworm\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\n",
        "requirements.txt": "flask>=3\ngunicorn\n",
      },
      good: {
        Dockerfile:
          "FROM python:3.11.14-slim-bookworm\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\n",
        "requirements.txt": "flask==3.1.0\ngunicorn==23.0.0\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const { dockerfile, context } = target;
      const prefix = context.dir === "" ? "" : `${context.dir}/`;
      for (const stage of dockerfile.stages) {
        for (const install of installCommands(stage)) {
          const location = commandAt(dockerfile, install);
          const written = install.argv.slice(0, install.argv.indexOf(install.action) + 1).join(" ");
          const pip = pipInstallOf(install);
          if (pip) {
            if (pip.requireHashes || pip.constraints.length > 0) continue;
            const loose = pip.specs.filter(
              (spec) =>
                isIndexSpec(spec) && !isPinnedSpec(spec) && !INSTALLER_PACKAGES.has(packageName(spec)),
            );
            if (loose.length > 0) {
              out.push({
                location,
                message: `\`${written} ${loose.join(" ")}\` installs the newest release at build time: pin exact versions (\`${packageName(loose[0] ?? "")}==<version>\`)`,
              });
              continue;
            }
            for (const file of pip.requirements) {
              const source = requirementsFile(facts, target, file);
              if (!source) continue;
              const reading = readRequirements(facts, target, source);
              if (reading.locked || reading.unpinned.length === 0) continue;
              const first = reading.unpinned[0]!;
              const more = reading.unpinned.length > 1 ? ` and ${reading.unpinned.length - 1} more` : "";
              out.push({
                location,
                message: `\`${written} -r ${file}\` installs unpinned requirements (\`${first.text}\` at ${first.file}:${first.line}${more}): pin each with \`==\` (\`pip-compile\` generates a locked file)`,
                related: reading.unpinned.map((entry) => ({
                  file: entry.file,
                  line: entry.line,
                  column: 1,
                  message: `\`${entry.text}\` has no exact version`,
                })),
              });
            }
            continue;
          }
          const flags = install.flags;
          if (install.manager === "poetry" && install.action === "install") {
            const locked = facts.app.pythonLockfiles.some(
              (path) => path.startsWith(prefix) && path.endsWith("poetry.lock"),
            );
            if (!locked)
              out.push({
                location,
                message:
                  "`poetry install` resolves versions from `pyproject.toml` because the project has no `poetry.lock`: run `poetry lock` and commit it",
              });
          } else if (install.manager === "uv" && install.action === "sync" && install.argv[1] !== "pip") {
            if (!flags.some((flag) => flag === "--locked" || flag === "--frozen"))
              out.push({
                location,
                message: `\`${install.argv.join(" ")}\` re-resolves and rewrites \`uv.lock\` when it is out of date: add \`--locked\``,
              });
          } else if (install.manager === "pipenv" && install.action === "install") {
            if (!flags.some((flag) => flag === "--deploy" || flag === "--ignore-pipfile"))
              out.push({
                location,
                message: `\`${install.argv.join(" ")}\` re-locks when \`Pipfile.lock\` is out of date: add \`--deploy\``,
              });
          }
        }
      }
    }
    return out;
  },
};

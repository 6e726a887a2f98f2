import type { Fix, Rule, RuleResult, TextEdit } from "../../types.js";
import { commandAt, commandSpan, editAtAction, jsInstalls, LOCKFILES } from "./query.js";

const PRODUCTION_FLAG = /(^|\s)(--production(?:=true)?|--only=prod(?:uction)?)(?=\s|$)/g;

export const rule: Rule = {
  meta: {
    id: "SS1006",
    name: "js-install-not-frozen",
    title: "JavaScript install that may not follow the lockfile",
    severity: "warning",
    category: "reproducibility",
    rationale:
      "`npm install`, `yarn install` and `pnpm install` resolve the version ranges in `package.json` again and may rewrite the lockfile instead of failing, so two builds of one commit can install different dependencies.",
    fix: "Use `npm ci` (`--omit=dev` instead of `--production`), `yarn install --immutable` (`--frozen-lockfile` for Yarn 1) or `pnpm install --frozen-lockfile`.",
    examples: {
      bad: {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm install\n",
        "package.json": '{ "name": "app" }\n',
        "package-lock.json": "{}\n",
      },
      good: {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n",
        "package.json": '{ "name": "app" }\n',
        "package-lock.json": "{}\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const { dockerfile, context } = target;
      const hasLock = (manager: string) => (LOCKFILES[manager] ?? []).some((name) => context.exists(name));
      for (const stage of dockerfile.stages) {
        for (const install of jsInstalls(stage)) {
          const { manager, action, flags } = install;
          const location = commandAt(dockerfile, install);
          const written = install.argv.slice(0, action === "" ? 1 : 2).join(" ");
          if (manager === "npm" && (action === "install" || action === "i")) {
            const production = flags.some((flag) =>
              /^--production(?:=true)?$|^--only=prod(?:uction)?$/.test(flag),
            );
            const suggestion = production ? "npm ci --omit=dev" : "npm ci";
            if (!hasLock("npm")) {
              out.push({
                location,
                message: `\`${written}\` installs whatever versions the ranges in \`package.json\` allow today: commit a \`package-lock.json\` and use \`${suggestion}\``,
              });
              continue;
            }
            const result: RuleResult = {
              location,
              message: `\`${written}\` resolves versions again instead of installing \`package-lock.json\` exactly: use \`${suggestion}\``,
            };
            const fix = npmFix(dockerfile, install, suggestion);
            if (fix) result.fix = fix;
            out.push(result);
          } else if (manager === "yarn") {
            if (flags.some((flag) => flag === "--frozen-lockfile" || flag === "--immutable")) continue;
            const packageDir = context.dir === "" ? "" : `${context.dir}/`;
            const berry = facts.tree.entries.has(`${packageDir}.yarnrc.yml`);
            const flag = berry ? "--immutable" : "--frozen-lockfile";
            const result: RuleResult = {
              location,
              message: `\`${written}\` updates \`yarn.lock\` instead of failing when it is out of date: add \`${flag}\``,
            };
            const edit = hasLock("yarn")
              ? editAtAction(dockerfile, install, action === "" ? (install.argv[0] ?? "yarn") : action, {
                  insertAfter: ` ${flag}`,
                })
              : undefined;
            if (edit) result.fix = { description: `Add \`${flag}\``, edits: [edit] };
            out.push(result);
          } else if (manager === "pnpm") {
            if (flags.includes("--frozen-lockfile")) continue;
            const result: RuleResult = {
              location,
              message: `\`${written}\` updates \`pnpm-lock.yaml\` instead of failing when it is out of date: add \`--frozen-lockfile\``,
            };
            const edit =
              hasLock("pnpm") && !flags.includes("--no-frozen-lockfile")
                ? editAtAction(dockerfile, install, action, { insertAfter: " --frozen-lockfile" })
                : undefined;
            if (edit) result.fix = { description: "Add `--frozen-lockfile`", edits: [edit] };
            out.push(result);
          }
        }
      }
    }
    return out;
  },
};

function npmFix(
  dockerfile: Parameters<typeof commandSpan>[0],
  install: Parameters<typeof commandSpan>[1] & { action: string },
  suggestion: string,
): Fix | undefined {
  const action = editAtAction(dockerfile, install, install.action, { replaceWith: "ci" });
  const span = commandSpan(dockerfile, install);
  if (!action || !span) return undefined;
  const edits: TextEdit[] = [action];
  const text = dockerfile.source.text.slice(span.start, span.end);
  for (const match of text.matchAll(PRODUCTION_FLAG)) {
    const start = span.start + (match.index ?? 0) + (match[1]?.length ?? 0);
    edits.push({ file: dockerfile.file, start, end: start + (match[2]?.length ?? 0), text: "--omit=dev" });
  }
  return { description: `Use \`${suggestion}\``, edits };
}

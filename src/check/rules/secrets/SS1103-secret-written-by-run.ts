import type { CopyFacts, DockerfileFacts } from "../../facts/dockerfile.js";
import type { ProjectFacts } from "../../facts/project.js";
import { findSecretValue, isPlaceholder, type SecretMatch } from "../../facts/secrets.js";
import { baseName } from "../../facts/tree.js";
import type { Rule, RuleResult } from "../../types.js";
import {
  cleanSource,
  describeSecret,
  hasGlob,
  isAuthFileName,
  lineWith,
  secretFileAt,
  withArticle,
} from "./shared.js";

/** `_authToken=<literal>` in `.npmrc` lines echoed by a script, or `npm config set …:_authToken <literal>`. */
const NPM_AUTH =
  /(?:^|(?<=[\s:"']))(?:_authToken|_auth|_password|npmAuthToken|npmAuthIdent)["']?\s*(?:=|\s)\s*["']?([^\s"';&|)]+)/gm;

function secretInScript(script: string): SecretMatch | undefined {
  const byValue = findSecretValue(script);
  if (byValue) return byValue;
  // NPM_AUTH needs one of these names: most scripts have none, and the (lookbehind) scan is skipped.
  if (!script.includes("_auth") && !script.includes("_password") && !script.includes("npmAuth"))
    return undefined;
  for (const match of script.matchAll(NPM_AUTH)) {
    const value = match[1] ?? "";
    if (value.startsWith("$") || isPlaceholder(value) || value.length < 8) continue;
    return { kind: "npm auth token", value };
  }
  return undefined;
}

/** Whether a COPY of an auth file puts a secret in the image, and which. */
function copiedAuthFile(
  facts: ProjectFacts,
  context: string,
  copy: CopyFacts,
  source: string,
): { kind: string } | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return undefined;
  const clean = cleanSource(source);
  if (clean === "." || hasGlob(clean)) return undefined;
  const name = baseName(clean);
  if (!isAuthFileName(name)) return undefined;
  // Files that may hold no secret (a `.npmrc` reading `${NPM_TOKEN}`, a CA certificate) count
  // only when their content is known to.
  const maybeHarmless = name === ".npmrc" || name === ".pypirc" || name.endsWith(".pem");
  if (copy.from === undefined) {
    const path = context === "" ? clean : `${context}/${clean}`;
    const entry = facts.tree.entries.get(path);
    if (entry?.kind === "dir") return undefined;
    if (entry) {
      const file = secretFileAt(facts, path);
      return file ? { kind: file.kind } : undefined;
    }
  }
  if (maybeHarmless) return undefined;
  if (/^id_/.test(name)) return { kind: "SSH private key" };
  if (name.endsWith(".key")) return { kind: "private key" };
  return { kind: name === ".git-credentials" ? "git credentials" : "netrc credentials" };
}

function advice(name: string, destination: string): string {
  if (/^id_/.test(name)) return "use `RUN --mount=type=ssh` for the step that clones";
  if (/\.(?:pem|key)$/.test(name)) return "mount it at run time (a secret or a read-only volume)";
  return `mount it for the step that needs it: \`RUN --mount=type=secret,id=${name.replace(/^[._]/, "")},target=${
    destination.endsWith("/") || destination === "." || destination === "./" ? `/root/${name}` : destination
  }\``;
}

function runFindings(dockerfile: DockerfileFacts): RuleResult[] {
  const out: RuleResult[] = [];
  for (const stage of dockerfile.stages) {
    for (const run of stage.runs) {
      const match = secretInScript(run.instruction.args);
      if (!match) continue;
      const line = lineWith(dockerfile, run.instruction, match.value);
      const column = Math.max(dockerfile.source.line(line).indexOf(match.value), 0) + 1;
      out.push({
        location: { file: dockerfile.file, line, column },
        message: `\`RUN\` contains ${describeSecret(match)}: the command is recorded in the image history and what it writes stays in the layer even if a later step deletes it; use \`RUN --mount=type=secret\``,
      });
    }
  }
  return out;
}

export const rule: Rule = {
  meta: {
    id: "SS1103",
    name: "secret-written-by-run",
    title: "Secret written into a layer by `RUN` or `COPY`",
    severity: "error",
    category: "secrets",
    rationale:
      "Every layer is part of the image: a token a `RUN` writes or an auth file a `COPY` adds stays readable in that layer (and the `RUN` command in `docker history`), even when a later step deletes the file.",
    fix: "Mount the secret only for the step that needs it: `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci` (or `--mount=type=ssh` for SSH keys).",
    equivalents: { dockle: ["CIS-DI-0010"] },
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nCOPY package.json package-lock.json ./\nRUN echo "//registry.npmjs.org/:_authToken=npm_EXAMPLEexampleEXAMPLEexample012345" > .npmrc \\\n && npm ci \\\n && rm .npmrc\n',
      },
      good: {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim\nCOPY package.json package-lock.json ./\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile, context } of facts.dockerfiles) {
      out.push(...runFindings(dockerfile));
      for (const stage of dockerfile.stages) {
        for (const copy of stage.copies) {
          if (copy.heredoc) continue;
          for (const source of copy.sources) {
            const found = copiedAuthFile(facts, context.dir, copy, source);
            if (!found) continue;
            const name = baseName(cleanSource(source));
            const line = lineWith(dockerfile, copy.instruction, source);
            const column = Math.max(dockerfile.source.line(line).indexOf(source), 0) + 1;
            out.push({
              location: { file: dockerfile.file, line, column },
              message: `\`${copy.keyword} ${source}\` puts ${withArticle(found.kind)} file into the image: deleting it later does not remove it from the layer; ${advice(name, copy.destination)}`,
            });
          }
        }
      }
    }
    return out;
  },
};

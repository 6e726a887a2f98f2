import type { BuildContext } from "../../facts/context.js";
import type { CopyFacts } from "../../facts/dockerfile.js";
import type { DockerfileTarget, ProjectFacts } from "../../facts/project.js";
import { baseName } from "../../facts/tree.js";
import type { Rule, RuleResult } from "../../types.js";
import { insertLinesAfter } from "../helpers.js";
import {
  broadDirs,
  contextCopies,
  contextWith,
  copyText,
  describeSecretFile,
  escapeIgnorePath,
  joinAnd,
  keepRequired,
  requiredPaths,
  type SecretFile,
  secretFileAt,
} from "./shared.js";

interface Gap {
  path: string;
  secret?: SecretFile;
}

function within(path: string, dir: string): boolean {
  return dir === "." || path === dir || path.startsWith(`${dir}/`);
}

/** The pattern a gap is excluded with, written the way people write them: `.env.*`, `*.pem`, `node_modules`. */
function generalPattern(gap: Gap): string {
  const name = baseName(gap.path);
  const nested = gap.path.includes("/");
  let glob = name;
  if (gap.secret) {
    if (/^\.env\../.test(name)) glob = ".env.*";
    else if (name.endsWith(".pem")) glob = "*.pem";
    else if (name.endsWith(".key")) glob = "*.key";
  }
  if (!nested) return glob;
  return name === "node_modules" || gap.secret ? `**/${glob}` : escapeIgnorePath(gap.path);
}

/** Lines to append so every gap is excluded without excluding anything else that is sent. */
function patternsFor(facts: ProjectFacts, context: BuildContext, base: string, gaps: Gap[]): string[] {
  const sentBefore = context.sentEntries().map((entry) => entry.path);
  const gapPaths = gaps.map((gap) => gap.path);
  const prefix = context.dir === "" ? "" : `${context.dir}/`;
  const disposable = (path: string) =>
    gapPaths.some((gap) => within(path, gap)) ||
    /(?:^|\/)(?:node_modules|\.git)(?:\/|$)/.test(path) ||
    secretFileAt(facts, prefix + path) !== undefined;
  const lines: string[] = [];
  const text = () => base + lines.map((line) => `${line}\n`).join("");
  for (const gap of gaps) {
    if (!contextWith(facts, context.dir, text()).includes(gap.path)) continue;
    const general = generalPattern(gap);
    lines.push(general);
    const trial = contextWith(facts, context.dir, text());
    const harmless =
      !trial.includes(gap.path) && sentBefore.every((path) => trial.includes(path) || disposable(path));
    if (!harmless) lines[lines.length - 1] = escapeIgnorePath(gap.path);
  }
  return lines;
}

function groups(facts: ProjectFacts): DockerfileTarget[][] {
  const byFile = new Map<string, DockerfileTarget[]>();
  for (const target of facts.dockerfiles) {
    const file = target.context.dockerignore?.file;
    if (!file) continue;
    const list = byFile.get(file) ?? [];
    list.push(target);
    byFile.set(file, list);
  }
  return [...byFile.values()];
}

export const rule: Rule = {
  meta: {
    id: "SS1106",
    name: "dockerignore-gaps",
    title: "`.dockerignore` lets `.git`, `node_modules` or secrets through",
    severity: "warning",
    category: "secrets",
    rationale:
      "What `.dockerignore` does not exclude is sent to the builder on every build, and a broad `COPY` puts it in the image: secrets readable by anyone with the image, `.git` history, host-built `node_modules` that shadow the ones installed for the image's platform.",
    fix: "Add the missing patterns to `.dockerignore`.",
    examples: {
      bad: {
        ".dockerignore": "node_modules\n",
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]\n',
        ".env": "JWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n",
        "package.json": '{ "name": "app", "version": "1.0.0" }\n',
        "server.js": "require('node:http').createServer().listen(3000);\n",
      },
      good: {
        ".dockerignore": "node_modules\n.env\n",
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]\n',
        ".env": "JWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n",
        "package.json": '{ "name": "app", "version": "1.0.0" }\n',
        "server.js": "require('node:http').createServer().listen(3000);\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const targets of groups(facts)) {
      const context = targets[0]!.context;
      const dockerignore = context.dockerignore!;
      const prefix = context.dir === "" ? "" : `${context.dir}/`;
      const dockerfiles = targets.map((target) => target.dockerfile);
      const broad: Array<{ dir: string; copy: CopyFacts; file: string }> = [];
      for (const dockerfile of dockerfiles)
        for (const copy of contextCopies(dockerfile))
          for (const source of copy.sources)
            for (const dir of broadDirs(context, facts, source))
              broad.push({ dir, copy, file: dockerfile.file });
      const required = new Set(requiredPaths(facts, context, dockerfiles));
      const copiedBy = (path: string) => broad.find((b) => within(path, b.dir));

      const gaps: Gap[] = [];
      for (const entry of context.sentEntries()) {
        const name = baseName(entry.path);
        if (entry.path === ".git" && copiedBy(entry.path)) gaps.push({ path: entry.path });
        else if (entry.kind === "dir" && name === "node_modules" && copiedBy(entry.path))
          gaps.push({ path: entry.path });
        else if (entry.kind === "file" && !required.has(entry.path)) {
          const secret = secretFileAt(facts, prefix + entry.path);
          if (secret) gaps.push({ path: entry.path, secret });
        }
      }
      if (gaps.length === 0) continue;
      gaps.sort(
        (a, b) => Number(Boolean(a.secret)) - Number(Boolean(b.secret)) || a.path.localeCompare(b.path),
      );

      const source = dockerignore.source;
      const base = source.text.endsWith("\n") || source.text === "" ? source.text : `${source.text}\n`;
      const lines = keepRequired(facts, context.dir, base, patternsFor(facts, context, base, gaps), [
        ...required,
      ]);
      const listed = gaps.map((gap) =>
        gap.secret ? describeSecretFile(gap.secret, gap.path) : `\`${gap.path}\``,
      );
      const copied = gaps.map((gap) => copiedBy(gap.path)).find(Boolean);
      const copyNote = copied
        ? `, and \`${copyText(copied.copy)}\` (${copied.file}:${copied.copy.instruction.line}) copies ${gaps.length > 1 ? "them" : "it"} into the image`
        : "";
      out.push({
        location: { file: dockerignore.file, line: 1, column: 1 },
        message: `\`${baseName(dockerignore.file)}\` does not exclude ${joinAnd(listed)}: ${gaps.length > 1 ? "they are" : "it is"} sent to the builder with every build${copyNote}`,
        fix: {
          description: `Add ${lines.map((line) => `\`${line}\``).join(", ")} to \`${dockerignore.file}\``,
          edits: [insertLinesAfter(source, source.lineCount, lines)],
        },
      });
    }
    return out;
  },
};

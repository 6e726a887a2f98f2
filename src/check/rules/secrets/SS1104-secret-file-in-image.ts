import { baseName } from "../../facts/tree.js";
import type { Finding, Rule, RuleResult } from "../../types.js";
import {
  cleanSource,
  contextCopies,
  copiedFiles,
  copyText,
  describeSecretFile,
  isAuthFileName,
  joinAnd,
  lineWith,
  type SecretFile,
  secretFileAt,
} from "./shared.js";

const MAX_LISTED = 4;

export const rule: Rule = {
  meta: {
    id: "SS1104",
    name: "secret-file-in-image",
    title: "Secret file copied from the build context into the image",
    severity: "error",
    category: "secrets",
    rationale:
      "`COPY . .` copies everything the build context sends, `.env` and private keys included: anyone who can pull the image reads them (`docker run --entrypoint cat <image> /app/.env`), and a file that configures the app silently hides a missing runtime variable.",
    fix: "Exclude the file in `.dockerignore` (`.env`, `.env.*`, `!.env.example`, `*.pem`, `*.key`) and pass secrets at run time.",
    equivalents: { dockle: ["CIS-DI-0010"] },
    examples: {
      bad: {
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
        ".env":
          "DATABASE_URL=postgres://app:s3cr3t-pass@db:5432/app\nJWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n",
        ".dockerignore": "node_modules\n.git\n",
        "server.js": "require('node:http').createServer().listen(3000);\n",
      },
      good: {
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
        ".env":
          "DATABASE_URL=postgres://app:s3cr3t-pass@db:5432/app\nJWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n",
        ".dockerignore": "node_modules\n.git\n.env\n.env.*\n!.env.example\n",
        "server.js": "require('node:http').createServer().listen(3000);\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile, context } of facts.dockerfiles) {
      const prefix = context.dir === "" ? "" : `${context.dir}/`;
      for (const copy of contextCopies(dockerfile)) {
        const found = new Map<string, SecretFile>();
        for (const source of copy.sources) {
          const clean = cleanSource(source);
          for (const path of copiedFiles(context, facts, source)) {
            // An auth file named explicitly is SS1103's.
            if (path === clean && isAuthFileName(baseName(path))) continue;
            const file = secretFileAt(facts, prefix + path);
            if (file) found.set(file.path, file);
          }
        }
        if (found.size === 0) continue;
        const files = [...found.values()];
        const listed = files.slice(0, MAX_LISTED).map((file) => describeSecretFile(file));
        if (files.length > MAX_LISTED) listed.push(`${files.length - MAX_LISTED} more secret files`);
        const stage = dockerfile.stages[copy.instruction.stage];
        const into = stage?.shipped
          ? "into the image"
          : `into build stage \`${stage?.name ?? copy.instruction.stage}\` (its layers stay in the build cache)`;
        const line = lineWith(dockerfile, copy.instruction, copy.sources[0] ?? "");
        const related: NonNullable<Finding["related"]> = files.map((file) => ({
          file: file.path,
          line: file.line,
          column: 1,
          message:
            file.names.length > 0
              ? `secrets ${file.names.join(", ")} (values not shown)`
              : `${file.kind} (content not shown)`,
        }));
        out.push({
          location: {
            file: dockerfile.file,
            line,
            column: line === copy.instruction.line ? copy.instruction.column : 1,
          },
          message: `\`${copyText(copy)}\` copies ${joinAnd(listed)} ${into}`,
          related,
        });
      }
    }
    return out;
  },
};

/**
 * A hand-built report for the format tests: four fake rules (reproducibility, secrets,
 * hardening, runtime), a small project with a secret in it, and findings as the engine would
 * return them. Independent of the real rules, which are written elsewhere.
 */
import { compareFindings } from "../engine.js";
import { SourceText } from "../facts/source.js";
import type { Finding, Rule, RuleMeta } from "../types.js";
import type { ReportInput } from "./report.js";

export const SECRET = "sk-proj-FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000";

function fakeRule(meta: Omit<RuleMeta, "examples"> & Partial<Pick<RuleMeta, "examples">>): Rule {
  return {
    meta: {
      examples: {
        bad: { Dockerfile: "FROM node:latest\n" },
        good: { Dockerfile: "FROM node:20.20.2-bookworm-slim\n" },
      },
      ...meta,
    },
    check: () => [],
  };
}

export const RULES: Rule[] = [
  fakeRule({
    id: "SS1001",
    name: "image-tag-floating",
    title: "Image tag moves: `latest`, no tag, or a word tag",
    severity: "error",
    category: "reproducibility",
    rationale:
      "`latest` (what a missing tag means) and word tags like `lts` or `alpine` point at a new image with every release: two builds of the same commit get different runtimes, OS releases and libraries.",
    fix: "Name an exact version and OS variant (`node:20.20.2-bookworm-slim`), then `shipshape pin` to add the digest.",
    equivalents: { hadolint: ["DL3006", "DL3007"], trivy: ["DS001"] },
  }),
  fakeRule({
    id: "SS2001",
    name: "secret-in-image",
    title: "A secret is baked into the image",
    severity: "error",
    category: "secrets",
    rationale: "Anyone who can pull the image can read every layer, including `ENV` values and copied files.",
    fix: "Pass the secret at run time (`env_file`, a secret mount), never at build time.",
    examples: {
      bad: { Dockerfile: `FROM node:20.20.2-bookworm-slim\nENV OPENAI_API_KEY=${SECRET}\n` },
      good: { Dockerfile: "FROM node:20.20.2-bookworm-slim\n" },
    },
  }),
  fakeRule({
    id: "SS3001",
    name: "runs-as-root",
    title: "The image runs as root",
    severity: "warning",
    category: "hardening",
    rationale: "A process that runs as root turns any code execution bug into root in the container.",
    fix: "Add `USER node` (or another unprivileged user) before `CMD`.",
  }),
  fakeRule({
    id: "SS4001",
    name: "npm-install-not-ci",
    title: "`npm install` instead of `npm ci`",
    severity: "info",
    category: "runtime",
    rationale: "`npm install` may rewrite the lockfile, so the image can get different packages than tested.",
    fix: "Use `npm ci`.",
  }),
];

export const FILES: Record<string, string> = {
  Dockerfile: [
    "FROM node:latest",
    "WORKDIR /app",
    `ENV OPENAI_API_KEY=${SECRET}`,
    "COPY . .",
    "RUN npm install && \\",
    "    npm run build",
    'CMD ["node", "server.js"]',
    "",
  ].join("\n"),
  "compose.yaml": [
    "services:",
    "  web:",
    "    build: .",
    "    environment:",
    "      - DB_PASSWORD=hunter2hunter2",
    "",
  ].join("\n"),
  ".env": `OPENAI_API_KEY=${SECRET}\n`,
};

export function sources(files: Record<string, string> = FILES): (file: string) => SourceText | undefined {
  const texts = new Map(
    Object.entries(files).map(([path, text]) => [path, new SourceText(path, text)] as const),
  );
  return (file) => texts.get(file);
}

function offsetOf(file: string, needle: string): number {
  const index = (FILES[file] ?? "").indexOf(needle);
  if (index < 0) throw new Error(`${needle} not in ${file}`);
  return index;
}

export function findings(): Finding[] {
  const list: Finding[] = [
    {
      ruleId: "SS1001",
      severity: "error",
      category: "reproducibility",
      location: { file: "Dockerfile", line: 1, column: 6 },
      message: "`node:latest` moves with every release: pin `node:20.20.2-bookworm-slim`",
      fix: {
        description: "Pin `node:20.20.2-bookworm-slim`",
        edits: [
          {
            file: "Dockerfile",
            start: offsetOf("Dockerfile", "latest"),
            end: offsetOf("Dockerfile", "latest") + "latest".length,
            text: "20.20.2-bookworm-slim",
          },
        ],
      },
    },
    {
      ruleId: "SS3001",
      severity: "warning",
      category: "hardening",
      location: { file: "Dockerfile", line: 1, column: 1 },
      message: "The final stage runs as root: it has no `USER`",
    },
    {
      ruleId: "SS2001",
      severity: "error",
      category: "secrets",
      location: { file: "Dockerfile", line: 3, column: 5, endLine: 3, endColumn: 64 },
      message:
        "`ENV OPENAI_API_KEY` holds an OpenAI API key (`sk-p…(44 chars)`): every layer of the image keeps it",
      related: [{ file: ".env", line: 1, column: 1, message: "the same key is in `.env`" }],
    },
    {
      ruleId: "SS4001",
      severity: "info",
      category: "runtime",
      location: { file: "Dockerfile", line: 5, column: 5 },
      message: "`npm install` in a build: use `npm ci`",
      fix: {
        description: "Use `npm ci`",
        edits: [
          {
            file: "Dockerfile",
            start: offsetOf("Dockerfile", "npm install"),
            end: offsetOf("Dockerfile", "npm install") + "npm install".length,
            text: "npm ci",
          },
        ],
      },
    },
    {
      ruleId: "SS2001",
      severity: "error",
      category: "secrets",
      location: { file: "compose.yaml", line: 5, column: 9 },
      message: "`DB_PASSWORD` of service `web` is a literal password (`hunt…(14 chars)`)",
    },
  ];
  return list.sort(compareFindings);
}

export function reportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    result: {
      findings: findings(),
      suppressed: 2,
      problems: [
        { file: "compose.override.yaml", line: 3, column: 7, message: "is not valid YAML: bad indentation" },
      ],
      filesChecked: 4,
    },
    root: ".",
    sources: sources(),
    rules: RULES,
    toolVersion: "0.1.0",
    failOn: "error",
    ...overrides,
  };
}

export function emptyInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return reportInput({
    result: { findings: [], suppressed: 0, problems: [], filesChecked: 3 },
    ...overrides,
  });
}

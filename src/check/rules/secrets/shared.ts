/**
 * What the secrets rules share: which values and files hold secrets, how to name a secret in a
 * message without showing it, what a COPY from the build context copies, whether git ignores a
 * path, and how to write `.dockerignore` lines that exclude what should not be sent without
 * excluding what the build needs.
 */
import ignore from "ignore";
import { type EnvFileFacts, envFileFacts } from "../../facts/app.js";
import { type BuildContext, buildContext } from "../../facts/context.js";
import type { CopyFacts, DockerfileFacts, InstructionFacts } from "../../facts/dockerfile.js";
import type { ProjectFacts } from "../../facts/project.js";
import {
  isPlaceholder,
  looksRandom,
  redact,
  type SecretMatch,
  secretAssignment,
} from "../../facts/secrets.js";
import { SourceText } from "../../facts/source.js";
import { baseName, type TreeEntry } from "../../facts/tree.js";

/** Values a secret-sounding name can hold without holding a secret: flags, paths, plain URLs. */
function isTrivialValue(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, "");
  if (/^(?:true|false|yes|no|on|off|enabled?|disabled?|required|optional|[01])$/i.test(v)) return true;
  // A path to a file that holds the secret (`GOOGLE_APPLICATION_CREDENTIALS=/app/key.json`).
  if (/^(?:\/|\.\.?\/|~\/)\S*$/.test(v)) return true;
  // A URL without credentials in it.
  if (/^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i.test(v)) return true;
  return false;
}

/** A literal secret in `name=value`: secretAssignment, minus flags and paths under a secret name. */
export function literalSecret(name: string, value: string | undefined): SecretMatch | undefined {
  if (value === undefined) return undefined;
  const match = secretAssignment(name, value);
  if (!match) return undefined;
  if (match.kind.startsWith("literal ") && isTrivialValue(value)) return undefined;
  return match;
}

/** "an OpenAI API key (`sk-p…(56 chars)`)", "a literal secret (`****`)": never the value itself. */
export function describeSecret(match: SecretMatch): string {
  const kind = match.kind.startsWith("literal ") ? "literal secret" : match.kind;
  return `${withArticle(kind)} (\`${redact(match.value)}\`)`;
}

/** "an npm token", "a private key". */
export function withArticle(phrase: string): string {
  return `${/^(?:[aeiouAEIOU]|npm\b|SSH\b)/.test(phrase) ? "an" : "a"} ${phrase}`;
}

/** Entries of an env file that hold secrets (by name and value, or a random-looking token). */
export function envSecretEntries(file: EnvFileFacts): EnvFileFacts["entries"] {
  return file.entries.filter(
    (entry) =>
      literalSecret(entry.name, entry.value) !== undefined ||
      (looksRandom(entry.value) && /^[A-Za-z0-9_+=-]+$/.test(entry.value)),
  );
}

/** Test data, fixtures and examples: fake secrets live there on purpose. */
export function isTestPath(path: string): boolean {
  return (
    /(?:^|\/)(?:test|tests|__tests__|spec|specs|fixtures?|__fixtures__|testdata|__mocks__|mocks|examples?|samples?)\//.test(
      path,
    ) || /\.(?:test|spec)\.[^/]+$/.test(path)
  );
}

/** "a, b and c". */
export function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** `a, b, c and 2 more` from a list of names. */
export function listNames(names: string[], max = 5): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

export interface SecretFile {
  /** Path relative to the project root. */
  path: string;
  /** What it is: "env file", "npm auth token", "private key". */
  kind: string;
  /** The line to point at (the first secret line, or 1). */
  line: number;
  /** Names of the secrets an env file holds (never values). */
  names: string[];
}

const ENV_FILE = /^\.env(?:\..+)?$/;
const ENV_EXAMPLE = /\.(?:example|sample|template|dist|defaults?)$/;
const SSH_KEY = /^id_(?:rsa|dsa|ecdsa|ed25519)(?:[._-].*)?$/;
const SERVICE_ACCOUNT_JSON =
  /^(?:credentials|client_secrets?)\.json$|service[-_]?account[^/]*\.json$|firebase-adminsdk[^/]*\.json$/i;

function firstLine(text: string, pattern: RegExp): number | undefined {
  const lines = text.split("\n");
  const index = lines.findIndex((line) => pattern.test(line));
  return index < 0 ? undefined : index + 1;
}

/** A literal (not `${VAR}`, not a placeholder) value on a `key = value` line of a config file. */
function literalConfigLine(text: string, key: RegExp): number | undefined {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^\s*[#;]/.test(line)) continue;
    const match = key.exec(line);
    const value = match?.[1]?.trim().replace(/^["']|["']$/g, "");
    if (value && !/^\$\{?[A-Za-z_]/.test(value) && !isPlaceholder(value)) return i + 1;
  }
  return undefined;
}

/**
 * Whether a file of the project holds secrets, judged by name and (where the checker read it)
 * by content: an `.npmrc` that reads its token from `${NPM_TOKEN}` or a `.pem` CA certificate
 * is not a secret file.
 */
// Several rules ask about the same files (every file a `COPY . .` sends, per Dockerfile): each
// path is judged once per project.
const secretFilesOf = new WeakMap<ProjectFacts, Map<string, SecretFile | undefined>>();

export function secretFileAt(facts: ProjectFacts, path: string): SecretFile | undefined {
  let known = secretFilesOf.get(facts);
  if (!known) {
    known = new Map();
    secretFilesOf.set(facts, known);
  }
  if (known.has(path)) return known.get(path);
  const file = judgeSecretFile(facts, path);
  known.set(path, file);
  return file;
}

function judgeSecretFile(facts: ProjectFacts, path: string): SecretFile | undefined {
  const entry = facts.tree.entries.get(path);
  if (entry && entry.kind !== "file") return undefined;
  const name = baseName(path);
  if (ENV_FILE.test(name)) {
    if (ENV_EXAMPLE.test(name)) return undefined;
    const env = facts.app.envFiles.find((file) => file.file === path);
    return env ? envSecretFile(env) : undefined;
  }
  return secretFileFromText(path, facts.text(path)?.text);
}

function envSecretFile(env: EnvFileFacts): SecretFile | undefined {
  const secrets = envSecretEntries(env);
  if (secrets.length === 0) return undefined;
  return { path: env.file, kind: "env file", line: secrets[0]?.line ?? 1, names: secrets.map((s) => s.name) };
}

/**
 * The same judgement from a file's path and text alone (`text` undefined: not read, too big or
 * binary), for files that are not in a project tree: the files of an image's layers
 * (`shipshape verify`). Also knows the credential files of a home directory (`.aws/credentials`,
 * `.docker/config.json` with auths, gcloud's credential JSON) that images pick up from `COPY`
 * of a home directory or a build that logged in.
 */
export function secretFileFromText(path: string, text: string | undefined): SecretFile | undefined {
  const name = baseName(path);
  if (ENV_FILE.test(name)) {
    if (ENV_EXAMPLE.test(name) || text === undefined) return undefined;
    return envSecretFile(envFileFacts(new SourceText(path, text)));
  }
  if (/(?:^|\/)\.aws\/credentials$/.test(path)) {
    if (text === undefined) return { path, kind: "AWS credentials", line: 1, names: [] };
    const line = literalConfigLine(text, /^\s*aws_(?:secret_access_key|session_token)\s*=\s*(.+)$/);
    return line === undefined ? undefined : { path, kind: "AWS credentials", line, names: [] };
  }
  if (/(?:^|\/)\.docker\/config\.json$/.test(path)) {
    const line = text === undefined ? undefined : firstLine(text, /"(?:auth|identitytoken)"\s*:\s*"[^"]+"/);
    return line === undefined ? undefined : { path, kind: "registry credentials", line, names: [] };
  }
  if (/(?:^|\/)\.config\/gcloud\/.*\.json$/.test(path) && text !== undefined) {
    const line = firstLine(text, /"(?:private_key|refresh_token|client_secret)"\s*:\s*"[^"]+"/);
    if (line !== undefined) return { path, kind: "cloud credentials", line, names: [] };
  }
  if (name === ".npmrc") {
    if (text === undefined) return undefined;
    const line = literalConfigLine(text, /(?:^|:)\s*_(?:authToken|auth|password)\s*=\s*(.+)$/);
    return line === undefined ? undefined : { path, kind: "npm auth token", line, names: [] };
  }
  if (name === ".yarnrc.yml") {
    if (text === undefined) return undefined;
    const line = literalConfigLine(text, /^\s*npmAuth(?:Token|Ident)\s*:\s*(.+)$/);
    return line === undefined ? undefined : { path, kind: "npm auth token", line, names: [] };
  }
  if (name === ".pypirc") {
    if (text === undefined) return { path, kind: "PyPI credentials", line: 1, names: [] };
    const line = literalConfigLine(text, /^\s*password\s*[=:]\s*(.+)$/);
    return line === undefined ? undefined : { path, kind: "PyPI password", line, names: [] };
  }
  if (name === ".netrc" || name === "_netrc") return { path, kind: "netrc credentials", line: 1, names: [] };
  if (name === ".git-credentials") return { path, kind: "git credentials", line: 1, names: [] };
  if (name.endsWith(".pem")) {
    const line = text === undefined ? undefined : firstLine(text, /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY/);
    return line === undefined ? undefined : { path, kind: "private key", line, names: [] };
  }
  if (name.endsWith(".key")) {
    if (text !== undefined && /PUBLIC KEY|CERTIFICATE/.test(text) && !/PRIVATE KEY/.test(text))
      return undefined;
    const line = text === undefined ? 1 : (firstLine(text, /PRIVATE KEY/) ?? 1);
    return { path, kind: "private key", line, names: [] };
  }
  if (SSH_KEY.test(name) && !name.endsWith(".pub"))
    return { path, kind: "SSH private key", line: 1, names: [] };
  if (SERVICE_ACCOUNT_JSON.test(name)) {
    const line = text === undefined ? 1 : (firstLine(text, /"private_key"|"client_secret"/) ?? 1);
    return { path, kind: "cloud credentials", line, names: [] };
  }
  if (name.endsWith(".json") && text !== undefined && /"private_key"\s*:\s*"-----BEGIN/.test(text)) {
    return { path, kind: "cloud credentials", line: firstLine(text, /"private_key"/) ?? 1, names: [] };
  }
  return undefined;
}

/** `secretFileAt` with what to show: "`.env` (DATABASE_URL, JWT_SECRET)" or "`id_rsa` (SSH private key)". */
export function describeSecretFile(file: SecretFile, shownPath = file.path): string {
  if (file.names.length > 0) return `\`${shownPath}\` (${listNames(file.names)})`;
  return `\`${shownPath}\` (${file.kind})`;
}

/** Auth files SS1103 reports when a COPY names them explicitly. */
export function isAuthFileName(name: string): boolean {
  return (
    /^(?:\.npmrc|\.pypirc|\.netrc|_netrc|\.git-credentials)$/.test(name) ||
    (SSH_KEY.test(name) && !name.endsWith(".pub")) ||
    /\.(?:pem|key)$/.test(name)
  );
}

/** A COPY source without `./` and trailing slashes ("" or "." for the context root). */
export function cleanSource(source: string): string {
  const clean = source.replace(/^(?:\.\/+)+/, "").replace(/\/+$/, "");
  return clean === "" ? "." : clean;
}

export function hasGlob(source: string): boolean {
  return /[*?[]/.test(source);
}

/** COPY/ADD instructions that read the build context (no `--from`, no heredoc, no URL). */
export function contextCopies(dockerfile: DockerfileFacts): CopyFacts[] {
  return dockerfile.stages
    .flatMap((stage) => stage.copies)
    .filter((copy) => copy.from === undefined && !copy.heredoc)
    .sort((a, b) => a.instruction.line - b.instruction.line);
}

function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^git@/.test(source);
}

/** Context-relative directories (or "." for all) a source copies as a whole. */
export function broadDirs(context: BuildContext, facts: ProjectFacts, source: string): string[] {
  if (isUrl(source)) return [];
  const clean = cleanSource(source);
  if (clean === ".") return ["."];
  const prefix = context.dir === "" ? "" : `${context.dir}/`;
  return context
    .match(clean)
    .filter((path) => path === "." || facts.tree.entries.get(prefix + path)?.kind === "dir");
}

/** Whether a COPY/ADD source copies a directory (or the whole context) rather than named files. */
export function isBroadSource(context: BuildContext, facts: ProjectFacts, source: string): boolean {
  return broadDirs(context, facts, source).length > 0;
}

const sentFilesOf = new WeakMap<BuildContext, TreeEntry[]>();

/** The files among the entries a context sends (worked out once per context). */
function sentFiles(context: BuildContext): TreeEntry[] {
  let files = sentFilesOf.get(context);
  if (!files) {
    files = context.sentEntries().filter((entry) => entry.kind === "file");
    sentFilesOf.set(context, files);
  }
  return files;
}

/** The files (context-relative) a COPY source copies from the context, after `.dockerignore` (shared: do not modify). */
// Dockerfiles side by side share a context and often copy the same sources (`COPY . .`): each
// source's files are listed once per context. Shared: callers must not modify the list.
const copiedFilesOf = new WeakMap<BuildContext, Map<string, string[]>>();

export function copiedFiles(context: BuildContext, facts: ProjectFacts, source: string): string[] {
  let bySource = copiedFilesOf.get(context);
  if (!bySource) {
    bySource = new Map();
    copiedFilesOf.set(context, bySource);
  }
  let files = bySource.get(source);
  if (!files) {
    files = listCopiedFiles(context, facts, source);
    bySource.set(source, files);
  }
  return files;
}

function listCopiedFiles(context: BuildContext, facts: ProjectFacts, source: string): string[] {
  if (isUrl(source)) return [];
  const prefix = context.dir === "" ? "" : `${context.dir}/`;
  const out = new Set<string>();
  const sent = sentFiles(context);
  for (const path of context.match(cleanSource(source))) {
    const kind = path === "." ? "dir" : facts.tree.entries.get(prefix + path)?.kind;
    if (kind === "dir") {
      const under = `${path}/`;
      for (const entry of sent) if (path === "." || entry.path.startsWith(under)) out.add(entry.path);
    } else if (kind === "file" && context.includes(path)) out.add(path);
  }
  return [...out].sort();
}

/** `COPY . .` as written (flags left out), shortened when long. */
export function copyText(copy: CopyFacts): string {
  const text = `${copy.keyword} ${[...copy.sources, copy.destination].join(" ")}`;
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The physical line of an instruction that contains a piece of text (the first line otherwise). */
export function lineWith(dockerfile: DockerfileFacts, instruction: InstructionFacts, needle: string): number {
  if (needle === "") return instruction.line;
  for (let line = instruction.line; line <= instruction.endLine; line++) {
    if (dockerfile.source.line(line).includes(needle)) return line;
  }
  return instruction.line;
}

// A `.gitignore` is compiled once per project, not for every path asked about (the matcher is
// pure). Keyed by the project's facts: the tree's texts outlive them.
const gitignoreMatchers = new WeakMap<ProjectFacts, Map<SourceText, ReturnType<typeof ignore>>>();

function gitignoreMatcher(facts: ProjectFacts, source: SourceText): ReturnType<typeof ignore> {
  let matchers = gitignoreMatchers.get(facts);
  if (!matchers) {
    matchers = new Map();
    gitignoreMatchers.set(facts, matchers);
  }
  let matcher = matchers.get(source);
  if (!matcher) {
    matcher = ignore().add(source.text);
    matchers.set(source, matcher);
  }
  return matcher;
}

/** Whether the `.gitignore` files that apply (the root's and each parent directory's) ignore a path. */
export function gitIgnored(facts: ProjectFacts, path: string, isDir = false): boolean {
  const parts = path.split("/");
  let ignored = false;
  for (let i = 0; i < parts.length; i++) {
    const dir = parts.slice(0, i).join("/");
    const source = facts.text(dir === "" ? ".gitignore" : `${dir}/.gitignore`);
    if (!source) continue;
    const relative = parts.slice(i).join("/") + (isDir ? "/" : "");
    try {
      const result = gitignoreMatcher(facts, source).test(relative);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    } catch {
      // A path the matcher refuses (absolute, `..`) is not one git would ignore.
    }
  }
  return ignored;
}

/** Escape a literal path for a `.dockerignore` line. */
export function escapeIgnorePath(path: string): string {
  return path.replace(/[\\*?[\]]/g, "\\$&");
}

const contextsWith = new WeakMap<ProjectFacts, Map<string, BuildContext>>();

/** The context as it would be with a different `.dockerignore` text (shared per project and text). */
export function contextWith(facts: ProjectFacts, dir: string, dockerignoreText: string): BuildContext {
  // Fixes try the same texts more than once (each trial is the next gap's starting point): a
  // context is built once per project for each directory and text.
  let known = contextsWith.get(facts);
  if (!known) {
    known = new Map();
    contextsWith.set(facts, known);
  }
  const key = `${dir}\n${dockerignoreText}`;
  let context = known.get(key);
  if (!context) {
    const file = dir === "" ? ".dockerignore" : `${dir}/.dockerignore`;
    context = buildContext(facts.tree, dir, new SourceText(file, dockerignoreText));
    known.set(key, context);
  }
  return context;
}

/** Files a build of this context needs whatever its Dockerfile says: manifests, lockfiles, TS config. */
const PROTECTED =
  /^(?:package\.json|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|pnpm-workspace\.yaml|bun\.lockb?|\.yarnrc\.yml|requirements[^/]*\.txt|pyproject\.toml|poetry\.lock|uv\.lock|Pipfile(?:\.lock)?|setup\.py|setup\.cfg|tsconfig[^/]*\.json|go\.mod|go\.sum)$/;

/**
 * Paths (context-relative) the build must still receive: every path a COPY/ADD of these
 * Dockerfiles names explicitly, and the manifests and lockfiles of the context.
 */
export function requiredPaths(facts: ProjectFacts, context: BuildContext, dockerfiles: DockerfileFacts[]) {
  const out = new Set<string>();
  for (const dockerfile of dockerfiles) {
    for (const copy of contextCopies(dockerfile)) {
      for (const source of copy.sources) {
        if (isUrl(source)) continue;
        const clean = cleanSource(source);
        if (clean === ".") continue;
        const matched = context.match(clean);
        if (matched.length === 0 && !hasGlob(clean)) out.add(clean);
        for (const path of matched) if (path !== ".") out.add(path);
      }
    }
  }
  const prefix = context.dir === "" ? "" : `${context.dir}/`;
  for (const entry of facts.tree.entries.values()) {
    if (!entry.path.startsWith(prefix) || entry.kind !== "file") continue;
    const relative = entry.path.slice(prefix.length);
    if (!relative.includes("/") && PROTECTED.test(relative)) out.add(relative);
  }
  return [...out].sort();
}

/**
 * Make `lines` (a `.dockerignore` body to append to `base`) keep every required path: a
 * plain pattern that names a required path is dropped, and a wider one gets a `!path`
 * exception after it. Returns the lines to write.
 */
export function keepRequired(
  facts: ProjectFacts,
  dir: string,
  base: string,
  lines: string[],
  required: string[],
): string[] {
  const out = [...lines];
  const before = contextWith(facts, dir, base);
  const wanted = required.filter((path) => before.includes(path));
  for (let round = 0; round < 5; round++) {
    const context = contextWith(facts, dir, base + out.map((line) => `${line}\n`).join(""));
    const excluded = wanted.filter((path) => !context.includes(path));
    if (excluded.length === 0) return out;
    for (const path of excluded) {
      const pattern = context.excludedBy(path);
      const own = pattern ? out.indexOf(pattern.pattern) : -1;
      if (
        own >= 0 &&
        !hasGlob(pattern!.pattern) &&
        (path === pattern!.pattern || path.startsWith(`${pattern!.pattern}/`))
      )
        out.splice(own, 1);
      else if (!out.includes(`!${escapeIgnorePath(path)}`)) out.push(`!${escapeIgnorePath(path)}`);
    }
  }
  return out;
}

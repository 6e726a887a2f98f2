/**
 * Secrets and `build`: the `--secret` flag (BuildKit secret mounts, never args or layers), build
 * args that look like secrets, and secret files the build context would send. Which files hold
 * secrets is check's judgement (secretFileAt, the facts behind SS1104/SS1106), not a second one.
 */
import type { BuildContext } from "../check/facts/context.js";
import type { ProjectFacts } from "../check/facts/project.js";
import { findSecretValue, isSecretName, redact } from "../check/facts/secrets.js";
import { envSecretEntries, type SecretFile, secretFileAt } from "../check/rules/secrets/shared.js";
import type { BuildSecret } from "../engine/plans.js";
import { UsageError } from "../errors.js";

const SECRET_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** `id=npm_token,env=NPM_TOKEN` or `id=npmrc,src=$HOME/.npmrc` (also `type=env|file`, `source=`). */
export function parseSecretSpec(spec: string): BuildSecret {
  const bad = (problem: string) =>
    new UsageError(`--secret ${spec}: ${problem}`, {
      hint: "write --secret id=npm_token,env=NPM_TOKEN (from a variable) or --secret id=npmrc,src=./.npmrc (from a file)",
    });
  const fields = new Map<string, string>();
  for (const part of spec.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw bad(`"${part}" is not key=value`);
    const key = part.slice(0, eq).trim().toLowerCase();
    if (!["id", "env", "src", "source", "type"].includes(key)) throw bad(`unknown key "${key}"`);
    if (fields.has(key)) throw bad(`"${key}" is given twice`);
    fields.set(key, part.slice(eq + 1).trim());
  }
  const id = fields.get("id");
  if (!id) throw bad("it has no id=");
  if (!SECRET_ID.test(id)) throw bad(`id "${id}" may only contain letters, digits, '.', '_' and '-'`);
  const type = fields.get("type");
  if (type !== undefined && type !== "env" && type !== "file") throw bad(`type "${type}" is not env or file`);
  const env = fields.get("env");
  const src = fields.get("src") ?? fields.get("source");
  if (env !== undefined && src !== undefined) throw bad("give env= or src=, not both");
  if (type === "env" && src !== undefined) return { id, env: src };
  if (env !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) throw bad(`"${env}" is not an environment variable name`);
    return { id, env };
  }
  if (src !== undefined) return { id, src };
  throw bad("it says neither env= nor src=");
}

/**
 * Checks that every secret's source exists, without reading a value into any message.
 * `fileExists` is the file-system question (injected: this module stays pure).
 */
export function validateSecrets(
  secrets: readonly BuildSecret[],
  env: NodeJS.ProcessEnv,
  fileExists: (path: string) => boolean,
): void {
  const seen = new Set<string>();
  for (const secret of secrets) {
    if (seen.has(secret.id))
      throw new UsageError(`--secret id=${secret.id} is given twice`, { hint: "each secret id once" });
    seen.add(secret.id);
    if (secret.env !== undefined && (env[secret.env] === undefined || env[secret.env] === ""))
      throw new UsageError(`--secret id=${secret.id}: the environment variable ${secret.env} is not set`, {
        hint: `export ${secret.env} before building (its value is passed to BuildKit, never printed or stored)`,
      });
    if (secret.src !== undefined && !fileExists(secret.src))
      throw new UsageError(`--secret id=${secret.id}: the file ${secret.src} does not exist`);
  }
}

/** Warnings for build args that carry (or look like they carry) a secret. Values are never shown. */
export function buildArgWarnings(buildArgs: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(buildArgs)) {
    const byValue = findSecretValue(value);
    if (!isSecretName(name) && !byValue) continue;
    const id = name.toLowerCase();
    const why = byValue ? `its value looks like ${byValue.kind} (\`${redact(byValue.value)}\`)` : "its name";
    out.push(
      `--build-arg ${name} looks like a secret (${why}): build args are kept in the image's history; pass it with --secret id=${id},env=${name} and read it in RUN --mount=type=secret,id=${id}`,
    );
  }
  return out;
}

export interface ContextSecret {
  /** Context-relative path. */
  path: string;
  kind: string;
  line: number;
  /** What to show instead of the secret: `JWT_SECRET=9f8e…(32 chars)`, or the reason. */
  shown: string[];
}

/** The secret on a file's line, redacted (`npm_…(40 chars)`), or why the file is one. */
function shownLine(facts: ProjectFacts, file: SecretFile): string {
  const line = facts.text(file.path)?.line(file.line);
  if (line === undefined || /PRIVATE KEY|private_key/.test(line)) return "content not shown";
  const known = findSecretValue(line);
  if (known) return `${known.kind} \`${redact(known.value)}\``;
  const value = /=\s*(.+)$/.exec(line)?.[1] ?? /:\s*(.+)$/.exec(line)?.[1];
  if (value === undefined) return "content not shown";
  return `\`${redact(value.trim().replace(/^["']|["'],?$/g, ""))}\``;
}

/** Secret files among the files the context sends, with what to show for each. */
export function contextSecrets(facts: ProjectFacts, context: BuildContext): ContextSecret[] {
  const prefix = context.dir === "" ? "" : `${context.dir}/`;
  const out: ContextSecret[] = [];
  for (const entry of context.sentEntries()) {
    if (entry.kind !== "file") continue;
    const file = secretFileAt(facts, prefix + entry.path);
    if (!file) continue;
    let shown: string[];
    const env = facts.app.envFiles.find((candidate) => candidate.file === file.path);
    if (env) shown = envSecretEntries(env).map((item) => `${item.name}=${redact(item.value)}`);
    else shown = [shownLine(facts, file)];
    out.push({ path: entry.path, kind: file.kind, line: file.line, shown });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

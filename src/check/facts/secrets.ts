/**
 * Secret detection by name and by value (provider key prefixes, private key headers,
 * credentials in URLs, long random-looking values), and redaction: shipshape never prints a
 * secret it found, only enough of it to recognise.
 */

export interface SecretMatch {
  /** What kind of secret: "OpenAI API key", "password in a URL", "private key". */
  kind: string;
  /** The secret value as found (never printed: use redact()). */
  value: string;
}

const PROVIDER_PATTERNS: Array<{ kind: string; pattern: RegExp }> = [
  { kind: "private key", pattern: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { kind: "OpenAI API key", pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/ },
  { kind: "Anthropic API key", pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/ },
  { kind: "GitHub token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
  { kind: "GitLab token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { kind: "AWS access key id", pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/ },
  { kind: "Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { kind: "Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}/ },
  { kind: "Stripe secret key", pattern: /\b(?:sk|rk)_live_[A-Za-z0-9]{20,}/ },
  { kind: "npm token", pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { kind: "SendGrid key", pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/ },
  { kind: "password in a URL", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s@/$]{3,})@/i },
];

/** Literal text each of PROVIDER_PATTERNS (same order) cannot match without. */
const PATTERN_HINTS: string[][] = [
  ["-----BEGIN "],
  ["sk-"],
  ["sk-ant-"],
  ["gh", "github_pat_"],
  ["glpat-"],
  ["AKIA", "ASIA"],
  ["xox"],
  ["AIza"],
  ["_live_"],
  ["npm_"],
  ["SG."],
  ["://"],
];

/** Any of PATTERN_HINTS. */
const ANY_HINT = /-----BEGIN |sk-|gh|github_pat_|glpat-|AKIA|ASIA|xox|AIza|_live_|npm_|SG\.|:\/\//;

function hasHint(text: string, hints: readonly string[]): boolean {
  for (const hint of hints) if (text.includes(hint)) return true;
  return false;
}

/** Names that hold secrets by convention. */
const SECRET_NAME =
  /(?:^|[_.-])(?:PASSWORD|PASSWD|PWD|PASS|SECRET|SECRETS|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH|AUTH_?TOKEN|CREDENTIALS?|SECRET_?KEY(?:_BASE)?|SESSION_?KEY|SIGNING_?KEY|ENCRYPTION_?KEY|CLIENT_?SECRET|_authToken)$|^(?:PASSWORD|SECRET|TOKEN|APIKEY|API_KEY)$/i;
/** Names that look secret but are not (`PUBLIC_KEY`, `TOKEN_URL`, `*_FILE` pointing at a secret). */
const NOT_SECRET_NAME =
  /(?:PUBLIC|PUBLISHABLE)_?KEY$|_(?:FILE|PATH|URL|ENDPOINT|HOST|PORT|NAME|USER|USERNAME|ID|EXPIRES?|TTL|LENGTH)$|^(?:NEXT_PUBLIC|VITE|REACT_APP)_/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !NOT_SECRET_NAME.test(name);
}

/** Values that stand for a secret without being one: references, placeholders, empty. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, "");
  if (v === "") return true;
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*/.test(v) && /^\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(v))
    return true;
  if (/^<[^>]*>$|^\{\{.*\}\}$|^%[^%]+%$/.test(v)) return true;
  if (
    /^(?:x+|\*+|\.+|-+|changeme|change-me|change_me|replace-?me|your[-_ ].*|todo|tbd|none|null|undefined|example|placeholder|secret|password|dummy|test)$/i.test(
      v,
    )
  )
    return true;
  if (/^\/run\/secrets\//.test(v)) return true;
  return false;
}

/** A value that is a secret by its shape alone, whatever its name. */
export function findSecretValue(text: string): SecretMatch | undefined {
  // Each pattern needs one of a few literal pieces: most text has none (one scan tells), and
  // then only the patterns whose pieces it has run.
  if (!ANY_HINT.test(text)) return undefined;
  for (let i = 0; i < PROVIDER_PATTERNS.length; i++) {
    const { kind, pattern } = PROVIDER_PATTERNS[i]!;
    if (!hasHint(text, PATTERN_HINTS[i]!)) continue;
    const match = pattern.exec(text);
    if (!match) continue;
    if (kind === "password in a URL") {
      const password = match[1] ?? "";
      if (isPlaceholder(password) && !/^(?:password|secret)$/i.test(password)) continue;
      return { kind, value: password };
    }
    return { kind, value: match[0] };
  }
  return undefined;
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Whether an assignment `name=value` holds a literal secret: a secret-looking value, or a
 * secret-sounding name with a literal (non-placeholder) value.
 */
export function secretAssignment(name: string, value: string | undefined): SecretMatch | undefined {
  if (value === undefined) return undefined;
  const byValue = findSecretValue(value);
  if (byValue) return byValue;
  if (!isSecretName(name) || isPlaceholder(value)) return undefined;
  // Interpolated values (`${DB_PASSWORD}`, `$(cat /run/secrets/x)`) are references.
  if (/\$\{|\$\(|^\$[A-Za-z_]/.test(value)) return undefined;
  return { kind: `literal ${name}`, value };
}

/** A long random-looking token (for values whose name says nothing). */
export function looksRandom(value: string): boolean {
  return (
    value.length >= 24 &&
    !/\s/.test(value) &&
    entropy(value) >= 4.2 &&
    /\d/.test(value) &&
    /[A-Za-z]/.test(value)
  );
}

/** A URL password for a database on the developer's own machine is a local default, not a leak. */
export function isLocalUrlPassword(line: string, password: string): boolean {
  const at = line.indexOf(`:${password}@`);
  if (at < 0) return false;
  return /^@(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|host\.docker\.internal)\b/.test(
    line.slice(at + password.length + 1),
  );
}

/**
 * A provider-shaped value that is documentation filler, not a key: `sk-proj-xxxxxxxxxxxxxxxxxxxx`,
 * `ghp_000000000000000000000000000000`, AWS's `AKIAIOSFODNN7EXAMPLE`. For scanning files nobody
 * wrote for this project (an image's layers); a project's own files keep every match.
 */
export function isExampleSecret(value: string): boolean {
  if (/EXAMPLE|\.\.\.|<|>/.test(value)) return true;
  // The random part after the provider prefix (`sk-proj-`, `ghp_`, `xoxb-`).
  const tail = value.replace(/^[A-Za-z]{2,10}[_-](?:[a-z]{2,8}[_-])?/, "");
  return tail.length > 0 && new Set(tail).size <= 2;
}

/** Enough of a secret to recognise it, never the secret: `sk-p…(78 chars)`. */
export function redact(value: string): string {
  if (value.length <= 8) return "****";
  return `${value.slice(0, 4)}…(${value.length} chars)`;
}

/** A line of source with every secret in it masked, for code frames. */
export function redactLine(line: string): string {
  let out = line;
  for (const { kind, pattern } of PROVIDER_PATTERNS) {
    const global = new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`);
    out = out.replace(global, (match: string, password?: string) => {
      if (kind === "password in a URL" && typeof password === "string")
        return match.replace(`:${password}@`, ":****@");
      return `${match.slice(0, 4)}****`;
    });
  }
  // A literal fallback for a secret-named variable: `process.env.JWT_SECRET || 'x'`, `getenv("KEY", "x")`.
  out = out.replace(
    /\b([A-Za-z_][A-Za-z0-9_]*)(["']?\]?\)?\s*(?:\|\||\?\?|,|\bor\b)\s*)(["'`])((?:(?!\3).)+)\3/g,
    (whole, name: string, between: string, quote: string, value: string) =>
      isSecretName(name) && !isPlaceholder(value) ? `${name}${between}${quote}****${quote}` : whole,
  );
  // NAME=value, NAME: value, "NAME": "value" with a secret-sounding name.
  return out.replace(
    /(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\1(\s*[:=]\s*)(["']?)([^\s"',;]+)\4/g,
    (whole, quote: string, name: string, sep: string, vq: string, value: string) =>
      isSecretName(name) && !isPlaceholder(value) && !value.includes("****") && !/^\$/.test(value)
        ? `${quote}${name}${quote}${sep}${vq}****${vq}`
        : whole,
  );
}

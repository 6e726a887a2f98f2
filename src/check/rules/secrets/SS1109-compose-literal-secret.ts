import type { ComposeFacts, ServiceFacts } from "../../facts/compose.js";
import { findSecretValue, type SecretMatch } from "../../facts/secrets.js";
import type { Location, Rule, RuleResult } from "../../types.js";
import { describeSecret, literalSecret } from "./shared.js";

/** The literal secret a compose value holds: a provider key, a URL password, a secret-named literal or default. */
function composeSecret(name: string, value: string): { match: SecretMatch; fallback: boolean } | undefined {
  const byValue = findSecretValue(value);
  if (byValue) return { match: byValue, fallback: false };
  const interpolated = /\$(?!\$)/.test(value.replace(/\$\$/g, ""));
  if (!interpolated) {
    const match = literalSecret(name, value);
    return match ? { match, fallback: false } : undefined;
  }
  // `${DB_PASSWORD:-hunter2}`: the default is what runs when the variable is not set.
  for (const m of value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\}/g)) {
    const match = literalSecret(m[1] ?? "", m[2] ?? "") ?? literalSecret(name, m[2] ?? "");
    if (match) return { match, fallback: true };
  }
  return undefined;
}

function suggestion(name: string, match: SecretMatch): string {
  if (match.kind === "password in a URL")
    return "build it from `${...}` values supplied by the environment or a git-ignored `.env`";
  return `use \`\${${name}:?set ${name}}\` from the environment or a git-ignored \`.env\``;
}

/** The line of a `build.args` entry (the facts keep no positions for them). */
function buildArgLocation(compose: ComposeFacts, service: ServiceFacts, name: string): Location {
  const source = compose.source;
  const start = service.build?.position.line ?? service.position.line;
  const pattern = new RegExp(
    `^\\s*(?:-\\s*)?["']?${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*[:=]`,
  );
  for (let line = start; line <= source.lineCount; line++) {
    const text = source.line(line);
    if (pattern.test(text)) return { file: compose.file, line, column: text.indexOf(name) + 1 };
  }
  return { file: compose.file, line: start, column: 1 };
}

export const rule: Rule = {
  meta: {
    id: "SS1109",
    name: "compose-literal-secret",
    title: "Literal secret in a compose file",
    severity: "error",
    category: "secrets",
    rationale:
      "A password or key written in the compose file is committed with it, visible in `docker inspect` of the container, and the same in every environment that uses the file.",
    fix: "Interpolate it from the environment or a git-ignored `.env`: `POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}`.",
    examples: {
      bad: {
        "compose.yaml":
          "services:\n  db:\n    image: postgres:16.4-bookworm\n    environment:\n      POSTGRES_PASSWORD: hunter2hunter2\n",
      },
      good: {
        "compose.yaml":
          "services:\n  db:\n    image: postgres:16.4-bookworm\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const compose of facts.composeFiles) {
      const seen = new Set<number>();
      for (const service of compose.services) {
        for (const entry of service.environment) {
          if (entry.value === undefined || seen.has(entry.position.start)) continue;
          const found = composeSecret(entry.name, entry.value);
          if (!found) continue;
          seen.add(entry.position.start);
          const what = found.fallback
            ? `falls back to ${describeSecret(found.match)}`
            : `holds ${describeSecret(found.match)}`;
          out.push({
            location: { file: compose.file, line: entry.position.line, column: entry.position.column },
            message: `\`${entry.name}\` of service \`${service.name}\` ${what} in the compose file: it is committed and the same in every environment; ${suggestion(entry.name, found.match)}`,
          });
        }
        for (const [name, value] of service.build?.args ?? []) {
          if (value === undefined) continue;
          const found = composeSecret(name, value);
          if (!found) continue;
          const location = buildArgLocation(compose, service, name);
          out.push({
            location,
            message: `build arg \`${name}\` of service \`${service.name}\` holds ${describeSecret(found.match)} in the compose file: it is committed and recorded in the image history; use \`RUN --mount=type=secret\` and compose \`secrets:\``,
          });
        }
      }
    }
    return out;
  },
};

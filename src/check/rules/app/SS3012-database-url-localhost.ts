import type { EnvFileFacts } from "../../facts/app.js";
import { isWithin } from "../../facts/context.js";
import { substituteVariables } from "../../facts/image.js";
import type { ProjectFacts } from "../../facts/project.js";
import { baseName, dirName } from "../../facts/tree.js";
import type { Location, Rule, RuleResult } from "../../types.js";
import { at, instructionAt, nodeAt } from "../helpers.js";
import { relativeTo } from "./support.js";

const DATABASE_URL =
  /^(?:jdbc:)?(postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|cockroachdb)(?:\+[\w-]+)?:\/\/(?:[^@/\s]*@)?(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d+))?/i;
const DATABASE_HOST =
  /^(?:DB|DATABASE|POSTGRES|POSTGRESQL|PG|MYSQL|MARIADB|MONGO|MONGODB|REDIS|RABBITMQ|AMQP|SQL)_?HOST(?:NAME)?$/i;
const DATABASE_IMAGE =
  /(?:^|\/)(?:postgres|postgis|timescaledb|mysql|mariadb|mongo|mongodb|redis|valkey|keydb|rabbitmq|mssql|cockroach)[\w-]*$/i;
const LOCAL_HOST = /^(?:localhost|127\.0\.0\.1|0\.0\.0\.0|::1|\[::1\])$/i;

/** `localhost:5432` when a value points a database client at the container itself. */
function localDatabase(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const url = DATABASE_URL.exec(value.trim());
  if (url) return url[3] ? `${url[2]}:${url[3]}` : (url[2] ?? "localhost");
  if (DATABASE_HOST.test(name) && LOCAL_HOST.test(value.trim())) return value.trim();
  return undefined;
}

/** Whether an env file's values reach a container: copied into an image, an env_file, or interpolated by compose. */
function reachesContainer(facts: ProjectFacts, file: EnvFileFacts, name: string): boolean {
  for (const compose of facts.composeFiles)
    for (const service of compose.services) {
      if (service.envFiles.includes(file.file)) return true;
      // Compose reads `.env` beside the file for `${VAR}` in it.
      if (
        baseName(file.file) === ".env" &&
        dirName(file.file) === dirName(compose.file) &&
        service.environment.some(
          (entry) => entry.interpolated && new RegExp(`\\$\\{?${name}\\b`).test(entry.value ?? ""),
        )
      )
        return true;
    }
  for (const target of facts.dockerfiles) {
    if (!isWithin(file.file, target.context.dir)) continue;
    const relative = relativeTo(target.context.dir, file.file);
    if (!target.context.includes(relative)) continue;
    for (const stage of target.dockerfile.stages) {
      if (!stage.shipped) continue;
      for (const copy of stage.copies) {
        if (copy.from !== undefined || copy.heredoc) continue;
        for (const source of copy.sources) {
          const clean = source.replace(/^\.?\/+/, "").replace(/\/+$/, "");
          if (clean === "" || clean === "." || clean === relative || relative.startsWith(`${clean}/`))
            return true;
          if (/[*?[]/.test(clean) && target.context.match(clean).includes(relative)) return true;
        }
      }
    }
  }
  return false;
}

function message(name: string, where: string, host: string): string {
  const port = /:(\d+)$/.exec(host)?.[1];
  return `\`${name}\` points at \`${host}\` ${where}: inside a container \`localhost\` is the container itself, so the connection is refused${port ? ` (\`ECONNREFUSED 127.0.0.1:${port}\`)` : ""}; use the database's service name (\`db\`) or its real host`;
}

export const rule: Rule = {
  meta: {
    id: "SS3012",
    name: "database-url-localhost",
    title: "A database address points at `localhost`, which is the container itself",
    severity: "warning",
    category: "builder-only",
    rationale:
      "`localhost` reaches the database only when the app runs on the same host as it: inside a container it is the container's own loopback, so the app fails with `ECONNREFUSED 127.0.0.1:5432` while it works on the author's machine.",
    fix: "Use the compose service name (`postgres://…@db:5432/…`) or the real database host, and never bake a localhost default into the image.",
    examples: {
      bad: {
        "compose.yaml":
          "services:\n  api:\n    build: .\n    environment:\n      DATABASE_URL: postgres://app:${DB_PASSWORD}@localhost:5432/app\n  db:\n    image: postgres:16.4-bookworm\n",
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nCMD ["node", "server.js"]\n',
      },
      good: {
        "compose.yaml":
          "services:\n  api:\n    build: .\n    environment:\n      DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app\n  db:\n    image: postgres:16.4-bookworm\n",
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const results: RuleResult[] = [];
    const push = (location: Location, name: string, where: string, host: string) =>
      results.push({ location, message: message(name, where, host) });
    if (facts.dockerfiles.length > 0 || facts.composeFiles.length > 0) {
      for (const file of facts.app.envFiles) {
        // Examples, and files that by convention serve local development and tests only.
        if (
          file.example ||
          /^\.env\.(?:local|dev|development|test|testing)(?:\.local)?$/.test(baseName(file.file))
        )
          continue;
        for (const entry of file.entries) {
          const host = localDatabase(entry.name, entry.value);
          if (!host || !reachesContainer(facts, file, entry.name)) continue;
          push(
            at(file.file, entry.line, entry.column),
            entry.name,
            `in \`${file.file}\`, which reaches the container`,
            host,
          );
        }
      }
    }
    for (const compose of facts.composeFiles) {
      for (const service of compose.services) {
        // `network_mode: host` or `service:x` share another network namespace: localhost is right there.
        if (service.networkMode !== undefined) continue;
        // In the database's own container localhost is the database.
        if (!service.build && DATABASE_IMAGE.test(service.image?.ref.repository ?? "")) continue;
        for (const entry of service.environment) {
          const value =
            entry.value === undefined
              ? undefined
              : substituteVariables(entry.value, facts.composeEnv, "compose");
          const host = localDatabase(entry.name, value);
          if (host)
            push(
              nodeAt(compose.file, entry.position),
              entry.name,
              `in the environment of \`${service.name}\``,
              host,
            );
        }
      }
    }
    for (const target of facts.dockerfiles) {
      for (const stage of target.dockerfile.stages) {
        if (!stage.shipped) continue;
        for (const variable of stage.env) {
          if (variable.instruction.stage !== stage.index) continue; // inherited: reported on its own stage
          const host = localDatabase(variable.name, variable.value);
          if (host)
            push(
              instructionAt(target.dockerfile, variable.instruction),
              variable.name,
              "in the image's `ENV`",
              host,
            );
        }
      }
    }
    return results;
  },
};

import { DB_CLIENTS } from "../../facts/app.js";
import type { Rule } from "../../types.js";
import { at } from "../helpers.js";

/** Calls a health handler makes that only build the response. */
const RESPONSE_CALL =
  /^(?:(?:res|reply|response|resp|ctx|c|h|context)\.(?:json|send|status|sendStatus|end|code|type|header|set|text|body|writeHead|setHeader|response)|Response\.json|NextResponse\.json|Response|jsonify|JSONResponse|PlainTextResponse|HttpResponse|JsonResponse|dict|str|int|float|len|round|Date\.now|Date|process\.uptime|process\.hrtime|Math\.\w+|String|Number|Boolean|JSON\.stringify|time\.time|time\.monotonic|datetime(?:\.\w+)+|new|return|if|ok)$/;

/** Words that mean the handler talks to a dependency (or delegates to something that may). */
const DEPENDENCY_WORD =
  /\b(?:await|yield|then|pool|db|database|client|prisma|knex|sequelize|mongoose|redis|sql|query|ping|connection|conn|cursor|session|engine|repository|repo|dataSource|orm|em|check\w*|indicator|terminus|SELECT)\b/i;

/** Whether the body of a health handler does anything beyond answering. */
function touchesSomething(body: string, python: boolean): boolean {
  const lines = body.split("\n");
  let rest: string;
  if (python) {
    const def = lines.findIndex((line) => /^\s*(?:async\s+)?def\s/.test(line));
    rest = lines.slice(def + 1).join("\n");
  } else {
    const first = lines[0] ?? "";
    const arrow = first.indexOf("=>");
    const fn = first.search(/\bfunction\b/);
    const start = arrow >= 0 ? arrow + 2 : fn >= 0 ? first.indexOf("{", fn) + 1 : first.length;
    rest = [first.slice(start), ...lines.slice(1)].join("\n");
  }
  if (DEPENDENCY_WORD.test(rest)) return true;
  for (const match of rest.matchAll(/(?:\bnew\s+)?([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\(/g)) {
    if (!RESPONSE_CALL.test(match[1] ?? "")) return true;
  }
  return false;
}

export const rule: Rule = {
  meta: {
    id: "SS3013",
    name: "health-check-without-dependencies",
    title: "The health route answers without checking the database",
    severity: "info",
    category: "runtime",
    rationale:
      "A health route that always answers `ok` reports healthy while the database is unreachable and every real request fails: orchestrators keep routing traffic to it and nothing waits for it to be ready.",
    fix: "Run a cheap query (`SELECT 1`) in the readiness route and answer 503 when it fails (keep a trivial liveness route separate if you need one).",
    examples: {
      bad: {
        "src/app.js":
          'const { Pool } = require("pg");\nconst pool = new Pool();\napp.get("/health", (req, res) => {\n  res.json({ status: "ok" });\n});\n',
        "package.json": '{ "dependencies": { "pg": "^8.13.1", "express": "^4.21.2" } }\n',
      },
      good: {
        "src/app.js":
          'const { Pool } = require("pg");\nconst pool = new Pool();\napp.get("/health", async (req, res) => {\n  try {\n    await pool.query("SELECT 1");\n    res.json({ status: "ok" });\n  } catch {\n    res.status(503).json({ status: "unavailable" });\n  }\n});\n',
        "package.json": '{ "dependencies": { "pg": "^8.13.1", "express": "^4.21.2" } }\n',
      },
    },
  },
  check(facts) {
    const clients = DB_CLIENTS.filter((client) => facts.app.allDependencies.has(client));
    if (clients.length === 0) return [];
    const routes = facts.app.healthRoutes.filter((route) => !/^\/(?:livez?|ping)\b/.test(route.path));
    const trivial = routes.filter((route) => !touchesSomething(route.body, route.file.endsWith(".py")));
    // A trivial liveness route next to a readiness route that checks the database is the right design.
    if (trivial.length === 0 || trivial.length < routes.length) return [];
    return trivial.map((route) => ({
      location: at(route.file, route.line, route.column),
      message: `\`${route.path}\` answers without touching the database (\`${clients[0]}\`): it reports healthy while every request that needs the database fails; query it and answer 503 on failure`,
    }));
  },
};

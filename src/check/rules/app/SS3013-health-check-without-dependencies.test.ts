import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3013-health-check-without-dependencies.js";

const PG = '{ "dependencies": { "pg": "^8.13.1", "express": "^4.21.2" } }\n';

describe("SS3013 health-check-without-dependencies", () => {
  it.each([
    [
      "always ok",
      {
        "package.json": PG,
        "src/index.ts":
          "app.get('/health', (req: Request, res: Response) => {\n  res.json({ status: 'ok' });\n});\n",
      },
      ["src/index.ts:1"],
    ],
    [
      "one-liner",
      { "package.json": PG, "src/index.js": 'app.get("/healthz", (_req, res) => res.sendStatus(200));\n' },
      ["src/index.js:1"],
    ],
    [
      "FastAPI with SQLAlchemy",
      {
        "requirements.txt": "fastapi==0.115.6\nsqlalchemy==2.0.36\n",
        "app/main.py":
          '@app.get("/health")\ndef health() -> dict[str, str]:\n    return {"status": "ok"}\n\n\n@app.get("/items")\ndef items():\n    return db.query(Item).all()\n',
      },
      ["app/main.py:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "queries the database",
      {
        "package.json": PG,
        "src/app.ts":
          'app.get("/healthz", async (_req, res) => {\n  try {\n    await pool.query("SELECT 1");\n    res.json({ status: "ok" });\n  } catch {\n    res.status(503).json({ status: "unavailable" });\n  }\n});\n',
      },
    ],
    [
      "delegates to a check",
      { "package.json": PG, "src/app.js": 'app.get("/health", (req, res) => res.json(getHealth()));\n' },
    ],
    [
      "no database client",
      {
        "package.json": '{ "dependencies": { "express": "^4.21.2" } }\n',
        "src/app.js": 'app.get("/health", (req, res) => res.send("ok"));\n',
      },
    ],
    [
      "liveness next to a readiness route that checks",
      {
        "package.json": PG,
        "src/app.js":
          'app.get("/health", (req, res) => res.send("ok"));\napp.get("/ready", async (req, res) => {\n  await pool.query("SELECT 1");\n  res.send("ready");\n});\n',
      },
    ],
    [
      "a liveness route",
      { "package.json": PG, "src/app.js": 'app.get("/livez", (req, res) => res.send("ok"));\n' },
    ],
    [
      "FastAPI that pings",
      {
        "requirements.txt": "fastapi==0.115.6\nasyncpg==0.30.0\n",
        "app/main.py":
          '@app.get("/health")\nasync def health():\n    await pool.fetchval("SELECT 1")\n    return {"status": "ok"}\n',
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the route and the client", () => {
    expect(
      findingsOf(rule, {
        "package.json": PG,
        "src/index.js": 'app.get("/health", (_req, res) => res.sendStatus(200));\n',
      })[0]?.message,
    ).toBe(
      "`/health` answers without touching the database (`pg`): it reports healthy while every request that needs the database fails; query it and answer 503 on failure",
    );
  });
});

import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3002-no-sigterm-handler.js";

const server = 'const app = require("express")();\nconst server = app.listen(3000);\n';

describe("SS3002 no-sigterm-handler", () => {
  it.each([
    ["no handler", { "src/index.js": server }, ["src/index.js:2"]],
    [
      "only SIGINT is handled",
      { "src/index.js": `${server}process.on("SIGINT", () => server.close());\n` },
      ["src/index.js:2"],
    ],
    [
      "the first of several servers",
      { "src/a.js": "metrics.listen(9100);\n", "src/b.js": "app.listen(3000);\n" },
      ["src/a.js:1"],
    ],
    [
      "a STOPSIGNAL nothing handles",
      {
        "src/index.js": `${server}process.on("SIGTERM", () => server.close());\n`,
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nSTOPSIGNAL SIGQUIT\nCMD ["node", "src/index.js"]\n',
      },
      ["src/index.js:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["SIGTERM handler", { "src/index.js": `${server}process.on("SIGTERM", () => server.close());\n` }],
    [
      "handler in another file",
      { "src/index.js": server, "src/shutdown.js": "process.once('SIGTERM', stop);\n" },
    ],
    [
      "signals in a loop",
      {
        "src/index.js": `${server}for (const signal of ["SIGTERM", "SIGINT"]) {\n  process.on(signal, () => server.close());\n}\n`,
      },
    ],
    ["terminus", { "src/index.js": `${server}createTerminus(server, { signals: ["SIGTERM"] });\n` }],
    ["NestJS shutdown hooks", { "src/main.ts": "app.enableShutdownHooks();\nawait app.listen(3000);\n" }],
    ["no listen of its own (next start)", { "app/page.tsx": "export default function Page() {}\n" }],
    ["Python server", { "app.py": 'app.run(host="0.0.0.0")\n' }],
    [
      "STOPSIGNAL SIGINT with a SIGINT handler",
      {
        "src/index.js": `${server}process.on("SIGINT", () => server.close());\n`,
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nSTOPSIGNAL SIGINT\nCMD ["node", "src/index.js"]\n',
      },
    ],
    ["commented-out listen", { "src/index.js": "// app.listen(3000);\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("says what a stop does without it", () => {
    expect(findingsOf(rule, { "src/index.js": server })[0]?.message).toBe(
      "Nothing handles `SIGTERM`: on `docker stop` in-flight requests are cut, and as PID 1 without an init node ignores it and is killed after 10 s; close the server on `SIGTERM`",
    );
  });
});

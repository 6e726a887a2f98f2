import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1203-package-manager-as-pid1.js";

const FROM = "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nUSER node\n";
const pkg = (scripts: Record<string, string>) => JSON.stringify({ name: "app", scripts }, null, 2);
const START = { "package.json": pkg({ start: "node dist/index.js" }) };

describe("SS1203 package-manager-as-pid1", () => {
  it.each([
    ["npm start", { Dockerfile: `${FROM}CMD ["npm", "start"]\n`, ...START }, ["Dockerfile:5"]],
    [
      "npm run",
      { Dockerfile: `${FROM}CMD ["npm", "run", "serve"]\n`, "package.json": pkg({ serve: "node s.js" }) },
      ["Dockerfile:5"],
    ],
    ["shell form", { Dockerfile: `${FROM}CMD npm start\n`, ...START }, ["Dockerfile:5"]],
    ["yarn start", { Dockerfile: `${FROM}CMD ["yarn", "start"]\n`, ...START }, ["Dockerfile:5"]],
    [
      "pnpm <script>",
      { Dockerfile: `${FROM}CMD ["pnpm", "serve"]\n`, "package.json": pkg({ serve: "node s.js" }) },
      ["Dockerfile:5"],
    ],
    ["ENTRYPOINT", { Dockerfile: `${FROM}ENTRYPOINT ["npm", "start"]\n`, ...START }, ["Dockerfile:5"]],
    [
      "behind tini, CMD is the child",
      { Dockerfile: `${FROM}ENTRYPOINT ["tini", "--"]\nCMD ["npm", "start"]\n`, ...START },
      ["Dockerfile:6"],
    ],
    [
      "inherited from the parent stage",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS base\nCMD ["npm", "start"]\nFROM base\nUSER node\n`,
        ...START,
      },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["node directly", { Dockerfile: `${FROM}CMD ["node", "dist/index.js"]\n`, ...START }],
    [
      "npm start only in a build stage",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS b\nCMD ["npm", "start"]\n${FROM}CMD ["node", "x.js"]\n`,
        ...START,
      },
    ],
    ["npx is not a script runner here", { Dockerfile: `${FROM}CMD ["npm", "--version"]\n`, ...START }],
    ["yarn builtin", { Dockerfile: `${FROM}CMD ["yarn", "node", "s.js"]\n`, ...START }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("replaces CMD with the script's node command", () => {
    const files = { Dockerfile: `${FROM}CMD ["npm", "start"]\n`, ...START };
    const fixed = fixedBy(rule, files);
    expect(fixed.Dockerfile).toBe(`${FROM}CMD ["node", "dist/index.js"]\n`);
    expect(findingsOf(rule, fixed)).toEqual([]);
    expect(findingsOf(rule, files)[0]?.message).toBe(
      "`npm start` makes npm the main process, between Docker and node (signals, exit codes): run `node dist/index.js` directly",
    );
  });

  it("shell form and args kept in the script", () => {
    const files = {
      Dockerfile: `${FROM}cmd npm run serve\n`,
      "package.json": pkg({ serve: "node --enable-source-maps dist/server.js --port 3000" }),
    };
    expect(fixedBy(rule, files).Dockerfile).toBe(
      `${FROM}cmd ["node", "--enable-source-maps", "dist/server.js", "--port", "3000"]\n`,
    );
  });

  it.each([
    ["script with &&", { start: "npm run migrate && node s.js" }],
    ["env prefix", { start: "NODE_ENV=production node s.js" }],
    ["not node", { start: "next start" }],
    ["prestart hook", { start: "node s.js", prestart: "node migrate.js" }],
  ])("no fix: %s", (_name, scripts) => {
    const [finding] = findingsOf(rule, {
      Dockerfile: `${FROM}CMD ["npm", "start"]\n`,
      "package.json": pkg(scripts),
    });
    expect(finding).toBeDefined();
    expect(finding?.fix).toBeUndefined();
  });

  it("no fix when tini is in the same ENTRYPOINT", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile: `${FROM}ENTRYPOINT ["tini", "--", "npm", "start"]\n`,
      ...START,
    });
    expect(finding?.location.line).toBe(5);
    expect(finding?.fix).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1205-no-init-process.js";

const FROM = "FROM node:20.20.2-bookworm-slim\nUSER node\n";

describe("SS1205 no-init-process", () => {
  it.each([
    ["node as PID 1", { Dockerfile: `${FROM}CMD ["node", "s.js"]\n` }, ["Dockerfile:3"]],
    ["no CMD: the final FROM", { Dockerfile: FROM }, ["Dockerfile:1"]],
    [
      "ENTRYPOINT script",
      { Dockerfile: `${FROM}ENTRYPOINT ["./entry.sh"]\nCMD ["node", "s.js"]\n` },
      ["Dockerfile:3"],
    ],
    [
      "compose without init",
      { Dockerfile: `${FROM}CMD ["node", "s.js"]\n`, "compose.yaml": "services:\n  app:\n    build: .\n" },
      ["Dockerfile:3"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["tini", { Dockerfile: `${FROM}ENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["node", "s.js"]\n` }],
    ["dumb-init", { Dockerfile: `${FROM}ENTRYPOINT ["dumb-init", "node", "s.js"]\n` }],
    [
      "compose init: true",
      {
        Dockerfile: `${FROM}CMD ["node", "s.js"]\n`,
        "compose.yaml": "services:\n  app:\n    build: .\n    init: true\n",
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("message", () => {
    expect(findingsOf(rule, { Dockerfile: `${FROM}CMD ["node", "s.js"]\n` })[0]?.message).toBe(
      "`node s.js` runs as PID 1 with no init to forward signals and reap zombies: set `init: true` in compose (`docker run --init`) or use `tini` as the `ENTRYPOINT`",
    );
  });
});

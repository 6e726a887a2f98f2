import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule, worldWritable } from "./SS1211-world-writable.js";

const FROM = "FROM node:20.20.2-bookworm-slim\n";

describe("SS1211 world-writable", () => {
  it.each([
    ["chmod 777", { Dockerfile: `${FROM}RUN chmod 777 /app\n` }, ["Dockerfile:2"]],
    ["chmod -R 777", { Dockerfile: `${FROM}RUN mkdir /data && chmod -R 777 /data\n` }, ["Dockerfile:2"]],
    ["a+rwx", { Dockerfile: `${FROM}RUN chmod a+rwx /app\n` }, ["Dockerfile:2"]],
    ["o+w", { Dockerfile: `${FROM}RUN chmod -R o+w /app/uploads\n` }, ["Dockerfile:2"]],
    ["0666", { Dockerfile: `${FROM}RUN chmod 0666 /app/db.sqlite\n` }, ["Dockerfile:2"]],
    ["COPY --chmod", { Dockerfile: `${FROM}COPY --chmod=777 entry.sh /\n` }, ["Dockerfile:2"]],
    ["physical line", { Dockerfile: `${FROM}RUN mkdir -p /app \\\n && chmod 777 /app\n` }, ["Dockerfile:3"]],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["755", { Dockerfile: `${FROM}RUN chmod 755 /app\n` }],
    ["+x", { Dockerfile: `${FROM}RUN chmod +x /entry.sh\n` }],
    ["g+w", { Dockerfile: `${FROM}RUN chmod -R g+w /app\n` }],
    ["sticky temp dir", { Dockerfile: `${FROM}RUN chmod 1777 /app/tmp\n` }],
    ["under /tmp", { Dockerfile: `${FROM}RUN chmod 777 /tmp/cache\n` }],
    ["build stage", { Dockerfile: `FROM node:20.20.2-bookworm-slim AS b\nRUN chmod 777 /x\n${FROM}` }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("reads modes", () => {
    expect(["777", "0777", "666", "o+w", "a=rwx", "u+x,o+w"].every(worldWritable)).toBe(true);
    expect(["755", "644", "1777", "g+w", "o-w", "+x", "775"].some(worldWritable)).toBe(false);
  });

  it("message", () => {
    expect(findingsOf(rule, { Dockerfile: `${FROM}RUN chmod -R 777 /app\n` })[0]?.message).toBe(
      "`chmod 777 /app` lets every user in the container write there: give the app's user ownership and use `755`/`644`",
    );
  });
});

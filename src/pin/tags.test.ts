import { describe, expect, it } from "vitest";
import { SourceText } from "../check/facts/source.js";
import { applyEdits, pinnedText, splitWritten } from "./rewrite.js";
import { candidateTags, isImpreciseTag } from "./tags.js";

describe("candidateTags", () => {
  const node = [
    "latest",
    "20",
    "20-bookworm-slim",
    "20.20.2-bookworm-slim",
    "20.20.2",
    "22.1.0",
    "20.9.0-alpine",
    "lts",
  ];

  it("orders the exact versions a moving tag may point at: same variant first, newest first", () => {
    expect(candidateTags("node", "20-bookworm-slim", node)).toEqual([
      "20.20.2-bookworm-slim",
      "20.20.2",
      "20.9.0-alpine",
    ]);
    expect(candidateTags("node", "latest", node)).toEqual([
      "22.1.0",
      "20.20.2",
      "20.20.2-bookworm-slim",
      "20.9.0-alpine",
    ]);
    expect(candidateTags("node", undefined, node)[0]).toBe("22.1.0");
    expect(candidateTags("postgres", "15", ["15", "15.18-bookworm", "15.18", "16.1"])).toEqual([
      "15.18",
      "15.18-bookworm",
    ]);
    expect(candidateTags("node", "20", node, 1)).toEqual(["20.20.2"]);
  });

  it("knows which tags move", () => {
    for (const image of [
      "node",
      "node:latest",
      "node:20",
      "python:3.11-slim",
      "node:lts",
      "debian:bookworm-slim",
    ])
      expect(isImpreciseTag(image), image).toBe(true);
    for (const image of ["node:20.20.2-bookworm-slim", "postgres:15.18", "app:sha-abc1234"])
      expect(isImpreciseTag(image), image).toBe(false);
  });
});

describe("rewrites", () => {
  it("splits a reference as written", () => {
    expect(splitWritten("127.0.0.1:5000/a/b:1@sha256:x")).toEqual({
      name: "127.0.0.1:5000/a/b",
      tag: "1",
      digest: "sha256:x",
    });
    expect(splitWritten("localhost:5000/a")).toEqual({ name: "localhost:5000/a" });
  });

  it("writes tag@digest, replacing an old digest and writing latest out", () => {
    expect(pinnedText("node:20", "sha256:n")).toBe("node:20@sha256:n");
    expect(pinnedText("node:20@sha256:o", "sha256:n")).toBe("node:20@sha256:n");
    expect(pinnedText("node", "sha256:n")).toBe("node:latest@sha256:n");
    expect(pinnedText("node:20", "sha256:n", "20.1.0")).toBe("node:20.1.0@sha256:n");
  });

  it("applies edits to the text without its BOM and puts the BOM back", () => {
    const source = new SourceText("Dockerfile", "\uFEFFab\r\ncd");
    expect(
      applyEdits(source, [
        { start: 4, end: 5, text: "X" },
        { start: 0, end: 1, text: "Y" },
      ]),
    ).toBe("\uFEFFYb\r\nXd");
    expect(() =>
      applyEdits(source, [
        { start: 0, end: 2, text: "" },
        { start: 1, end: 2, text: "" },
      ]),
    ).toThrow(/overlapping/);
  });
});

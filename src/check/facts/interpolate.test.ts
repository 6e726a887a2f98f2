import { describe, expect, it } from "vitest";
import { interpolate } from "./interpolate.js";

const KEEP = { unknown: "keep", dollarEscape: false } as const;
const COMPOSE = { unknown: "empty", dollarEscape: true } as const;
const values = new Map<string, string | undefined>([
  ["TAG", "20.20.2"],
  ["EMPTY", ""],
  ["PORT", "8080"],
]);

describe("interpolate", () => {
  it.each([
    ["no variable at all", "node:20", "node:20"],
    ["$X", "node:$TAG", "node:20.20.2"],
    ["${X}", "node:${TAG}-slim", "node:20.20.2-slim"],
    ["an unknown stays as written", "node:${NOPE}", "node:${NOPE}"],
    ["an unknown bare one too", "node:$NOPE", "node:$NOPE"],
    [":- with a value", "${TAG:-18}", "20.20.2"],
    [":- unset", "${NOPE:-18}", "18"],
    [":- set but empty", "${EMPTY:-18}", "18"],
    ["- set but empty keeps the empty value", "x${EMPTY-18}x", "xx"],
    [":+ set", "${TAG:+yes}", "yes"],
    [":+ unset", "a${NOPE:+yes}b", "ab"],
    [":? set", "${TAG:?required}", "20.20.2"],
    [":? unset stays", "${NOPE:?required}", "${NOPE:?required}"],
    ["a nested default", "${IMAGE:-node:${TAG:-18}}", "node:20.20.2"],
    ["a nested default, inner unknown", "${IMAGE:-node:${NOPE:-18}}-slim", "node:18-slim"],
    ["nested twice", "${A:-${B:-${PORT}}}", "8080"],
    ["$$ is not special in a Dockerfile", "$$TAG", "$20.20.2"],
    ["a form it does not know stays", "${TAG#20.}", "${TAG#20.}"],
    ["an unclosed brace is literal", "x${TAG", "x${TAG"],
    ["not a name", "${1} and $ alone and $-", "${1} and $ alone and $-"],
  ])("keep: %s", (_name, text, expected) => {
    expect(interpolate(text, values, KEEP).text).toBe(expected);
  });

  it.each([
    ["$$ is a literal $", "pa$$word $$TAG", "pa$word $TAG"],
    ["unknown becomes empty", "postgres://${USER}:${PASS}@db", "postgres://:@db"],
    ["a nested default", "${URL:-postgres://app@db:${PORT}/app}", "postgres://app@db:8080/app"],
    [":? unset becomes empty", "[${NOPE:?set it}]", "[]"],
  ])("compose: %s", (_name, text, expected) => {
    expect(interpolate(text, values, COMPOSE).text).toBe(expected);
  });

  it("lists each missing variable once, in order, and not the ones a default covers", () => {
    const { missing } = interpolate("${B} $A ${B} ${C:-x} ${D:?no}", values, COMPOSE);
    expect(missing).toEqual(["B", "A", "D"]);
  });

  it("a defaulted variable's own default is only read when needed", () => {
    expect(interpolate("${TAG:-${NOPE}}", values, COMPOSE)).toEqual({ text: "20.20.2", missing: [] });
  });

  it("stays linear on a long line of unclosed `${` and deep nesting", () => {
    const unclosed = "${A:-".repeat(200_000);
    expect(interpolate(unclosed, values, KEEP).text).toBe(unclosed);
    const deep = `${"${A:-".repeat(5_000)}x${"}".repeat(5_000)}`;
    // Past the nesting limit the innermost defaults are left as written, never a stack overflow.
    expect(interpolate(deep, values, KEEP).text.length).toBeGreaterThan(0);
    expect(interpolate(`${"${A:-".repeat(10)}x${"}".repeat(10)}`, values, KEEP).text).toBe("x");
  });
});

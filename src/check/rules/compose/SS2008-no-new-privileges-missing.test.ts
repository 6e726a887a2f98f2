import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS2008-no-new-privileges-missing.js";

const compose = (...lines: string[]) => ({ "compose.yaml": `${lines.join("\n")}\n` });

describe("SS2008 no-new-privileges-missing", () => {
  it.each([
    ["no security_opt", compose("services:", "  app:", "    build: ."), ["compose.yaml:2"]],
    [
      "other options only",
      compose("services:", "  app:", "    build: .", "    security_opt:", "      - seccomp:default.json"),
      ["compose.yaml:4"],
    ],
    [
      "set to false",
      compose("services:", "  app:", "    build: .", "    security_opt: [no-new-privileges:false]"),
      ["compose.yaml:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "colon form",
      compose("services:", "  app:", "    build: .", "    security_opt:", "      - no-new-privileges:true"),
    ],
    ["bare form", compose("services:", "  app:", "    build: .", "    security_opt: [no-new-privileges]")],
    [
      "equals form",
      compose("services:", "  app:", "    build: .", '    security_opt: ["no-new-privileges=true"]'),
    ],
    ["third-party image", compose("services:", "  db:", "    image: postgres:16.4")],
    [
      "from the override file",
      {
        ...compose("services:", "  app:", "    build: ."),
        "compose.override.yaml": "services:\n  app:\n    security_opt: [no-new-privileges:true]\n",
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it.each([
    [
      "adds the key",
      "services:\n  app:\n    build: .\n  db:\n    image: postgres:16.4\n",
      "services:\n  app:\n    build: .\n    security_opt:\n      - no-new-privileges:true\n  db:\n    image: postgres:16.4\n",
    ],
    [
      "appends to a block list",
      "services:\n  app:\n    security_opt:\n      - seccomp:profile.json # tight\n    build: .\n",
      "services:\n  app:\n    security_opt:\n      - seccomp:profile.json # tight\n      - no-new-privileges:true\n    build: .\n",
    ],
    [
      "appends to a list at the key's indentation",
      "services:\n  app:\n    build: .\n    security_opt:\n    - apparmor:unconfined\n",
      "services:\n  app:\n    build: .\n    security_opt:\n    - apparmor:unconfined\n    - no-new-privileges:true\n",
    ],
    [
      "appends to a flow list",
      "services:\n  app:\n    build: .\n    security_opt: [ seccomp:profile.json ]\n",
      "services:\n  app:\n    build: .\n    security_opt: [ seccomp:profile.json, no-new-privileges:true ]\n",
    ],
    [
      "fills an empty flow list",
      "services:\n  app:\n    build: .\n    security_opt: []\n",
      "services:\n  app:\n    build: .\n    security_opt: [no-new-privileges:true]\n",
    ],
  ])("fix: %s", (_name, before, after) => {
    const fixed = fixedBy(rule, { "compose.yaml": before });
    expect(fixed["compose.yaml"]).toBe(after);
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("leaves a list that comes from an anchor alone", () => {
    const files = compose(
      "x-opts: &opts [seccomp:p.json]",
      "services:",
      "  app:",
      "    build: .",
      "    security_opt: *opts",
    );
    const [finding] = findingsOf(rule, files);
    expect(finding?.fix).toBeUndefined();
  });

  it("names the service", () => {
    expect(findingsOf(rule, compose("services:", "  app:", "    build: ."))[0]?.message).toBe(
      "`app` can gain privileges through setuid binaries: add `no-new-privileges:true` to `security_opt`",
    );
  });
});

import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS2011-privileged-container.js";

const compose = (...lines: string[]) => ({ "compose.yaml": `${lines.join("\n")}\n` });

describe("SS2011 privileged-container", () => {
  it.each([
    ["app", compose("services:", "  app:", "    build: .", "    privileged: true"), ["compose.yaml:4"]],
    [
      "third-party image",
      compose("services:", "  dind:", "    image: docker:27.3.1-dind", "    privileged: true"),
      ["compose.yaml:4"],
    ],
    [
      "override file",
      { "compose.override.yaml": "services:\n  app:\n    privileged: true\n" },
      ["compose.override.yaml:3"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["false", compose("services:", "  app:", "    build: .", "    privileged: false")],
    ["absent", compose("services:", "  app:", "    build: .")],
    [
      "a label named privileged",
      compose("services:", "  app:", "    build: .", "    labels:", '      privileged: "true"'),
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the service", () => {
    expect(
      findingsOf(rule, compose("services:", "  app:", "    build: .", "    privileged: true"))[0]?.message,
    ).toBe(
      "`app` runs privileged: every capability and host device, no seccomp or AppArmor, so root in it is root on the host",
    );
  });
});

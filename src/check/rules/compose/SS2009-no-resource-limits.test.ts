import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS2009-no-resource-limits.js";

const compose = (...lines: string[]) => ({ "compose.yaml": `${lines.join("\n")}\n` });

describe("SS2009 no-resource-limits", () => {
  it.each([
    ["no limits", compose("services:", "  app:", "    build: ."), ["compose.yaml:2"]],
    [
      "memory only",
      compose("services:", "  app:", "    build: .", "    mem_limit: 256m"),
      ["compose.yaml:2"],
    ],
    [
      "cpus and pids only",
      compose("services:", "  app:", "    build: .", "    cpus: 0.5", "    pids_limit: 100"),
      ["compose.yaml:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "service-level keys",
      compose("services:", "  app:", "    build: .", "    mem_limit: 256m", "    pids_limit: 100"),
    ],
    [
      "deploy.resources.limits",
      compose(
        "services:",
        "  app:",
        "    build: .",
        "    deploy:",
        "      resources:",
        "        limits:",
        "          memory: 256M",
        "          pids: 100",
      ),
    ],
    [
      "mixed",
      compose(
        "services:",
        "  app:",
        "    build: .",
        "    pids_limit: 100",
        "    deploy:",
        "      resources:",
        "        limits: {memory: 1G}",
      ),
    ],
    [
      "in the override file",
      {
        ...compose("services:", "  app:", "    build: ."),
        "compose.override.yaml": "services:\n  app:\n    mem_limit: 1g\n    pids_limit: 200\n",
      },
    ],
    ["third-party image", compose("services:", "  db:", "    image: postgres:16.4")],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names what is missing", () => {
    expect(findingsOf(rule, compose("services:", "  app:", "    build: ."))[0]?.message).toBe(
      "`app` has no memory or process (pids) limit: a leak or runaway process can take the host down; set `mem_limit` and `pids_limit`",
    );
    expect(
      findingsOf(rule, compose("services:", "  app:", "    build: .", "    mem_limit: 1g"))[0]?.message,
    ).toBe(
      "`app` has no process (pids) limit: a leak or runaway process can take the host down; set `pids_limit`",
    );
  });
});

import { describe, expect, it } from "vitest";
import { parseCompose } from "../../facts/compose.js";
import { SourceText } from "../../facts/source.js";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS2007-capabilities-not-dropped.js";

const compose = (...lines: string[]) => ({ "compose.yaml": `${lines.join("\n")}\n` });

describe("SS2007 capabilities-not-dropped", () => {
  it.each([
    ["built app", compose("services:", "  app:", "    build: ."), ["compose.yaml:2"]],
    [
      "cap_add without cap_drop",
      compose("services:", "  app:", "    build: .", "    cap_add: [NET_BIND_SERVICE]"),
      ["compose.yaml:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["cap_drop ALL", compose("services:", "  app:", "    build: .", "    cap_drop: [ALL]")],
    [
      "cap_drop of chosen capabilities",
      compose("services:", "  app:", "    build: .", "    cap_drop:", "      - NET_RAW"),
    ],
    ["third-party image", compose("services:", "  cache:", "    image: redis:7.4.1")],
    [
      "in the override file",
      {
        ...compose("services:", "  app:", "    build: ."),
        "compose.override.yaml": "services:\n  app:\n    cap_drop: [ALL]\n",
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it.each([
    [
      "last service",
      "services:\n  app:\n    build: .\n",
      "services:\n  app:\n    build: .\n    cap_drop:\n      - ALL\n",
    ],
    [
      "before the next service, keeping blank lines and comments",
      'services:\n  app:\n    build: .\n    ports:\n      - "127.0.0.1:3000:3000" # web\n    # the database\n\n  db:\n    image: postgres:16.4\n',
      'services:\n  app:\n    build: .\n    ports:\n      - "127.0.0.1:3000:3000" # web\n    cap_drop:\n      - ALL\n    # the database\n\n  db:\n    image: postgres:16.4\n',
    ],
    [
      "four-space indentation",
      "services:\n    app:\n        build: .\n        restart: always\nvolumes:\n    data: {}\n",
      "services:\n    app:\n        build: .\n        restart: always\n        cap_drop:\n            - ALL\nvolumes:\n    data: {}\n",
    ],
    [
      "after a block scalar",
      "services:\n  app:\n    build: .\n    command: |\n      node server.js\n\n      # not a YAML comment\n",
      "services:\n  app:\n    build: .\n    command: |\n      node server.js\n\n      # not a YAML comment\n    cap_drop:\n      - ALL\n",
    ],
    [
      "no newline at the end",
      "services:\n  app:\n    build: .",
      "services:\n  app:\n    build: .\n    cap_drop:\n      - ALL\n",
    ],
    [
      "CRLF",
      "services:\r\n  app:\r\n    build: .\r\n  db:\r\n    image: redis:7.4.1\r\n",
      "services:\r\n  app:\r\n    build: .\r\n    cap_drop:\r\n      - ALL\r\n  db:\r\n    image: redis:7.4.1\r\n",
    ],
    [
      "merge key first",
      "x-base: &base\n  restart: always\nservices:\n  app:\n    <<: *base\n    build: .\n",
      "x-base: &base\n  restart: always\nservices:\n  app:\n    <<: *base\n    build: .\n    cap_drop:\n      - ALL\n",
    ],
  ])("fix: %s", (_name, before, after) => {
    const fixed = fixedBy(rule, { "compose.yaml": before });
    expect(fixed["compose.yaml"]).toBe(after);
    expect(findingsOf(rule, fixed)).toEqual([]);
    const services = (text: string) =>
      parseCompose(new SourceText("compose.yaml", text)).services.map((service) => service.name);
    expect(services(after)).toEqual(services(before));
  });

  it("offers no fix for a flow-style service", () => {
    const [finding] = findingsOf(rule, { "compose.yaml": "services:\n  app: { build: . }\n" });
    expect(finding?.location.line).toBe(2);
    expect(finding?.fix).toBeUndefined();
  });

  it("names the service", () => {
    expect(findingsOf(rule, compose("services:", "  app:", "    build: ."))[0]?.message).toBe(
      "`app` keeps Docker's default capabilities: add `cap_drop: [ALL]`",
    );
  });
});

import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS2001-compose-version-obsolete.js";

const SERVICES = "services:\n  web:\n    image: nginx:1.27.3-alpine\n";

describe("SS2001 compose-version-obsolete", () => {
  it.each([
    ["quoted version", { "compose.yaml": `version: '3.8'\n\n${SERVICES}` }, ["compose.yaml:1"]],
    [
      "after comments",
      { "docker-compose.yml": `# app\nversion: "3"\n${SERVICES}` },
      ["docker-compose.yml:2"],
    ],
    [
      "override file",
      { "compose.override.yaml": `version: "3.9"\n${SERVICES}` },
      ["compose.override.yaml:1"],
    ],
    ["last key", { "compose.yaml": `${SERVICES}version: "2.4"\n` }, ["compose.yaml:4"]],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["no version", { "compose.yaml": SERVICES }],
    ["version inside a service", { "compose.yaml": `${SERVICES}    labels:\n      version: "1"\n` }],
    ["not YAML", { "compose.yaml": "version: [\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("deletes the line and the blank line after it", () => {
    const files = { "compose.yaml": `version: '3.8'\n\n${SERVICES}` };
    expect(fixedBy(rule, files)["compose.yaml"]).toBe(SERVICES);
  });

  it("keeps a following line that is not blank, and CRLF", () => {
    const files = {
      "compose.yaml": "# top\r\nversion: '3.8' # old\r\nservices:\r\n  web:\r\n    image: x:1.0.0\r\n",
    };
    expect(fixedBy(rule, files)["compose.yaml"]).toBe(
      "# top\r\nservices:\r\n  web:\r\n    image: x:1.0.0\r\n",
    );
  });

  it("deletes a last line without a newline", () => {
    const files = { "compose.yaml": `${SERVICES}version: "3"` };
    expect(fixedBy(rule, files)["compose.yaml"]).toBe(SERVICES);
  });

  it("the fixed file is clean", () => {
    const files = { "compose.yaml": `version: '3.8'\n\n${SERVICES}` };
    expect(findingsOf(rule, fixedBy(rule, files))).toEqual([]);
  });

  it("quotes the version in the message", () => {
    expect(findingsOf(rule, { "compose.yaml": `version: '3.8'\n${SERVICES}` })[0]?.message).toBe(
      "`version: '3.8'` is obsolete: Compose ignores it and v2 warns about it on every command",
    );
  });
});

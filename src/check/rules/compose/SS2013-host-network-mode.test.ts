import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS2013-host-network-mode.js";

const compose = (...lines: string[]) => ({ "compose.yaml": `${lines.join("\n")}\n` });

describe("SS2013 host-network-mode", () => {
  it.each([
    ["host", compose("services:", "  app:", "    build: .", "    network_mode: host"), ["compose.yaml:4"]],
    [
      "quoted",
      compose("services:", "  app:", "    image: traefik:v3.2.1", '    network_mode: "host"'),
      ["compose.yaml:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["bridge", compose("services:", "  app:", "    build: .", "    network_mode: bridge")],
    [
      "another service's namespace",
      compose("services:", "  app:", "    build: .", '    network_mode: "service:vpn"'),
    ],
    ["none", compose("services:", "  app:", "    build: .", "    network_mode: none")],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the service", () => {
    expect(
      findingsOf(rule, compose("services:", "  app:", "    build: .", "    network_mode: host"))[0]?.message,
    ).toBe(
      "`app` shares the host's network stack: every port it listens on is open on the host's interfaces, and `ports:` is ignored",
    );
  });
});

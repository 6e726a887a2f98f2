import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS2010-database-on-shared-network.js";

const compose = (...lines: string[]) => ({ "compose.yaml": `${lines.join("\n")}\n` });
const APP = ["  app:", "    build: ."];

describe("SS2010 database-on-shared-network", () => {
  it.each([
    [
      "default network",
      compose("services:", ...APP, "  db:", "    image: postgres:16.4"),
      ["compose.yaml:4"],
    ],
    [
      "a network that is not internal",
      compose(
        "services:",
        ...APP,
        "    networks: [back]",
        "  db:",
        "    image: redis:7.4.1",
        "    networks: [back]",
        "networks:",
        "  back: {}",
      ),
      ["compose.yaml:5"],
    ],
    [
      "internal and a public network",
      compose(
        "services:",
        ...APP,
        "  db:",
        "    image: mongo:8.0.3",
        "    networks: [back, default]",
        "networks:",
        "  back:",
        "    internal: true",
      ),
      ["compose.yaml:4"],
    ],
    [
      "an undeclared network",
      compose(
        "services:",
        ...APP,
        "  db:",
        "    image: mariadb:11.4.4",
        "    networks:",
        "      shared:",
        "        aliases: [database]",
      ),
      ["compose.yaml:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "internal network only",
      compose(
        "services:",
        ...APP,
        "    networks: [front, back]",
        "  db:",
        "    image: postgres:16.4",
        "    networks: [back]",
        "networks:",
        "  front: {}",
        "  back:",
        "    internal: true",
      ),
    ],
    ["the only service", compose("services:", "  db:", "    image: postgres:16.4")],
    [
      "others on their own networks",
      compose(
        "services:",
        ...APP,
        "    networks: [front]",
        "  db:",
        "    image: postgres:16.4",
        "networks:",
        "  front: {}",
      ),
    ],
    [
      "network_mode none",
      compose("services:", ...APP, "  db:", "    image: postgres:16.4", "    network_mode: none"),
    ],
    ["not a database", compose("services:", ...APP, "  proxy:", "    image: nginx:1.27.3")],
    [
      "internal declared in the override file",
      {
        ...compose(
          "services:",
          ...APP,
          "  db:",
          "    image: postgres:16.4",
          "    networks: [back]",
          "networks:",
          "  back: {}",
        ),
        "compose.override.yaml": "networks:\n  back:\n    internal: true\n",
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names what the database shares a network with", () => {
    expect(
      findingsOf(rule, compose("services:", ...APP, "  db:", "    image: postgres:16.4"))[0]?.message,
    ).toBe(
      "`db` is on the default network with `app`: put it on an `internal: true` network that only the services using it join",
    );
  });
});

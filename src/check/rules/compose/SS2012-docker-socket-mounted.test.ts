import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS2012-docker-socket-mounted.js";

const compose = (...lines: string[]) => ({ "compose.yaml": `${lines.join("\n")}\n` });
const service = ["services:", "  agent:", "    image: portainer/agent:2.21.4", "    volumes:"];

describe("SS2012 docker-socket-mounted", () => {
  it.each([
    [
      "short syntax",
      compose(...service, "      - /var/run/docker.sock:/var/run/docker.sock"),
      ["compose.yaml:5"],
    ],
    [
      "read-only",
      compose(...service, '      - "/var/run/docker.sock:/var/run/docker.sock:ro"'),
      ["compose.yaml:5"],
    ],
    ["/run path", compose(...service, "      - /run/docker.sock:/tmp/docker.sock"), ["compose.yaml:5"]],
    [
      "long syntax",
      compose(
        ...service,
        "      - type: bind",
        "        source: /var/run/docker.sock",
        "        target: /var/run/docker.sock",
      ),
      ["compose.yaml:5"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "other bind mounts",
      compose(...service, "      - ./data:/data", "      - /etc/localtime:/etc/localtime:ro"),
    ],
    ["a named volume", compose(...service, "      - docker.sock:/var/run/docker.sock")],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("says that :ro does not help", () => {
    const files = compose(...service, "      - /var/run/docker.sock:/var/run/docker.sock:ro");
    expect(findingsOf(rule, files)[0]?.message).toBe(
      "`agent` mounts the Docker socket (`/var/run/docker.sock`): it can start a privileged container, so it is root on the host (`:ro` does not restrict the API)",
    );
  });
});

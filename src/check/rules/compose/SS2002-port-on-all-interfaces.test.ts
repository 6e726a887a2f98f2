import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS2002-port-on-all-interfaces.js";

const web = (ports: string) => ({ "compose.yaml": `services:\n  web:\n    build: .\n    ports:\n${ports}` });

describe("SS2002 port-on-all-interfaces", () => {
  it.each([
    ["quoted host:container", web('      - "3000:3000"\n'), ["compose.yaml:5"]],
    ["plain scalar", web("      - 8080:80\n"), ["compose.yaml:5"]],
    ["container port only (random host port)", web("      - 3000\n"), ["compose.yaml:5"]],
    ["0.0.0.0", web('      - "0.0.0.0:3000:3000"\n'), ["compose.yaml:5"]],
    ["[::]", web('      - "[::]:3000:3000"\n'), ["compose.yaml:5"]],
    ["long syntax", web("      - target: 3000\n        published: 3000\n"), ["compose.yaml:5"]],
    [
      "long syntax 0.0.0.0",
      web("      - target: 80\n        published: 8080\n        host_ip: 0.0.0.0\n"),
      ["compose.yaml:5"],
    ],
    ["variable host port", web('      - "${PORT:-3000}:3000"\n'), ["compose.yaml:5"]],
    [
      "each port",
      web('      - "80:80"\n      - "127.0.0.1:81:81"\n      - "443:443"\n'),
      ["compose.yaml:5", "compose.yaml:7"],
    ],
    [
      "third-party image",
      { "compose.yaml": 'services:\n  proxy:\n    image: nginx:1.27.3\n    ports:\n      - "80:80"\n' },
      ["compose.yaml:5"],
    ],
    [
      "override file",
      {
        "compose.yaml": "services:\n  web:\n    build: .\n",
        "compose.override.yaml": 'services:\n  web:\n    ports: ["3000:3000"]\n',
      },
      ["compose.override.yaml:3"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["loopback", web('      - "127.0.0.1:3000:3000"\n')],
    ["IPv6 loopback", web('      - "[::1]:3000:3000"\n')],
    ["loopback with a required variable", web('      - "127.0.0.1:${PORT:?set PORT}:3000"\n')],
    [
      "long syntax on loopback",
      web("      - target: 3000\n        published: 3000\n        host_ip: 127.0.0.1\n"),
    ],
    [
      "a database (SS2003)",
      { "compose.yaml": 'services:\n  db:\n    image: postgres:16.4\n    ports: ["5432:5432"]\n' },
    ],
    ["expose only", { "compose.yaml": 'services:\n  web:\n    build: .\n    expose: ["3000"]\n' }],
    [
      "host network (ports ignored)",
      { "compose.yaml": 'services:\n  web:\n    build: .\n    network_mode: host\n    ports: ["80:80"]\n' },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it.each([
    ["quoted", '      - "3000:3000"\n', '      - "127.0.0.1:3000:3000"\n'],
    ["single quotes", "      - '3000:3000/udp'\n", "      - '127.0.0.1:3000:3000/udp'\n"],
    ["plain", "      - 8080:80 # web\n", "      - 127.0.0.1:8080:80 # web\n"],
    ["container only", "      - 3000\n", "      - 127.0.0.1::3000\n"],
    ["0.0.0.0", '      - "0.0.0.0:3000:3000"\n', '      - "127.0.0.1:3000:3000"\n'],
    ["[::]", '      - "[::]:3000:3000"\n', '      - "127.0.0.1:3000:3000"\n'],
    ["variable", '      - "${PORT:-3000}:3000"\n', '      - "127.0.0.1:${PORT:-3000}:3000"\n'],
    [
      "long syntax",
      "      - target: 3000\n        published: 3000\n    restart: always\n",
      "      - target: 3000\n        published: 3000\n        host_ip: 127.0.0.1\n    restart: always\n",
    ],
    [
      "long syntax with 0.0.0.0",
      '      - target: 80\n        host_ip: "0.0.0.0"\n        published: 8080\n',
      '      - target: 80\n        host_ip: "127.0.0.1"\n        published: 8080\n',
    ],
    [
      "long flow syntax",
      "      - { target: 80, published: 8080 }\n",
      "      - { target: 80, published: 8080, host_ip: 127.0.0.1 }\n",
    ],
  ])("fix: %s", (_name, before, after) => {
    const fixed = fixedBy(rule, web(before));
    expect(fixed["compose.yaml"]).toBe(web(after)["compose.yaml"]);
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("fixes a flow sequence in place", () => {
    const files = { "compose.yaml": 'services:\n  web:\n    build: .\n    ports: ["80:80", "443:443"]\n' };
    expect(fixedBy(rule, files)["compose.yaml"]).toBe(
      'services:\n  web:\n    build: .\n    ports: ["127.0.0.1:80:80", "127.0.0.1:443:443"]\n',
    );
  });

  it("names the port and the service", () => {
    expect(findingsOf(rule, web('      - "3000:3000"\n'))[0]?.message).toBe(
      "`3000:3000` publishes `web` on every interface of the host (0.0.0.0), past host firewalls: bind it to `127.0.0.1`",
    );
  });
});

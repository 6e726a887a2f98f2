import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3011-port-mismatch.js";

const dockerfile = (lines: string) =>
  `FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\n${lines}CMD ["node", "server.js"]\n`;
const literal = "app.listen(3000);\n";
const fromEnv = "const PORT = Number(process.env.PORT) || 3000;\napp.listen(PORT);\n";
const py = (cmd: string) => `FROM python:3.12.7-slim-bookworm\nWORKDIR /app\nCOPY . .\n${cmd}\n`;

describe("SS3011 port-mismatch", () => {
  it.each([
    [
      "EXPOSE another port",
      { Dockerfile: dockerfile("EXPOSE 8080\n"), "server.js": literal },
      ["Dockerfile:4"],
    ],
    [
      "ENV PORT decides",
      { Dockerfile: dockerfile("ENV PORT=8080\nEXPOSE 3000\n"), "server.js": fromEnv },
      ["Dockerfile:5"],
    ],
    [
      "health check on another port",
      {
        Dockerfile: dockerfile(
          "EXPOSE 3000\nHEALTHCHECK CMD curl -f http://localhost:8080/health || exit 1\n",
        ),
        "server.js": literal,
      },
      ["Dockerfile:5"],
    ],
    [
      "uvicorn --port against EXPOSE",
      {
        Dockerfile: py('EXPOSE 5000\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]'),
      },
      ["Dockerfile:4"],
    ],
    [
      "compose publishes another container port",
      {
        Dockerfile: dockerfile("EXPOSE 3000\n"),
        "server.js": fromEnv,
        "compose.yaml": 'services:\n  api:\n    build: .\n    ports:\n      - "127.0.0.1:8080:8080"\n',
      },
      ["compose.yaml:5"],
    ],
    [
      "compose sets PORT, publishes the default",
      {
        Dockerfile: dockerfile("EXPOSE 3000\n"),
        "server.js": fromEnv,
        "compose.yaml":
          'services:\n  api:\n    build: .\n    environment:\n      PORT: "4000"\n    ports:\n      - "3000:3000"\n',
      },
      ["compose.yaml:7"],
    ],
    [
      "compose health check, long port syntax",
      {
        Dockerfile: dockerfile(""),
        "server.js": literal,
        "compose.yaml":
          'services:\n  api:\n    build: .\n    ports:\n      - target: 3000\n        published: 80\n    healthcheck:\n      test: ["CMD", "node", "-e", "fetch(\'http://127.0.0.1:80/health\')"]\n',
      },
      ["compose.yaml:7"],
    ],
    [
      "listen(process.env.PORT ?? 3000) against compose",
      {
        Dockerfile: dockerfile(""),
        "server.js": "app.listen(process.env.PORT ?? 3000);\n",
        "compose.yaml": 'services:\n  api:\n    build: .\n    ports:\n      - "8080:8080"\n',
      },
      ["compose.yaml:5"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["all agree", { Dockerfile: dockerfile("EXPOSE 3000\n"), "server.js": literal }],
    [
      "a platform may set PORT: the image alone does not decide",
      { Dockerfile: dockerfile("EXPOSE 8080\n"), "server.js": fromEnv },
    ],
    ["one of several EXPOSE matches", { Dockerfile: dockerfile("EXPOSE 3000 9229\n"), "server.js": literal }],
    [
      "health check port from an expression",
      {
        Dockerfile: dockerfile(
          'ENV PORT=8080\nEXPOSE 8080\nHEALTHCHECK CMD ["node", "-e", "fetch(\'http://127.0.0.1:\'+(process.env.PORT||8080)+\'/healthz\')"]\n',
        ),
        "server.js": fromEnv,
      },
    ],
    [
      "unknown listen port",
      { Dockerfile: dockerfile("EXPOSE 8080\n"), "server.js": "app.listen(config.port);\n" },
    ],
    [
      "compose PORT and ports agree",
      {
        Dockerfile: dockerfile("EXPOSE 3000\n"),
        "server.js": fromEnv,
        "compose.yaml":
          'services:\n  api:\n    build: .\n    environment:\n      PORT: "3000"\n    ports:\n      - "127.0.0.1:${API_PORT:-3000}:3000"\n',
      },
    ],
    [
      "compose PORT from the host",
      {
        Dockerfile: dockerfile("EXPOSE 3000\n"),
        "server.js": fromEnv,
        "compose.yaml":
          'services:\n  api:\n    build: .\n    environment:\n      - PORT\n    ports:\n      - "8080:8080"\n',
      },
    ],
    [
      "no listen, exposes and probe agree",
      {
        Dockerfile: py(
          'EXPOSE 8000\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:8000/"]\nCMD ["python", "server.py"]',
        ),
      },
    ],
    [
      "a port range",
      {
        Dockerfile: dockerfile("EXPOSE 3000\n"),
        "server.js": literal,
        "compose.yaml": 'services:\n  api:\n    build: .\n    ports:\n      - "3000-3001:3000-3001"\n',
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names both ports and relates the listen call", () => {
    const [finding] = findingsOf(rule, { Dockerfile: dockerfile("EXPOSE 8080\n"), "server.js": literal });
    expect(finding?.message).toBe(
      "`EXPOSE 8080` but the app listens on port 3000 (the listen call at `server.js:1`): publishing the exposed port reaches nothing",
    );
    expect(finding?.related).toEqual([{ file: "server.js", line: 1, column: 5, message: "listens on 3000" }]);
  });
});

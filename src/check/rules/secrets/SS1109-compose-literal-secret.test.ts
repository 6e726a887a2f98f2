import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1109-compose-literal-secret.js";

const head = "services:\n  app:\n    image: node:20\n";

describe("SS1109 compose-literal-secret", () => {
  it.each([
    [
      "map form",
      { "compose.yaml": `${head}    environment:\n      POSTGRES_PASSWORD: hunter2hunter2\n` },
      ["compose.yaml:5"],
    ],
    [
      "list form, password in a URL",
      {
        "compose.yaml": `${head}    environment:\n      - NODE_ENV=production\n      - DATABASE_URL=postgres://app:p4ssw0rd@db:5432/app\n`,
      },
      ["compose.yaml:6"],
    ],
    [
      "URL password next to interpolation",
      {
        "compose.yaml": `${head}    environment:\n      DATABASE_URL: postgres://app:p4ssw0rd@db:5432/\${DB_NAME}\n`,
      },
      ["compose.yaml:5"],
    ],
    [
      "provider key",
      {
        "compose.yml": `${head}    environment:\n      OPENAI_API_KEY: sk-proj-EXAMPLEEXAMPLEEXAMPLEEXAMPLE0000\n`,
      },
      ["compose.yml:5"],
    ],
    [
      "a literal default",
      { "compose.yaml": `${head}    environment:\n      DB_PASSWORD: \${DB_PASSWORD:-hunter2hunter2}\n` },
      ["compose.yaml:5"],
    ],
    [
      "build args",
      {
        "compose.yaml":
          "services:\n  app:\n    build:\n      context: .\n      args:\n        NODE_VERSION: '20'\n        NPM_TOKEN: npm_EXAMPLEexampleEXAMPLEexample01234567\n",
      },
      ["compose.yaml:7"],
    ],
    [
      "a shared anchor is reported once",
      {
        "compose.yaml":
          "x-env: &env\n  API_TOKEN: a1b2c3d4e5f6a7b8c9d0\nservices:\n  a:\n    image: x\n    environment: *env\n  b:\n    image: x\n    environment: *env\n",
      },
      ["compose.yaml:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "required interpolation",
      { "compose.yaml": `${head}    environment:\n      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:?set it}\n` },
    ],
    [
      "secret file",
      { "compose.yaml": `${head}    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db\n` },
    ],
    [
      "interpolated URL password",
      {
        "compose.yaml": `${head}    environment:\n      DATABASE_URL: postgres://\${DB_USER:-app}:\${DB_PASSWORD:?set it}@db:5432/app\n`,
      },
    ],
    [
      "passed through from the host",
      { "compose.yaml": `${head}    environment:\n      - API_KEY\n      - JWT_SECRET\n` },
    ],
    ["a flag", { "compose.yaml": `${head}    environment:\n      AUTH: "false"\n` }],
    [
      "not a secret",
      { "compose.yaml": `${head}    environment:\n      POSTGRES_USER: app\n      NODE_ENV: production\n` },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("redacts the value and suggests interpolation", () => {
    const [finding] = findingsOf(rule, {
      "compose.yaml": `${head}    environment:\n      POSTGRES_PASSWORD: hunter2hunter2\n`,
    });
    expect(finding?.message).toBe(
      "`POSTGRES_PASSWORD` of service `app` holds a literal secret (`hunt…(14 chars)`) in the compose file: it is committed and the same in every environment; use `${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}` from the environment or a git-ignored `.env`",
    );
  });
});

import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3003-dev-server-in-image.js";

const dockerfile = (cmd: string) =>
  `FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n${cmd}\n`;
const pkg = (scripts: Record<string, string>) =>
  `{\n  "scripts": {\n${Object.entries(scripts)
    .map(([name, command]) => `    "${name}": "${command}"`)
    .join(",\n")}\n  }\n}\n`;
const py = (cmd: string) => ({
  Dockerfile: `FROM python:3.12.7-slim-bookworm\nWORKDIR /app\nCOPY . .\n${cmd}\n`,
});

describe("SS3003 dev-server-in-image", () => {
  it.each([
    [
      "nodemon through npm run dev",
      {
        Dockerfile: dockerfile('CMD ["npm", "run", "dev"]'),
        "package.json": pkg({ dev: "nodemon src/index.js" }),
      },
      ["Dockerfile:5"],
    ],
    [
      "shell-form npm start running ts-node",
      { Dockerfile: dockerfile("CMD npm start"), "package.json": pkg({ start: "ts-node src/index.ts" }) },
      ["Dockerfile:5"],
    ],
    [
      "ts-node directly",
      { Dockerfile: dockerfile('CMD ["npx", "ts-node", "src/index.ts"]') },
      ["Dockerfile:5"],
    ],
    [
      "tsx watch",
      { Dockerfile: dockerfile('CMD ["npx", "tsx", "watch", "src/index.ts"]') },
      ["Dockerfile:5"],
    ],
    ["node --watch", { Dockerfile: dockerfile('CMD ["node", "--watch", "server.js"]') }, ["Dockerfile:5"]],
    [
      "bare vite",
      { Dockerfile: dockerfile('CMD ["npm", "start"]'), "package.json": pkg({ start: "vite" }) },
      ["Dockerfile:5"],
    ],
    ["next dev", { Dockerfile: dockerfile('CMD ["npx", "next", "dev"]') }, ["Dockerfile:5"]],
    [
      "react-scripts start via yarn",
      {
        Dockerfile: dockerfile('CMD ["yarn", "start"]'),
        "package.json": pkg({ start: "react-scripts start" }),
      },
      ["Dockerfile:5"],
    ],
    ["webpack serve", { Dockerfile: dockerfile('CMD ["npx", "webpack", "serve"]') }, ["Dockerfile:5"]],
    [
      "nodemon behind tini in ENTRYPOINT",
      { Dockerfile: dockerfile('ENTRYPOINT ["tini", "--"]\nCMD ["nodemon", "server.js"]') },
      ["Dockerfile:6"],
    ],
    [
      "sh -c with a migration first",
      { Dockerfile: dockerfile('CMD ["sh", "-c", "node migrate.js && nodemon server.js"]') },
      ["Dockerfile:5"],
    ],
    ["flask run", py('CMD ["python", "-m", "flask", "run", "--host", "0.0.0.0"]'), ["Dockerfile:4"]],
    [
      "uvicorn --reload",
      py('CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--reload"]'),
      ["Dockerfile:4"],
    ],
    ["manage.py runserver", py("CMD python manage.py runserver 0.0.0.0:8000"), ["Dockerfile:4"]],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["node on the build", { Dockerfile: dockerfile('CMD ["node", "dist/server.js"]') }],
    [
      "npm start running node",
      {
        Dockerfile: dockerfile('CMD ["npm", "start"]'),
        "package.json": pkg({ start: "node dist/index.js", dev: "nodemon src" }),
      },
    ],
    [
      "vite preview",
      {
        Dockerfile: dockerfile('CMD ["npm", "run", "preview"]'),
        "package.json": pkg({ preview: "vite preview --host" }),
      },
    ],
    ["next start", { Dockerfile: dockerfile('CMD ["npx", "next", "start"]') }],
    ["uvicorn without --reload", py('CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]')],
    ["tsx without watch", { Dockerfile: dockerfile('CMD ["npx", "tsx", "src/index.ts"]') }],
    [
      "dev server only in a build stage",
      {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim AS dev\nCMD ["nodemon", "server.js"]\nFROM node:20.20.2-bookworm-slim\nCMD ["node", "server.js"]\n',
      },
    ],
    [
      "a Dockerfile meant for development",
      { "Dockerfile.dev": dockerfile('CMD ["npx", "nodemon", "server.js"]') },
    ],
    ["no CMD", { Dockerfile: "FROM node:20.20.2-bookworm-slim\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the dev server and the script that starts it", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile: dockerfile('CMD ["npm", "run", "dev"]'),
      "package.json": pkg({ dev: "nodemon src/index.js" }),
    });
    expect(finding?.message).toBe(
      "`CMD` starts `nodemon` through `package.json` script `dev` (`nodemon src/index.js`), a development server: run the built app instead",
    );
    expect(finding?.related).toEqual([{ file: "package.json", line: 3, column: 1, message: "script `dev`" }]);
  });
});

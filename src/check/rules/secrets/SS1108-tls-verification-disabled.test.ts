import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1108-tls-verification-disabled.js";

const FROM = "FROM node:20\n";

describe("SS1108 tls-verification-disabled", () => {
  it.each([
    [
      "ENV NODE_TLS_REJECT_UNAUTHORIZED=0",
      { Dockerfile: `${FROM}ENV NODE_TLS_REJECT_UNAUTHORIZED=0\n` },
      ["Dockerfile:2"],
    ],
    ["legacy ENV form, quoted", { Dockerfile: `${FROM}ENV PYTHONHTTPSVERIFY "0"\n` }, ["Dockerfile:2"]],
    [
      "GIT_SSL_NO_VERIFY in a build stage ARG",
      { Dockerfile: "FROM node:20 AS b\nARG GIT_SSL_NO_VERIFY=true\nFROM node:20\n" },
      ["Dockerfile:2"],
    ],
    [
      "curl -k in a flag cluster, multi-line RUN",
      { Dockerfile: `${FROM}RUN apt-get update \\\n && curl -fsSLk https://x.example/i.sh -o i.sh\n` },
      ["Dockerfile:3"],
    ],
    [
      "curl --insecure",
      { Dockerfile: `${FROM}RUN curl --insecure -o a https://x.example/a\n` },
      ["Dockerfile:2"],
    ],
    [
      "wget --no-check-certificate",
      { Dockerfile: `${FROM}RUN wget --no-check-certificate https://x.example/a\n` },
      ["Dockerfile:2"],
    ],
    [
      "pip --trusted-host",
      { Dockerfile: "FROM python:3.12\nRUN pip install --trusted-host pypi.org -r requirements.txt\n" },
      ["Dockerfile:2"],
    ],
    [
      "python -m pip --trusted-host=",
      { Dockerfile: "FROM python:3.12\nRUN python -m pip install --trusted-host=pypi.org x\n" },
      ["Dockerfile:2"],
    ],
    [
      "npm config set strict-ssl false",
      { Dockerfile: `${FROM}RUN npm config set strict-ssl false && npm ci\n` },
      ["Dockerfile:2"],
    ],
    [
      "yarn config set strict-ssl false",
      { Dockerfile: `${FROM}RUN yarn config set strict-ssl false\n` },
      ["Dockerfile:2"],
    ],
    [
      "git http.sslVerify false",
      { Dockerfile: `${FROM}RUN git config --global http.sslVerify false\n` },
      ["Dockerfile:2"],
    ],
    [
      "git -c http.sslVerify=false",
      { Dockerfile: `${FROM}RUN git -c http.sslVerify=false clone https://x.example/r\n` },
      ["Dockerfile:2"],
    ],
    [
      "inline assignment",
      { Dockerfile: `${FROM}RUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci\n` },
      ["Dockerfile:2"],
    ],
    [
      "heredoc script",
      { Dockerfile: `${FROM}RUN <<EOF\nset -e\ncurl -k https://x.example/a\nEOF\n` },
      ["Dockerfile:4"],
    ],
    [
      "compose environment, map and list",
      {
        "compose.yaml":
          'services:\n  a:\n    image: node:20\n    environment:\n      NODE_TLS_REJECT_UNAUTHORIZED: "0"\n  b:\n    image: node:20\n    environment:\n      - PIP_TRUSTED_HOST=pypi.org\n',
      },
      ["compose.yaml:5", "compose.yaml:9"],
    ],
    [
      ".npmrc strict-ssl=false",
      { ".npmrc": "registry=https://r.example/\nstrict-ssl=false\n" },
      [".npmrc:2"],
    ],
    [
      "code sets NODE_TLS_REJECT_UNAUTHORIZED",
      { "src/index.ts": "import x from 'y';\nprocess.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';\n" },
      ["src/index.ts:2"],
    ],
    [
      "rejectUnauthorized: false",
      { "src/db.ts": "export const pool = new Pool({\n  ssl: { rejectUnauthorized: false },\n});\n" },
      ["src/db.ts:2"],
    ],
    [
      "python verify=False",
      { "app/client.py": "import requests\n\ndef get(url):\n    return requests.get(url, verify=False)\n" },
      ["app/client.py:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["verification on", { Dockerfile: `${FROM}ENV NODE_TLS_REJECT_UNAUTHORIZED=1\n` }],
    [
      "curl options with arguments",
      {
        Dockerfile: `${FROM}RUN curl -fsSL -o /tmp/kit.tgz https://x.example/kit.tgz && curl -ok https://x.example\n`,
      },
    ],
    ["a CA for git", { Dockerfile: `${FROM}RUN git config --global http.sslCAInfo /etc/ssl/certs/ca.pem\n` }],
    [
      "strict-ssl on",
      { Dockerfile: `${FROM}RUN npm config set strict-ssl true\n`, ".npmrc": "strict-ssl=true\n" },
    ],
    ["commented-out code", { "src/index.ts": "// ssl: { rejectUnauthorized: false },\nexport {};\n" }],
    ["a python parameter default", { "app/client.py": "def get(url, verify=False):\n    pass\n" }],
    ["a test file", { "src/app.test.ts": "const agent = new Agent({ rejectUnauthorized: false });\n" }],
    [
      "compose interpolation",
      {
        "compose.yaml":
          "services:\n  a:\n    image: node:20\n    environment:\n      NODE_TLS_REJECT_UNAUTHORIZED: ${TLS:-1}\n",
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("says what to do instead", () => {
    expect(findingsOf(rule, { Dockerfile: `${FROM}ENV NODE_TLS_REJECT_UNAUTHORIZED=0\n` })[0]?.message).toBe(
      "`ENV NODE_TLS_REJECT_UNAUTHORIZED=0` turns off certificate checks for every TLS connection Node makes: trust the CA instead: `NODE_EXTRA_CA_CERTS=/path/to/ca.pem`",
    );
    expect(findingsOf(rule, { Dockerfile: `${FROM}RUN curl -k https://x.example\n` })[0]?.message).toBe(
      "`curl -k` accepts any certificate: add the CA to the image instead (`COPY ca.crt /usr/local/share/ca-certificates/` and `update-ca-certificates`), or `curl --cacert ca.pem`",
    );
  });
});

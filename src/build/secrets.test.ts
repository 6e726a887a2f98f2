import { describe, expect, it } from "vitest";
import { summarizeContext } from "./context.js";
import { parseSecretSpec, validateSecrets } from "./secrets.js";

describe("--secret", () => {
  it("parses env= and src= (and docker's type=/source= spellings)", () => {
    expect(parseSecretSpec("id=npm_token,env=NPM_TOKEN")).toEqual({ id: "npm_token", env: "NPM_TOKEN" });
    expect(parseSecretSpec("id=npmrc,src=./.npmrc")).toEqual({ id: "npmrc", src: "./.npmrc" });
    expect(parseSecretSpec("id=npmrc,source=/x")).toEqual({ id: "npmrc", src: "/x" });
    expect(parseSecretSpec("type=env,id=t,source=TOKEN")).toEqual({ id: "t", env: "TOKEN" });
  });

  it("refuses malformed specs with one clear line", () => {
    expect(() => parseSecretSpec("npm_token")).toThrow(/--secret npm_token: "npm_token" is not key=value/);
    expect(() => parseSecretSpec("env=X")).toThrow(/has no id=/);
    expect(() => parseSecretSpec("id=x")).toThrow(/neither env= nor src=/);
    expect(() => parseSecretSpec("id=x,env=A,src=b")).toThrow(/not both/);
    expect(() => parseSecretSpec("id=x,value=hunter2")).toThrow(/unknown key "value"/);
  });

  it("checks that the variable or file exists, never printing a value", () => {
    const exists = (path: string) => path === "/ok";
    expect(() => validateSecrets([{ id: "t", env: "NPM_TOKEN" }], {}, exists)).toThrow(
      "--secret id=t: the environment variable NPM_TOKEN is not set",
    );
    expect(() => validateSecrets([{ id: "f", src: "/missing" }], {}, exists)).toThrow(
      /\/missing does not exist/,
    );
    expect(() => validateSecrets([{ id: "t", env: "T" }], { T: "v" }, exists)).not.toThrow();
    expect(() =>
      validateSecrets(
        [
          { id: "t", env: "T" },
          { id: "t", src: "/ok" },
        ],
        { T: "v" },
        exists,
      ),
    ).toThrow(/given twice/);
  });
});

describe("context report", () => {
  it("sums files per top-level entry and lists the largest first", () => {
    const report = summarizeContext(
      [
        { path: "node_modules", kind: "dir", size: 0 },
        { path: "node_modules/a/index.js", kind: "file", size: 300 },
        { path: "node_modules/b/index.js", kind: "file", size: 700 },
        { path: "big.bin", kind: "file", size: 5000 },
        { path: "src/x.ts", kind: "file", size: 10 },
        { path: "link", kind: "symlink", size: 0 },
      ],
      { dockerignore: ".dockerignore", top: 2 },
    );
    expect(report).toEqual({
      files: 4,
      bytes: 6010,
      symlinks: 1,
      largest: [
        { path: "big.bin", kind: "file", bytes: 5000, files: 1 },
        { path: "node_modules", kind: "dir", bytes: 1000, files: 2 },
      ],
      truncated: false,
      dockerignore: ".dockerignore",
    });
  });
});

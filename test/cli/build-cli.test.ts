/**
 * `shipshape build` as a user runs it, on the paths that stop before the engine: secrets in the
 * context, a dirty tree, a bad or unset --secret, bad flags. These need no Docker engine (the
 * refusals come first, so a refused build never waits for one).
 */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shipshape } from "../support/cli.js";
import { committed, project } from "../support/projects.js";

const FILES = {
  Dockerfile: 'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
  ".dockerignore": "node_modules\n.git\n.env\n",
  "package.json": `${JSON.stringify({ name: "tiny-api", version: "1.2.3" }, null, 2)}\n`,
  "server.js": "require('node:http').createServer().listen(3000);\n",
};

/** A project committed to a fresh git repository. */
function repo(files: Record<string, string> = FILES): string {
  return committed(project(files, "shipshape-build-"), "init");
}

// An engine that cannot answer: a path that reaches it would fail differently (exit 2, "no answer").
const NO_ENGINE = { DOCKER_HOST: "unix:///nonexistent/docker.sock" };

describe("shipshape build: refusals before the engine", () => {
  it("refuses secret files in the context, naming each with the secret redacted", () => {
    const dir = repo({
      ...FILES,
      ".dockerignore": "node_modules\n.git\n",
      ".env": "JWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\nPORT=3000\n",
      "deploy/.npmrc": "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n",
    });
    const result = shipshape(["build", dir], NO_ENGINE);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain("refusing to build: the build context holds 2 secret files");
    expect(result.stderr).toContain(".env:1  env file: JWT_SECRET=9f8e…(32 chars)");
    expect(result.stderr).toContain("deploy/.npmrc:1  npm auth token: npm token `npm_…(40 chars)`");
    expect(result.stderr).toMatch(/hint: .*\.dockerignore.*--allow-secrets/);
    expect(result.stderr + result.stdout).not.toContain("9f8e7d6c5b4a39281706f5e4d3c2b1a0");
    expect(result.stderr + result.stdout).not.toContain("abcdefghijklmnopqrstuvwxyz0123456789");
    // The context report comes first: what would have been sent.
    expect(result.stderr).toMatch(/^context {2}.* in 6 files \(after \.dockerignore\)/m);
  });

  it("refuses with JSON too, with the refusals and the context report", () => {
    const dir = repo({
      ...FILES,
      ".dockerignore": "",
      ".env": "JWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n",
    });
    const result = shipshape(["build", dir, "-f", "json"], NO_ENGINE);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.built).toBe(false);
    expect(json.refusals[0].code).toBe("secrets-in-context");
    expect(json.context.files).toBeGreaterThan(0);
    expect(result.stdout).not.toContain("9f8e7d6c5b4a39281706f5e4d3c2b1a0");
  });

  it("refuses uncommitted changes to files the build sends, and not to files it leaves out", () => {
    const dir = repo();
    appendFileSync(join(dir, "server.js"), "// wip\n");
    writeFileSync(join(dir, "notes.txt"), "todo\n");
    writeFileSync(join(dir, ".env"), "PORT=3000\n"); // excluded by .dockerignore: not a reason
    const result = shipshape(["build", dir], NO_ENGINE);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /refusing to build: uncommitted changes in 2 files the build sends: the image would not match commit [0-9a-f]{7}/,
    );
    expect(result.stderr).toContain("  M server.js");
    expect(result.stderr).toContain("  ?? notes.txt");
    expect(result.stderr).not.toContain(".env");
    expect(result.stderr).toMatch(/hint: commit \(or stash\) them, or build anyway with --allow-dirty/);
  });

  it("with --allow-dirty gets past the dirty check (and then needs the engine)", () => {
    const dir = repo();
    appendFileSync(join(dir, "server.js"), "// wip\n");
    const result = shipshape(["build", dir, "--allow-dirty"], NO_ENGINE);
    expect(result.stderr).not.toContain("refusing");
    expect(result.stderr).toMatch(
      /building tiny-api from Dockerfile \(commit [0-9a-f]{7} \+ uncommitted changes \(1\)\)/,
    );
    expect(result.code).toBe(2); // no engine at the fake DOCKER_HOST
  });

  it("a --secret from an unset variable is a clear error that never shows a value", () => {
    const dir = repo();
    const result = shipshape(
      ["build", dir, "--secret", "id=npm_token,env=SHIPSHAPE_TEST_UNSET_TOKEN"],
      NO_ENGINE,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "error: --secret id=npm_token: the environment variable SHIPSHAPE_TEST_UNSET_TOKEN is not set",
    );
  });

  it("a malformed --secret names what is wrong and how to write it", () => {
    const dir = repo();
    const result = shipshape(["build", dir, "--secret", "npm_token=abc"], NO_ENGINE);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --secret npm_token=abc: unknown key "npm_token"');
    expect(result.stderr).toMatch(/hint: write --secret id=npm_token,env=NPM_TOKEN/);
  });

  it("a --secret file that does not exist is named", () => {
    const dir = repo();
    const result = shipshape(["build", dir, "--secret", "id=npmrc,src=/nonexistent/.npmrc"], NO_ENGINE);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: --secret id=npmrc: the file /nonexistent/.npmrc does not exist");
  });

  it("a missing directory, a missing Dockerfile, an unknown --target and a bad --format are one-line errors", () => {
    const dir = repo();
    const missing = shipshape(["build", join(dir, "nope")], NO_ENGINE);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/error: .*nope: does not exist/);
    mkdirSync(join(dir, "empty"));
    const noDockerfile = shipshape(["build", join(dir, "empty")], NO_ENGINE);
    expect(noDockerfile.code).toBe(2);
    expect(noDockerfile.stderr).toMatch(
      /Dockerfile: does not exist\nhint: shipshape init writes a Dockerfile/,
    );
    const target = shipshape(["build", dir, "--target", "runtime"], NO_ENGINE);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain("error: --target runtime: Dockerfile has no stage named runtime");
    const format = shipshape(["build", dir, "-f", "Dockerfile.prod"], NO_ENGINE);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(
      /--format Dockerfile\.prod is not one of text, json\nhint: --file names the Dockerfile/,
    );
    expect(existsSync(join(dir, "BUILDINFO.json"))).toBe(false);
  });

  it("warns about a build arg that looks like a secret, pointing at --secret", () => {
    const dir = repo();
    const result = shipshape(["build", dir, "--build-arg", "NPM_TOKEN=abc123notshown"], NO_ENGINE);
    expect(result.stderr).toMatch(
      /warning: --build-arg NPM_TOKEN looks like a secret \(its name\).*--secret id=npm_token,env=NPM_TOKEN/,
    );
    expect(result.stderr).not.toContain("abc123notshown");
  });

  it("outside git: says so and tags the version only", () => {
    const dir = project(FILES, "shipshape-build-nogit-");
    const result = shipshape(["build", dir], { ...NO_ENGINE, GIT_CEILING_DIRECTORIES: join(dir, "..") });
    expect(result.stderr).toContain(
      "note: not a git repository: no revision or source labels, and no sha-<commit> tag (version tag only)",
    );
    expect(result.code).toBe(2); // no engine
  });
});

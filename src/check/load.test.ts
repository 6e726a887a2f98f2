/**
 * Bad input through the file-system adapter: files too large to read, symlinks (loops, links out
 * of the directory), unreadable files and directories, binary and non-UTF-8 files, and trees
 * larger than the entry limit. Each is reported as a problem naming the file, or skipped, and
 * never hangs or throws.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import { DEFAULT_LIMITS, loadTree } from "./load.js";

let root: string;

/** A fresh directory for one test, with the given files (content or bytes). */
function project(name: string, files: Record<string, string | Buffer> = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "shipshape-load-"));
});

afterAll(() => {
  // Unreadable directories cannot be removed until they are readable again.
  spawnSync("chmod", ["-R", "u+rwx", root]);
  rmSync(root, { recursive: true, force: true });
});

describe("loadTree on bad input", () => {
  it("reports a 50 MB Dockerfile by name and does not read it", () => {
    const dir = project("huge", { "package.json": "{}" });
    writeFileSync(join(dir, "Dockerfile"), "FROM node:20\n");
    // Sparse: 50 MB of size without writing 50 MB.
    const size = 50 * 1024 * 1024;
    truncateSync(join(dir, "Dockerfile"), size);
    const tree = loadTree(dir);
    expect(tree.entries.get("Dockerfile")).toEqual({ path: "Dockerfile", kind: "file", size });
    expect(tree.texts.has("Dockerfile")).toBe(false);
    expect(tree.problems).toEqual([
      { file: "Dockerfile", message: "is 50.0 MB, larger than the 2 MB shipshape reads: not checked" },
    ]);
    expect(tree.texts.has("package.json")).toBe(true);
  });

  it("skips a large file that is not a Dockerfile, compose file or manifest without a problem", () => {
    const dir = project("huge-code", { Dockerfile: "FROM node:20\n" });
    writeFileSync(join(dir, "bundle.js"), "x".repeat(DEFAULT_LIMITS.maxTextBytes + 1));
    const tree = loadTree(dir);
    expect(tree.entries.get("bundle.js")?.kind).toBe("file");
    expect(tree.texts.has("bundle.js")).toBe(false);
    expect(tree.problems).toEqual([]);
  });

  it("does not follow symlinks: a loop, a link to a parent, links out of the directory", () => {
    const dir = project("links", { Dockerfile: "FROM node:20\n", "src/index.js": "" });
    const outside = project("outside", { Dockerfile: "FROM evil\n", "secret.env": "TOKEN=outside" });
    symlinkSync("loop-b", join(dir, "loop-a"));
    symlinkSync("loop-a", join(dir, "loop-b"));
    symlinkSync("self", join(dir, "self"));
    symlinkSync("..", join(dir, "src/up"));
    symlinkSync(outside, join(dir, "vendor"));
    symlinkSync(join(outside, "secret.env"), join(dir, ".env"));
    symlinkSync(join(outside, "Dockerfile"), join(dir, "Dockerfile.linked"));
    const started = Date.now();
    const tree = loadTree(dir);
    expect(Date.now() - started).toBeLessThan(10_000); // a followed loop would never return
    for (const link of ["loop-a", "loop-b", "self", "src/up", "vendor", ".env", "Dockerfile.linked"])
      expect(tree.entries.get(link), link).toEqual({ path: link, kind: "symlink", size: 0 });
    expect(
      [...tree.entries.keys()].filter((path) => path.startsWith("vendor/") || path.startsWith("src/up/")),
    ).toEqual([]);
    expect([...tree.texts.keys()].sort()).toEqual(["Dockerfile", "src/index.js"]);
    expect(tree.problems).toEqual([]);
  });

  it("reports an unreadable Dockerfile and an unreadable directory", (context) => {
    const dir = project("unreadable", { Dockerfile: "FROM node:20\n", "app/server.js": "", "ok.js": "" });
    chmodSync(join(dir, "Dockerfile"), 0o000);
    chmodSync(join(dir, "app"), 0o000);
    const problems = loadAsUnprivileged(dir);
    chmodSync(join(dir, "app"), 0o755);
    chmodSync(join(dir, "Dockerfile"), 0o644);
    // Root, and not allowed to run a process as nobody: permissions cannot be tested here.
    if (problems === "skip") context.skip();
    expect(problems).toEqual([
      { file: "Dockerfile", message: "cannot be read (EACCES)" },
      { file: "app", message: "cannot be read (EACCES)" },
    ]);
  });

  it("reports a binary Dockerfile (NUL bytes) and does not read it", () => {
    const dir = project("binary", {
      Dockerfile: Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0x00, 0x01, 0x02, 0x0a]),
      "logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00]),
    });
    const tree = loadTree(dir);
    expect(tree.texts.has("Dockerfile")).toBe(false);
    expect(tree.problems).toEqual([
      { file: "Dockerfile", line: 1, message: "is binary, not text: not checked" },
    ]);
  });

  it("reports a compose file that is not UTF-8 with the line of the first bad byte", () => {
    const latin1 = Buffer.concat([
      Buffer.from("services:\n  app:\n    image: node:20\n    environment:\n      GREETING: caf"),
      Buffer.from([0xe9]), // é in Latin-1: not a UTF-8 sequence
      Buffer.from("\n"),
    ]);
    const dir = project("latin1", {
      "compose.yaml": latin1,
      "notes.py": Buffer.from([0x23, 0x20, 0xff, 0x0a]),
    });
    const tree = loadTree(dir);
    expect(tree.texts.has("compose.yaml")).toBe(false);
    // Code files are not primary: skipped without a problem.
    expect(tree.texts.has("notes.py")).toBe(false);
    expect(tree.problems).toEqual([
      { file: "compose.yaml", line: 5, message: "is not valid UTF-8: not checked (save it as UTF-8)" },
    ]);
  });

  it("stops at the entry limit and says so", () => {
    const files: Record<string, string> = { Dockerfile: "FROM node:20\n" };
    for (let i = 0; i < 20; i++) files[`src/file${String(i).padStart(2, "0")}.js`] = "";
    const dir = project("many", files);
    const tree = loadTree(dir, undefined, { ...DEFAULT_LIMITS, maxEntries: 8 });
    expect(tree.entries.size).toBe(8);
    expect(tree.problems).toEqual([{ file: "src", message: "more than 8 files: the rest were not checked" }]);
  });

  it("does not walk dependency and VCS directories", () => {
    const dir = project("opaque", {
      Dockerfile: "FROM node:20\n",
      "node_modules/left-pad/package.json": "{}",
      ".git/HEAD": "ref: refs/heads/main\n",
    });
    const tree = loadTree(dir);
    expect([...tree.opaqueDirs].sort()).toEqual([".git", "node_modules"]);
    expect([...tree.entries.keys()].sort()).toEqual([".git", "Dockerfile", "node_modules"]);
  });

  it("throws an input error for a missing directory or a file", () => {
    const dir = project("plain", { Dockerfile: "FROM node:20\n" });
    expect(() => loadTree(join(dir, "nope"))).toThrow(InputError);
    expect(() => loadTree(join(dir, "Dockerfile"))).toThrow(/is not a directory/);
  });
});

/**
 * The problems loadTree reports for `dir`, run by a user that permissions apply to. As root
 * (CI containers, this sandbox), chmod 000 does not stop reading, so the adapter is bundled and
 * run in a child process as `nobody`; where that is not allowed either, the test is skipped.
 */
function loadAsUnprivileged(dir: string): unknown[] | "skip" {
  const uid = process.getuid?.();
  if (uid !== 0) return loadTree(dir).problems;
  const script = join(root, "load-as-nobody.mjs");
  buildSync({
    stdin: {
      contents: `import { loadTree } from "./load.ts";\nprocess.stdout.write(JSON.stringify(loadTree(process.argv[2]).problems));`,
      resolveDir: fileURLToPath(new URL(".", import.meta.url)),
      loader: "ts",
    },
    outfile: script,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "silent",
  });
  // nobody must be able to reach the directory: the temp root and the bundle are opened up.
  chmodSync(root, 0o755);
  chmodSync(script, 0o644);
  const child = spawnSync(process.execPath, [script, dir], { uid: 65534, gid: 65534, encoding: "utf8" });
  if (child.error || child.status !== 0) return "skip";
  return JSON.parse(child.stdout) as unknown[];
}

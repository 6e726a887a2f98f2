/**
 * Throwaway project directories for CLI tests: written from a file map, or copied from a fixture
 * app. Every directory made here is removed after the test file's last test.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";
import { ROOT } from "./cli.js";

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory holding `files` (paths relative to it). */
export function project(files: Record<string, string>, prefix = "shipshape-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

/** A temporary copy of a fixture app under test/fixtures/apps, without the `remove`d files. */
export function copyFixture(name: string, remove: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), `shipshape-${name}-`));
  temporary.push(dir);
  cpSync(join(ROOT, "test/fixtures/apps", name), dir, { recursive: true });
  for (const file of remove) rmSync(join(dir, file), { force: true });
  return dir;
}

/** Runs git in `dir` as a fixed test author (no user config needed); returns its trimmed output. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  }).trim();
}

/** Makes `dir` a git repository with everything in it committed; returns `dir`. */
export function committed(dir: string, message = "release"): string {
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", message);
  return dir;
}

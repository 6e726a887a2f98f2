/**
 * Throwaway project directories for CLI tests: written from a file map, or copied from a fixture
 * app. Every directory made here is removed after the test file's last test.
 */
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

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import {
  applyChanges,
  diffWorkspace,
  packWorkspace,
  readWorkspaceArchive,
  snapshotDirectory,
} from "./workspace.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "shipshape-ws-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe("the workspace copy", () => {
  it("packs files and links (never followed) owned by the sandbox user, and reads them back", async () => {
    const dir = workspace({ "a.txt": "a", "src/b.js": "b" });
    symlinkSync("/etc/passwd", join(dir, "link"));
    const snapshot = snapshotDirectory(dir);
    expect([...snapshot.keys()]).toEqual(["a.txt", "link", "src/b.js"]);
    expect(snapshot.get("link")).toMatchObject({ kind: "symlink", content: Buffer.from("/etc/passwd") });
    const tar = await packWorkspace(snapshot, 10001, 10001);
    const back = await readWorkspaceArchive(Readable.from(tar), "");
    expect([...back.keys()].sort()).toEqual(["a.txt", "link", "src/b.js"]);
    expect(back.get("src/b.js")?.content.toString()).toBe("b");
  });

  it("lists added, modified and deleted files, and writes back exactly those", () => {
    const dir = workspace({ "keep.txt": "same", "mod.txt": "old", "gone.txt": "bye" });
    const before = snapshotDirectory(dir);
    const after = new Map(before);
    after.delete("gone.txt");
    after.set("mod.txt", { kind: "file", content: Buffer.from("new"), mode: 0o644 });
    after.set("sub/added.txt", { kind: "file", content: Buffer.from("hi"), mode: 0o644 });
    const changes = diffWorkspace(before, after);
    expect(changes).toEqual([
      { path: "gone.txt", change: "D" },
      { path: "mod.txt", change: "M" },
      { path: "sub/added.txt", change: "A" },
    ]);
    applyChanges(dir, after, changes);
    expect(snapshotDirectory(dir)).toEqual(
      new Map([
        ["keep.txt", expect.objectContaining({ content: Buffer.from("same") })],
        ["mod.txt", expect.objectContaining({ content: Buffer.from("new") })],
        ["sub/added.txt", expect.objectContaining({ content: Buffer.from("hi") })],
      ]),
    );
  });

  it("never writes outside the workspace or through a link the sandbox made", () => {
    const dir = workspace({ "x.txt": "x" });
    const outside = join(dir, "..", "outside.txt");
    const after = new Map([
      ["../outside.txt", { kind: "file" as const, content: Buffer.from("escape"), mode: 0o644 }],
      ["evil", { kind: "symlink" as const, content: Buffer.from("/etc"), mode: 0o777 }],
    ]);
    applyChanges(dir, after, diffWorkspace(new Map(), after));
    expect(() => readFileSync(outside)).toThrow();
    expect(snapshotDirectory(dir).has("evil")).toBe(false);
  });
});

/**
 * The sandbox workspace: a host directory packed into a tar (owned by the sandbox user, symlinks
 * kept as links, never followed) for the container's /workspace, and the changes found in it
 * after the run (added, modified, deleted) — written back only when asked.
 */
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import type { Readable } from "node:stream";
import * as tar from "tar-stream";

export interface WorkspaceFile {
  kind: "file" | "symlink";
  content: Buffer;
  mode: number;
}

export type WorkspaceSnapshot = Map<string, WorkspaceFile>;

/** Every file and symlink under `root` (paths with `/`), without following links. */
export function snapshotDirectory(root: string): WorkspaceSnapshot {
  const out: WorkspaceSnapshot = new Map();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const rel = relative(root, path).split(sep).join("/");
      if (stat.isDirectory()) walk(path);
      else if (stat.isSymbolicLink())
        out.set(rel, { kind: "symlink", content: Buffer.from(readlinkSync(path)), mode: 0o777 });
      else if (stat.isFile())
        out.set(rel, { kind: "file", content: readFileSync(path), mode: stat.mode & 0o777 });
    }
  };
  walk(root);
  return out;
}

/** A tar of the snapshot, every entry owned by `uid:gid`. */
export async function packWorkspace(snapshot: WorkspaceSnapshot, uid: number, gid: number): Promise<Buffer> {
  const pack = tar.pack();
  const owner = { uid, gid, mtime: new Date(0) };
  // The root entry sets the workspace's own mode: world-writable and sticky, like /tmp, so the
  // sandbox user can add files to it (the engine keeps its owner root).
  pack.entry({ name: "./", type: "directory", mode: 0o1777, ...owner });
  const dirs = new Set<string>();
  for (const [path, file] of snapshot) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      pack.entry({ name: `${dir}/`, type: "directory", mode: 0o755, ...owner });
    }
    if (file.kind === "symlink")
      pack.entry({ name: path, type: "symlink", linkname: file.content.toString(), ...owner });
    else pack.entry({ name: path, mode: file.mode | 0o600, ...owner }, file.content);
  }
  pack.finalize();
  // Whole, in memory: the engine's archive upload wants a Node stream or a buffer.
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The files of a `docker cp` archive of `/workspace` (entries are prefixed `workspace/`). */
export async function readWorkspaceArchive(
  archive: Readable,
  prefix = "workspace/",
): Promise<WorkspaceSnapshot> {
  const out: WorkspaceSnapshot = new Map();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on("end", () => {
        const name = header.name.startsWith(prefix) ? header.name.slice(prefix.length) : header.name;
        if (name !== "" && header.type === "file")
          out.set(name, {
            kind: "file",
            content: Buffer.concat(chunks),
            mode: (header.mode ?? 0o644) & 0o777,
          });
        else if (name !== "" && header.type === "symlink")
          out.set(name, { kind: "symlink", content: Buffer.from(header.linkname ?? ""), mode: 0o777 });
        next();
      });
      stream.resume();
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  archive.pipe(extract);
  await done;
  return out;
}

export interface WorkspaceChange {
  path: string;
  change: "A" | "M" | "D";
}

export function diffWorkspace(before: WorkspaceSnapshot, after: WorkspaceSnapshot): WorkspaceChange[] {
  const changes: WorkspaceChange[] = [];
  for (const [path, file] of after) {
    const old = before.get(path);
    if (!old) changes.push({ path, change: "A" });
    else if (old.kind !== file.kind || !old.content.equals(file.content)) changes.push({ path, change: "M" });
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push({ path, change: "D" });
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

/** Writes exactly the changed files back to `root` (and removes the deleted ones). */
export function applyChanges(root: string, after: WorkspaceSnapshot, changes: WorkspaceChange[]): void {
  for (const { path, change } of changes) {
    const target = join(root, ...path.split("/"));
    // Never outside the workspace, whatever names the archive holds.
    if (!target.startsWith(`${root}${sep}`)) continue;
    if (change === "D") {
      rmSync(target, { force: true });
      continue;
    }
    const file = after.get(path);
    if (file?.kind !== "file") continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content, { mode: file.mode });
  }
}

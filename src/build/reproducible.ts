/**
 * `build --check-reproducible`: two images built from the same inputs, compared. The image
 * configs (minus the build time and ids), the layer diff ids one by one, and for each layer that
 * differs, the files inside it (path, size, mode, mtime, owner, link, content hash), with the
 * likely cause. The comparison is pure; reading the layers from `docker save` output is the
 * adapter at the end.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import tar from "tar-stream";

export interface ImageSnapshot {
  id: string;
  /** Config as the engine reports it (inspect's Config plus platform fields). */
  config: Record<string, unknown>;
  diffIds: string[];
  /** History, oldest first, with whether each step made a layer. */
  history: Array<{ createdBy: string; emptyLayer: boolean }>;
}

export interface LayerEntry {
  path: string;
  type: string;
  size: number;
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  uid: number;
  gid: number;
  linkname?: string;
  /** SHA-256 of the content (files only). */
  sha256?: string;
}

export interface FileDifference {
  path: string;
  change: "added" | "removed" | "changed";
  /** For `changed`: which fields differ (`mtime`, `content`, `size`, `mode`, `owner`, `link`, `type`). */
  fields: string[];
}

export type Cause =
  | "timestamps only (mtime)"
  | "content differs in a lockfile-installed tree (unordered installs or embedded build paths)"
  | "npm cache or logs written during the build"
  | "Python bytecode (.pyc) compiled at build time"
  | "file content differs"
  | "files added or removed"
  | "ownership or permissions differ";

export interface LayerComparison {
  index: number;
  /** The Dockerfile step that made the layer (from the history). */
  createdBy?: string;
  first: string;
  second: string;
  equal: boolean;
  /** Differing files (first 50), and how many in all. */
  files?: FileDifference[];
  differingFiles?: number;
  /** How many differing files differ in each field (`mtime`, `content`, …, `added`, `removed`). */
  fieldCounts?: Record<string, number>;
  causes?: Cause[];
}

export interface ReproducibilityReport {
  identical: boolean;
  images: [string, string];
  config: { equal: boolean; differences: string[]; ignored: string[] };
  history: { equal: boolean };
  layers: LayerComparison[];
  layersEqual: number;
  layersTotal: number;
}

/** Fields that differ between any two builds by construction, left out of the comparison. */
const IGNORED_CONFIG = ["created", "container", "container_config.Hostname", "history[].created"];

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>))
      flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else out.set(prefix, JSON.stringify(value ?? null));
}

/** Config keys whose values differ (flattened paths), the ignored ones left out. */
export function compareConfigs(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const left = new Map<string, string>();
  const right = new Map<string, string>();
  flatten(a, "", left);
  flatten(b, "", right);
  const keys = new Set([...left.keys(), ...right.keys()]);
  const out: string[] = [];
  for (const key of [...keys].sort()) {
    if (/^(?:created|container|history)(?:\.|$)/.test(key) || key === "container_config.Hostname") continue;
    if (left.get(key) !== right.get(key)) out.push(key);
  }
  return out;
}

export function diffEntries(a: readonly LayerEntry[], b: readonly LayerEntry[]): FileDifference[] {
  const left = new Map(a.map((entry) => [entry.path, entry]));
  const right = new Map(b.map((entry) => [entry.path, entry]));
  const out: FileDifference[] = [];
  for (const [path, entry] of left) {
    const other = right.get(path);
    if (!other) {
      out.push({ path, change: "removed", fields: [] });
      continue;
    }
    const fields: string[] = [];
    if (entry.type !== other.type) fields.push("type");
    if (entry.sha256 !== other.sha256) fields.push("content");
    if (entry.size !== other.size) fields.push("size");
    if (entry.mode !== other.mode) fields.push("mode");
    if (entry.mtime !== other.mtime) fields.push("mtime");
    if (entry.uid !== other.uid || entry.gid !== other.gid) fields.push("owner");
    if ((entry.linkname ?? "") !== (other.linkname ?? "")) fields.push("link");
    if (fields.length) out.push({ path, change: "changed", fields });
  }
  for (const path of right.keys()) if (!left.has(path)) out.push({ path, change: "added", fields: [] });
  return out.sort((x, y) => x.path.localeCompare(y.path));
}

const NPM_CACHE = /(?:^|\/)\.npm\/|(?:^|\/)_cacache\/|(?:^|\/)_logs\/|npm-debug\.log|(?:^|\/)\.cache\//;
const INSTALLED_TREE = /(?:^|\/)(?:node_modules|site-packages|dist-packages|\.venv|vendor)\//;
const PYC = /\.pyc$|(?:^|\/)__pycache__\//;

/** The likely causes of a layer's differences, most specific first. */
export function classify(files: readonly FileDifference[]): Cause[] {
  const causes = new Set<Cause>();
  const rest: FileDifference[] = [];
  for (const file of files) {
    if (NPM_CACHE.test(file.path)) causes.add("npm cache or logs written during the build");
    else if (PYC.test(file.path)) causes.add("Python bytecode (.pyc) compiled at build time");
    else rest.push(file);
  }
  if (rest.length === 0) return [...causes];
  const changed = rest.filter((file) => file.change === "changed");
  if (rest.some((file) => file.change !== "changed")) causes.add("files added or removed");
  if (changed.length > 0 && changed.every((file) => file.fields.every((field) => field === "mtime")))
    causes.add("timestamps only (mtime)");
  const content = changed.filter((file) => file.fields.includes("content") || file.fields.includes("size"));
  if (content.some((file) => INSTALLED_TREE.test(file.path)))
    causes.add("content differs in a lockfile-installed tree (unordered installs or embedded build paths)");
  if (content.some((file) => !INSTALLED_TREE.test(file.path))) causes.add("file content differs");
  if (changed.some((file) => file.fields.includes("mode") || file.fields.includes("owner")))
    causes.add("ownership or permissions differ");
  if (
    causes.size === 0 &&
    changed.some((file) => file.fields.includes("mtime") && !file.fields.includes("content"))
  )
    causes.add("timestamps only (mtime)");
  return [...causes];
}

/** The history steps that made layers, oldest first, aligned with the diff ids. */
function layerSteps(history: ImageSnapshot["history"]): string[] {
  return history.filter((step) => !step.emptyLayer).map((step) => step.createdBy);
}

/** Compares two snapshots; `entries` gives the files of the differing layers (by diff id). */
export function compareImages(
  first: ImageSnapshot,
  second: ImageSnapshot,
  entries: ReadonlyMap<string, LayerEntry[]>,
): ReproducibilityReport {
  const differences = compareConfigs(first.config, second.config);
  const steps = layerSteps(first.history);
  const historyEqual =
    JSON.stringify(first.history.map((h) => [h.createdBy, h.emptyLayer])) ===
    JSON.stringify(second.history.map((h) => [h.createdBy, h.emptyLayer]));
  const layers: LayerComparison[] = [];
  const count = Math.max(first.diffIds.length, second.diffIds.length);
  for (let index = 0; index < count; index++) {
    const a = first.diffIds[index] ?? "(none)";
    const b = second.diffIds[index] ?? "(none)";
    const layer: LayerComparison = { index, first: a, second: b, equal: a === b };
    const step = steps[index];
    if (step !== undefined) layer.createdBy = step;
    if (!layer.equal) {
      const left = entries.get(a);
      const right = entries.get(b);
      if (left && right) {
        const files = diffEntries(left, right);
        layer.files = files.slice(0, 50);
        layer.differingFiles = files.length;
        const counts: Record<string, number> = {};
        for (const file of files)
          for (const field of file.change === "changed" ? file.fields : [file.change])
            counts[field] = (counts[field] ?? 0) + 1;
        layer.fieldCounts = counts;
        layer.causes = classify(files);
      }
    }
    layers.push(layer);
  }
  const layersEqual = layers.filter((layer) => layer.equal).length;
  return {
    identical: first.id === second.id,
    images: [first.id, second.id],
    config: { equal: differences.length === 0, differences, ignored: IGNORED_CONFIG },
    history: { equal: historyEqual },
    layers,
    layersEqual,
    layersTotal: layers.length,
  };
}

/** An image snapshot from the config JSON `docker save` writes (`<hex>.json`). */
export function snapshotFromConfig(id: string, config: Record<string, unknown>): ImageSnapshot {
  const history = Array.isArray(config.history) ? (config.history as Array<Record<string, unknown>>) : [];
  const rootfs = (config.rootfs ?? {}) as { diff_ids?: string[] };
  const compared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    // Build time, the build container's name and the history (compared on its own) left out.
    if (key === "created" || key === "history" || key === "container" || key === "rootfs") continue;
    compared[key] = value;
  }
  return {
    id,
    config: compared,
    diffIds: rootfs.diff_ids ?? [],
    history: history.map((step) => ({
      createdBy: String(step.created_by ?? ""),
      emptyLayer: step.empty_layer === true,
    })),
  };
}

/**
 * Reads `docker save` output: the image's config JSON, and the files of the layers whose diff id
 * is wanted (a layer.tar's SHA-256 is its diff id). Metadata and content hashes only.
 */
export async function readSavedImage(
  saved: Readable,
  wanted: ReadonlySet<string>,
): Promise<{ config: Record<string, unknown> | undefined; entries: Map<string, LayerEntry[]> }> {
  const entries = new Map<string, LayerEntry[]>();
  let config: Record<string, unknown> | undefined;
  const outer = tar.extract();
  saved.on("error", (error) => outer.destroy(error));
  saved.pipe(outer);
  for await (const entry of outer) {
    const name = entry.header.name;
    if (/^(?:blobs\/sha256\/)?[0-9a-f]{64}\.json$/.test(name)) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      config = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      continue;
    }
    if (!name.endsWith("layer.tar") || entry.header.type !== "file") {
      entry.resume();
      continue;
    }
    const hash = createHash("sha256");
    const files: LayerEntry[] = [];
    const inner = tar.extract();
    entry.on("data", (chunk: unknown) => hash.update(chunk as Buffer));
    entry.pipe(inner);
    for await (const file of inner) {
      const header = file.header;
      const content = header.type === "file" ? createHash("sha256") : undefined;
      for await (const chunk of file) content?.update(chunk as Buffer);
      const item: LayerEntry = {
        path: header.name.replace(/^\.?\//, ""),
        type: header.type ?? "file",
        size: header.size ?? 0,
        mode: header.mode ?? 0,
        mtime: header.mtime ? Math.floor(header.mtime.getTime() / 1000) : 0,
        uid: header.uid ?? 0,
        gid: header.gid ?? 0,
      };
      if (header.linkname) item.linkname = header.linkname;
      if (content) item.sha256 = content.digest("hex");
      files.push(item);
    }
    const diffId = `sha256:${hash.digest("hex")}`;
    if (wanted.has(diffId)) entries.set(diffId, files);
  }
  return { config, entries };
}

import { Readable } from "node:stream";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import {
  classify,
  compareConfigs,
  compareImages,
  diffEntries,
  type ImageSnapshot,
  type LayerEntry,
  readSavedImage,
  snapshotFromConfig,
} from "./reproducible.js";

const file = (path: string, extra: Partial<LayerEntry> = {}): LayerEntry => ({
  path,
  type: "file",
  size: 10,
  mode: 0o644,
  mtime: 1000,
  uid: 0,
  gid: 0,
  sha256: "aa",
  ...extra,
});

describe("compareConfigs", () => {
  it("ignores the build time and container, and names differing keys", () => {
    const a = { created: "2024-01-01", container: "x", config: { Env: ["A=1"], Labels: { v: "1" } } };
    const b = { created: "2024-02-02", container: "y", config: { Env: ["A=1"], Labels: { v: "2" } } };
    expect(compareConfigs(a, b)).toEqual(["config.Labels.v"]);
    expect(compareConfigs(a, { ...a, created: "later" })).toEqual([]);
  });
});

describe("diffEntries and classify", () => {
  it("names added, removed and changed files with the fields that differ", () => {
    const a = [file("app/a.js"), file("app/b.js"), file("app/gone")];
    const b = [file("app/a.js"), file("app/b.js", { mtime: 2000, sha256: "bb" }), file("app/new")];
    expect(diffEntries(a, b)).toEqual([
      { path: "app/b.js", change: "changed", fields: ["content", "mtime"] },
      { path: "app/gone", change: "removed", fields: [] },
      { path: "app/new", change: "added", fields: [] },
    ]);
  });

  it("classifies timestamps only", () => {
    expect(classify([{ path: "app/dist/x.js", change: "changed", fields: ["mtime"] }])).toEqual([
      "timestamps only (mtime)",
    ]);
  });

  it("classifies content in node_modules, npm caches and pyc", () => {
    expect(
      classify([
        { path: "app/node_modules/.package-lock.json", change: "changed", fields: ["content", "size"] },
        { path: "root/.npm/_logs/2024-debug-0.log", change: "added", fields: [] },
        { path: "app/__pycache__/m.cpython-311.pyc", change: "changed", fields: ["content"] },
      ]),
    ).toEqual([
      "npm cache or logs written during the build",
      "Python bytecode (.pyc) compiled at build time",
      "content differs in a lockfile-installed tree (unordered installs or embedded build paths)",
    ]);
  });
});

describe("compareImages", () => {
  const snap = (id: string, diffIds: string[]): ImageSnapshot => ({
    id,
    config: { config: { Cmd: ["node"] } },
    diffIds,
    history: [
      { createdBy: "FROM base", emptyLayer: false },
      { createdBy: "ENV X=1", emptyLayer: true },
      { createdBy: "RUN npm ci", emptyLayer: false },
    ],
  });

  it("reports equal and differing layers with the step that made them", () => {
    const entries = new Map([
      ["sha256:l2a", [file("app/node_modules/x/index.js")]],
      ["sha256:l2b", [file("app/node_modules/x/index.js", { mtime: 5 })]],
    ]);
    const report = compareImages(
      snap("sha256:1", ["sha256:l1", "sha256:l2a"]),
      snap("sha256:2", ["sha256:l1", "sha256:l2b"]),
      entries,
    );
    expect(report.identical).toBe(false);
    expect(report.config.equal).toBe(true);
    expect(report.layersEqual).toBe(1);
    expect(report.layers[0]).toMatchObject({ equal: true, createdBy: "FROM base" });
    expect(report.layers[1]).toMatchObject({
      equal: false,
      createdBy: "RUN npm ci",
      differingFiles: 1,
      causes: ["timestamps only (mtime)"],
    });
  });

  it("identical images are identical", () => {
    const one = snap("sha256:1", ["sha256:l1"]);
    expect(compareImages(one, one, new Map()).identical).toBe(true);
  });
});

describe("readSavedImage", () => {
  async function tarOf(entries: Array<{ name: string; body: Buffer; mtime?: Date }>): Promise<Buffer> {
    const pack = tar.pack();
    for (const entry of entries)
      pack.entry({ name: entry.name, mtime: entry.mtime ?? new Date(0) }, entry.body);
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  it("reads the config and the files of wanted layers, keyed by diff id", async () => {
    const { createHash } = await import("node:crypto");
    const layer = await tarOf([{ name: "app/x.js", body: Buffer.from("hello"), mtime: new Date(5000) }]);
    const diffId = `sha256:${createHash("sha256").update(layer).digest("hex")}`;
    const config = {
      architecture: "amd64",
      created: "now",
      rootfs: { diff_ids: [diffId] },
      history: [{ created_by: "RUN x" }],
    };
    const saved = await tarOf([
      { name: `${"c".repeat(64)}.json`, body: Buffer.from(JSON.stringify(config)) },
      { name: "abc/layer.tar", body: layer },
      { name: "manifest.json", body: Buffer.from("[]") },
    ]);
    const result = await readSavedImage(Readable.from([saved]), new Set([diffId]));
    expect(result.config).toEqual(config);
    expect(result.entries.get(diffId)).toEqual([
      {
        path: "app/x.js",
        type: "file",
        size: 5,
        mode: 0o644,
        mtime: 5,
        uid: 0,
        gid: 0,
        sha256: createHash("sha256").update("hello").digest("hex"),
      },
    ]);
    const snapshot = snapshotFromConfig("sha256:i", result.config!);
    expect(snapshot.diffIds).toEqual([diffId]);
    expect(snapshot.config).toEqual({ architecture: "amd64" });
    expect(snapshot.history).toEqual([{ createdBy: "RUN x", emptyLayer: false }]);
  });
});

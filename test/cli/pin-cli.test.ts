/**
 * `shipshape pin` as a user drives it, against a registry played in this process by node:http
 * on 127.0.0.1 (the binary runs as a child process, so it is spawned without blocking the
 * server): pinning and its quiet second run, --dry-run, --check with drift, --update,
 * --resolve-tags, --platform, JSON, registry errors that write nothing, a registry that never
 * answers, and usage errors.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, shipshape, shipshapeAsync } from "../support/cli.js";
import { project } from "../support/projects.js";

/** The binary, spawned so that this process keeps serving the fake registry meanwhile. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return shipshapeAsync(args, { env: { NO_COLOR: "1", ...baseEnv, ...env }, timeoutMs: 60_000 });
}

// --- the fake registry -----------------------------------------------------------------------------

const INDEX = "application/vnd.oci.image.index.v1+json";
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const sha = (body: string) => `sha256:${createHash("sha256").update(body).digest("hex")}`;

/** `repo:tag` → manifest body; `repo@digest` answers for every body ever served. */
const tags = new Map<string, { body: string; mediaType: string }>();
const byDigest = new Map<string, { body: string; mediaType: string }>();

function push(repository: string, tag: string, content: object, mediaType = MANIFEST): string {
  const body = JSON.stringify({ schemaVersion: 2, mediaType, ...content });
  tags.set(`${repository}:${tag}`, { body, mediaType });
  byDigest.set(`${repository}@${sha(body)}`, { body, mediaType });
  return sha(body);
}

let server: Server;
let blackhole: Server;
const sockets = new Set<Socket>();
let registry: string;
let silent: string;
let baseEnv: NodeJS.ProcessEnv;
let configDir: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    const tagList = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (tagList) {
      const repository = tagList[1] ?? "";
      const names = [...tags.keys()]
        .filter((key) => key.startsWith(`${repository}:`))
        .map((key) => key.slice(repository.length + 1));
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ name: repository, tags: names }));
      return;
    }
    const match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    const found = match
      ? (match[2]?.startsWith("sha256:") ? byDigest : tags).get(
          `${match[1]}${match[2]?.startsWith("sha256:") ? "@" : ":"}${match[2]}`,
        )
      : undefined;
    if (!found) {
      response.writeHead(404, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }));
      return;
    }
    response.writeHead(200, {
      "Content-Type": found.mediaType,
      "Docker-Content-Digest": sha(found.body),
      "Content-Length": String(Buffer.byteLength(found.body)),
    });
    response.end(request.method === "HEAD" ? undefined : found.body);
  });
  // Accepts connections and never answers.
  blackhole = createServer(() => undefined);
  for (const s of [server, blackhole]) {
    s.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  }
  registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  silent = `127.0.0.1:${(blackhole.address() as AddressInfo).port}`;
  configDir = mkdtempSync(join(tmpdir(), "shipshape-pin-config-"));
  // Docker Hub names go to the fake as their mirror; no engine, no user credentials are consulted.
  baseEnv = { SHIPSHAPE_REGISTRY_MIRROR: `http://${registry}`, DOCKER_CONFIG: configDir };
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(
    [server, blackhole].map(
      (s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve())),
    ),
  );
  rmSync(configDir, { recursive: true, force: true });
});

const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");

// --- tests ---------------------------------------------------------------------------------------

describe("shipshape pin", () => {
  it("pins every image, prints image → digest, and is quiet when there is nothing left to do", async () => {
    const node = push("library/node", "20.20.2-bookworm-slim", { layers: [], n: 1 });
    const app = push("team/app", "1.0", { layers: [], n: 2 });
    const dockerfile = `FROM node:20.20.2-bookworm-slim AS build\r\nFROM build\r\nFROM ${registry}/team/app:1.0\r\n`;
    const dir = project({
      Dockerfile: dockerfile,
      "compose.yaml":
        'services:\n  api:\n    build: .\n  side:\n    image: "node:20.20.2-bookworm-slim" # sidecar\n',
    });
    const first = await run(["pin", dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`Dockerfile:1\\s+node:20\\.20\\.2-bookworm-slim  →  ${node}`));
    expect(first.stdout).toContain(`${registry}/team/app:1.0  →  ${app}`);
    expect(first.stderr).toContain("pinned 3 images in");
    expect(read(dir, "Dockerfile")).toBe(
      `FROM node:20.20.2-bookworm-slim@${node} AS build\r\nFROM build\r\nFROM ${registry}/team/app:1.0@${app}\r\n`,
    );
    expect(read(dir, "compose.yaml")).toContain(`image: "node:20.20.2-bookworm-slim@${node}" # sidecar`);

    const second = await run(["pin", dir]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe("");
    expect(second.stderr).toContain("nothing to pin: 3 images already pinned");

    // What pin wrote passes check's digest rule.
    const check = shipshape(["check", dir, "-f", "json", "--fail-on", "none"]);
    expect(JSON.parse(check.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain(
      "SS1004",
    );
  });

  it("--dry-run shows the unified diff and writes nothing", async () => {
    const digest = push("team/dry", "2", { layers: [], n: 3 });
    const dockerfile = `# base\nFROM ${registry}/team/dry:2\n`;
    const dir = project({ Dockerfile: dockerfile });
    const result = await run(["pin", dir, "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("--- a/Dockerfile\n+++ b/Dockerfile");
    expect(result.stdout).toContain(`-FROM ${registry}/team/dry:2\n+FROM ${registry}/team/dry:2@${digest}`);
    expect(result.stderr).toContain("dry run: 1 file would change; nothing written");
    expect(read(dir, "Dockerfile")).toBe(dockerfile);
  });

  it("--check fails on unpinned and drifted images naming both digests; --update moves them", async () => {
    const old = push("team/drift", "1", { layers: [], n: 4 });
    const dir = project({ Dockerfile: `FROM ${registry}/team/drift:1\nFROM ${registry}/team/other:1\n` });
    push("team/other", "1", { layers: [], n: 5 });

    const unpinned = await run(["pin", dir, "--check"]);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stdout).toMatch(/Dockerfile:1\s+\S+team\/drift:1 {2}not pinned by digest/);
    expect(unpinned.stderr).toContain("2 of 2 images are not pinned or drifted: run shipshape pin");

    expect((await run(["pin", dir])).code).toBe(0);
    const clean = await run(["pin", dir, "--check"]);
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toBe("");
    expect(clean.stderr).toContain("all 2 images pinned by digest and current");

    const moved = push("team/drift", "1", { layers: [], n: 6 });
    const drift = await run(["pin", dir, "--check", "--format", "json"]);
    expect(drift.code).toBe(1);
    const json = JSON.parse(drift.stdout);
    expect(json.ok).toBe(false);
    expect(json.images[0]).toMatchObject({ status: "drift", previousDigest: old, digest: moved });
    const text = await run(["pin", dir, "--check"]);
    expect(text.stdout).toContain(`drifted: pinned ${old}, the tag now points to ${moved}`);
    expect(text.stderr).toContain("--update moves drifted digests");

    const update = await run(["pin", dir, "--update"]);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain(`${registry}/team/drift:1  ${old}  →  ${moved}`);
    expect(read(dir, "Dockerfile")).toContain(`team/drift:1@${moved}\n`);
    expect((await run(["pin", dir, "--check"])).code).toBe(0);
  });

  it("never half-writes: one image that cannot be resolved and nothing is written (exit 2)", async () => {
    push("team/fine", "1", { layers: [], n: 7 });
    const dockerfile = `FROM ${registry}/team/fine:1\nFROM ${registry}/team/fine:no-such-tag\n`;
    const dir = project({ Dockerfile: dockerfile });
    const result = await run(["pin", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: cannot resolve ${registry}/team/fine:no-such-tag at ${registry}: no such tag (404 MANIFEST_UNKNOWN: manifest unknown)`,
    );
    expect(result.stderr).toContain("nothing written: 1 image could not be resolved");
    expect(read(dir, "Dockerfile")).toBe(dockerfile);
    // Under --check too: without the registry's answer there is no verdict.
    push("team/fine", "2", { layers: [], n: 8 });
    const pinnedDir = project({
      Dockerfile: `FROM ${registry}/team/fine:no-such-tag@sha256:${"0".repeat(64)}\n`,
    });
    expect((await run(["pin", pinnedDir, "--check"])).code).toBe(2);
  });

  it("reports a registry that never answers within --timeout, naming image and registry", async () => {
    const dockerfile = `FROM ${silent}/team/app:1\n`;
    const dir = project({ Dockerfile: dockerfile });
    const result = await run(["pin", dir, "--timeout", "1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: cannot resolve ${silent}/team/app:1 at ${silent}: no answer within 1000 ms`,
    );
    expect(read(dir, "Dockerfile")).toBe(dockerfile);
  });

  it("--resolve-tags moves a major-only tag to the exact version with the same digest", async () => {
    const content = { layers: [], n: 9 };
    const digest = push("library/python", "3.11-slim", content);
    push("library/python", "3.11.14-slim", content);
    push("library/python", "3.11.13-slim", { layers: [], n: 10 });
    const dir = project({ Dockerfile: "FROM python:3.11-slim\n" });
    const result = await run(["pin", dir, "--resolve-tags"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`python:3.11-slim  →  ${digest}`);
    expect(result.stdout).toContain("tag 3.11-slim → 3.11.14-slim (the exact version with the same digest)");
    expect(read(dir, "Dockerfile")).toBe(`FROM python:3.11.14-slim@${digest}\n`);
  });

  it("--platform shows the platform's digest of a multi-platform image and pins the index", async () => {
    const amd = push("team/multi", "amd", { layers: [], n: 11 });
    const arm = push("team/multi", "arm", { layers: [], n: 12 });
    const index = push(
      "team/multi",
      "1",
      {
        manifests: [
          { mediaType: MANIFEST, digest: amd, size: 1, platform: { os: "linux", architecture: "amd64" } },
          {
            mediaType: MANIFEST,
            digest: arm,
            size: 1,
            platform: { os: "linux", architecture: "arm64", variant: "v8" },
          },
        ],
      },
      INDEX,
    );
    const dir = project({ Dockerfile: `FROM --platform=linux/arm64 ${registry}/team/multi:1\n` });
    const result = await run(["pin", dir, "--platform", "linux/arm64"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`team/multi:1  →  ${index}`);
    expect(result.stdout).toContain(`linux/arm64/v8: ${arm}`);
    expect(read(dir, "Dockerfile")).toBe(`FROM --platform=linux/arm64 ${registry}/team/multi:1@${index}\n`);
  });

  it("reports an ARG-templated image it cannot pin, and --check fails on it", async () => {
    const dir = project({ Dockerfile: "ARG BASE\nFROM $BASE\n" });
    const result = await run(["pin", dir]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "/Dockerfile:2: $BASE cannot be pinned: ARG BASE has no default: the image is chosen at build time (--build-arg)",
    );
    expect(result.stderr).toContain("nothing pinned: 1 image cannot be pinned");
    const check = await run(["pin", dir, "--check"]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("$BASE  cannot be pinned: ARG BASE has no default");
  });

  it("prints JSON with every image, its status and the changes", async () => {
    const digest = push("team/json", "1", { layers: [], n: 13 });
    const dir = project({ Dockerfile: `FROM ${registry}/team/json:1\nFROM scratch\n` });
    const result = await run(["pin", dir, "--format", "json", "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ schemaVersion: 1, mode: "pin", dryRun: true, ok: true, written: [] });
    expect(json.images).toEqual([
      expect.objectContaining({
        file: "Dockerfile",
        line: 1,
        kind: "from",
        status: "pinned",
        digest,
        pinned: `${registry}/team/json:1@${digest}`,
      }),
    ]);
    expect(json.changes[0].diff).toContain(`+FROM ${registry}/team/json:1@${digest}`);
  });

  it.each([
    [["--check", "--update"], "--check changes nothing, so it cannot be combined with --update"],
    [["--format", "xml"], "--format xml is not one of text, json"],
    [["--platform", "amd64"], 'invalid platform "amd64"'],
    [["--timeout", "soon"], "--timeout soon is not a number of seconds"],
  ])("refuses %j with exit 2", async (args, message) => {
    const dir = project({ Dockerfile: "FROM node:20\n" });
    const result = await run(["pin", dir, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 on a directory with nothing to pin and on one that does not exist", async () => {
    const empty = await run(["pin", project({ "README.md": "hi\n" })]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("has no Dockerfile or compose file with images to pin");
    const missing = await run(["pin", join(tmpdir(), "shipshape-no-such-dir")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("does not exist");
  });

  it("is listed as built in --help, with examples in its own help", () => {
    const help = shipshape(["--help"]);
    expect(help.stdout).toMatch(/^\s+pin \[options\] \[dir\]/m);
    expect(help.stdout).not.toMatch(/Not built yet[\s\S]*\n\s+pin\s/);
    const own = shipshape(["pin", "--help"]);
    expect(own.code).toBe(0);
    expect(own.stdout).toContain("shipshape pin --check");
    expect(own.stdout).toContain("--resolve-tags");
  });
});

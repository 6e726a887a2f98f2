/**
 * `shipshape build` against the real engine, run as a user runs it: on a copy of hardened-express
 * committed to a fresh git repository, the labels are present and correct, BUILDINFO.json matches
 * the image, an existing tag is not moved to different content (and stays as it was), a secret
 * passed with --secret reaches RUN --mount=type=secret but no layer, no history entry and no
 * config, and a failed build ends with the failing step and its last lines. Every tag made here
 * has a name unique to this run and is removed afterwards.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine/engine.js";
import { BIN, ROOT } from "../support/cli.js";
import { testEngine } from "../support/engine.js";
import { committed, copyFixture, git, project } from "../support/projects.js";

const engine = (await testEngine()) as Engine;
const RUN = randomBytes(4).toString("hex");
const NAME = `shipshape-it-build-${RUN}`;
const DOCKER = process.env.SHIPSHAPE_DOCKER ?? "/usr/bin/docker";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI with room for a real build (test/support/cli.ts's helper stops at 60 s). */
function shipshape(args: string[], env: NodeJS.ProcessEnv = {}): Result {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, SHIPSHAPE_DOCKER: DOCKER, ...env },
    encoding: "utf8",
    timeout: 480_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Every layer.tar (and the config) of `docker save`, as raw bytes per entry name. */
async function savedEntries(reference: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  (await engine.exportImage(reference)).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    out.set(entry.header.name, Buffer.concat(chunks));
  }
  return out;
}

/** Files of a layer tar by path. */
async function layerFiles(layer: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.end(layer);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    out.set(entry.header.name, Buffer.concat(chunks));
  }
  return out;
}

const made: string[] = [];

describe.skipIf(!engine)("shipshape build against the engine", () => {
  let app: string;
  let built: { imageId: string; tags: string[]; size: number; labels: Record<string, string> };
  let stderr: string;

  beforeAll(() => {
    app = committed(copyFixture("hardened-express"));
    git(
      app,
      "remote",
      "add",
      "origin",
      "https://builder:ghp_notarealtoken1234567890@github.com/acme/notes.git",
    );
    const result = shipshape(["build", app, "--name", NAME, "-f", "json"]);
    stderr = result.stderr;
    expect(result.code, result.stderr).toBe(0);
    built = JSON.parse(result.stdout);
    made.push(...built.tags);
  });

  afterAll(async () => {
    if (!engine) return;
    for (const tag of made) await engine.removeImage(tag);
  });

  it("tags <name>:<version> and <name>:sha-<commit>, and shows the context and BuildKit's steps", async () => {
    const commit = git(app, "rev-parse", "HEAD");
    expect(built.tags).toEqual([`${NAME}:1.0.0`, `${NAME}:sha-${commit.slice(0, 7)}`]);
    for (const tag of built.tags) expect((await engine.imageInspect(tag)).Id).toBe(built.imageId);
    expect(stderr).toMatch(/^context {2}[\d.]+ kB in 9 files \(after \.dockerignore\)/m);
    expect(stderr).toMatch(/package-lock\.json/);
    expect(stderr).toMatch(/^\[build \d\/\d\] RUN npm ci$/m);
    expect(stderr).toMatch(/^log {6}\/.*\.log$/m);
  });

  it("stamps the OCI and shipshape labels, correct for this commit, base and lockfile", async () => {
    const labels = (await engine.imageInspect(built.imageId)).Config.Labels ?? {};
    const commit = git(app, "rev-parse", "HEAD");
    const commitTime = Number(git(app, "log", "-1", "--format=%ct"));
    const base = await engine.imageInspect("node:20.20.2-bookworm-slim");
    const baseDigest = (base.RepoDigests ?? []).find((d) => d.startsWith("node@"))?.split("@")[1];
    expect(baseDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(baseDigest).not.toBe(base.Id); // the manifest's digest, not the image id
    const lockHash = createHash("sha256")
      .update(readFileSync(join(app, "package-lock.json")))
      .digest("hex");
    expect(labels).toMatchObject({
      "org.opencontainers.image.source": "https://github.com/acme/notes.git",
      "org.opencontainers.image.revision": commit,
      "org.opencontainers.image.created": new Date(commitTime * 1000).toISOString().replace(".000Z", "Z"),
      "org.opencontainers.image.version": "1.0.0",
      "org.opencontainers.image.base.name": "docker.io/library/node:20.20.2-bookworm-slim",
      "org.opencontainers.image.base.digest": baseDigest,
      "io.shipshape.lockfile.package-lock.json.sha256": lockHash,
      "io.shipshape.build.command": `shipshape build`,
    });
    expect(JSON.stringify(labels)).not.toContain("ghp_notarealtoken");
  });

  it("writes BUILDINFO.json that matches the image: id, tags, size, labels", async () => {
    const info = JSON.parse(readFileSync(join(app, "BUILDINFO.json"), "utf8"));
    const image = await engine.imageInspect(built.imageId);
    expect(info.schema).toBe("shipshape.buildinfo/v1");
    expect(info.outputs).toEqual({
      imageId: image.Id,
      tags: built.tags,
      size: image.Size,
      labels: image.Config.Labels,
    });
    expect(info.inputs.git).toMatchObject({ commit: git(app, "rev-parse", "HEAD"), dirty: false });
    expect(info.inputs.baseImages.map((b: { digest: string }) => b.digest)).toEqual([
      image.Config.Labels?.["org.opencontainers.image.base.digest"],
      image.Config.Labels?.["org.opencontainers.image.base.digest"],
    ]);
    expect(info.inputs.lockfiles).toEqual([
      {
        path: "package-lock.json",
        sha256: image.Config.Labels?.["io.shipshape.lockfile.package-lock.json.sha256"],
      },
    ]);
    expect(info.inputs.buildArgs).toEqual(["SOURCE_DATE_EPOCH"]);
    expect(info.inputs.builder.dockerCli.version).toMatch(/^\d+\.\d+/);
    expect(info.inputs.builder.engine.version).toMatch(/^\d+\.\d+/);
  });

  it("rebuilding the same commit leaves its tags as they are", () => {
    const again = shipshape(["build", app, "--name", NAME, "-f", "json"]);
    expect(again.code, again.stderr).toBe(0);
    const json = JSON.parse(again.stdout);
    expect(json.imageId).toBe(built.imageId);
    expect(json.retag.unchanged).toEqual(built.tags);
  });

  it("refuses to move an existing tag to different content, leaving it untouched; --force-retag moves it", async () => {
    const other = (await engine.imageInspect("debian:bookworm-slim")).Id;
    const taken = `${NAME}:2.0.0`;
    await engine.tagImage(other, taken);
    made.push(taken);
    const refused = shipshape(["build", app, "--name", NAME, "--version", "2.0.0"]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(
      "error: refusing to move tags to different content (no tag was changed):",
    );
    expect(refused.stderr).toContain(`  ${taken} names ${other.slice(7, 19)}, the new build is `);
    expect(refused.stderr).toMatch(
      /hint: the new image is sha256:[0-9a-f]{64}, untagged; --force-retag moves the tags/,
    );
    expect((await engine.imageInspect(taken)).Id).toBe(other);
    // The sha tag names the 1.0.0 build: it did not move either.
    expect((await engine.imageInspect(built.tags[1]!)).Id).toBe(built.imageId);

    const forced = shipshape([
      "build",
      app,
      "--name",
      NAME,
      "--version",
      "2.0.0",
      "--force-retag",
      "-f",
      "json",
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    const json = JSON.parse(forced.stdout);
    expect(json.retag.moved.map((m: { tag: string }) => m.tag)).toEqual([taken, built.tags[1]]);
    expect((await engine.imageInspect(taken)).Id).toBe(json.imageId);
    expect((await engine.imageInspect("debian:bookworm-slim")).Id).toBe(other); // the other image is untouched
  });
});

describe.skipIf(!engine)("shipshape build: secrets and failures", () => {
  afterAll(async () => {
    if (!engine) return;
    for (const tag of made) await engine.removeImage(tag);
  });

  it("a --secret reaches RUN --mount=type=secret and no layer, history entry, config or log", async () => {
    const secret = `it-secret-${randomBytes(16).toString("hex")}`;
    const dir = project(
      {
        Dockerfile: [
          "FROM debian:bookworm-slim",
          "ARG SOURCE_DATE_EPOCH",
          // Proof the secret was there: its hash, never its value, goes into the image.
          "RUN --mount=type=secret,id=npm_token sha256sum /run/secrets/npm_token | cut -d' ' -f1 > /token.sha256",
          'CMD ["cat", "/token.sha256"]',
          "",
        ].join("\n"),
        ".dockerignore": "BUILDINFO.json\n",
      },
      "shipshape-build-secret-",
    );
    const name = `${NAME}-secret`;
    const result = shipshape(
      [
        "build",
        dir,
        "--name",
        name,
        "--version",
        "1",
        "--no-cache",
        "--secret",
        "id=npm_token,env=IT_NPM_TOKEN",
        "-f",
        "json",
      ],
      { IT_NPM_TOKEN: secret },
    );
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    made.push(...json.tags);
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(readFileSync(json.logFile, "utf8")).not.toContain(secret);

    const saved = await savedEntries(json.imageId);
    const layers = [...saved.keys()].filter((name) => name.endsWith("layer.tar"));
    expect(layers.length).toBeGreaterThan(1);
    let proof: string | undefined;
    for (const [name, bytes] of saved) {
      expect(bytes.includes(Buffer.from(secret)), `${name} holds the secret`).toBe(false);
      if (name.endsWith("layer.tar"))
        proof ??= (await layerFiles(bytes)).get("token.sha256")?.toString("utf8").trim();
    }
    expect(proof).toBe(createHash("sha256").update(secret).digest("hex"));

    const history = await engine.imageHistory(json.imageId);
    expect(JSON.stringify(history)).not.toContain(secret);
    expect(JSON.stringify(await engine.imageInspect(json.imageId))).not.toContain(secret);
    const info = JSON.parse(readFileSync(join(dir, "BUILDINFO.json"), "utf8"));
    expect(info.inputs.secrets).toEqual(["npm_token"]);
    expect(JSON.stringify(info)).not.toContain(secret);
    expect(JSON.stringify(info)).not.toContain("IT_NPM_TOKEN");
  });

  it("a failed build ends with the failing step and its last lines, the log kept", () => {
    const dir = project(
      {
        Dockerfile:
          "FROM debian:bookworm-slim\nRUN echo preparing && echo 'the step went wrong' >&2 && exit 3\n",
      },
      "shipshape-build-fail-",
    );
    const result = shipshape(["build", dir, "--name", `${NAME}-fail`, "--version", "1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error: build failed at \[2\/2\] RUN echo preparing && echo 'the step went wrong' >&2 && exit 3/,
    );
    expect(result.stderr).toContain("  | the step went wrong");
    const log = /hint: full log: (\S+)/.exec(result.stderr)?.[1];
    expect(log && readFileSync(log, "utf8")).toContain("the step went wrong");
  });
});

describe.skipIf(!engine)("shipshape build --check-reproducible", () => {
  it("builds twice without cache, names the layer and the file that differ, removes the second image", async () => {
    const dir = project(
      {
        Dockerfile: "FROM debian:bookworm-slim\nCOPY hello.txt /hello.txt\nRUN date +%s%N > /stamp\n",
        "hello.txt": "hello\n",
      },
      "shipshape-build-repro-",
    );
    const result = shipshape(["build", dir, "--check-reproducible", "--version", "1"]);
    const kept = /build 1 {2}(sha256:[0-9a-f]{64}) \(kept, untagged\)/.exec(result.stdout)?.[1];
    const second = /build 2 {2}(sha256:[0-9a-f]{64}) \(removed\)/.exec(result.stdout)?.[1];
    try {
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toMatch(
        /^reproducible: no — 1 of 3 layers differ; config equal \(build time left out\); history equal$/m,
      );
      expect(result.stdout).toMatch(/layer {2}2 {2}equal {4}COPY hello\.txt \/hello\.txt/);
      expect(result.stdout).toMatch(/layer {2}3 {2}DIFFERS {2}RUN date \+%s%N > \/stamp/);
      expect(result.stdout).toContain("likely: file content differs");
      // Two builds within one second write the same (whole-second) mtime: only the content differs.
      expect(result.stdout).toMatch(/content(,mtime)? +\/stamp/);
      expect(second).toBeDefined();
      expect(await engine.imageExists(second!)).toBe(false);
      expect(kept && (await engine.imageExists(kept))).toBe(true);
    } finally {
      if (kept) await engine.removeImage(kept);
    }
  });
});

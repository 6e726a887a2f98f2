/**
 * `shipshape pin` against real registries on 127.0.0.1 (issue 5, point 5): tags resolved and
 * pinned through the engine's mirror (the test bed's registry on :5000) and the engine pulls
 * what was pinned; --resolve-tags on the stand-ins; a second registry with htpasswd auth started
 * here (401 without credentials, success with a config.json in a temp DOCKER_CONFIG); a
 * multi-platform index assembled through the registry API; a tag that does not exist; drift after
 * a re-push (--check names both digests, --update moves it); registries that refuse connections
 * or never answer. Everything pushed goes to throwaway repositories (never library/), and every
 * process started here is killed in afterAll.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine/engine.js";
import { shipshape } from "../support/cli.js";
import { testEngine, waitForHttp } from "../support/engine.js";
import { project } from "../support/projects.js";

const engine = (await testEngine()) as Engine | undefined;
const TESTBED = "127.0.0.1:5000";
const RUN = randomBytes(4).toString("hex");
/**
 * The throwaway repository on the test bed's registry (never library/, which holds the stand-ins):
 * each run pushes its own tags and deletes their manifests (and so the tags) afterwards.
 */
const THROWAWAY = "shipshape-test/pin";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const ACCEPT = [
  OCI_INDEX,
  OCI_MANIFEST,
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");
const sha256 = (data: string | Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

let scratch: string;
/** A DOCKER_CONFIG without credentials: the developer's own is never read. */
let noCredentials: string;
const processes: ChildProcess[] = [];
const pushed: Array<{ base: string; repository: string; digest: string; authorization?: string }> = [];

// --- the registry API, as `docker push` speaks it --------------------------------------------------

async function pushBlob(base: string, repository: string, content: Buffer, authorization?: string) {
  const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
  const digest = sha256(content);
  const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: "POST", headers });
  expect(start.status, await start.text()).toBe(202);
  const location = new URL(start.headers.get("location") ?? "", base);
  location.searchParams.set("digest", digest);
  const put = await fetch(location, {
    method: "PUT",
    headers: { ...headers, "Content-Type": "application/octet-stream" },
    body: content,
  });
  expect(put.status, await put.text()).toBe(201);
  return { digest, size: content.length };
}

async function pushManifest(
  base: string,
  repository: string,
  reference: string,
  manifest: object,
  authorization?: string,
): Promise<string> {
  const body = JSON.stringify(manifest);
  const response = await fetch(`${base}/v2/${repository}/manifests/${reference}`, {
    method: "PUT",
    headers: {
      "Content-Type": (manifest as { mediaType: string }).mediaType,
      ...(authorization ? { Authorization: authorization } : {}),
    },
    body,
  });
  expect(response.status, await response.text()).toBe(201);
  const digest = sha256(body);
  expect(response.headers.get("docker-content-digest")).toBe(digest);
  pushed.push({ base, repository, digest, ...(authorization ? { authorization } : {}) });
  return digest;
}

/** A small single-platform image: a config blob naming the platform and no layers. */
async function pushImage(
  base: string,
  repository: string,
  tag: string,
  platform: { os: string; architecture: string; variant?: string },
  authorization?: string,
): Promise<string> {
  const config = Buffer.from(
    JSON.stringify({
      ...platform,
      created: new Date().toISOString(),
      nonce: randomBytes(8).toString("hex"),
      rootfs: { type: "layers", diff_ids: [] },
      config: {},
    }),
  );
  const blob = await pushBlob(base, repository, config, authorization);
  return pushManifest(
    base,
    repository,
    tag,
    {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...blob },
      layers: [],
    },
    authorization,
  );
}

/** The digest the registry itself reports for a tag, asked with curl as a user would. */
function curlDigest(base: string, repository: string, tag: string, user?: string): string | undefined {
  const out = execFileSync(
    "curl",
    [
      "-sI",
      "--max-time",
      "5",
      "-H",
      `Accept: ${ACCEPT}`,
      ...(user ? ["-u", user] : []),
      `${base}/v2/${repository}/manifests/${tag}`,
    ],
    { encoding: "utf8" },
  );
  return /^docker-content-digest:\s*(\S+)/im.exec(out)?.[1];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a process for the tests' duration; killed in afterAll. */
function start(command: string, args: string[], log: string): ChildProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  const chunks: Buffer[] = [];
  child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    writeFileSync(log, Buffer.concat(chunks));
  });
  processes.push(child);
  return child;
}

/** A distribution registry on its own loopback port, with htpasswd (bcrypt) auth. */
async function authRegistry(user: string, password: string): Promise<{ base: string; host: string }> {
  let htpasswd: string;
  try {
    htpasswd = execFileSync("htpasswd", ["-Bbn", user, password], { encoding: "utf8" });
  } catch {
    throw new Error(
      "htpasswd (apache2-utils) is missing: run sudo bash scripts/testbed.sh, which installs it",
    );
  }
  const dir = join(scratch, "auth-registry");
  mkdirSync(join(dir, "data"), { recursive: true });
  writeFileSync(join(dir, "htpasswd"), htpasswd);
  const port = await freePort();
  writeFileSync(
    join(dir, "config.yml"),
    [
      "version: 0.1",
      "log: { level: warn }",
      "storage:",
      `  filesystem: { rootdirectory: ${join(dir, "data")} }`,
      "http:",
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString("hex")}`,
      "auth:",
      "  htpasswd:",
      "    realm: shipshape-test",
      `    path: ${join(dir, "htpasswd")}`,
      "",
    ].join("\n"),
  );
  start("/usr/bin/docker-registry", ["serve", join(dir, "config.yml")], join(dir, "registry.log"));
  const base = `http://127.0.0.1:${port}`;
  const answer = await waitForHttp(`${base}/v2/`, 20_000);
  expect(answer.status).toBe(401);
  return { base, host: `127.0.0.1:${port}` };
}

function dockerConfig(name: string, config: object): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

/** shipshape pin with the engine's mirrors (no SHIPSHAPE_REGISTRY_MIRROR) and no credentials. */
function pin(args: string[], env: NodeJS.ProcessEnv = {}) {
  return shipshape(["pin", ...args], {
    SHIPSHAPE_REGISTRY_MIRROR: undefined,
    SHIPSHAPE_INSECURE_REGISTRIES: undefined,
    DOCKER_CONFIG: noCredentials,
    ...env,
  });
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "shipshape-pin-it-"));
  noCredentials = dockerConfig("no-credentials", {});
});

afterAll(async () => {
  // What was pushed to the shared registry goes again (the stand-ins were never touched).
  for (const item of pushed.filter((entry) => entry.base === `http://${TESTBED}`)) {
    await fetch(`${item.base}/v2/${item.repository}/manifests/${item.digest}`, { method: "DELETE" }).catch(
      () => undefined,
    );
  }
  await Promise.all(
    processes.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
        }),
    ),
  );
  rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(!engine)("shipshape pin against the test bed's registries", () => {
  it("pins Docker Hub names through the engine's mirror, and the engine pulls what was pinned", async () => {
    const node = curlDigest(`http://${TESTBED}`, "library/node", "20-bookworm-slim");
    const python = curlDigest(`http://${TESTBED}`, "library/python", "3.11.14-slim-bookworm");
    const postgres = curlDigest(`http://${TESTBED}`, "library/postgres", "15.18-bookworm");
    expect(node).toMatch(/^sha256:[0-9a-f]{64}$/);
    const dir = project({
      Dockerfile:
        "# the app\nFROM node:20-bookworm-slim AS build\nRUN true\nFROM python:3.11.14-slim-bookworm\nCOPY --from=build /etc/hostname /x\n",
      "compose.yaml": "services:\n  db:\n    image: postgres:15.18-bookworm\n",
    });
    const result = pin([dir, "-v"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "Docker Hub images through http://127.0.0.1:5000 (the engine's registry-mirrors)",
    );
    expect(result.stdout).toContain(`node:20-bookworm-slim  →  ${node}`);
    expect(result.stdout).toContain(`postgres:15.18-bookworm  →  ${postgres}`);
    expect(read(dir, "Dockerfile")).toBe(
      `# the app\nFROM node:20-bookworm-slim@${node} AS build\nRUN true\nFROM python:3.11.14-slim-bookworm@${python}\nCOPY --from=build /etc/hostname /x\n`,
    );
    expect(read(dir, "compose.yaml")).toBe(
      `services:\n  db:\n    image: postgres:15.18-bookworm@${postgres}\n`,
    );
    expect(pin([dir, "--check"]).code).toBe(0);
    // The engine resolves the pinned reference through the same mirror.
    await engine!.pull(`node:20-bookworm-slim@${node}`);
    const inspect = await engine!.imageInspect(`node@${node}`);
    expect(inspect.RepoDigests.some((digest) => digest.endsWith(`@${node}`))).toBe(true);
  });

  it("--resolve-tags moves a tag to the exact version with the same digest, or says why not", () => {
    const exact = curlDigest(`http://${TESTBED}`, "library/node", "20.20.2-bookworm-slim");
    const dir = project({ Dockerfile: "FROM node:20-bookworm-slim AS build\nFROM node:latest\n" });
    const result = pin([dir, "--resolve-tags"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "tag 20-bookworm-slim → 20.20.2-bookworm-slim (the exact version with the same digest)",
    );
    // The stand-in node:latest is the full image: no exact tag shares its digest.
    expect(result.stdout).toMatch(/exact-version tags of node has the same digest: kept the tag/);
    const latest = curlDigest(`http://${TESTBED}`, "library/node", "latest");
    expect(read(dir, "Dockerfile")).toBe(
      `FROM node:20.20.2-bookworm-slim@${exact} AS build\nFROM node:latest@${latest}\n`,
    );
  });

  it("a registry with htpasswd auth: 401 without credentials, pinned with config.json in DOCKER_CONFIG", async () => {
    const registry = await authRegistry("ci", "s3cret-pass");
    const basic = `Basic ${Buffer.from("ci:s3cret-pass").toString("base64")}`;
    const digest = await pushImage(
      registry.base,
      "team/api",
      "1.4.2",
      { os: "linux", architecture: "amd64" },
      basic,
    );
    expect(curlDigest(registry.base, "team/api", "1.4.2", "ci:s3cret-pass")).toBe(digest);
    const dockerfile = `FROM ${registry.host}/team/api:1.4.2\n`;
    const dir = project({ Dockerfile: dockerfile });

    const refused = pin([dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `error: cannot resolve ${registry.host}/team/api:1.4.2 at ${registry.host}: it requires credentials and none were found for ${registry.host}`,
    );
    expect(refused.stderr).toContain(`hint: run \`docker login ${registry.host}\``);
    expect(read(dir, "Dockerfile")).toBe(dockerfile);

    const wrong = dockerConfig("stale-login", {
      auths: { [registry.host]: { auth: Buffer.from("ci:an-old-password").toString("base64") } },
    });
    const rejected = pin([dir], { DOCKER_CONFIG: wrong });
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain("it refused the credentials from");
    expect(rejected.stderr).not.toContain("an-old-password");

    const right = dockerConfig("right", {
      auths: { [registry.host]: { auth: Buffer.from("ci:s3cret-pass").toString("base64") } },
    });
    const pinned = pin([dir], { DOCKER_CONFIG: right });
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.stdout).toContain(`${registry.host}/team/api:1.4.2  →  ${digest}`);
    expect(`${pinned.stdout}${pinned.stderr}`).not.toContain("s3cret-pass");
    expect(read(dir, "Dockerfile")).toBe(`FROM ${registry.host}/team/api:1.4.2@${digest}\n`);
  });

  it("a multi-platform index pushed through the registry API pins to the index digest; --platform shows each", async () => {
    const base = `http://${TESTBED}`;
    const repository = THROWAWAY;
    const tag = `multi-${RUN}`;
    const amd = await pushImage(base, repository, `amd64-${RUN}`, { os: "linux", architecture: "amd64" });
    const arm = await pushImage(base, repository, `arm64-${RUN}`, {
      os: "linux",
      architecture: "arm64",
      variant: "v8",
    });
    const index = await pushManifest(base, repository, tag, {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: amd, size: 1, platform: { os: "linux", architecture: "amd64" } },
        {
          mediaType: OCI_MANIFEST,
          digest: arm,
          size: 1,
          platform: { os: "linux", architecture: "arm64", variant: "v8" },
        },
      ],
    });
    expect(curlDigest(base, repository, tag)).toBe(index);
    const dir = project({
      Dockerfile: `FROM --platform=$BUILDPLATFORM ${TESTBED}/${repository}:${tag} AS build\n`,
    });

    const arm64 = pin([dir, "--platform", "linux/arm64", "--dry-run"]);
    expect(arm64.code, arm64.stderr).toBe(0);
    expect(arm64.stdout).toContain(`${repository}:${tag}  →  ${index}`);
    expect(arm64.stdout).toContain(`linux/arm64/v8: ${arm}`);
    const amd64 = pin([dir, "--platform", "linux/amd64", "--format", "json"]);
    expect(amd64.code, amd64.stderr).toBe(0);
    expect(JSON.parse(amd64.stdout).images[0]).toMatchObject({
      digest: index,
      platform: { platform: "linux/amd64", digest: amd },
    });
    expect(read(dir, "Dockerfile")).toBe(
      `FROM --platform=$BUILDPLATFORM ${TESTBED}/${repository}:${tag}@${index} AS build\n`,
    );
    const s390x = pin([dir, "--platform", "linux/s390x", "--check"]);
    expect(s390x.code).toBe(2);
    expect(s390x.stderr).toContain("no linux/s390x image in its index (it has linux/amd64, linux/arm64/v8)");
  });

  it("a tag that does not exist: a clear error naming image and registry, nothing written", () => {
    const dockerfile = `FROM ${TESTBED}/library/node:no-such-tag-${RUN}\nFROM node:20-bookworm-slim\n`;
    const dir = project({ Dockerfile: dockerfile });
    const result = pin([dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: cannot resolve ${TESTBED}/library/node:no-such-tag-${RUN} at ${TESTBED}: no such tag (404 MANIFEST_UNKNOWN`,
    );
    expect(result.stderr).toContain("nothing written");
    expect(read(dir, "Dockerfile")).toBe(dockerfile);
    // A Docker Hub name is asked of the mirror first, which says so.
    const hub = pin([project({ Dockerfile: `FROM node:no-such-tag-${RUN}\n` })]);
    expect(hub.code).toBe(2);
    expect(hub.stderr).toContain(`cannot resolve node:no-such-tag-${RUN}`);
    expect(hub.stderr).toContain("mirror http://127.0.0.1:5000: no such tag");
  });

  it("drift: a re-pushed tag fails --check naming both digests, and --update moves it", async () => {
    const base = `http://${TESTBED}`;
    const repository = THROWAWAY;
    const tag = `drift-${RUN}`;
    const first = await pushImage(base, repository, tag, { os: "linux", architecture: "amd64" });
    const dir = project({
      "compose.yaml": `services:\n  worker:\n    image: "${TESTBED}/${repository}:${tag}"\n`,
    });
    expect(pin([dir]).code).toBe(0);
    expect(pin([dir, "--check"]).code).toBe(0);

    const second = await pushImage(base, repository, tag, { os: "linux", architecture: "amd64" });
    expect(second).not.toBe(first);
    const check = pin([dir, "--check"]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`drifted: pinned ${first}, the tag now points to ${second}`);
    expect(read(dir, "compose.yaml")).toContain(`@${first}"`);

    const update = pin([dir, "--update"]);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain(`${repository}:${tag}  ${first}  →  ${second}`);
    expect(read(dir, "compose.yaml")).toBe(
      `services:\n  worker:\n    image: "${TESTBED}/${repository}:${tag}@${second}"\n`,
    );
    expect(pin([dir, "--check"]).code).toBe(0);
  });

  it("an unreachable registry: refused at once, or a timeout in bounded time, with a clear error", async () => {
    const closed = await freePort();
    const refused = pin([project({ Dockerfile: `FROM 127.0.0.1:${closed}/team/app:1\n` })]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `cannot resolve 127.0.0.1:${closed}/team/app:1 at 127.0.0.1:${closed}: connection refused`,
    );

    // A blackhole: accepts the connection and never answers.
    const hole = start(
      process.execPath,
      [
        "-e",
        "require('net').createServer(()=>{}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})",
      ],
      join(scratch, "blackhole.log"),
    );
    const port = await new Promise<number>((resolve) =>
      hole.stdout?.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
    );
    const silent = pin([project({ Dockerfile: `FROM 127.0.0.1:${port}/team/app:1\n` }), "--timeout", "2"]);
    expect(silent.code).toBe(2);
    expect(silent.stderr).toContain(
      `cannot resolve 127.0.0.1:${port}/team/app:1 at 127.0.0.1:${port}: no answer within 2000 ms`,
    );
    expect(silent.stderr).toContain("hint: check the network (or proxy)");
  });
});

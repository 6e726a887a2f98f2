/**
 * The registry client against the test bed's registry on 127.0.0.1:5000, which is also the
 * engine's mirror for Docker Hub (images are pushed there as library/<name>:<tag>).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine/engine.js";
import { RegistryClient, RegistryError } from "../../src/registry/index.js";
import { testEngine } from "../support/engine.js";

const engine = (await testEngine()) as Engine | undefined;
const MIRROR = "http://127.0.0.1:5000";
const IMAGE = "node:20.20.2-bookworm-slim";

/** A client that can only reach 127.0.0.1: Docker Hub itself is a port fetch refuses at once. */
function client(options: { env?: NodeJS.ProcessEnv; mirrors?: string[] } = {}): RegistryClient {
  return new RegistryClient({
    env: options.env ?? {},
    ...(options.mirrors ? { mirrors: options.mirrors } : {}),
    dockerConfigDir: "/nonexistent-shipshape-docker-config",
    dockerHubUrl: "http://127.0.0.1:9",
    timeoutMs: 3_000,
    deadlineMs: 8_000,
  });
}

/** The digest the registry itself reports, asked with curl as a user would. */
async function curlDigest(path: string): Promise<string | undefined> {
  const { stdout } = await promisify(execFile)(
    "curl",
    [
      "-sI",
      "--max-time",
      "5",
      "-H",
      "Accept: application/vnd.docker.distribution.manifest.v2+json",
      `${MIRROR}${path}`,
    ],
    { encoding: "utf8" },
  );
  return /^docker-content-digest:\s*(\S+)/im.exec(stdout)?.[1];
}

describe.skipIf(!engine)("registry client against the test bed's registry", () => {
  it("resolves a Docker Hub name through SHIPSHAPE_REGISTRY_MIRROR to the digest the registry serves", async () => {
    const expected = await curlDigest("/v2/library/node/manifests/20.20.2-bookworm-slim");
    expect(expected).toMatch(/^sha256:[0-9a-f]{64}$/);
    const resolved = await client({ env: { SHIPSHAPE_REGISTRY_MIRROR: MIRROR } }).resolve(
      `docker.io/library/${IMAGE}`,
    );
    expect(resolved).toMatchObject({
      digest: expected,
      registry: "docker.io",
      repository: "library/node",
      tag: "20.20.2-bookworm-slim",
      source: MIRROR,
    });
    expect(resolved.mirrorFailures).toBeUndefined();
  });

  it("uses the mirrors the engine reports (docker info's RegistryConfig.Mirrors)", async () => {
    const { mirrors } = await engine!.info();
    expect(mirrors.map((mirror) => mirror.replace(/\/+$/, ""))).toContain(MIRROR);
    const resolved = await client({ mirrors }).resolve(IMAGE, { platform: "linux/amd64" });
    expect(resolved.digest).toBe(await curlDigest("/v2/library/node/manifests/20.20.2-bookworm-slim"));
    expect(resolved.platform?.platform).toBe("linux/amd64");
  });

  it("reports a tag the registry does not have as not-found, naming image and registry", async () => {
    const image = "127.0.0.1:5000/library/node:no-such-tag-shipshape";
    const error = await client()
      .resolve(image)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ kind: "not-found", image, registry: "127.0.0.1:5000", status: 404 });
    expect((error as RegistryError).message).toContain(
      `cannot resolve ${image} at 127.0.0.1:5000: no such tag`,
    );
  });
});

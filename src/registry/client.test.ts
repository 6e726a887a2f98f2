import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { nextPage, RegistryClient, type RegistryClientOptions } from "./client.js";
import { DockerCredentials } from "./credentials.js";
import { RegistryError } from "./errors.js";

// --- a registry played by node:http on 127.0.0.1 ----------------------------------------------------

interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

interface FakeServer {
  url: string;
  host: string;
  requests: Recorded[];
  close(): Promise<void>;
}

type Handler = (request: Recorded, response: ServerResponse) => void;

const servers: FakeServer[] = [];

async function serve(handler: Handler): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const recorded: Recorded = {
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      handler(recorded, response);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeServer = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Manifest {
  mediaType: string;
  body: string;
  digest: string;
}

function manifest(mediaType: string, content: object): Manifest {
  const body = JSON.stringify({ schemaVersion: 2, mediaType, ...content });
  return { mediaType, body, digest: `sha256:${createHash("sha256").update(body).digest("hex")}` };
}

const CONFIG = JSON.stringify({
  os: "linux",
  architecture: "amd64",
  rootfs: { type: "layers", diff_ids: [] },
});
const CONFIG_DIGEST = `sha256:${createHash("sha256").update(CONFIG).digest("hex")}`;
const IMAGE = manifest("application/vnd.docker.distribution.manifest.v2+json", {
  config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: CONFIG_DIGEST, size: 1 },
  layers: [],
});
const AMD64 = manifest("application/vnd.oci.image.manifest.v1+json", {
  layers: [],
  annotations: { a: "amd64" },
});
const ARM64 = manifest("application/vnd.oci.image.manifest.v1+json", {
  layers: [],
  annotations: { a: "arm64" },
});
const ATTESTATION = manifest("application/vnd.oci.image.manifest.v1+json", {
  layers: [],
  annotations: { a: "att" },
});
const INDEX = manifest("application/vnd.oci.image.index.v1+json", {
  manifests: [
    {
      mediaType: AMD64.mediaType,
      digest: AMD64.digest,
      size: 1,
      platform: { os: "linux", architecture: "amd64" },
    },
    {
      mediaType: ARM64.mediaType,
      digest: ARM64.digest,
      size: 1,
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
    },
    {
      mediaType: ATTESTATION.mediaType,
      digest: ATTESTATION.digest,
      size: 1,
      platform: { os: "unknown", architecture: "unknown" },
      annotations: { "vnd.docker.reference.type": "attestation-manifest" },
    },
  ],
});

interface RegistryBehaviour {
  /** `repo:reference` → manifest; a digest reference is served for every manifest listed. */
  manifests: Record<string, Manifest>;
  /** HEAD answers without Docker-Content-Digest (the client must GET). */
  headWithoutDigest?: boolean;
  /** Authorization header values accepted; missing → open registry. */
  authorize?: (authorization: string | undefined) => boolean;
  /** WWW-Authenticate sent with 401. */
  challenge?: string;
}

/** A handler playing /v2/<repo>/manifests/<reference>. */
function registry(behaviour: RegistryBehaviour): Handler {
  return (request, response) => {
    if (request.path.endsWith(`/blobs/${CONFIG_DIGEST}`)) {
      response.writeHead(200, { "Content-Type": "application/octet-stream" }).end(CONFIG);
      return;
    }
    const match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(request.path);
    if (!match) {
      response.writeHead(404).end();
      return;
    }
    if (behaviour.authorize && !behaviour.authorize(request.headers.authorization)) {
      response.writeHead(401, { "WWW-Authenticate": behaviour.challenge ?? "" });
      response.end(
        JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }),
      );
      return;
    }
    const [, repository, reference] = match as unknown as [string, string, string];
    const byDigest = Object.values(behaviour.manifests).find(
      (item) =>
        item.digest === reference &&
        Object.keys(behaviour.manifests).some((key) => key.startsWith(`${repository}:`)),
    );
    const found = behaviour.manifests[`${repository}:${reference}`] ?? byDigest;
    if (!found) {
      response.writeHead(404, { "Content-Type": "application/json" });
      response.end(
        request.method === "HEAD"
          ? undefined
          : JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }),
      );
      return;
    }
    const headers: Record<string, string> = {
      "Content-Type": found.mediaType,
      "Content-Length": String(Buffer.byteLength(found.body)),
    };
    if (!(behaviour.headWithoutDigest && request.method === "HEAD"))
      headers["Docker-Content-Digest"] = found.digest;
    if (behaviour.headWithoutDigest) delete headers["Docker-Content-Digest"];
    response.writeHead(200, headers);
    response.end(request.method === "HEAD" ? undefined : found.body);
  };
}

/** A client that never reads the developer's own Docker config or environment. */
function client(options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient({
    env: { PATH: process.env.PATH ?? "" },
    dockerConfigDir: emptyConfigDir,
    backoffMs: 10,
    dockerHubUrl: "http://127.0.0.1:9", // never used unless a test says so: the discard port
    ...options,
  });
}

let scratch: string;
let emptyConfigDir: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "shipshape-registry-"));
  emptyConfigDir = join(scratch, "empty");
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function dockerConfig(name: string, config: object): string {
  const dir = mkdtempSync(join(scratch, `${name}-`));
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }
  throw new Error("expected a RegistryError");
}

function expectNoSecret(error: RegistryError, ...secrets: string[]): void {
  const everything = `${error.message}\n${error.hint ?? ""}\n${String(error)}\n${JSON.stringify(error)}`;
  for (const secret of secrets) expect(everything).not.toContain(secret);
}

// --- tests ------------------------------------------------------------------------------------------

describe("RegistryClient.resolve", () => {
  it("resolves a tag to its digest with one HEAD, asking for every manifest type", async () => {
    const server = await serve(registry({ manifests: { "team/app:1.0": IMAGE } }));
    const resolved = await client().resolve(`${server.host}/team/app:1.0`);
    expect(resolved).toMatchObject({
      digest: IMAGE.digest,
      mediaType: IMAGE.mediaType,
      isIndex: false,
      registry: server.host,
      repository: "team/app",
      tag: "1.0",
      source: server.url,
    });
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "HEAD /v2/team/app/manifests/1.0",
    ]);
    const accept = String(server.requests[0]?.headers.accept);
    for (const type of [
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v2+json",
    ]) {
      expect(accept).toContain(type);
    }
  });

  it("GETs the manifest and hashes it when HEAD gives no Docker-Content-Digest", async () => {
    const server = await serve(registry({ manifests: { "team/app:1.0": IMAGE }, headWithoutDigest: true }));
    const resolved = await client().resolve(`${server.host}/team/app:1.0`);
    expect(resolved.digest).toBe(IMAGE.digest);
    expect(server.requests.map((request) => request.method)).toEqual(["HEAD", "GET"]);
  });

  it("resolves a multi-platform image to the index digest, and picks a platform's manifest", async () => {
    const server = await serve(registry({ manifests: { "team/app:2": INDEX } }));
    const plain = await client().resolve(`${server.host}/team/app:2`);
    expect(plain).toMatchObject({ digest: INDEX.digest, mediaType: INDEX.mediaType, isIndex: true });
    expect(plain.platform).toBeUndefined();

    const arm = await client().resolve(`${server.host}/team/app:2`, { platform: "linux/arm64" });
    expect(arm.digest).toBe(INDEX.digest);
    expect(arm.platform).toEqual({
      platform: "linux/arm64/v8",
      digest: ARM64.digest,
      mediaType: ARM64.mediaType,
    });
    // The attestation entry is not a platform.
    expect(arm.platforms?.map((entry) => entry.platform)).toEqual(["linux/amd64", "linux/arm64/v8"]);
    // The entries are read from the index by digest, so a moving tag cannot mix two indexes.
    expect(server.requests.at(-1)?.path).toBe(`/v2/team/app/manifests/${INDEX.digest}`);

    const v8 = await client().resolve(`${server.host}/team/app:2`, { platform: "linux/arm64/v8" });
    expect(v8.platform?.digest).toBe(ARM64.digest);
    const amd = await client().resolve(`${server.host}/team/app:2`, { platform: "linux/x86_64" });
    expect(amd.platform?.digest).toBe(AMD64.digest);

    const missing = await failure(client().resolve(`${server.host}/team/app:2`, { platform: "linux/s390x" }));
    expect(missing.kind).toBe("not-found");
    expect(missing.message).toContain("no linux/s390x image");
    expect(missing.message).toContain("linux/amd64, linux/arm64/v8");
  });

  it("reads a single-platform image's platform from its config when a platform is asked for", async () => {
    const server = await serve(registry({ manifests: { "team/app:1.0": IMAGE } }));
    const amd = await client().resolve(`${server.host}/team/app:1.0`, { platform: "linux/amd64" });
    expect(amd.platform).toEqual({
      platform: "linux/amd64",
      digest: IMAGE.digest,
      mediaType: IMAGE.mediaType,
    });
    expect(server.requests.at(-1)?.path).toBe(`/v2/team/app/blobs/${CONFIG_DIGEST}`);
    const arm = await failure(client().resolve(`${server.host}/team/app:1.0`, { platform: "linux/arm64" }));
    expect(arm.kind).toBe("not-found");
    expect(arm.message).toContain("single-platform image for linux/amd64");
  });

  it("resolves a digest reference by asking for that digest", async () => {
    const server = await serve(registry({ manifests: { "team/app:1.0": IMAGE } }));
    const resolved = await client().resolve(`${server.host}/team/app@${IMAGE.digest}`);
    expect(resolved.digest).toBe(IMAGE.digest);
    expect(resolved.tag).toBeUndefined();
    expect(server.requests[0]?.path).toBe(`/v2/team/app/manifests/${IMAGE.digest}`);
  });

  it("reports 404 as not-found, naming the image and the registry", async () => {
    const server = await serve(registry({ manifests: {} }));
    const error = await failure(client().resolve(`${server.host}/team/app:nope`));
    expect(error.kind).toBe("not-found");
    expect(error.status).toBe(404);
    expect(error.image).toBe(`${server.host}/team/app:nope`);
    expect(error.registry).toBe(server.host);
    expect(error.message).toBe(
      `cannot resolve ${server.host}/team/app:nope at ${server.host}: no such tag (404 MANIFEST_UNKNOWN: manifest unknown)`,
    );
    expect(error.hint).toBeDefined();
  });

  it("rejects a body that does not match the digest the registry claims", async () => {
    const server = await serve((request, response) => {
      response.writeHead(200, {
        "Content-Type": IMAGE.mediaType,
        "Docker-Content-Digest": `sha256:${"0".repeat(64)}`,
      });
      response.end(request.method === "HEAD" ? undefined : IMAGE.body);
    });
    // HEAD's digest is taken as is: only a GET can be checked, so make HEAD useless.
    const headless = await serve((request, response) => {
      if (request.method === "HEAD") {
        response.writeHead(200, { "Content-Type": "text/plain" }).end();
        return;
      }
      response.writeHead(200, {
        "Content-Type": IMAGE.mediaType,
        "Docker-Content-Digest": `sha256:${"0".repeat(64)}`,
      });
      response.end(IMAGE.body);
    });
    expect((await client().resolve(`${server.host}/a:1`)).digest).toBe(`sha256:${"0".repeat(64)}`);
    const error = await failure(client().resolve(`${headless.host}/a:1`));
    expect(error.kind).toBe("protocol");
    expect(error.message).toContain("does not match its digest");
  });

  it("reports a server that is not a registry as a protocol error", async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { "Content-Type": "text/html" }).end("<html>captive portal</html>");
    });
    const error = await failure(client().resolve(`${server.host}/a:1`));
    expect(error.kind).toBe("protocol");
    expect(error.message).toContain("text/html");
  });
});

describe("authentication", () => {
  function tokenService(
    server: () => FakeServer,
    accept: (authorization: string | undefined) => boolean,
  ): Handler {
    return (request, response) => {
      if (request.path.startsWith("/token")) {
        if (!accept(request.headers.authorization)) {
          response.writeHead(401).end();
          return;
        }
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ token: "issued-token-123", expires_in: 300 }));
        return;
      }
      registry({
        manifests: { "team/app:1.0": IMAGE },
        authorize: (authorization) => authorization === "Bearer issued-token-123",
        challenge: `Bearer realm="${server().url}/token",service="fake-registry",scope="repository:team/app:pull"`,
      })(request, response);
    };
  }

  it("follows a bearer challenge with an anonymous token", async () => {
    let server: FakeServer | undefined;
    server = await serve(
      tokenService(
        () => server!,
        (authorization) => authorization === undefined,
      ),
    );
    const registryClient = client();
    const resolved = await registryClient.resolve(`${server.host}/team/app:1.0`);
    expect(resolved.digest).toBe(IMAGE.digest);
    const token = server.requests.find((request) => request.path.startsWith("/token"));
    const query = new URL(token!.path, server.url).searchParams;
    expect(query.get("service")).toBe("fake-registry");
    expect(query.get("scope")).toBe("repository:team/app:pull");
    expect(token?.headers.authorization).toBeUndefined();

    // The token is reused: no second token request.
    await registryClient.resolve(`${server.host}/team/app:1.0`);
    expect(server.requests.filter((request) => request.path.startsWith("/token"))).toHaveLength(1);
  });

  it("sends credentials from DOCKER_CONFIG's auths to the token service as basic auth", async () => {
    const basic = `Basic ${Buffer.from("ann:s3cret-pass").toString("base64")}`;
    let server: FakeServer | undefined;
    server = await serve(
      tokenService(
        () => server!,
        (authorization) => authorization === basic,
      ),
    );
    const configDir = dockerConfig("auths", {
      auths: { [`http://${server.host}`]: { auth: Buffer.from("ann:s3cret-pass").toString("base64") } },
    });
    const resolved = await client({
      env: { PATH: "", DOCKER_CONFIG: configDir },
      dockerConfigDir: undefined,
    }).resolve(`${server.host}/team/app:1.0`);
    expect(resolved.digest).toBe(IMAGE.digest);
  });

  it("reports refused or missing credentials as unauthorized, with a docker login hint and no secret", async () => {
    let server: FakeServer | undefined;
    server = await serve(
      tokenService(
        () => server!,
        () => false,
      ),
    );
    const missing = await failure(client().resolve(`${server.host}/team/app:1.0`));
    expect(missing.kind).toBe("unauthorized");
    expect(missing.message).toContain(`at ${server.host}`);
    expect(missing.message).toContain("none were found");
    expect(missing.hint).toBe(`run \`docker login ${server.host}\``);

    const configDir = dockerConfig("wrong", {
      auths: { [server.host]: { username: "ann", password: "wrong-Pa55word" } },
    });
    const refused = await failure(
      client({ dockerConfigDir: configDir }).resolve(`${server.host}/team/app:1.0`),
    );
    expect(refused.kind).toBe("unauthorized");
    expect(refused.message).toContain("refused the credentials");
    expect(refused.hint).toContain(`docker login ${server.host}`);
    expectNoSecret(refused, "wrong-Pa55word", Buffer.from("ann:wrong-Pa55word").toString("base64"));
  });

  it("answers a basic challenge with the stored username and password", async () => {
    const basic = `Basic ${Buffer.from("bob:hunter2-secret").toString("base64")}`;
    const server = await serve(
      registry({
        manifests: { "team/app:1.0": IMAGE },
        authorize: (authorization) => authorization === basic,
        challenge: 'Basic realm="fake"',
      }),
    );
    const configDir = dockerConfig("basic", {
      auths: { [server.host]: { username: "bob", password: "hunter2-secret" } },
    });
    expect((await client({ dockerConfigDir: configDir }).resolve(`${server.host}/team/app:1.0`)).digest).toBe(
      IMAGE.digest,
    );

    const anonymous = await failure(client().resolve(`${server.host}/team/app:1.0`));
    expect(anonymous.kind).toBe("unauthorized");
    expect(anonymous.status).toBe(401);
  });

  it("exchanges an identity token for a bearer token with the OAuth refresh-token grant", async () => {
    let server: FakeServer | undefined;
    server = await serve((request, response) => {
      if (request.path.startsWith("/token") && request.method === "POST") {
        const form = new URLSearchParams(request.body);
        const ok = form.get("grant_type") === "refresh_token" && form.get("refresh_token") === "refresh-XYZ";
        response.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" });
        response.end(ok ? JSON.stringify({ access_token: "issued-token-123" }) : undefined);
        return;
      }
      tokenService(
        () => server!,
        () => false,
      )(request, response);
    });
    const configDir = dockerConfig("identity", {
      auths: { [server.host]: { identitytoken: "refresh-XYZ" } },
    });
    const resolved = await client({ dockerConfigDir: configDir }).resolve(`${server.host}/team/app:1.0`);
    expect(resolved.digest).toBe(IMAGE.digest);
  });

  it("asks a credential helper named in credHelpers, with the server on stdin", async () => {
    const password = "helper-Secret-42";
    const basic = `Basic ${Buffer.from(`carol:${password}`).toString("base64")}`;
    let server: FakeServer | undefined;
    server = await serve(
      tokenService(
        () => server!,
        (authorization) => authorization === basic,
      ),
    );
    const bin = mkdtempSync(join(scratch, "bin-"));
    const stdinFile = join(bin, "stdin.txt");
    const helper = join(bin, "docker-credential-fake");
    writeFileSync(
      helper,
      `#!/bin/sh\n[ "$1" = get ] || exit 1\ncat > '${stdinFile}'\nprintf '{"ServerURL":"x","Username":"carol","Secret":"${password}"}'\n`,
    );
    chmodSync(helper, 0o755);
    const configDir = dockerConfig("helpers", { credHelpers: { [server.host]: "fake" } });
    const env = { PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` };
    const resolved = await client({ env, dockerConfigDir: configDir }).resolve(`${server.host}/team/app:1.0`);
    expect(resolved.digest).toBe(IMAGE.digest);
    expect(readFileSync(stdinFile, "utf8")).toBe(server.host);
  });

  it("says which helper is missing when credHelpers names one that is not on PATH", async () => {
    let server: FakeServer | undefined;
    server = await serve(
      tokenService(
        () => server!,
        () => false,
      ),
    );
    const configDir = dockerConfig("nohelper", { credHelpers: { [server.host]: "absent" } });
    const error = await failure(
      client({ env: { PATH: scratch }, dockerConfigDir: configDir }).resolve(`${server.host}/team/app:1.0`),
    );
    expect(error.kind).toBe("unauthorized");
    expect(error.message).toContain("docker-credential-absent");
    expect(error.message).toContain("not on PATH");
  });
});

describe("DockerCredentials", () => {
  it("finds Docker Hub's credentials under https://index.docker.io/v1/", async () => {
    const configDir = dockerConfig("hub", {
      auths: { "https://index.docker.io/v1/": { auth: Buffer.from("dan:pw").toString("base64") } },
    });
    const credentials = new DockerCredentials({ configDir, env: {} });
    expect((await credentials.lookup("docker.io", true)).credential).toMatchObject({
      username: "dan",
      password: "pw",
    });
    expect((await credentials.lookup("ghcr.io")).credential).toBeUndefined();
  });

  it("uses credsStore with Docker Hub's server URL and reads a <token> user as an identity token", async () => {
    const bin = mkdtempSync(join(scratch, "store-"));
    const helper = join(bin, "docker-credential-store");
    writeFileSync(
      helper,
      `#!/bin/sh\nread server\n[ "$server" = "https://index.docker.io/v1/" ] || exit 1\nprintf '{"Username":"<token>","Secret":"refresh"}'\n`,
    );
    chmodSync(helper, 0o755);
    const configDir = dockerConfig("store", {
      credsStore: "store",
      auths: { "https://index.docker.io/v1/": {} },
    });
    const credentials = new DockerCredentials({ configDir, env: { PATH: bin } });
    expect((await credentials.lookup("docker.io", true)).credential).toEqual({
      identityToken: "refresh",
      source: "docker-credential-store",
    });
    expect((await credentials.lookup("ghcr.io")).note).toContain("found no credentials");
  });

  it("reports a malformed config.json without quoting it", async () => {
    const dir = mkdtempSync(join(scratch, "bad-"));
    writeFileSync(join(dir, "config.json"), '{"auths": {"x": {"auth": "c2VjcmV0LXZhbHVl"');
    const error = await new DockerCredentials({ configDir: dir, env: {} }).lookup("x").catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("is not valid JSON");
    expect((error as Error).message).not.toContain("c2VjcmV0");
  });
});

describe("retries, timeouts and mirrors", () => {
  it("waits as long as Retry-After says on 429, then succeeds", async () => {
    let attempts = 0;
    const ok = registry({ manifests: { "a:1": IMAGE } });
    const server = await serve((request, response) => {
      attempts++;
      if (attempts === 1) {
        response.writeHead(429, { "Retry-After": "1" }).end();
        return;
      }
      ok(request, response);
    });
    const started = Date.now();
    const resolved = await client().resolve(`${server.host}/a:1`);
    expect(resolved.digest).toBe(IMAGE.digest);
    expect(attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("gives up after 3 attempts on 503 and reports it", async () => {
    const server = await serve((_request, response) => {
      response.writeHead(503).end();
    });
    const error = await failure(client().resolve(`${server.host}/a:1`));
    expect(server.requests).toHaveLength(3);
    expect(error.kind).toBe("unreachable");
    expect(error.status).toBe(503);
    expect(error.message).toContain("503");
    expect(error.message).toContain("3 times");
  });

  it("reports a persistent 429 as rate-limited", async () => {
    const server = await serve((_request, response) => {
      response.writeHead(429, { "Retry-After": "0" }).end();
    });
    const error = await failure(client().resolve(`${server.host}/a:1`));
    expect(error.kind).toBe("rate-limited");
    expect(server.requests).toHaveLength(3);
  });

  it("reports a registry that never answers as unreachable within the timeout", async () => {
    const server = await serve(() => {
      // never answers
    });
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 300 }).resolve(`${server.host}/a:1`));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.kind).toBe("unreachable");
    expect(error.message).toContain("no answer within 300 ms");
  });

  it("reports a closed port as unreachable", async () => {
    const server = await serve(() => {});
    const host = server.host;
    await server.close();
    const error = await failure(client().resolve(`${host}/a:1`));
    expect(error.kind).toBe("unreachable");
    expect(error.message).toContain("connection refused");
  });

  it("asks a mirror for a Docker Hub image, by its library/ name", async () => {
    const mirror = await serve(registry({ manifests: { "library/node:20": IMAGE } }));
    const resolved = await client({ mirrors: [`${mirror.url}/`] }).resolve("node:20");
    expect(resolved).toMatchObject({ digest: IMAGE.digest, registry: "docker.io", source: mirror.url });
    expect(mirror.requests[0]?.path).toBe("/v2/library/node/manifests/20");
  });

  it("falls back to Docker Hub itself when the mirror fails", async () => {
    const mirror = await serve((_request, response) => {
      response.writeHead(500).end();
    });
    const hub = await serve(registry({ manifests: { "library/node:20": IMAGE } }));
    const resolved = await client({ mirrors: [mirror.url], dockerHubUrl: hub.url }).resolve(
      "docker.io/library/node:20",
    );
    expect(resolved.source).toBe(hub.url);
    expect(resolved.mirrorFailures?.[0]).toContain(`mirror ${mirror.url}`);
    expect(hub.requests).toHaveLength(1);
  });

  it("names the mirror's failure too when Docker Hub fails after it", async () => {
    const mirror = await serve(registry({ manifests: {} }));
    const hub = await serve(registry({ manifests: {} }));
    const error = await failure(
      client({ mirrors: [mirror.url], dockerHubUrl: hub.url }).resolve("node:nope"),
    );
    expect(error.kind).toBe("not-found");
    expect(error.registry).toBe("docker.io");
    expect(error.message).toContain(`mirror ${mirror.url}: no such tag`);
  });

  it("does not use mirrors for other registries", async () => {
    const mirror = await serve(registry({ manifests: { "team/app:1": IMAGE } }));
    const own = await serve(registry({ manifests: { "team/app:1": IMAGE } }));
    await client({ mirrors: [mirror.url] }).resolve(`${own.host}/team/app:1`);
    expect(mirror.requests).toHaveLength(0);
    expect(own.requests).toHaveLength(1);
  });

  it("takes SHIPSHAPE_REGISTRY_MIRROR over the engine's mirrors; empty turns them off", () => {
    const fromEnv = client({
      mirrors: ["https://engine-mirror.example"],
      env: { SHIPSHAPE_REGISTRY_MIRROR: "http://127.0.0.1:5000/, mirror.example:8443" },
    });
    expect(fromEnv.mirrors).toEqual(["http://127.0.0.1:5000", "https://mirror.example:8443"]);
    expect(client({ mirrors: ["https://m.example/"], env: {} }).mirrors).toEqual(["https://m.example"]);
    expect(
      client({ mirrors: ["https://m.example"], env: { SHIPSHAPE_REGISTRY_MIRROR: "" } }).mirrors,
    ).toEqual([]);
    expect(
      client({
        env: { SHIPSHAPE_REGISTRY_MIRROR: "plain.example", SHIPSHAPE_INSECURE_REGISTRIES: "plain.example" },
      }).mirrors,
    ).toEqual(["http://plain.example"]);
    expect(() => client({ mirrors: ["https://user:pw-secret@m.example"] })).toThrow(/contains credentials/);
  });
});

describe("RegistryClient.tags", () => {
  it("lists a repository's tags, following the Link pages on the same registry", async () => {
    const server = await serve((request, response) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname !== "/v2/team/app/tags/list") {
        response.writeHead(404).end();
        return;
      }
      const last = url.searchParams.get("last");
      if (last === null) {
        response.writeHead(200, {
          "Content-Type": "application/json",
          Link: '</v2/team/app/tags/list?last=b&n=1000>; rel="next"',
        });
        response.end(JSON.stringify({ name: "team/app", tags: ["a", "b"] }));
        return;
      }
      response.writeHead(200, {
        "Content-Type": "application/json",
        // Never followed: another origin would get the credentials.
        Link: '<http://elsewhere.example/v2/team/app/tags/list?last=c>; rel="next"',
      });
      response.end(JSON.stringify({ name: "team/app", tags: ["c"] }));
    });
    const list = await client().tags(`${server.host}/team/app:1`);
    expect(list).toMatchObject({ repository: "team/app", tags: ["a", "b", "c"], truncated: false });
    expect(server.requests.map((request) => request.path)).toEqual([
      "/v2/team/app/tags/list?n=1000",
      "/v2/team/app/tags/list?last=b&n=1000",
    ]);
    const capped = await client().tags(`${server.host}/team/app`, { maxTags: 2 });
    expect(capped).toMatchObject({ tags: ["a", "b"], truncated: true });
  });

  it("goes through the Docker Hub mirror, and names a missing repository", async () => {
    const server = await serve((request, response) => {
      if (request.path.startsWith("/v2/library/node/tags/list")) {
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ name: "library/node", tags: null }));
        return;
      }
      response.writeHead(404, { "Content-Type": "application/json" });
      response.end(
        JSON.stringify({ errors: [{ code: "NAME_UNKNOWN", message: "repository name not known" }] }),
      );
    });
    const list = await client({ mirrors: [server.url] }).tags("node:20");
    expect(list).toMatchObject({ repository: "library/node", tags: [], source: server.url });
    const missing = await failure(client().tags(`${server.host}/team/nothing`));
    expect(missing.kind).toBe("not-found");
    expect(missing.message).toContain("no such repository");
  });
});

describe("nextPage", () => {
  it("reads the next page's path from a Link header", () => {
    expect(nextPage('</v2/a/tags/list?last=x&n=2>; rel="next"', "http://r:5000")).toBe(
      "/v2/a/tags/list?last=x&n=2",
    );
    expect(nextPage("<http://r:5000/v2/a/tags/list?last=x>; rel=next", "http://r:5000")).toBe(
      "/v2/a/tags/list?last=x",
    );
    expect(nextPage('</v2/a/tags/list?last=x>; rel="prev"', "http://r:5000")).toBeUndefined();
    expect(nextPage(null, "http://r:5000")).toBeUndefined();
  });
});

import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { ShipshapeError } from "../errors.js";
import {
  type ContentOptions,
  cleanInstruction,
  type ImageContents,
  inspectImageContents,
} from "./contents.js";

// ---------------------------------------------------------------- synthesized `docker save` archives

interface FakeEntry {
  path: string;
  content?: string | Buffer;
  mode?: number;
  type?: "file" | "directory" | "symlink";
  linkname?: string;
}

interface FakeLayer {
  createdBy: string;
  /** History timestamp (ISO), for the base-layer guess. */
  created?: string;
  entries: FakeEntry[];
  gzip?: boolean;
}

interface FakeImage {
  /** Layers, and history entries without a layer (`{ empty: "ENV X=1" }`), in build order. */
  steps: Array<FakeLayer | { empty: string; created?: string }>;
  config?: Record<string, unknown>;
  /** Where manifest.json is in the stream: Docker 20.10 writes it last. */
  manifest?: "first" | "last";
  /** legacy: `<id>/layer.tar` (Docker ≤ 24); oci: `blobs/sha256/<hex>` (Docker 25+). */
  format?: "legacy" | "oci";
}

type HeaderArgument = Partial<tar.Header> & Pick<tar.Header, "name">;

async function packTar(entries: Array<{ header: HeaderArgument; content?: Buffer }>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (chunk) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => pack.on("end", () => resolve()));
  for (const { header, content } of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry(header, content ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

function layerTar(entries: FakeEntry[]): Promise<Buffer> {
  return packTar(
    entries.map((entry) => {
      const type = entry.type ?? (entry.path.endsWith("/") ? "directory" : "file");
      const content = typeof entry.content === "string" ? Buffer.from(entry.content) : entry.content;
      return {
        header: {
          name: entry.path,
          type,
          mode: entry.mode ?? (type === "directory" ? 0o755 : type === "symlink" ? 0o777 : 0o644),
          size: type === "file" ? (content?.length ?? 0) : 0,
          ...(entry.linkname ? { linkname: entry.linkname } : {}),
        },
        ...(type === "file" ? { content: content ?? Buffer.alloc(0) } : {}),
      };
    }),
  );
}

const sha = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

async function saveArchive(image: FakeImage): Promise<Buffer> {
  const format = image.format ?? "legacy";
  const files: Array<{ name: string; content: Buffer }> = [];
  const diffIds: string[] = [];
  const layerPaths: string[] = [];
  const history: Array<Record<string, unknown>> = [];
  for (const step of image.steps) {
    const created = step.created ? { created: step.created } : {};
    if ("empty" in step) {
      history.push({ ...created, created_by: step.empty, empty_layer: true });
      continue;
    }
    history.push(
      step.createdBy
        ? { ...created, created_by: step.createdBy, comment: "buildkit.dockerfile.v0" }
        : { ...created, comment: "Imported from -" },
    );
    const plain = await layerTar(step.entries);
    diffIds.push(`sha256:${sha(plain)}`);
    const stored = step.gzip ? gzipSync(plain) : plain;
    const name =
      format === "oci"
        ? `blobs/sha256/${sha(stored)}`
        : `${sha(plain + String(layerPaths.length))}/layer.tar`;
    layerPaths.push(name);
    files.push({ name, content: stored });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: image.config ?? {},
      rootfs: { type: "layers", diff_ids: diffIds },
      history,
    }),
  );
  const configName = format === "oci" ? `blobs/sha256/${sha(config)}` : `${sha(config)}.json`;
  const manifest = Buffer.from(
    JSON.stringify([{ Config: configName, RepoTags: ["test/image:latest"], Layers: layerPaths }]),
  );
  const ordered = [{ name: configName, content: config }, ...files];
  const all =
    image.manifest === "first"
      ? [{ name: "manifest.json", content: manifest }, ...ordered]
      : [
          ...ordered,
          { name: "manifest.json", content: manifest },
          { name: "repositories", content: Buffer.from("{}") },
        ];
  return packTar(
    all.map(({ name, content }) => ({ header: { name, size: content.length, mode: 0o644 }, content })),
  );
}

async function inspect(image: FakeImage, options?: ContentOptions): Promise<ImageContents> {
  return inspectImageContents(Readable.from([await saveArchive(image)]), options);
}

const KEY = "sk-proj-Zq3vT8mWx1LpR7nB4kYc9HdJ2sFa6GeU0tQi5oMw";
const PASSWD = "root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\n";

/** A small Debian-like base: stock setuid binaries, sticky /tmp, /etc/passwd, a CMD at the end. */
function baseSteps(): FakeImage["steps"] {
  return [
    {
      createdBy: "",
      entries: [
        { path: "./usr/", mode: 0o755 },
        { path: "./usr/bin/", mode: 0o755 },
        { path: "./usr/bin/su", content: "ELF\0su", mode: 0o4755 },
        { path: "./usr/bin/passwd", content: "ELF\0passwd", mode: 0o4755 },
        { path: "./usr/sbin/unix_chkpwd", content: "ELF\0x", mode: 0o2755 },
        { path: "./usr/bin/python3", content: "ELF\0py", mode: 0o755 },
        { path: "./tmp/", mode: 0o1777 },
        { path: "./var/tmp/", mode: 0o1777 },
        { path: "./dev/null", content: "", mode: 0o666 },
        { path: "./etc/passwd", content: PASSWD },
        {
          path: "./etc/ssl/certs/ca.pem",
          content: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        },
      ],
    },
    { empty: 'CMD ["bash"]' },
  ];
}

const byKind = (contents: ImageContents, kind: string) => contents.findings.filter((f) => f.kind === kind);

// ---------------------------------------------------------------- tests

describe("inspectImageContents: layers, history and config", () => {
  it("maps history entries with a layer to the layers, cleans instructions and summarises the config", async () => {
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        { empty: "ENV NODE_ENV=production" },
        { createdBy: "WORKDIR /app", entries: [{ path: "app/" }] },
        {
          createdBy: "COPY . . # buildkit",
          entries: [{ path: "app/server.js", content: "console.log(1)\n" }],
        },
        { empty: "USER node" },
      ],
      config: {
        User: "node",
        ExposedPorts: { "3000/tcp": {} },
        Env: ["PATH=/usr/bin", "NODE_ENV=production"],
        Cmd: ["node", "server.js"],
        WorkingDir: "/app",
        Labels: { "org.opencontainers.image.version": "1.0.0" },
        Healthcheck: { Test: ["CMD", "node", "-e", "1"] },
      },
    });
    expect(contents.layers.map((layer) => [layer.index, layer.instruction, layer.fromBase])).toEqual([
      [0, "(Imported from -)", true],
      [1, "WORKDIR /app", false],
      [2, "COPY . .", false],
    ]);
    expect(contents.baseLayerCount).toBe(1);
    expect(contents.layers[2]!.sizeBytes).toBe(15);
    expect(contents.totalBytes).toBe(contents.layers.reduce((sum, layer) => sum + layer.sizeBytes, 0));
    expect(contents.layers[0]!.diffId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(contents.config).toEqual({
      user: "node",
      exposedPorts: ["3000/tcp"],
      healthcheck: ["CMD", "node", "-e", "1"],
      labels: { "org.opencontainers.image.version": "1.0.0" },
      env: ["PATH", "NODE_ENV"],
      cmd: ["node", "server.js"],
      workdir: "/app",
    });
    expect(contents.users).toEqual([
      { name: "root", uid: 0 },
      { name: "node", uid: 1000 },
    ]);
  });

  it.each([
    ['/bin/sh -c #(nop)  CMD ["node"]', 'CMD ["node"]'],
    ["/bin/sh -c #(nop) COPY file:abc123 in /app ", "COPY file:abc123 in /app"],
    ["/bin/sh -c npm ci", "RUN npm ci"],
    ["RUN /bin/sh -c npm ci # buildkit", "RUN npm ci"],
    ["RUN |1 NODE_VERSION=20.20.2 /bin/sh -c groupadd node # buildkit", "RUN groupadd node"],
    ["COPY /app/dist ./dist # buildkit", "COPY /app/dist ./dist"],
    [
      `RUN /bin/sh -c echo OPENAI_API_KEY=${KEY} > /app/.env # buildkit`,
      "RUN echo OPENAI_API_KEY=sk-p**** > /app/.env",
    ],
  ])("cleans %s", (createdBy, expected) => {
    expect(cleanInstruction(createdBy)).toBe(expected);
  });

  it("reads the same from the manifest first or last, from OCI-layout archives, and from gzip layers", async () => {
    const steps: FakeImage["steps"] = [
      ...baseSteps(),
      {
        createdBy: "RUN /bin/sh -c write # buildkit",
        gzip: true,
        entries: [{ path: "app/.env", content: `OPENAI_API_KEY=${KEY}\n` }],
      },
    ];
    const summaries = await Promise.all(
      (
        [
          { manifest: "last", format: "legacy" },
          { manifest: "first", format: "legacy" },
          { manifest: "last", format: "oci" },
        ] as const
      ).map(async (variant) => {
        const contents = await inspect({ steps, ...variant });
        return contents.findings.map((f) => [f.kind, f.path, f.layer.index, f.severity]);
      }),
    );
    expect(summaries[0]).toContainEqual(["secret", "/app/.env", 1, "error"]);
    expect(summaries[1]).toEqual(summaries[0]);
    expect(summaries[2]).toEqual(summaries[0]);
  });

  it("uses baseLayerCount or the base image's diff ids when given", async () => {
    const image: FakeImage = {
      steps: [
        ...baseSteps(),
        { createdBy: "RUN /bin/sh -c true", entries: [{ path: "etc/motd", content: "hi" }] },
        { createdBy: "COPY . .", entries: [{ path: "app/a.js", content: "1" }] },
      ],
    };
    expect((await inspect(image)).baseLayerCount).toBe(1);
    expect((await inspect(image, { baseLayerCount: 2 })).layers.map((l) => l.fromBase)).toEqual([
      true,
      true,
      false,
    ]);
    const guessed = await inspect(image);
    const ids = guessed.layers.map((layer) => layer.diffId);
    expect((await inspect(image, { baseDiffIds: [ids[0]!, ids[1]!, "sha256:other"] })).baseLayerCount).toBe(
      2,
    );
  });

  it("guesses the base from the history: the CMD followed by a pause, not the app's own CMD or cached layers", async () => {
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000).toISOString();
    const layer = (createdBy: string, minutes: number): FakeLayer => ({
      createdBy,
      created: at(minutes),
      entries: [{ path: `x/${minutes}`, content: "x" }],
    });
    // A Hub-style base (CMD, then days until the app's build), an app whose WORKDIR layer is cached
    // from an hour earlier, and an app CMD written before two RUNs.
    const hub = await inspect({
      steps: [
        layer("", 0),
        { empty: 'CMD ["bash"]', created: at(1) },
        layer("RUN /bin/sh -c apt-get install -y nodejs", 5000),
        { empty: 'CMD ["node"]', created: at(5001) },
        layer("WORKDIR /app", 9000),
        layer("COPY . .", 9060),
        { empty: 'CMD ["npm", "start"]', created: at(9061) },
        layer("RUN /bin/sh -c echo token > /root/.npmrc", 9061),
        layer("RUN /bin/sh -c rm /root/.npmrc", 9061),
      ],
    });
    expect(hub.baseLayerCount).toBe(2);
    // A base whose last step is a RUN after its CMD (no pause after the CMD): the first pause after it.
    const runAfterCmd = await inspect({
      steps: [
        layer("", 0),
        { empty: 'CMD ["node"]', created: at(1) },
        layer("RUN /bin/sh -c apt-get install -y build-essential", 2),
        layer("WORKDIR /app", 100),
        layer("COPY . .", 200),
        { empty: 'CMD ["npm", "start"]', created: at(200) },
        layer("RUN /bin/sh -c true", 200),
      ],
    });
    expect(runAfterCmd.baseLayerCount).toBe(2);
  });

  it("fails with one clear line on an archive that is not `docker save` output", async () => {
    const notTar = Readable.from([Buffer.from("hello, this is not a tar archive at all".repeat(20))]);
    await expect(inspectImageContents(notTar)).rejects.toThrow(ShipshapeError);
    const noManifest = Readable.from([
      await packTar([{ header: { name: "x.json", size: 2 }, content: Buffer.from("{}") }]),
    ]);
    await expect(inspectImageContents(noManifest)).rejects.toThrow(
      /not a `docker save` archive: it has no manifest\.json/,
    );
  });
});

describe("inspectImageContents: secrets", () => {
  it("reports a secret written in one layer and deleted in a later one, with both instructions, redacted", async () => {
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        { createdBy: "WORKDIR /app", entries: [{ path: "app/" }] },
        {
          createdBy: `RUN /bin/sh -c echo "OPENAI_API_KEY=${KEY}" > /app/.env # buildkit`,
          entries: [{ path: "app/" }, { path: "app/.env", content: `OPENAI_API_KEY=${KEY}\n` }],
        },
        {
          createdBy: "RUN /bin/sh -c rm /app/.env # buildkit",
          entries: [{ path: "app/" }, { path: "app/.wh..env" }],
        },
      ],
      config: { WorkingDir: "/app" },
    });
    const [secret, ...others] = byKind(contents, "secret");
    expect(others).toEqual([]);
    expect(secret).toMatchObject({
      path: "/app/.env",
      severity: "error",
      deletedInLayer: 3,
      layer: { index: 2, instruction: 'RUN echo "OPENAI_API_KEY=sk-p****" > /app/.env' },
    });
    expect(secret!.detail).toContain("an env file (OPENAI_API_KEY)");
    expect(secret!.detail).toContain("sk-p…(48 chars)");
    expect(secret!.detail).toContain("deleted by layer 3 (`RUN rm /app/.env`), but still shipped in layer 2");
    expect(secret!.fix).toContain("RUN --mount=type=secret");
    expect(secret!.fix).toContain("deleting it in a later layer does not remove it from the image");
    expect(JSON.stringify(contents)).not.toContain(KEY);
  });

  it("hides a lower layer's files under an opaque directory, and keeps the upper layer's", async () => {
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        {
          createdBy: "COPY config /app/config",
          entries: [
            {
              path: "app/config/.npmrc",
              content: "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n",
            },
          ],
        },
        {
          createdBy: "RUN /bin/sh -c rm -rf /app/config && mkdir /app/config && touch /app/config/ok",
          entries: [
            { path: "app/config/" },
            { path: "app/config/.wh..wh..opq" },
            { path: "app/config/ok", content: "" },
          ],
        },
      ],
    });
    const [npmrc] = byKind(contents, "secret");
    expect(npmrc).toMatchObject({ path: "/app/config/.npmrc", deletedInLayer: 2, layer: { index: 1 } });
    expect(npmrc!.detail).toContain("an npm auth token");
    expect(npmrc!.detail).toContain("_authToken=npm_****");
    expect(npmrc!.fix).toContain("add `.npmrc` to .dockerignore");
  });

  it("reports a replaced file as gone from that layer on, and a file present at the end without deletedInLayer", async () => {
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        { createdBy: "COPY .env /app/.env", entries: [{ path: "app/.env", content: `KEY=${KEY}\n` }] },
        { createdBy: "COPY .env /app/.env", entries: [{ path: "app/.env", content: `OTHER=${KEY}x\n` }] },
      ],
    });
    const secrets = byKind(contents, "secret").map((f) => [f.layer.index, f.deletedInLayer]);
    expect(secrets).toEqual([
      [1, 2],
      [2, undefined],
    ]);
    expect(byKind(contents, "secret")[1]).not.toHaveProperty("deletedInLayer");
  });

  it("judges named secret files anywhere outside package trees, and private keys by their header", async () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        {
          createdBy: "COPY . .",
          entries: [
            { path: "app/.env.example", content: `OPENAI_API_KEY=\n` },
            { path: "app/.env.production", content: "NODE_ENV=production\nPORT=3000\n" },
            { path: "app/certs/server.pem", content: pem },
            {
              path: "app/certs/ca.pem",
              content: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            },
            { path: "root/.ssh/id_ed25519", content: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n" },
            { path: "root/.ssh/id_ed25519.pub", content: "ssh-ed25519 AAAA" },
            {
              path: "root/.aws/credentials",
              content:
                "[default]\naws_access_key_id = AKIAZZZZZZZZZZZZZZZZ\naws_secret_access_key = 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\n",
            },
            {
              path: "root/.docker/config.json",
              content: '{"auths":{"ghcr.io":{"auth":"dXNlcjpnaHBfc2VjcmV0"}}}',
            },
            {
              path: "root/.config/gcloud/application_default_credentials.json",
              content:
                '{"client_id":"x","client_secret":"d-FL95Q19q7MQmFpd7hHD0Ty","refresh_token":"1//0gabc"}',
            },
            { path: "etc/pip.conf", content: "[global]\nindex-url = https://pypi.org/simple\n" },
          ],
        },
      ],
    });
    const found = Object.fromEntries(byKind(contents, "secret").map((f) => [f.path, [f.severity, f.detail]]));
    expect(Object.keys(found).sort()).toEqual([
      "/app/.env.production",
      "/app/certs/server.pem",
      "/root/.aws/credentials",
      "/root/.config/gcloud/application_default_credentials.json",
      "/root/.docker/config.json",
      "/root/.ssh/id_ed25519",
    ]);
    expect(found["/app/.env.production"]).toEqual([
      "warning",
      expect.stringContaining("no secret-looking values"),
    ]);
    expect(found["/app/certs/server.pem"]![1]).toContain("a private key");
    expect(found["/root/.aws/credentials"]![1]).toContain("AWS credentials");
    expect(found["/root/.docker/config.json"]![1]).toContain("registry credentials");
    expect(JSON.stringify(contents.findings)).not.toMatch(/wJalrXUtnFEMI|dXNlcjpnaHBfc2VjcmV0|d-FL95Q19q7MQ/);
  });

  it("scans the app's own text files by value, but not dependencies, test fixtures, system files or filler", async () => {
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        {
          createdBy: "COPY . .",
          entries: [
            { path: "app/dist/ai.js", content: `const client = new OpenAI({ apiKey: "${KEY}" });\n` },
            {
              path: "app/config/default.json",
              content: '{\n  "db": {\n    "password": "hunter2-prod"\n  }\n}\n',
            },
            { path: "app/README.md", content: "Set OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" },
            { path: "app/src/db.js", content: "const url = 'postgres://app:devpass@localhost:5432/app';\n" },
            { path: "app/test/fixtures/keys.js", content: `export const key = "${KEY}";\n` },
            { path: "app/node_modules/openai/README.md", content: `apiKey: "${KEY}"\n` },
            { path: "app/node_modules/pkg/.env", content: `KEY=${KEY}\n` },
            { path: "usr/share/doc/thing/example.conf", content: `token = ${KEY}\n` },
            {
              path: "app/logo.png",
              content: Buffer.concat([Buffer.from([0x89, 0x50, 0, 0]), Buffer.from(KEY)]),
            },
          ],
        },
      ],
    });
    const found = byKind(contents, "secret").map((f) => f.path);
    expect(found.sort()).toEqual(["/app/config/default.json", "/app/dist/ai.js"]);
    const ai = byKind(contents, "secret").find((f) => f.path === "/app/dist/ai.js")!;
    expect(ai.detail).toContain("an OpenAI API key (`sk-p…(48 chars)`) at line 1");
    expect(ai.fix).toContain("add `ai.js` to .dockerignore");
  });

  it("does not read contents over maxFileBytes", async () => {
    const image: FakeImage = {
      steps: [
        ...baseSteps(),
        { createdBy: "COPY . .", entries: [{ path: "app/dist/ai.js", content: `x="${KEY}"\n` }] },
      ],
    };
    expect(byKind(await inspect(image), "secret")).toHaveLength(1);
    expect(byKind(await inspect(image, { maxFileBytes: 16 }), "secret")).toHaveLength(0);
  });

  it("reports secret-looking ENV and LABEL values of the config with the instruction that set them", async () => {
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        { empty: `ENV OPENAI_API_KEY=${KEY}` },
        { empty: "ENV API_KEY_FILE=/run/secrets/api_key" },
        { createdBy: "COPY . .", entries: [{ path: "app/a.js", content: "1" }] },
      ],
      config: {
        Env: [
          "PATH=/usr/bin",
          `OPENAI_API_KEY=${KEY}`,
          "API_KEY_FILE=/run/secrets/api_key",
          "NODE_ENV=production",
        ],
        Labels: { "com.example.deploy-token": "glpat-abcdefghijklmnopqrstu", maintainer: "me" },
      },
    });
    const secrets = byKind(contents, "secret");
    expect(secrets.map((f) => f.path)).toEqual(["ENV OPENAI_API_KEY", "LABEL com.example.deploy-token"]);
    expect(secrets[0]).toMatchObject({
      layer: { index: -1, instruction: "ENV OPENAI_API_KEY=sk-p****" },
      severity: "error",
    });
    expect(secrets[0]!.fix).toContain("docker run -e OPENAI_API_KEY");
    expect(JSON.stringify(contents)).not.toContain(KEY);
  });

  it("reports a secret build argument a RUN used: its value is in the history", async () => {
    const token = "npm_Zq3vT8mWx1LpR7nB4kYc9HdJ2sFa6GeU0tQi";
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        { empty: "ARG NPM_TOKEN" },
        {
          createdBy: `RUN |2 NPM_TOKEN=${token} NODE_ENV=production /bin/sh -c npm ci # buildkit`,
          entries: [{ path: "app/node_modules/x/package.json", content: "{}" }],
        },
      ],
    });
    const [arg] = byKind(contents, "secret");
    expect(arg).toMatchObject({ path: "ARG NPM_TOKEN", layer: { index: 1, instruction: "RUN npm ci" } });
    expect(arg!.detail).toContain("an npm token (`npm_…(40 chars)`)");
    expect(arg!.fix).toContain("RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN");
    expect(JSON.stringify(contents)).not.toContain(token);
  });
});

describe("inspectImageContents: git, compilers, caches, devDependencies", () => {
  it("reports a .git directory the app copied, but not one inside node_modules", async () => {
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        {
          createdBy: "COPY . .",
          entries: [
            { path: "app/.git/" },
            { path: "app/.git/HEAD", content: "ref: refs/heads/main\n" },
            {
              path: "app/.git/config",
              content:
                '[remote "origin"]\n\turl = https://ci:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/acme/app\n',
            },
            { path: "app/node_modules/dep/.git/HEAD", content: "x" },
          ],
        },
      ],
    });
    const [git] = byKind(contents, "git");
    expect(byKind(contents, "git")).toHaveLength(1);
    expect(git).toMatchObject({ path: "/app/.git", severity: "error", layer: { index: 1 } });
    expect(git!.detail).toContain("2 files");
    expect(git!.fix).toContain("add `.git` to .dockerignore");
    // Its config holds a token in the remote URL: that is a secret finding of its own.
    expect(byKind(contents, "secret").map((f) => f.path)).toEqual(["/app/.git/config"]);
  });

  it("groups compilers and build tools of the final filesystem, and says when the base brought them", async () => {
    const contents = await inspect({
      steps: [
        {
          createdBy: "",
          entries: [
            { path: "usr/bin/gcc-12", content: "ELF\0", mode: 0o755 },
            { path: "usr/bin/gcc", type: "symlink", linkname: "gcc-12" },
            { path: "usr/bin/cc", type: "symlink", linkname: "/etc/alternatives/cc" },
            { path: "usr/bin/make", content: "ELF\0", mode: 0o755 },
            { path: "usr/bin/gcc-ar-12", content: "ELF\0", mode: 0o755 },
            { path: "usr/share/doc/build-essential/copyright", content: "x" },
          ],
        },
        { empty: 'CMD ["node"]' },
        {
          createdBy: "RUN /bin/sh -c apt-get install -y clang",
          entries: [{ path: "usr/bin/clang-16", content: "ELF\0" }],
        },
        { createdBy: "RUN /bin/sh -c apt-get purge -y clang", entries: [{ path: "usr/bin/.wh.clang-16" }] },
      ],
    });
    const compilers = byKind(contents, "compiler");
    expect(compilers).toHaveLength(1);
    expect(compilers[0]!.paths).toEqual(["/usr/bin/gcc-12", "/usr/bin/gcc", "/usr/bin/cc", "/usr/bin/make"]);
    expect(compilers[0]!.detail).toContain("build-essential is installed");
    expect(compilers[0]!.detail).toContain("they come with the base image");
    expect(compilers[0]!.fix).toContain("slim runtime stage");
  });

  it("reports package-manager caches with their size, also when a later layer deletes them", async () => {
    const blob = "x".repeat(5000);
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        {
          createdBy: "RUN /bin/sh -c npm install # buildkit",
          entries: [
            { path: "root/.npm/_cacache/content-v2/sha512/aa/bb", content: blob },
            { path: "root/.npm/_cacache/index-v5/cc/dd", content: blob },
            { path: "root/.npm/_logs/debug.log", content: "log" },
          ],
        },
        {
          createdBy: "RUN /bin/sh -c pip install -r requirements.txt # buildkit",
          entries: [{ path: "root/.cache/pip/http/x", content: blob }],
        },
        { createdBy: "RUN /bin/sh -c rm -rf /root/.npm # buildkit", entries: [{ path: "root/.wh..npm" }] },
      ],
    });
    const caches = byKind(contents, "package-cache").map((f) => [
      f.path,
      f.layer.index,
      f.deletedInLayer,
      f.severity,
    ]);
    expect(caches).toEqual([
      ["/root/.npm/_cacache", 1, 3, "warning"],
      ["/root/.cache/pip", 2, undefined, "warning"],
    ]);
    const npm = byKind(contents, "package-cache")[0]!;
    expect(npm.detail).toContain("npm cache /root/.npm/_cacache: 10.0 kB in 2 files; deleted by layer 3");
    expect(npm.fix).toContain("npm cache clean --force");
  });

  it("lists devDependencies installed in the runtime node_modules of the app dir", async () => {
    const pkg = JSON.stringify({
      name: "app",
      dependencies: { express: "^4" },
      devDependencies: { typescript: "^5", "@types/node": "^20", vitest: "^1" },
    });
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        { createdBy: "WORKDIR /app", entries: [{ path: "app/" }] },
        {
          createdBy: "COPY package.json package-lock.json ./",
          entries: [{ path: "app/package.json", content: pkg }],
        },
        {
          createdBy: "RUN /bin/sh -c npm install # buildkit",
          entries: [
            { path: "app/node_modules/express/package.json", content: "{}" },
            { path: "app/node_modules/typescript/package.json", content: "{}" },
            { path: "app/node_modules/@types/node/package.json", content: "{}" },
            { path: "app/node_modules/vitest/README.md", content: "no package.json: not installed" },
          ],
        },
      ],
      config: { WorkingDir: "/app" },
    });
    const [dev] = byKind(contents, "dev-dependency");
    expect(dev).toMatchObject({
      path: "/app/node_modules",
      paths: ["/app/node_modules/typescript", "/app/node_modules/@types/node"],
      severity: "error",
      layer: { index: 3, instruction: "RUN npm install" },
    });
    expect(dev!.detail).toContain("2 devDependencies of /app/package.json");
    expect(dev!.fix).toContain("npm ci --omit=dev");
    // appDir overrides the WorkingDir; a pruned install has none.
    expect(byKind(await inspect({ steps: baseSteps() }, { appDir: "/srv" }), "dev-dependency")).toEqual([]);
  });
});

describe("inspectImageContents: permissions", () => {
  it("reports setuid binaries: stock ones and the base's as warnings, the app's own as an error, removed ones not at all", async () => {
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        {
          createdBy: "RUN /bin/sh -c chmod u+s /usr/local/bin/helper /usr/bin/sudo # buildkit",
          entries: [
            { path: "usr/local/bin/helper", content: "ELF\0", mode: 0o4755 },
            { path: "usr/bin/sudo", content: "ELF\0", mode: 0o4755 },
            { path: "usr/bin/newgrp", content: "ELF\0", mode: 0o4755 },
          ],
        },
        {
          createdBy: "RUN /bin/sh -c chmod u-s /usr/bin/sudo # buildkit",
          entries: [{ path: "usr/bin/sudo", content: "ELF\0", mode: 0o755 }],
        },
      ],
    });
    const setuid = byKind(contents, "setuid").map((f) => [f.layer.index, f.severity, f.paths]);
    expect(setuid).toEqual([
      [1, "error", ["/usr/local/bin/helper"]],
      [0, "warning", ["/usr/bin/su", "/usr/bin/passwd", "/usr/sbin/unix_chkpwd"]],
      [1, "warning", ["/usr/bin/newgrp"]],
    ]);
    expect(byKind(contents, "setuid")[0]!.fix).toBe(
      "RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + (in the runtime stage), and run with `--security-opt no-new-privileges`",
    );
  });

  it("reports world-writable files and non-sticky directories outside /tmp, /var/tmp and /dev, not symlinks", async () => {
    const contents = await inspect({
      steps: [
        ...baseSteps(),
        {
          createdBy: "RUN /bin/sh -c chmod -R 777 /app # buildkit",
          entries: [
            { path: "app/", mode: 0o777 },
            { path: "app/uploads/", mode: 0o777 },
            { path: "app/data.txt", content: "x", mode: 0o666 },
            { path: "app/link", type: "symlink", linkname: "data.txt" },
            { path: "app/shared/", mode: 0o1777 },
            { path: "tmp/cache/", mode: 0o777 },
          ],
        },
      ],
    });
    const [writable, ...rest] = byKind(contents, "world-writable");
    expect(rest).toEqual([]);
    expect(writable).toMatchObject({
      path: "/app",
      severity: "error",
      paths: ["/app", "/app/uploads", "/app/data.txt"],
    });
    expect(writable!.detail).toContain("/app (3 entries in all)");
    expect(writable!.fix).toContain("chmod -R o-w /app");
  });

  it("passes a clean slim-like base: nothing but warnings for its stock setuid binaries", async () => {
    const contents = await inspect({ steps: baseSteps() });
    expect(contents.findings.map((f) => [f.kind, f.severity])).toEqual([["setuid", "warning"]]);
  });
});

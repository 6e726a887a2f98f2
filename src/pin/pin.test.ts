import { describe, expect, it } from "vitest";
import { projectFacts } from "../check/facts/project.js";
import { treeFromFiles } from "../check/facts/tree.js";
import { runRules } from "../check/index.js";
import { RegistryError, type ResolvedImage } from "../registry/index.js";
import { type ImageResolver, type PinOptions, pinCheckPassed, pinProject } from "./pin.js";

const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/** A registry played by a map: image as asked (`node:20`) → digest; repository → tags. */
function fakeRegistry(digests: Record<string, string>, tags: Record<string, string[]> = {}) {
  const calls: string[] = [];
  const resolver: ImageResolver = {
    async resolve(image, options) {
      calls.push(options?.platform ? `${image} ${options.platform}` : image);
      const digest =
        digests[image] ?? (image.includes("@") ? image.slice(image.indexOf("@") + 1) : undefined);
      if (!digest)
        throw new RegistryError("not-found", {
          image,
          registry: "docker.io",
          what: "no such tag (404 MANIFEST_UNKNOWN: manifest unknown)",
        });
      const resolved: ResolvedImage = {
        image,
        registry: "docker.io",
        repository: image,
        digest,
        mediaType: "application/vnd.oci.image.index.v1+json",
        isIndex: true,
        source: "http://mirror.test",
      };
      if (options?.platform)
        resolved.platform = {
          platform: options.platform,
          digest: `${digest.slice(0, 70)}ffff`,
          mediaType: "",
        };
      return resolved;
    },
    async tags(image) {
      calls.push(`tags ${image}`);
      const repository = image.replace(/:[^:/@]+$/, "");
      return {
        registry: "docker.io",
        repository,
        tags: tags[repository] ?? [],
        truncated: false,
        source: "",
      };
    },
  };
  return { resolver, calls };
}

function facts(files: Record<string, string>) {
  return projectFacts(treeFromFiles(files));
}

async function pin(files: Record<string, string>, digests: Record<string, string>, options: PinOptions = {}) {
  const registry = fakeRegistry(digests);
  const result = await pinProject(facts(files), registry.resolver, options);
  const after = Object.fromEntries(result.changes.map((change) => [change.path, change.after]));
  return { result, after, calls: registry.calls };
}

describe("pin: Dockerfiles", () => {
  it("pins every FROM of every stage, leaving stage aliases and scratch alone", async () => {
    const dockerfile = [
      "FROM node:20-bookworm-slim AS deps",
      "RUN npm ci",
      "FROM deps AS build",
      "COPY --from=deps /app /app",
      "FROM scratch AS empty",
      "FROM python:3.11-slim",
      "COPY --from=build /app /app",
      "",
    ].join("\n");
    const { result, after, calls } = await pin(
      { Dockerfile: dockerfile },
      { "node:20-bookworm-slim": D(1), "python:3.11-slim": D(2) },
    );
    expect(after.Dockerfile).toBe(
      dockerfile
        .replace("node:20-bookworm-slim AS", `node:20-bookworm-slim@${D(1)} AS`)
        .replace("python:3.11-slim\n", `python:3.11-slim@${D(2)}\n`),
    );
    expect(calls.sort()).toEqual(["node:20-bookworm-slim", "python:3.11-slim"]);
    expect(result.entries.map((entry) => [entry.line, entry.status, entry.stage])).toEqual([
      [1, "pinned", "deps"],
      [6, "pinned", undefined],
    ]);
  });

  it("keeps CRLF line ends and the BOM byte for byte", async () => {
    const dockerfile = "\uFEFF# a comment\r\nFROM node:20 AS base\r\nRUN echo hi\r\n";
    const { after } = await pin({ Dockerfile: dockerfile }, { "node:20": D(3) });
    expect(after.Dockerfile).toBe(`\uFEFF# a comment\r\nFROM node:20@${D(3)} AS base\r\nRUN echo hi\r\n`);
  });

  it("keeps --platform flags and continuation lines", async () => {
    const dockerfile = [
      "FROM --platform=$BUILDPLATFORM node:20 AS x",
      "FROM \\",
      "  --platform=linux/amd64 \\",
      "  debian:bookworm-slim",
      "",
    ].join("\n");
    const { after, result } = await pin(
      { Dockerfile: dockerfile },
      { "node:20": D(4), "debian:bookworm-slim": D(5) },
    );
    expect(after.Dockerfile).toBe(
      dockerfile
        .replace("node:20 AS", `node:20@${D(4)} AS`)
        .replace("debian:bookworm-slim", `debian:bookworm-slim@${D(5)}`),
    );
    expect(result.entries[0]?.platform).toBeUndefined();
    expect(result.entries[1]).toMatchObject({ line: 4, column: 3 });
  });

  it("honours the backtick escape directive", async () => {
    const dockerfile = "# escape=`\nFROM `\n  node:20\n";
    const { after } = await pin({ Dockerfile: dockerfile }, { "node:20": D(6) });
    expect(after.Dockerfile).toBe(`# escape=\`\nFROM \`\n  node:20@${D(6)}\n`);
  });

  it("does not mistake a FROM inside a heredoc for an instruction", async () => {
    const dockerfile = "FROM node:20\nRUN <<EOF\ncat > Dockerfile.inner <<'X'\nFROM evil:1\nX\nEOF\n";
    const { after, calls } = await pin({ Dockerfile: dockerfile }, { "node:20": D(7) });
    expect(after.Dockerfile).toBe(dockerfile.replace("node:20\n", `node:20@${D(7)}\n`));
    expect(calls).toEqual(["node:20"]);
  });

  it("pins a `# syntax=` parser directive", async () => {
    const dockerfile = `# syntax=docker/dockerfile:1\nFROM node:20@${D(1)}\n`;
    const { after, result } = await pin({ Dockerfile: dockerfile }, { "docker/dockerfile:1": D(8) });
    expect(after.Dockerfile).toBe(`# syntax=docker/dockerfile:1@${D(8)}\nFROM node:20@${D(1)}\n`);
    expect(result.entries.map((entry) => [entry.kind, entry.status])).toEqual([
      ["syntax", "pinned"],
      ["from", "unchanged"],
    ]);
  });

  it("writes `latest` out for a reference without a tag, so --check knows the tag", async () => {
    const { after, calls } = await pin({ Dockerfile: "FROM node\n" }, { "node:latest": D(9) });
    expect(after.Dockerfile).toBe(`FROM node:latest@${D(9)}\n`);
    expect(calls).toEqual(["node:latest"]);
  });

  it("keeps the registry and port of a reference as written", async () => {
    const { after } = await pin(
      { Dockerfile: "FROM 127.0.0.1:5000/team/app:1.2\n" },
      { "127.0.0.1:5000/team/app:1.2": D(2) },
    );
    expect(after.Dockerfile).toBe(`FROM 127.0.0.1:5000/team/app:1.2@${D(2)}\n`);
  });

  it("makes the file pass check's digest rule (SS1004)", async () => {
    const files = {
      Dockerfile: "FROM node:20.20.2-bookworm-slim AS build\nFROM debian:bookworm-slim\n",
      "compose.yaml": "services:\n  db:\n    image: postgres:15.18-bookworm\n",
    };
    const ss1004 = (input: Record<string, string>) =>
      runRules(facts(input), { rules: {} }).findings.filter((finding) => finding.ruleId === "SS1004");
    expect(ss1004(files)).toHaveLength(3);
    const { after } = await pin(files, {
      "node:20.20.2-bookworm-slim": D(1),
      "debian:bookworm-slim": D(2),
      "postgres:15.18-bookworm": D(3),
    });
    expect(ss1004({ ...files, ...after })).toEqual([]);
  });
});

describe("pin: ARG-templated images", () => {
  it("pins through the ARG's default when the reference ends with the ARG and only FROM uses it", async () => {
    const dockerfile =
      'ARG BASE="node:20"\nARG TAG=3.11-slim\nFROM ${BASE} AS a\nFROM python:$TAG\nFROM $BASE\n';
    const { after, result } = await pin(
      { Dockerfile: dockerfile },
      { "node:20": D(1), "python:3.11-slim": D(2) },
    );
    expect(after.Dockerfile).toBe(
      `ARG BASE="node:20@${D(1)}"\nARG TAG=3.11-slim@${D(2)}\nFROM \${BASE} AS a\nFROM python:$TAG\nFROM $BASE\n`,
    );
    expect(result.entries.map((entry) => [entry.line, entry.viaArg, entry.pinned])).toEqual([
      [3, "BASE", `node:20@${D(1)}`],
      [4, "TAG", `python:3.11-slim@${D(2)}`],
      [5, "BASE", `node:20@${D(1)}`],
    ]);
  });

  it.each([
    ["an ARG without a default", "ARG BASE\nFROM $BASE\n", "ARG BASE has no default"],
    [
      "an ARG used by another instruction",
      "ARG V=20\nFROM node:$V\nARG V\nLABEL v=$V\n",
      "also used by LABEL on line 4",
    ],
    ["a variable in the middle", "ARG V=20\nFROM node:${V}-slim\n", "assembled from ARG V"],
    ["the build platform", "FROM node:20-$TARGETARCH\n", "depends on the build's platform ($TARGETARCH)"],
    [
      "an ARG declared inside a stage",
      "FROM node:20\nARG X=1\nFROM node:$Y\n",
      "ARG Y is not declared before the first FROM",
    ],
    ["one ARG for two images", "ARG T=1\nFROM node:$T\nFROM python:$T\n", "names part of different images"],
  ])("reports %s as unpinnable, with the reason", async (_name, dockerfile, reason) => {
    const { result, calls } = await pin(
      { Dockerfile: dockerfile },
      { "node:20": D(1), "node:1": D(1), "python:1": D(2) },
    );
    const unpinnable = result.entries.filter((entry) => entry.status === "unpinnable");
    expect(unpinnable.length).toBeGreaterThan(0);
    expect(unpinnable[0]?.reason).toContain(reason);
    expect(calls.filter((call) => !call.startsWith("node:20"))).toEqual([]);
  });

  it("fails --check on an unpinnable image", async () => {
    const { result } = await pin({ Dockerfile: "ARG BASE\nFROM $BASE\n" }, {}, { mode: "check" });
    expect(pinCheckPassed(result)).toBe(false);
  });
});

describe("pin: compose", () => {
  it("pins image: values, keeping quotes and comments, once for an anchor shared by services", async () => {
    const compose = [
      "x-db: &db",
      '  image: "postgres:15.18-bookworm" # the database',
      "services:",
      "  db:",
      "    <<: *db",
      "  replica:",
      "    <<: *db",
      "  cache:",
      "    image: 'redis:7'",
      "  api:",
      "    build: .",
      "    image: api:local",
      "",
    ].join("\n");
    const { after, result, calls } = await pin(
      { "compose.yaml": compose },
      { "postgres:15.18-bookworm": D(1), "redis:7": D(2) },
    );
    expect(after["compose.yaml"]).toBe(
      compose
        .replace('"postgres:15.18-bookworm"', `"postgres:15.18-bookworm@${D(1)}"`)
        .replace("'redis:7'", `'redis:7@${D(2)}'`),
    );
    expect(calls.sort()).toEqual(["postgres:15.18-bookworm", "redis:7"]);
    expect(result.entries.map((entry) => entry.service)).toEqual(["db", "replica", "cache"]);
  });

  it("reports an interpolated image as unpinnable", async () => {
    const { result } = await pin({ "compose.yaml": "services:\n  db:\n    image: postgres:${PG:-15}\n" }, {});
    expect(result.entries[0]).toMatchObject({ status: "unpinnable", line: 3 });
    expect(result.entries[0]?.reason).toContain("interpolated");
  });

  it("leaves compose files out when asked (--file)", async () => {
    const registry = fakeRegistry({ "node:20": D(1) });
    const result = await pinProject(
      facts({ Dockerfile: "FROM node:20\n", "compose.yaml": "services:\n  db:\n    image: postgres:15\n" }),
      registry.resolver,
      { compose: false },
    );
    expect(result.changes.map((change) => change.path)).toEqual(["Dockerfile"]);
  });
});

describe("pin: already pinned, --check and --update", () => {
  const files = { Dockerfile: `FROM node:20@${D(1)}\nFROM python:3.11-slim\n` };

  it("leaves a pinned reference alone without asking the registry", async () => {
    const { result, calls } = await pin(files, { "python:3.11-slim": D(2) });
    expect(calls).toEqual(["python:3.11-slim"]);
    expect(result.entries[0]).toMatchObject({ status: "unchanged", digest: D(1) });
  });

  it("--check reports unpinned and drifted references with both digests, asking only for pinned tags", async () => {
    const { result, calls, after } = await pin(files, { "node:20": D(3) }, { mode: "check" });
    expect(calls).toEqual(["node:20"]);
    expect(after).toEqual({});
    expect(result.entries.map((entry) => [entry.status, entry.previousDigest, entry.digest])).toEqual([
      ["drift", D(1), D(3)],
      ["unpinned", undefined, undefined],
    ]);
    expect(pinCheckPassed(result)).toBe(false);
  });

  it("--check passes when every digest is what its tag points to", async () => {
    const { result } = await pin(
      { Dockerfile: `FROM node:20@${D(1)}\n` },
      { "node:20": D(1) },
      { mode: "check" },
    );
    expect(result.entries[0]?.status).toBe("current");
    expect(pinCheckPassed(result)).toBe(true);
  });

  it("--update moves a drifted digest and pins the rest", async () => {
    const { result, after } = await pin(
      files,
      { "node:20": D(3), "python:3.11-slim": D(2) },
      { mode: "update" },
    );
    expect(after.Dockerfile).toBe(`FROM node:20@${D(3)}\nFROM python:3.11-slim@${D(2)}\n`);
    expect(result.entries[0]).toMatchObject({ status: "updated", previousDigest: D(1), digest: D(3) });
  });

  it("a digest without a tag is pinned and has nothing to drift from", async () => {
    const { result, calls } = await pin({ Dockerfile: `FROM node@${D(1)}\n` }, {}, { mode: "check" });
    expect(calls).toEqual([]);
    expect(pinCheckPassed(result)).toBe(true);
  });
});

describe("pin: registry failures and platforms", () => {
  it("plans no change at all when one image fails", async () => {
    const { result } = await pin(
      {
        Dockerfile: "FROM node:20\nFROM node:nope\n",
        "compose.yaml": "services:\n  a:\n    image: node:20\n",
      },
      { "node:20": D(1) },
    );
    expect(result.changes).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.message).toContain("cannot resolve node:nope at docker.io: no such tag");
    expect(result.entries.map((entry) => `${entry.file}:${entry.line} ${entry.status}`)).toEqual([
      "compose.yaml:3 pinned",
      "Dockerfile:1 pinned",
      "Dockerfile:2 error",
    ]);
  });

  it("--platform shows the platform's digest and still pins the index digest", async () => {
    const { result, after } = await pin(
      { Dockerfile: `FROM node:20\nFROM python:3@${D(2)}\n` },
      { "node:20": D(1) },
      { platform: "linux/arm64" },
    );
    expect(after.Dockerfile).toBe(`FROM node:20@${D(1)}\nFROM python:3@${D(2)}\n`);
    expect(result.entries[0]?.platform?.platform).toBe("linux/arm64");
    expect(result.entries[0]?.platform?.digest).not.toBe(D(1));
    expect(result.entries[1]).toMatchObject({ status: "unchanged" });
    expect(result.entries[1]?.platform?.platform).toBe("linux/arm64");
  });
});

describe("pin --resolve-tags", () => {
  const tags = {
    node: ["latest", "20", "20-bookworm-slim", "20.20.2-bookworm-slim", "20.20.1-bookworm-slim", "20.20.2"],
  };

  it("moves a major-only tag to the exact version with the same digest, same OS variant first", async () => {
    const registry = fakeRegistry(
      {
        "node:20-bookworm-slim": D(1),
        "node:20.20.2-bookworm-slim": D(1),
        "node:20.20.1-bookworm-slim": D(4),
        "node:latest": D(2),
        "node:20.20.2": D(2),
      },
      tags,
    );
    const result = await pinProject(
      facts({ Dockerfile: "FROM node:20-bookworm-slim\nFROM node\n" }),
      registry.resolver,
      { resolveTags: true },
    );
    expect(result.changes[0]?.after).toBe(
      `FROM node:20.20.2-bookworm-slim@${D(1)}\nFROM node:20.20.2@${D(2)}\n`,
    );
    expect(result.entries.map((entry) => entry.tagMove)).toEqual([
      { from: "20-bookworm-slim", to: "20.20.2-bookworm-slim" },
      { from: "latest", to: "20.20.2" },
    ]);
  });

  it("keeps the tag, and says why, when no exact tag has the same digest", async () => {
    const registry = fakeRegistry(
      {
        "node:20": D(9),
        "node:20.20.2": D(2),
        "node:20.20.2-bookworm-slim": D(1),
        "node:20.20.1-bookworm-slim": D(1),
      },
      tags,
    );
    const result = await pinProject(facts({ Dockerfile: "FROM node:20\n" }), registry.resolver, {
      resolveTags: true,
    });
    expect(result.changes[0]?.after).toBe(`FROM node:20@${D(9)}\n`);
    expect(result.entries[0]?.note).toContain(
      "none of the 3 newest exact-version tags of node has the same digest",
    );
  });

  it("leaves exact tags as they are", async () => {
    const registry = fakeRegistry({ "node:20.20.2": D(2) }, tags);
    const result = await pinProject(facts({ Dockerfile: "FROM node:20.20.2\n" }), registry.resolver, {
      resolveTags: true,
    });
    expect(registry.calls).toEqual(["node:20.20.2"]);
    expect(result.entries[0]?.tagMove).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { buildContext, dockerignoreFor } from "../check/facts/context.js";
import { projectFacts } from "../check/facts/project.js";
import { treeFromFiles } from "../check/facts/tree.js";
import { buildInfo } from "./buildinfo.js";
import type { GitState } from "./git.js";
import { parsePorcelain, stripCredentials } from "./git.js";
import {
  appIdentity,
  type BuildRequest,
  baseImages,
  buildCommandText,
  decideRetag,
  LABEL,
  type PlanInput,
  planBuild,
  sanitizeName,
  sanitizeTag,
} from "./plan.js";
import { contextSecrets } from "./secrets.js";

const DOCKERFILE = `FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
FROM node:20.20.2-bookworm-slim@sha256:${"a".repeat(64)} AS runtime
COPY --from=build /app /app
CMD ["node", "server.js"]
`;

const FILES = {
  Dockerfile: DOCKERFILE,
  ".dockerignore": "node_modules\n.git\n.env\n",
  "package.json": JSON.stringify({ name: "@acme/Notes_API", version: "1.4.0+build.7" }),
  "package-lock.json": "{}\n",
  "server.js": "require('node:http').createServer().listen(3000);\n",
};

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const CLEAN: GitState = {
  kind: "repo",
  root: "/repo",
  commit: COMMIT,
  commitTime: 1_700_000_000,
  remote: "https://github.com/acme/notes.git",
  changes: [],
};

function input(
  files: Record<string, string> = FILES,
  git: GitState = CLEAN,
  request: Partial<BuildRequest> = {},
): PlanInput {
  const tree = treeFromFiles(files);
  const facts = projectFacts(tree, { dockerfiles: ["Dockerfile"] });
  const context = buildContext(tree, "", dockerignoreFor(tree, "Dockerfile", ""));
  return {
    tree,
    dockerfile: facts.dockerfiles[0]!.dockerfile,
    context,
    dirName: "notes",
    git,
    gitPrefix: "",
    request: { dockerfile: "Dockerfile", ...request },
    lockfiles: [{ path: "package-lock.json", sha256: "f".repeat(64) }],
    secretsInContext: contextSecrets(facts, context),
    buildinfoPath: "BUILDINFO.json",
  };
}

describe("planBuild: labels", () => {
  it("stamps the OCI labels from git, the version, the final stage's base and the lockfiles", () => {
    const plan = planBuild(input());
    expect(plan.labels).toEqual({
      [LABEL.source]: "https://github.com/acme/notes.git",
      [LABEL.revision]: COMMIT,
      [LABEL.created]: "2023-11-14T22:13:20Z",
      [LABEL.version]: "1.4.0_build.7",
      [LABEL.baseName]: "docker.io/library/node:20.20.2-bookworm-slim",
      "io.shipshape.lockfile.package-lock.json.sha256": "f".repeat(64),
      [LABEL.command]: "shipshape build",
    });
    expect(plan.buildArgs).toEqual({ SOURCE_DATE_EPOCH: "1700000000" });
    expect(plan.refusals).toEqual([]);
  });

  it("takes the final stage's base, not the builder's, and a digest written in FROM as pinned", () => {
    const plan = planBuild(input());
    expect(plan.bases.map((base) => [base.stageName, base.final, base.pinned])).toEqual([
      ["build", false, undefined],
      ["runtime", true, `sha256:${"a".repeat(64)}`],
    ]);
  });

  it("follows FROM <stage> to the external base, and --target changes which stage is final", () => {
    const files = {
      ...FILES,
      Dockerfile:
        'ARG BASE=python:3.11.14-slim-bookworm\nFROM $BASE AS base\nFROM base AS app\nCMD ["python"]\nFROM debian:bookworm-slim AS other\n',
    };
    const app = planBuild(input(files, CLEAN, { target: "app", buildArgs: { BASE: "python:3.12.1-slim" } }));
    expect(app.labels[LABEL.baseName]).toBe("docker.io/library/python:3.12.1-slim");
    expect(app.bases.map((base) => base.image)).toEqual(["python:3.12.1-slim"]);
    const last = planBuild(input(files));
    expect(last.labels[LABEL.baseName]).toBe("docker.io/library/debian:bookworm-slim");
    expect(() => planBuild(input(files, CLEAN, { target: "nope" }))).toThrow(/no stage named nope.*/);
  });

  it("leaves the base labels out for FROM scratch", () => {
    const plan = planBuild(input({ ...FILES, Dockerfile: "FROM scratch\nCOPY server.js /\n" }));
    expect(plan.labels[LABEL.baseName]).toBeUndefined();
    expect(plan.bases).toEqual([]);
  });

  it("records build-arg names and secret ids in the command label, never values", () => {
    const request: BuildRequest = {
      dockerfile: "docker/api.Dockerfile",
      buildArgs: { NODE_ENV: "production", API_TOKEN: "tok-123456" },
      secrets: [{ id: "npm_token", env: "NPM_TOKEN" }],
      noCache: true,
    };
    const text = buildCommandText(request);
    expect(text).toBe(
      "shipshape build --file docker/api.Dockerfile --build-arg NODE_ENV --build-arg API_TOKEN --secret id=npm_token --no-cache",
    );
    expect(text).not.toContain("production");
    expect(text).not.toContain("NPM_TOKEN");
  });
});

describe("planBuild: tags and names", () => {
  it("tags <name>:<version> and <name>:sha-<short commit>, the name from package.json sanitized", () => {
    const plan = planBuild(input());
    expect(plan.name).toBe("acme/notes_api");
    expect(plan.tags).toEqual(["acme/notes_api:1.4.0_build.7", "acme/notes_api:sha-0123456"]);
  });

  it("--name, --version and --tag win; a name with a tag is refused", () => {
    const plan = planBuild(
      input(FILES, CLEAN, { name: "registry.example.com/api", version: "2.0.0", tags: ["api:candidate"] }),
    );
    expect(plan.tags).toEqual([
      "registry.example.com/api:2.0.0",
      "registry.example.com/api:sha-0123456",
      "api:candidate",
    ]);
    expect(() => planBuild(input(FILES, CLEAN, { name: "api:1" }))).toThrow(/without a tag/);
    expect(() => planBuild(input(FILES, CLEAN, { version: "-bad" }))).toThrow(/cannot be a tag/);
    expect(() => planBuild(input(FILES, CLEAN, { tags: ["api"] }))).toThrow(/give the tag too/);
  });

  it("falls back to the directory's name, and reads pyproject.toml", () => {
    const python = {
      Dockerfile: "FROM python:3.11.14-slim-bookworm\n",
      "pyproject.toml":
        '[build-system]\nrequires = ["x"]\n\n[project]\nname = "Stats Service"\nversion = "0.3.1"\n',
    };
    expect(appIdentity(treeFromFiles(python), "")).toMatchObject({ name: "Stats Service", version: "0.3.1" });
    const plan = planBuild(input(python));
    expect(plan.tags).toEqual(["stats-service:0.3.1", "stats-service:sha-0123456"]);
    const bare = planBuild(input({ Dockerfile: "FROM debian:bookworm-slim\n" }));
    expect(bare.name).toBe("notes");
    expect(bare.tags).toEqual(["notes:sha-0123456"]);
  });

  it("sanitizes names and versions into what Docker accepts", () => {
    expect(sanitizeName("@Acme/My  App")).toBe("acme/my-app");
    expect(sanitizeName("__x__")).toBe("x");
    expect(sanitizeTag("v1.2.3+sha.5")).toBe("1.2.3_sha.5");
  });

  it("without git: says so, tags the version only, and uses SOURCE_DATE_EPOCH for created when set", () => {
    const plan = planBuild({
      ...input(FILES, { kind: "none", reason: "not a git repository" }),
      sourceDateEpoch: "1600000000",
    });
    expect(plan.tags).toEqual(["acme/notes_api:1.4.0_build.7"]);
    expect(plan.labels[LABEL.revision]).toBeUndefined();
    expect(plan.labels[LABEL.source]).toBeUndefined();
    expect(plan.labels[LABEL.created]).toBe("2020-09-13T12:26:40Z");
    expect(plan.notes.join("\n")).toMatch(/not a git repository: no revision or source labels/);
  });

  it("refuses when there is nothing to tag with", () => {
    const plan = planBuild(
      input({ Dockerfile: "FROM debian:bookworm-slim\n" }, { kind: "none", reason: "not a git repository" }),
    );
    expect(plan.refusals.map((r) => r.code)).toEqual(["nothing-to-tag"]);
    expect(plan.labels[LABEL.created]).toBeUndefined();
  });
});

describe("planBuild: dirty trees", () => {
  const dirty: GitState = {
    ...(CLEAN as Extract<GitState, { kind: "repo" }>),
    changes: [
      { path: "server.js", status: "M" },
      { path: ".env", status: "??" },
      { path: "BUILDINFO.json", status: "??" },
    ],
  };

  it("refuses uncommitted changes to files the build sends, naming them", () => {
    const plan = planBuild(input(FILES, dirty));
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals[0]).toMatchObject({ code: "dirty-tree", details: ["M server.js"] });
    expect(plan.refusals[0]!.hint).toMatch(/--allow-dirty/);
  });

  it("with --allow-dirty builds and tags -dirty, with a dirty label", () => {
    const plan = planBuild(input(FILES, dirty, { allowDirty: true }));
    expect(plan.refusals).toEqual([]);
    expect(plan.tags).toEqual(["acme/notes_api:1.4.0_build.7-dirty", "acme/notes_api:sha-0123456-dirty"]);
    expect(plan.labels[LABEL.dirty]).toBe("true");
  });

  it("ignores changes to files .dockerignore keeps out, but not to the Dockerfile", () => {
    const outside: GitState = { ...dirty, changes: [{ path: ".env", status: "??" }] } as GitState;
    expect(planBuild(input(FILES, outside)).refusals).toEqual([]);
    const files = { ...FILES, ".dockerignore": `${FILES[".dockerignore"]}Dockerfile\n` };
    const dockerfile: GitState = { ...dirty, changes: [{ path: "Dockerfile", status: "M" }] } as GitState;
    expect(planBuild(input(files, dockerfile)).refusals.map((r) => r.code)).toEqual(["dirty-tree"]);
  });

  it("matches changes below the repository root to a context in a subdirectory", () => {
    const sub: GitState = { ...dirty, changes: [{ path: "apps/api/server.js", status: "M" }] } as GitState;
    expect(planBuild({ ...input(FILES, sub), gitPrefix: "apps/api" }).refusals.map((r) => r.code)).toEqual([
      "dirty-tree",
    ]);
    expect(planBuild({ ...input(FILES, sub), gitPrefix: "apps/web" }).refusals).toEqual([]);
  });
});

describe("planBuild: secrets", () => {
  it("refuses a context that sends secret files, naming each with the secret redacted", () => {
    const files = {
      ...FILES,
      ".dockerignore": "node_modules\n",
      ".env.production": "JWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\nPORT=3000\n",
      "config/.npmrc": "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n",
    };
    const plan = planBuild(input(files));
    const refusal = plan.refusals.find((r) => r.code === "secrets-in-context");
    expect(refusal?.details).toEqual([
      ".env.production:1  env file: JWT_SECRET=9f8e…(32 chars)",
      "config/.npmrc:1  npm auth token: npm token `npm_…(40 chars)`",
    ]);
    expect(JSON.stringify(plan)).not.toContain("9f8e7d6c5b4a39281706f5e4d3c2b1a0");
    expect(JSON.stringify(plan)).not.toContain("abcdefghijklmnopqrstuvwxyz0123456789");
  });

  it("--allow-secrets sends them with a warning", () => {
    const files = { ...FILES, ".dockerignore": "", ".env": "JWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n" };
    const plan = planBuild(input(files, CLEAN, { allowSecrets: true }));
    expect(plan.refusals).toEqual([]);
    expect(plan.warnings.join("\n")).toMatch(
      /--allow-secrets: sending 1 secret file\(s\) to the builder: \.env/,
    );
  });

  it("warns about build args that look like secrets, pointing at --secret, without their values", () => {
    const plan = planBuild(
      input(FILES, CLEAN, { buildArgs: { NPM_TOKEN: "abc123secretvalue", NODE_ENV: "production" } }),
    );
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toMatch(
      /--build-arg NPM_TOKEN looks like a secret .*--secret id=npm_token,env=NPM_TOKEN/,
    );
    expect(plan.warnings[0]).not.toContain("abc123secretvalue");
    expect(plan.buildArgs.NPM_TOKEN).toBe("abc123secretvalue");
  });
});

describe("decideRetag", () => {
  const tags = ["api:1.0.0", "api:sha-0123456"];

  it("applies new tags and leaves tags already on this image alone", () => {
    const decision = decideRetag(tags, new Map([["api:1.0.0", "sha256:new"]]), "sha256:new", false);
    expect(decision).toEqual({
      apply: ["api:sha-0123456"],
      unchanged: ["api:1.0.0"],
      refused: [],
      moved: [],
    });
  });

  it("refuses to move a tag that names other content, and then applies none", () => {
    const decision = decideRetag(tags, new Map([["api:1.0.0", "sha256:old"]]), "sha256:new", false);
    expect(decision.apply).toEqual([]);
    expect(decision.refused).toEqual([{ tag: "api:1.0.0", current: "sha256:old" }]);
  });

  it("moves it with --force-retag, saying from where", () => {
    const decision = decideRetag(tags, new Map([["api:1.0.0", "sha256:old"]]), "sha256:new", true);
    expect(decision.apply).toEqual(tags);
    expect(decision.moved).toEqual([{ tag: "api:1.0.0", previous: "sha256:old" }]);
  });
});

describe("BUILDINFO.json", () => {
  it("records inputs (digests, lockfiles, arg names, secret ids, commit, builder) and outputs", () => {
    const plan = planBuild(
      input(FILES, CLEAN, {
        buildArgs: { NODE_ENV: "production" },
        secrets: [{ id: "npm_token", env: "NPM_TOKEN" }],
      }),
    );
    const info = buildInfo(
      plan,
      { files: 4, bytes: 1234 },
      [
        {
          stage: 0,
          stageName: "build",
          image: "node:20",
          canonical: "docker.io/library/node:20",
          digest: "sha256:b",
          digestFrom: "engine",
          final: false,
        },
      ],
      { dockerCli: { path: "/usr/bin/docker", version: "20.10.24" }, buildkit: "built in" },
      { imageId: "sha256:img", tags: plan.tags, size: 42, labels: plan.labels },
    );
    expect(info).toMatchObject({
      schema: "shipshape.buildinfo/v1",
      inputs: {
        git: {
          commit: COMMIT,
          dirty: false,
          commitTime: "2023-11-14T22:13:20Z",
          source: "https://github.com/acme/notes.git",
        },
        baseImages: [
          { stage: "build", image: "docker.io/library/node:20", digest: "sha256:b", digestFrom: "engine" },
        ],
        lockfiles: [{ path: "package-lock.json", sha256: "f".repeat(64) }],
        buildArgs: ["NODE_ENV", "SOURCE_DATE_EPOCH"],
        secrets: ["npm_token"],
        builder: { dockerCli: { version: "20.10.24" } },
      },
      outputs: { imageId: "sha256:img", tags: plan.tags, size: 42 },
    });
    expect(JSON.stringify(info)).not.toContain("production");
  });
});

describe("git helpers", () => {
  it("strips credentials from remote URLs", () => {
    expect(stripCredentials("https://user:ghp_secret@github.com/a/b.git")).toBe("https://github.com/a/b.git");
    expect(stripCredentials("https://oauth2:tok@gitlab.com/a/b")).toBe("https://gitlab.com/a/b");
    expect(stripCredentials("git@github.com:a/b.git")).toBe("git@github.com:a/b.git");
    expect(stripCredentials("ssh://git@host:22/a/b")).toBe("ssh://host:22/a/b");
  });

  it("reads git status --porcelain -z", () => {
    expect(parsePorcelain(" M src/a.ts\0?? new file.txt\0A  b\0")).toEqual([
      { path: "src/a.ts", status: "M" },
      { path: "new file.txt", status: "??" },
      { path: "b", status: "A" },
    ]);
  });

  it("the base image list skips scratch", () => {
    const tree = treeFromFiles({ Dockerfile: "FROM scratch AS s\nFROM alpine:3.20 AS a\n" });
    const facts = projectFacts(tree, { dockerfiles: ["Dockerfile"] });
    const dockerfile = facts.dockerfiles[0]!.dockerfile;
    expect(baseImages(dockerfile, dockerfile.stages.at(-1), {}).map((b) => b.canonical)).toEqual([
      "docker.io/library/alpine:3.20",
    ]);
  });
});

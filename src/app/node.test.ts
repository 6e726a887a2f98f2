import { describe, expect, it } from "vitest";
import { treeFromFiles } from "../check/facts/tree.js";
import { UsageError } from "../errors.js";
import { detectApp } from "./detect.js";
import type { DetectOptions } from "./types.js";

const pkg = (json: object) => `${JSON.stringify(json, null, 2)}\n`;
const detect = (files: Record<string, string>, options?: DetectOptions) =>
  detectApp(treeFromFiles(files), options);
/** The 1-based line of the first line containing `needle`. */
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

const SERVER = 'import express from "express";\nconst app = express();\napp.listen(3000);\n';
const app = (extra: object = {}) =>
  pkg({ name: "svc", scripts: { start: "node server.js" }, dependencies: { express: "^4" }, ...extra });

describe("node package manager", () => {
  it.each([
    ["package-lock.json", "npm"],
    ["npm-shrinkwrap.json", "npm"],
    ["pnpm-lock.yaml", "pnpm"],
    ["yarn.lock", "yarn"],
    ["bun.lock", "bun"],
    ["bun.lockb", "bun"],
  ])("%s → %s", (lockfile, manager) => {
    const node = detect({ "package.json": app(), "server.js": SERVER, [lockfile]: "" }).node!;
    expect(node.manager).toEqual({
      value: manager,
      evidence: [{ file: lockfile, text: `lockfile ${lockfile}` }],
      sure: true,
      how: "from the lockfile",
    });
    expect(node.lockfile).toBe(lockfile);
  });

  it("yarn.lock beside .yarnrc.yml is yarn berry", () => {
    const node = detect({
      "package.json": app(),
      "server.js": SERVER,
      "yarn.lock": "",
      ".yarnrc.yml": "nodeLinker: node-modules\n",
    }).node!;
    expect(node.manager).toMatchObject({ value: "yarn-berry", sure: true });
    expect(node.manager.evidence).toEqual([{ file: "yarn.lock", text: "lockfile yarn.lock" }]);
  });

  it.each([
    ["pnpm@9.12.0", "pnpm"],
    ["yarn@4.5.1", "yarn-berry"],
    ["yarn@1.22.22", "yarn"],
    ["bun@1.1.30", "bun"],
    ["npm@10.9.0", "npm"],
  ])("packageManager %s without a lockfile → %s", (field, manager) => {
    const node = detect({ "package.json": app({ packageManager: field }), "server.js": SERVER }).node!;
    expect(node.manager).toEqual({
      value: manager,
      evidence: [{ file: "package.json", text: `"packageManager": "${field}"` }],
      sure: true,
      how: "from packageManager",
    });
    expect(node.lockfile).toBeUndefined();
  });

  it("no lockfile and no packageManager: npm, saying the install cannot be frozen", () => {
    const node = detect({ "package.json": app(), "server.js": SERVER }).node!;
    expect(node.manager).toMatchObject({ value: "npm", evidence: [], sure: true });
    expect(node.manager.how).toMatch(/^no lockfile/);
    expect(node.lockfile).toBeUndefined();
  });
});

describe("node version", () => {
  it.each([
    [".nvmrc", "20", "20.20.2"],
    [".nvmrc", "v20.20.2", "20.20.2"],
    [".nvmrc", "22", "22.21.1"],
    [".node-version", "24", "24.11.1"],
    [".node-version", "18.20.8", "18.20.8"],
  ])("%s %s → %s", (file, text, version) => {
    const node = detect({ "package.json": app(), "server.js": SERVER, [file]: `${text}\n` }).node!;
    expect(node.version).toEqual({
      value: version,
      evidence: [{ file, text }],
      sure: true,
      how: `from ${file}`,
    });
  });

  it("lts/* in .nvmrc falls back to the default line", () => {
    const node = detect({ "package.json": app(), "server.js": SERVER, ".nvmrc": "lts/*\n" }).node!;
    expect(node.version).toMatchObject({ value: "20.20.2", evidence: [], sure: true });
  });

  it.each([
    [">=20.11", "20.20.2"],
    ["^22", "22.21.1"],
    ["20.x", "20.20.2"],
    [">=18 <23", "20.20.2"],
    [">=18.17 <=22", "20.20.2"],
    [">=21 <23", "22.21.1"],
    ["^20 || ^22", "22.21.1"],
  ])("engines.node %s → %s", (range, version) => {
    const node = detect({ "package.json": app({ engines: { node: range } }), "server.js": SERVER }).node!;
    expect(node.version).toEqual({
      value: version,
      evidence: [{ file: "package.json", text: `engines.node ${range}` }],
      sure: true,
      how: "from package.json",
    });
  });

  it("volta.node pins an exact version", () => {
    const node = detect({ "package.json": app({ volta: { node: "22.21.1" } }), "server.js": SERVER }).node!;
    expect(node.version).toMatchObject({
      value: "22.21.1",
      evidence: [{ file: "package.json", text: "volta.node 22.21.1" }],
      sure: true,
    });
  });

  it(".nvmrc wins over engines.node", () => {
    const node = detect({
      "package.json": app({ engines: { node: ">=18" } }),
      "server.js": SERVER,
      ".nvmrc": "22\n",
    }).node!;
    expect(node.version.value).toBe("22.21.1");
    expect(node.version.evidence[0]?.file).toBe(".nvmrc");
  });

  it("a line shipshape does not know → the default, not sure", () => {
    const node = detect({ "package.json": app(), "server.js": SERVER, ".nvmrc": "16\n" }).node!;
    expect(node.version).toMatchObject({
      value: "20.20.2",
      evidence: [{ file: ".nvmrc", text: "16" }],
      sure: false,
    });
    expect(node.version.how).toContain("Node 16 is not a line shipshape knows");
  });
});

describe("workspaces", () => {
  const api = pkg({
    name: "@acme/api",
    scripts: { start: "node server.js" },
    dependencies: { express: "^4" },
  });
  const web = pkg({ name: "@acme/web", scripts: { build: "vite build" }, devDependencies: { vite: "^5" } });
  const lib = pkg({ name: "@acme/lib" });
  const members = {
    "apps/api/package.json": api,
    "apps/api/server.js": SERVER,
    "apps/web/package.json": web,
    "packages/lib/package.json": lib,
  };

  it.each([
    ["a workspaces array", { "package.json": pkg({ private: true, workspaces: ["apps/*", "packages/*"] }) }],
    [
      "workspaces.packages",
      { "package.json": pkg({ private: true, workspaces: { packages: ["apps/*", "packages/*"] } }) },
    ],
    [
      "pnpm-workspace.yaml",
      {
        "package.json": pkg({ private: true }),
        "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n  - \"packages/*\"\n",
        "pnpm-lock.yaml": "",
      },
    ],
  ])("%s: the one workspace with a start script is the app", (_name, root) => {
    const profile = detect({ ...root, ...members });
    expect(profile.dir).toBe("apps/api");
    expect(profile.name).toBe("@acme/api");
    expect(profile.node?.workspaces).toEqual(["apps/api", "apps/web", "packages/lib"]);
    expect(profile.start.value).toEqual(["node", "server.js"]);
  });

  it("the root lockfile counts for a workspace", () => {
    const profile = detect({
      "package.json": pkg({ private: true }),
      "pnpm-workspace.yaml": "packages:\n  - apps/*\n",
      "pnpm-lock.yaml": "",
      ...members,
    });
    expect(profile.node?.manager.value).toBe("pnpm");
    expect(profile.node?.lockfile).toBe("pnpm-lock.yaml");
  });

  const several = {
    "package.json": pkg({ private: true, workspaces: ["apps/*"] }),
    ...members,
    "apps/worker/package.json": pkg({ name: "worker", scripts: { start: "node worker.js" } }),
    "apps/worker/worker.js": "setInterval(() => {}, 1000);\n",
  };

  it("several servers: a UsageError that names --app and the workspaces", () => {
    const error = (() => {
      try {
        detect(several);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain("--app");
    expect((error as UsageError).hint).toBe("workspaces: apps/api, apps/web, apps/worker");
  });

  it.each(["apps/api", "./apps/api/"])("--app %s picks that workspace", (choice) => {
    const profile = detect(several, { app: choice });
    expect(profile.dir).toBe("apps/api");
    expect(profile.framework.value).toBe("express");
    expect(profile.start.evidence).toEqual([
      { file: "apps/api/package.json", line: lineOf(api, '"start"'), text: '"start": "node server.js"' },
    ]);
  });

  it("--app pointing nowhere is a UsageError", () => {
    expect(() => detect(several, { app: "nowhere" })).toThrow(UsageError);
    expect(() => detect(several, { app: "nowhere" })).toThrow(/--app nowhere/);
  });
});

describe("frameworks", () => {
  it.each([
    ["express", "express", "server"],
    ["fastify", "fastify", "server"],
    ["koa", "koa", "server"],
    ["hono", "hono", "server"],
    ["@nestjs/core", "nestjs", "server"],
    ["@remix-run/node", "remix", "server"],
    ["@react-router/node", "react-router", "server"],
    ["astro", "astro", "server"],
    ["@sveltejs/kit", "sveltekit", "server"],
  ])("%s → %s", (dependency, framework, kind) => {
    const json = pkg({
      name: "x",
      scripts: { start: "node server.js" },
      dependencies: { [dependency]: "1" },
    });
    const profile = detect({ "package.json": json, "server.js": "" });
    expect(profile.framework).toEqual({
      value: framework,
      evidence: [{ file: "package.json", line: lineOf(json, `"${dependency}":`), text: `"${dependency}"` }],
      sure: true,
      how: "from dependencies",
    });
    expect(profile.kind).toBe(kind);
  });

  it("no framework dependency: plain node", () => {
    const profile = detect({ "package.json": pkg({ name: "x", main: "index.js" }), "index.js": "" });
    expect(profile.framework).toMatchObject({ value: "node-http", evidence: [], sure: true });
  });

  const nextPkg = pkg({
    name: "web",
    scripts: { build: "next build", start: "next start" },
    dependencies: { next: "15.0.0", react: "19.0.0" },
  });

  it("next with output standalone runs node server.js", () => {
    const config =
      'const nextConfig = {\n  reactStrictMode: true,\n  output: "standalone",\n};\nexport default nextConfig;\n';
    const profile = detect({ "package.json": nextPkg, "next.config.mjs": config, "public/x.svg": "" });
    expect(profile.kind).toBe("next-standalone");
    expect(profile.start).toEqual({
      value: ["node", "server.js"],
      evidence: [{ file: "next.config.mjs", line: 3, text: 'output: "standalone"' }],
      sure: true,
      how: "Next.js standalone output",
    });
    expect(profile.runtimeFiles).toEqual(["public"]);
    expect(profile.port).toMatchObject({ value: 3000, sure: true, how: "next default" });
    expect(profile.portEnv).toBe("PORT");
  });

  it("next without standalone runs the next binary", () => {
    const profile = detect({ "package.json": nextPkg, "next.config.mjs": "export default {};\n" });
    expect(profile.kind).toBe("server");
    expect(profile.start.value).toEqual(["node", "node_modules/next/dist/bin/next", "start"]);
    expect(profile.start.evidence).toEqual([
      { file: "package.json", line: lineOf(nextPkg, '"start"'), text: '"start": "next start"' },
    ]);
    expect(profile.build?.outDir).toBe(".next");
  });

  it("a vite SPA with no server of its own is static on 8080 with /healthz", () => {
    const json = pkg({
      name: "spa",
      scripts: { dev: "vite", build: "tsc && vite build", preview: "vite preview" },
      devDependencies: { typescript: "^5", vite: "^5" },
    });
    const profile = detect({ "package.json": json, "index.html": "<div id=app></div>", "src/main.ts": "" });
    expect(profile.framework.value).toBe("vite-spa");
    expect(profile.kind).toBe("static");
    expect(profile.start).toMatchObject({ value: ["node", "/srv/serve-static.mjs"], sure: true });
    expect(profile.start.evidence).toEqual([
      { file: "package.json", line: lineOf(json, '"build"'), text: '"build": "tsc && vite build"' },
    ]);
    expect(profile.port).toMatchObject({ value: 8080, sure: true });
    expect(profile.health).toMatchObject({ value: "/healthz", sure: true });
    expect(profile.build).toMatchObject({ tool: "vite", outDir: "dist" });
    expect(profile.unsure).toEqual([]);
  });

  it("create-react-app with its dev start script is static, built to build/", () => {
    const json = pkg({
      name: "cra",
      scripts: { start: "react-scripts start", build: "react-scripts build" },
      dependencies: { react: "18", "react-scripts": "5.0.1" },
    });
    const profile = detect({ "package.json": json, "src/index.js": "" });
    expect(profile.framework.value).toBe("cra-spa");
    expect(profile.kind).toBe("static");
    expect(profile.build).toMatchObject({ tool: "react-scripts", outDir: "build" });
  });
});

describe("build step", () => {
  it("tsc reads outDir from a tsconfig with comments, trailing commas and globs in strings", () => {
    const tsconfig = `{
  // compiled output
  "compilerOptions": {
    "outDir": "./build/", /* emitted JS */
    "strict": true,
  },
  "include": ["src/**/*"],
}
`;
    const json = pkg({ name: "x", scripts: { build: "tsc -p .", start: "node build/index.js" } });
    const profile = detect({ "package.json": json, "tsconfig.json": tsconfig, "src/index.ts": "" });
    expect(profile.build).toEqual({
      command: ["npm", "run", "build"],
      tool: "tsc",
      outDir: "build",
      evidence: [{ file: "package.json", line: lineOf(json, '"build"'), text: '"build": "tsc -p ."' }],
    });
  });

  it.each([
    ["vite build", "vite", "dist"],
    ["vite build --outDir www", "vite", "www"],
    ["next build", "next", ".next"],
    ["tsup src/index.ts --out-dir build", "tsup", "build"],
    ["esbuild src/index.ts --bundle --outfile=out/server.js", "esbuild", "out"],
    ["rimraf dist && tsc", "tsc", undefined],
  ])("%s → %s into %s", (script, tool, outDir) => {
    const profile = detect({ "package.json": pkg({ name: "x", scripts: { build: script } }) });
    expect(profile.build?.tool).toBe(tool);
    expect(profile.build?.outDir).toBe(outDir);
  });

  it.each([
    ["pnpm-lock.yaml", ["pnpm", "run", "build"]],
    ["yarn.lock", ["yarn", "build"]],
    ["bun.lock", ["bun", "run", "build"]],
  ])("the build runs with the package manager of %s", (lockfile, command) => {
    const profile = detect({ "package.json": pkg({ name: "x", scripts: { build: "tsc" } }), [lockfile]: "" });
    expect(profile.build?.command).toEqual(command);
  });

  it("no build script: no build step", () => {
    expect(detect({ "package.json": app(), "server.js": SERVER }).build).toBeUndefined();
  });
});

describe("build step run directly (build.direct)", () => {
  const TOOLS = { typescript: "~5.9.3", vite: "^7.1.0", "@nestjs/cli": "^11.0.0" };
  /** An app with a build script, its tools as devDependencies, and a lockfile. */
  const files = (
    scripts: Record<string, string>,
    extra: Record<string, string> = {},
    fields: object = {},
  ): Record<string, string> => ({
    "package.json": pkg({
      name: "x",
      scripts: { start: "node dist/index.js", ...scripts },
      dependencies: { express: "^4" },
      devDependencies: TOOLS,
      ...fields,
    }),
    "package-lock.json": "{}",
    "src/index.ts": SERVER,
    ...extra,
  });

  it.each([
    ["tsc", ["tsc"]],
    ["tsc -p tsconfig.build.json", ["tsc", "-p", "tsconfig.build.json"]],
    ["vite build", ["vite", "build"]],
    ["vite build --outDir=www --mode production", ["vite", "build", "--outDir=www", "--mode", "production"]],
    ["nest build", ["nest", "build"]],
    ["  tsc   -p  .  ", ["tsc", "-p", "."]],
  ])("%s → the tool's own argv", (script, argv) => {
    const profile = detect(files({ build: script }));
    expect(profile.build?.direct).toEqual(argv);
    // What npm would run and where it came from are unchanged.
    expect(profile.build?.command).toEqual(["npm", "run", "build"]);
    expect(profile.build?.evidence).toEqual([
      { file: "package.json", line: 5, text: `"build": "${script}"` },
    ]);
  });

  it("next from dependencies", () => {
    const profile = detect({
      "package.json": pkg({
        name: "x",
        scripts: { build: "next build", start: "next start" },
        dependencies: { next: "^15", react: "^19" },
      }),
      "package-lock.json": "{}",
    });
    expect(profile.build?.direct).toEqual(["next", "build"]);
  });

  it.each([
    ["pnpm-lock.yaml", ["pnpm", "run", "build"]],
    ["yarn.lock", ["yarn", "build"]],
  ])("%s (bins in node_modules/.bin) → direct too", (lockfile, command) => {
    const { "package-lock.json": _, ...rest } = files({ build: "tsc" });
    const profile = detect({ ...rest, [lockfile]: "" });
    expect(profile.build?.command).toEqual(command);
    expect(profile.build?.direct).toEqual(["tsc"]);
  });

  it.each([
    ["two commands", files({ build: "tsc && cp x y" })],
    ["a pipeline", files({ build: "tsc | tee log" })],
    ["a sequence", files({ build: "tsc; vite build" })],
    ["an env assignment", files({ build: "NODE_ENV=production tsc" })],
    ["quotes", files({ build: 'tsc -p "tsconfig.build.json"' })],
    ["a variable", files({ build: "tsc -p $TSCONFIG" })],
    ["a glob", files({ build: "esbuild src/*.ts --outdir=dist" })],
    ["a redirection", files({ build: "tsc > build.log" })],
    ["a subshell", files({ build: "(tsc)" })],
    ["npx", files({ build: "npx tsc" })],
    ["npm run", files({ build: "npm run compile", compile: "tsc" })],
    ["node", files({ build: "node build.mjs" })],
    ["a path to the tool", files({ build: "./node_modules/.bin/tsc" })],
    ["an unknown tool", files({ build: "gulp build" })],
    ["a prebuild script", files({ build: "tsc", prebuild: "rimraf dist" })],
    ["a postbuild script", files({ build: "tsc", postbuild: "cp -r assets dist" })],
    [
      "a tool not in dependencies",
      files({ build: "tsup src/index.ts" }), // tsup is not declared
    ],
    [
      "yarn berry",
      (() => {
        const { "package-lock.json": _, ...rest } = files({ build: "tsc" });
        return { ...rest, "yarn.lock": "", ".yarnrc.yml": "nodeLinker: node-modules\n" };
      })(),
    ],
    [
      "bun",
      (() => {
        const { "package-lock.json": _, ...rest } = files({ build: "tsc" });
        return { ...rest, "bun.lock": "" };
      })(),
    ],
    ["yarn 1 Plug'n'Play", files({ build: "tsc" }, {}, { installConfig: { pnp: true } })],
    [
      "pnpm's node-linker=pnp",
      (() => {
        const { "package-lock.json": _, ...rest } = files({ build: "tsc" });
        return { ...rest, "pnpm-lock.yaml": "", ".npmrc": "node-linker=pnp\n" };
      })(),
    ],
    [
      "code that reads npm's script variables",
      files(
        { build: "vite build" },
        { "vite.config.ts": "export default { define: { V: process.env.npm_package_version } };\n" },
      ),
    ],
  ])("%s → through the package manager", (_name, tree) => {
    const profile = detect(tree);
    expect(profile.build).toBeDefined();
    expect(profile.build?.direct).toBeUndefined();
  });

  it("a workspace of a monorepo → through the package manager", () => {
    const profile = detect({
      "package.json": pkg({ private: true, workspaces: ["apps/*"] }),
      "package-lock.json": "{}",
      "apps/api/package.json": pkg({
        name: "api",
        scripts: { build: "tsc", start: "node dist/index.js" },
        dependencies: { express: "^4" },
        devDependencies: { typescript: "~5.9.3" },
      }),
      "apps/api/src/index.ts": SERVER,
    });
    expect(profile.dir).toBe("apps/api");
    expect(profile.build?.tool).toBe("tsc");
    expect(profile.build?.direct).toBeUndefined();
  });

  it("an app below its parent's lockfile (bins may be hoisted) → through the package manager", () => {
    const { "package-lock.json": _, ...app } = files({ build: "tsc" });
    const tree = Object.fromEntries(Object.entries(app).map(([path, text]) => [`api/${path}`, text]));
    const profile = detect({ ...tree, "package-lock.json": "{}" }, { app: "api" });
    expect(profile.build?.tool).toBe("tsc");
    expect(profile.build?.direct).toBeUndefined();
    const own = detect({ ...tree, "api/package-lock.json": "{}" }, { app: "api" });
    expect(own.build?.direct).toEqual(["tsc"]);
  });
});

describe("start command", () => {
  const tsconfig = '{ "compilerOptions": { "outDir": "dist", "rootDir": "src" } }\n';

  it("a start script that runs node", () => {
    const json = pkg({ name: "x", scripts: { build: "tsc", start: "node dist/index.js" } });
    const profile = detect({ "package.json": json, "tsconfig.json": tsconfig, "src/index.ts": "" });
    expect(profile.start).toEqual({
      value: ["node", "dist/index.js"],
      evidence: [
        { file: "package.json", line: lineOf(json, '"start"'), text: '"start": "node dist/index.js"' },
      ],
      sure: true,
      how: "the `start` script",
    });
    expect(profile.defects).toEqual([]);
    expect(profile.runtimeFiles).toEqual(["package.json"]);
  });

  it("`nest start` loses to start:prod, and is recorded as a dev-server start", () => {
    const json = pkg({
      name: "nest",
      scripts: { build: "nest build", start: "nest start", "start:prod": "node dist/main" },
      dependencies: { "@nestjs/core": "^10" },
    });
    const profile = detect({ "package.json": json, "src/main.ts": "" });
    expect(profile.start).toEqual({
      value: ["node", "dist/main"],
      evidence: [
        { file: "package.json", line: lineOf(json, '"start:prod"'), text: '"start:prod": "node dist/main"' },
      ],
      sure: true,
      how: "the `start:prod` script",
    });
    expect(profile.defects).toEqual([
      expect.objectContaining({
        id: "dev-server-start",
        evidence: { file: "package.json", line: lineOf(json, '"start"'), text: '"start": "nest start"' },
      }),
    ]);
    expect(profile.defects[0]?.edit).toBeUndefined();
  });

  it("a ts-node start with a tsc build → the compiled entry under rootDir", () => {
    const json = pkg({ name: "x", scripts: { build: "tsc", start: "ts-node src/index.ts" } });
    const profile = detect({ "package.json": json, "tsconfig.json": tsconfig, "src/index.ts": "" });
    expect(profile.start).toEqual({
      value: ["node", "dist/index.js"],
      evidence: [{ file: "src/index.ts", text: "src/index.ts compiled to dist/index.js" }],
      sure: true,
      how: "the compiled entry of the conventional source file",
    });
    expect(profile.defects.map((d) => d.id)).toEqual(["dev-server-start"]);
    expect(profile.unsure.map((u) => u.flag)).not.toContain("--start");
  });

  it("without rootDir, an include of src/ alone makes src the root (as tsc infers it)", () => {
    const json = pkg({ name: "x", scripts: { build: "tsc", start: "ts-node src/server.ts" } });
    const profile = detect({
      "package.json": json,
      "tsconfig.json": '{ "compilerOptions": { "outDir": "dist" }, "include": ["src"] }\n',
      "src/server.ts": "",
    });
    expect(profile.start).toMatchObject({ value: ["node", "dist/server.js"], sure: true });
  });

  it("without rootDir or include the compiled path is a guess: not sure", () => {
    const json = pkg({ name: "x", scripts: { build: "tsc", start: "ts-node src/server.ts" } });
    const profile = detect({
      "package.json": json,
      "tsconfig.json": '{ "compilerOptions": { "outDir": "dist" } }\n',
      "src/server.ts": "",
    });
    expect(profile.start).toMatchObject({ value: ["node", "dist/src/server.js"], sure: false });
    expect(profile.unsure.map((u) => u.flag)).toContain("--start");
  });

  it("a nodemon start falls back to the entry file that exists", () => {
    const json = pkg({ name: "x", scripts: { start: "nodemon src/index.js" }, dependencies: { koa: "2" } });
    const profile = detect({ "package.json": json, "src/index.js": "" });
    expect(profile.start).toEqual({
      value: ["node", "src/index.js"],
      evidence: [{ file: "src/index.js", text: "entry file src/index.js" }],
      sure: true,
      how: "the conventional entry file",
    });
    expect(profile.defects[0]).toMatchObject({
      id: "dev-server-start",
      evidence: {
        file: "package.json",
        line: lineOf(json, '"start"'),
        text: '"start": "nodemon src/index.js"',
      },
    });
  });

  it.each(["app.js", "./app.js"])("the main field (%s)", (main) => {
    const json = pkg({ name: "x", main, dependencies: { hono: "4" } });
    const profile = detect({ "package.json": json, "app.js": "" });
    expect(profile.start).toEqual({
      value: ["node", "app.js"],
      evidence: [{ file: "package.json", line: lineOf(json, '"main"'), text: `"main": "${main}"` }],
      sure: true,
      how: "the `main` field",
    });
  });

  it("no start script and no entry: a guess, not sure, and --start is asked for", () => {
    const profile = detect({ "package.json": pkg({ name: "x", dependencies: { express: "4" } }) });
    expect(profile.start).toEqual({
      value: ["node", "index.js"],
      evidence: [],
      sure: false,
      how: "no start script or entry file found",
    });
    expect(profile.unsure).toContainEqual({ flag: "--start", why: "no start script or entry file found" });
  });

  it("a start script that is not a plain node command is kept, but not sure", () => {
    const json = pkg({ name: "x", scripts: { start: "node -r dotenv/config server.js && echo" } });
    const profile = detect({ "package.json": json });
    expect(profile.start.sure).toBe(false);
    expect(profile.start.how).toBe("the `start` script is not a plain `node` command");
  });

  it("--start overrides detection and is sure", () => {
    const profile = detect({ "package.json": app(), "server.js": SERVER }, { start: ["node", "x.js"] });
    expect(profile.start).toEqual({ value: ["node", "x.js"], evidence: [], sure: true, how: "--start" });
    expect(profile.unsure.map((u) => u.flag)).not.toContain("--start");
  });
});

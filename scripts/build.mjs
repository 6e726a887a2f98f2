// Bundles the CLI and the library into dist/ with esbuild, so the CLI starts without resolving
// hundreds of modules. dockerode stays external (it loads optional native modules) and is only
// imported by the commands that talk to the engine.
import { rmSync } from "node:fs";
import { build } from "esbuild";

const started = Date.now();
// Chunk names are content hashes: clear old ones so dist/ holds exactly one build.
rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: { cli: "src/cli/main.ts", index: "src/index.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  external: ["dockerode"],
  // yaml's node build reads process.env (LOG_TOKENS, LOG_STREAM) for every token it parses, which
  // is 40% of the time it takes on a compose file; its browser build is the same code without it.
  alias: { yaml: "./node_modules/yaml/browser/index.js" },
  banner: {
    js: "import { createRequire as __ssCreateRequire } from 'node:module'; const require = __ssCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
if (!process.argv.includes("--quiet")) console.log(`built dist/ in ${Date.now() - started} ms`);

// Bundles the CLI and the library into dist/ with esbuild, so the CLI starts without resolving
// hundreds of modules. dockerode stays external (it loads optional native modules) and is only
// imported by the commands that talk to the engine.
import { build } from "esbuild";

const started = Date.now();
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
  banner: {
    js: "import { createRequire as __ssCreateRequire } from 'node:module'; const require = __ssCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
if (!process.argv.includes("--quiet")) console.log(`built dist/ in ${Date.now() - started} ms`);

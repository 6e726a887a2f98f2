#!/usr/bin/env node
// The shipshape command. The code lives in dist/ (bundled by `npm run build`, which `npm ci` runs).
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write("error: shipshape is not built (dist/cli.js is missing)\nhint: run npm run build\n");
  process.exit(2);
}
await import(cli.href);

// Benchmark of `shipshape verify`'s image-contents scan (src/verify/contents.ts): exports an image
// once to a temporary `docker save` archive, then times inspectImageContents over that file and
// prints MB/s (archive bytes per second of wall time), the findings and the layers it read.
//
//   node scripts/bench-contents.mjs                       (node:latest, 3 runs)
//   BENCH_IMAGE=shipshape-test/ai-naive-express:it BENCH_CONTENTS_RUNS=5 node scripts/bench-contents.mjs
//   BENCH_ARCHIVE=/tmp/image.tar node scripts/bench-contents.mjs   (an archive you already saved)
//
// Needs a Docker engine (DOCKER_HOST or the default socket) unless BENCH_ARCHIVE is given.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const image = process.env.BENCH_IMAGE ?? "node:latest";
const runs = Math.max(1, Number(process.env.BENCH_CONTENTS_RUNS ?? 3));
const archiveDir = mkdtempSync(join(tmpdir(), "shipshape-bench-contents-"));
// The library bundle (npm run build): the scan and the engine adapter as users get them.
const { Engine, inspectImageContents } = await import(pathToFileURL(join(root, "dist/index.js")).href);
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

try {
  let archive = process.env.BENCH_ARCHIVE;
  if (!archive) {
    archive = join(archiveDir, "image.tar");
    const engine = await Engine.connect();
    const started = performance.now();
    const stream = await engine.exportImage(image);
    await pipeline(stream, createWriteStream(archive));
    console.log(`exported ${image} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const bytes = statSync(archive).size;
  console.log(`archive: ${(bytes / 1e6).toFixed(1)} MB, ${runs} run${runs === 1 ? "" : "s"}`);

  const times = [];
  let result;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    result = await inspectImageContents(createReadStream(archive, { highWaterMark: 1 << 20 }));
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const best = times[0];
  console.log(
    `inspectImageContents: median ${(median / 1000).toFixed(2)} s = ${(bytes / 1e6 / (median / 1000)).toFixed(0)} MB/s` +
      ` (best ${(best / 1000).toFixed(2)} s = ${(bytes / 1e6 / (best / 1000)).toFixed(0)} MB/s)`,
  );
  // The same bytes through a bare read (the ceiling the disk and stream set).
  const started = performance.now();
  for await (const _ of createReadStream(archive, { highWaterMark: 1 << 20 }));
  const read = performance.now() - started;
  console.log(`bare read of the archive: ${(bytes / 1e6 / (read / 1000)).toFixed(0)} MB/s`);

  console.log(
    `${result.layers.length} layers (${result.baseLayerCount} from the base), ${mb(result.totalBytes)}, ${result.findings.length} findings:`,
  );
  for (const finding of result.findings) {
    const deleted =
      finding.deletedInLayer === undefined ? "" : ` (deleted in layer ${finding.deletedInLayer})`;
    console.log(
      `  ${finding.severity.padEnd(7)} ${finding.kind.padEnd(14)} layer ${finding.layer.index}${deleted}: ${finding.detail.slice(0, 150)}`,
    );
  }
  for (const note of result.notes) console.log(`  note: ${note}`);
} finally {
  rmSync(archiveDir, { recursive: true, force: true });
}

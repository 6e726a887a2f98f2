// Benchmark of `shipshape init` on ai-naive-express: the app's own naive Dockerfile against the one
// init generates, in one run on the real engine: image size, cold build time (builder cache pruned
// first, so neither build reuses layers or cache mounts), and the warm rebuild after a one-line
// source change. Targets (issue 4): generated image ≤ 50% of the naive size; warm rebuild ≤ 25%.
//
//   node scripts/bench-init.mjs     (also run by `npm run bench` when an engine answers)
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin/shipshape.js");
// The docker CLI that builds with BuildKit (the one on PATH may lack buildx here): SHIPSHAPE_DOCKER.
const docker = process.env.SHIPSHAPE_DOCKER ?? (existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker");
const env = { ...process.env, DOCKER_BUILDKIT: "1" };

function run(args, options = {}) {
  const result = spawnSync(docker, args, { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    const tail = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().split("\n").slice(-12).join("\n  ");
    throw new Error(`${docker} ${args.join(" ")} failed:\n  ${tail}`);
  }
  return result.stdout.trim();
}

function timedBuild(dir, tag, extra = []) {
  const started = process.hrtime.bigint();
  run(["build", "--progress=plain", ...extra, "-t", tag, dir]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const s = (seconds) => `${seconds.toFixed(1)} s`;
const WARM_REBUILDS = 5;
const pct = (value) => `${(value * 100).toFixed(0)}%`;

export async function benchInit() {
  if (spawnSync(docker, ["info"], { stdio: "ignore" }).status !== 0) {
    console.log(
      "\ninit: no engine answers (run scripts/testbed.sh): image size and build times not measured",
    );
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "shipshape-bench-init-"));
  const naive = join(work, "naive");
  const generated = join(work, "generated");
  const tags = { naive: "shipshape-bench/naive:latest", generated: "shipshape-bench/generated:latest" };
  try {
    cpSync(join(root, "test/fixtures/apps/ai-naive-express"), naive, { recursive: true });
    cpSync(naive, generated, { recursive: true });
    mkdirSync(join(work, "aside"));
    for (const name of ["Dockerfile", "docker-compose.yml"])
      renameSync(join(generated, name), join(work, "aside", name));
    const init = spawnSync(process.execPath, [bin, "init", generated, "--yes"], { encoding: "utf8" });
    if (init.status !== 0) throw new Error(`shipshape init failed: ${init.stderr}`);

    console.log(
      `\ninit on ai-naive-express: the naive Dockerfile vs the generated one (${docker}, BuildKit)`,
    );
    const cold = {};
    for (const kind of ["naive", "generated"]) {
      run(["builder", "prune", "-af"]);
      cold[kind] = timedBuild(kind === "naive" ? naive : generated, tags[kind], ["--no-cache"]);
    }
    // Warm: the median of five rebuilds, each after a different one-line change to the source (the
    // naive one reinstalls from the registry every time, which varies by a second or more).
    const warm = {};
    const warmTimes = {};
    for (const kind of ["naive", "generated"]) {
      const dir = kind === "naive" ? naive : generated;
      timedBuild(dir, tags[kind]); // the cache is this build's own: a rebuild with nothing changed
      const times = [];
      for (let i = 0; i < WARM_REBUILDS; i++) {
        appendFileSync(join(dir, "src/index.ts"), `\n// bench: a one-line change ${i} ${Date.now()}\n`);
        times.push(timedBuild(dir, tags[kind]));
      }
      warm[kind] = times.toSorted((a, b) => a - b)[Math.floor(WARM_REBUILDS / 2)];
      warmTimes[kind] = times;
    }
    const size = {};
    for (const kind of ["naive", "generated"])
      size[kind] = Number(run(["image", "inspect", "-f", "{{.Size}}", tags[kind]]));

    const sizeRatio = size.generated / size.naive;
    const warmRatio = warm.generated / warm.naive;
    console.log(`${"".padEnd(30)}${"naive".padStart(10)}${"generated".padStart(12)}`);
    console.log(
      `${"image size".padEnd(30)}${mb(size.naive).padStart(10)}${mb(size.generated).padStart(12)}   ${pct(sizeRatio)} of naive   target ≤ 50%  ${sizeRatio <= 0.5 ? "ok" : "MISSED"}`,
    );
    console.log(
      `${"cold build (no cache)".padEnd(30)}${s(cold.naive).padStart(10)}${s(cold.generated).padStart(12)}`,
    );
    console.log(
      `${`warm rebuild (median of ${WARM_REBUILDS})`.padEnd(30)}${s(warm.naive).padStart(10)}${s(warm.generated).padStart(12)}   ${pct(warmRatio)} of naive   target ≤ 25%  ${warmRatio <= 0.25 ? "ok" : "MISSED"}`,
    );
    console.log(
      `  each warm rebuild, in order: naive ${warmTimes.naive.map((t) => t.toFixed(2)).join(", ")} s; generated ${warmTimes.generated.map((t) => t.toFixed(2)).join(", ")} s (ratio ${(warmRatio * 100).toFixed(1)}%)`,
    );
  } finally {
    for (const tag of Object.values(tags)) spawnSync(docker, ["image", "rm", "-f", tag], { stdio: "ignore" });
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchInit();

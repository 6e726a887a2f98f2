// Benchmarks with printed figures (never timed tests). Today: how fast the CLI starts.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/shipshape.js", import.meta.url));
if (!existsSync(fileURLToPath(new URL("../dist/cli.js", import.meta.url)))) {
  console.error("error: dist/ is missing\nhint: npm run build");
  process.exit(2);
}

const runs = Number(process.env.BENCH_RUNS ?? 20);
const cases = [
  { name: "shipshape --version", args: ["--version"], env: {} },
  { name: "shipshape --help", args: ["--help"], env: {} },
  { name: "shipshape check (not built)", args: ["check"], env: {} },
  {
    name: "shipshape doctor (no engine)",
    args: ["doctor"],
    env: { DOCKER_HOST: "unix:///nonexistent.sock" },
  },
];

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

console.log(`CLI start-up, ${runs} runs each (wall time of the whole process, ms)`);
console.log(`${"case".padEnd(34)}${"median".padStart(8)}${"p95".padStart(8)}${"min".padStart(8)}`);
for (const bench of cases) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    spawnSync(process.execPath, [bin, ...bench.args], {
      env: { ...process.env, ...bench.env },
      stdio: "ignore",
    });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const fmt = (value) => value.toFixed(1).padStart(8);
  console.log(
    `${bench.name.padEnd(34)}${fmt(percentile(times, 50))}${fmt(percentile(times, 95))}${fmt(times[0])}`,
  );
}
const baseline = [];
for (let i = 0; i < runs; i++) {
  const started = process.hrtime.bigint();
  spawnSync(process.execPath, ["-e", ""], { stdio: "ignore" });
  baseline.push(Number(process.hrtime.bigint() - started) / 1e6);
}
baseline.sort((a, b) => a - b);
console.log(`${"node -e '' (baseline)".padEnd(34)}${percentile(baseline, 50).toFixed(1).padStart(8)}`);

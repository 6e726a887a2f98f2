// Benchmark of `shipshape verify` on hardened-express: the wall time of a full verify (clean
// build, its compose stack, all eight checks, cleanup) against, in the same run, the bare minimum
// a person would do by hand: `docker build --no-cache`, PostgreSQL up and healthy the same way,
// `docker run` of the API and its first healthy answer on /healthz. Target: verify ≤ 1.5× bare.
//
//   node scripts/bench-verify.mjs [--rounds N]      (needs the engine: bash scripts/testbed.sh)
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { get } from "node:http";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const app = `${root}test/fixtures/apps/hardened-express`;
const bin = `${root}bin/shipshape.js`;
const docker = process.env.SHIPSHAPE_DOCKER || "/usr/bin/docker";
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 1;
const tags = { bare: "shipshape-bench/verify-bare:latest", verify: "shipshape-bench/verify:latest" };
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const run = (args, options = {}) =>
  execFileSync(docker, args, {
    encoding: "utf8",
    env: { ...process.env, DOCKER_BUILDKIT: "1" },
    ...options,
  }).trim();

function status(url) {
  return new Promise((done) => {
    const request = get(url, { timeout: 2_000 }, (response) => {
      response.resume();
      done(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => done(0));
  });
}

async function bare() {
  const id = randomBytes(4).toString("hex");
  const network = `shipshape-bench-${id}`;
  const created = [];
  const started = Date.now();
  try {
    run(["build", "--no-cache", "-q", "-t", tags.bare, app], { stdio: ["ignore", "pipe", "inherit"] });
    const built = Date.now();
    run(["network", "create", "--label", "io.shipshape.bench=verify", network]);
    const password = randomBytes(16).toString("hex");
    // Postgres up the same way verify brings it up: compose's health check, a short interval.
    const db = run([
      "run",
      "-d",
      "--network",
      network,
      "--network-alias",
      "db",
      "-e",
      "POSTGRES_USER=notes",
      "-e",
      `POSTGRES_PASSWORD=${password}`,
      "-e",
      "POSTGRES_DB=notes",
      "--health-cmd",
      'pg_isready -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"',
      "--health-interval",
      "250ms",
      "--health-retries",
      "240",
      "postgres:15.18-bookworm",
    ]);
    created.push(db);
    while (run(["inspect", "-f", "{{.State.Health.Status}}", db]) !== "healthy") await sleep(100);
    const api = run([
      "run",
      "-d",
      "--network",
      network,
      "-p",
      "127.0.0.1::3000",
      "-e",
      `DATABASE_URL=postgres://notes:${password}@db:5432/notes`,
      tags.bare,
    ]);
    created.push(api);
    const port = run(["port", api, "3000/tcp"]).split("\n")[0].split(":").at(-1);
    while ((await status(`http://127.0.0.1:${port}/healthz`)) !== 200) await sleep(100);
    const healthy = Date.now();
    return { totalMs: healthy - started, buildMs: built - started };
  } finally {
    if (created.length) spawnSync(docker, ["rm", "-f", "-v", ...created], { stdio: "ignore" });
    spawnSync(docker, ["network", "rm", network], { stdio: "ignore" });
  }
}

function verify() {
  const started = Date.now();
  const result = spawnSync(process.execPath, [bin, "verify", app, "--tag", tags.verify, "--format", "json"], {
    encoding: "utf8",
    env: { ...process.env, SHIPSHAPE_DOCKER: docker, NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  const totalMs = Date.now() - started;
  const report = JSON.parse(result.stdout);
  const build = report.checks.find((check) => check.id === "build");
  if (result.status !== 0)
    throw new Error(
      `verify failed (exit ${result.status}): ${report.checks
        .filter((c) => c.status !== "pass")
        .map((c) => `${c.id}: ${c.summary}`)
        .join("; ")}`,
    );
  return { totalMs, buildMs: build.durationMs, checks: report.checks };
}

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  execFileSync(docker, ["info"], { stdio: "ignore" });
} catch {
  console.log("verify bench: no engine answers (run scripts/testbed.sh): not measured");
  process.exit(0);
}
console.log(
  `\nverify on hardened-express vs bare docker build --no-cache + run + first healthy answer (${docker}, ${rounds} round${rounds === 1 ? "" : "s"})`,
);
const results = { bare: [], verify: [] };
try {
  for (let round = 0; round < rounds; round++) {
    const b = await bare();
    results.bare.push(b);
    console.log(
      `  bare    ${s(b.totalMs)}  (build ${s(b.buildMs)}, postgres + run + first 200 ${s(b.totalMs - b.buildMs)})`,
    );
    const v = verify();
    results.verify.push(v);
    const slowest = v.checks.filter((c) => c.id !== "build").sort((a, b2) => b2.durationMs - a.durationMs)[0];
    console.log(
      `  verify  ${s(v.totalMs)}  (build ${s(v.buildMs)}, the other checks ${s(v.totalMs - v.buildMs)}; slowest: ${slowest.id} ${s(slowest.durationMs)})`,
    );
  }
  const bareMs = median(results.bare.map((r) => r.totalMs));
  const verifyMs = median(results.verify.map((r) => r.totalMs));
  const ratio = verifyMs / bareMs;
  console.log(`  ratio   ${ratio.toFixed(2)}× (target ≤ 1.5×: ${ratio <= 1.5 ? "met" : "NOT met"})`);
} finally {
  for (const tag of Object.values(tags)) spawnSync(docker, ["rmi", tag], { stdio: "ignore" });
}

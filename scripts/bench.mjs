// Benchmarks with printed figures (never timed tests): how fast the CLI starts, how many files
// `check` gets through per second on the synthetic corpus (scripts/corpus.mjs), the cold wall
// time of one `shipshape check` process on a fixture, and, when an engine answers, init's image
// size and rebuild times (bench-init.mjs) and verify against a bare build + run (bench-verify.mjs).
//
//   npm run bench      (builds dist/ first when it is missing or older than the sources)
//   BENCH_RUNS=20 BENCH_ROUNDS=10 BENCH_WARMUP=15 BENCH_CHECK_RUNS=11 BENCH_CORPUS=.bench/corpus
//   BENCH_INIT=0 BENCH_VERIFY=0 skip the engine benchmarks; BENCH_VERIFY_ROUNDS=3
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readCorpusManifest, writeCorpus } from "./corpus.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin/shipshape.js");
const distCli = join(root, "dist/cli.js");
const distIndex = join(root, "dist/index.js");

const runs = Number(process.env.BENCH_RUNS ?? 20);
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const checkRuns = Math.max(7, Number(process.env.BENCH_CHECK_RUNS ?? 11));
const warmUpRounds = Math.max(0, Number(process.env.BENCH_WARMUP ?? 15));
const corpusDir = process.env.BENCH_CORPUS ?? join(root, ".bench/corpus");
const checkFixture = "test/fixtures/apps/ai-naive-express";

const int = (value) => Math.round(value).toLocaleString("en-US");
const ms = (value) => value.toFixed(1);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// ---------------------------------------------------------------- build when missing or stale

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function ensureBuilt() {
  const built = [distCli, distIndex].filter(existsSync);
  const oldestBuild = built.length === 2 ? Math.min(...built.map((p) => statSync(p).mtimeMs)) : 0;
  const newestSource = Math.max(
    newestMtime(join(root, "src")),
    newestMtime(join(root, "package.json")),
    newestMtime(join(root, "scripts/build.mjs")),
  );
  if (oldestBuild >= newestSource) return;
  console.log(built.length < 2 ? "dist/ is missing: building" : "dist/ is older than src/: rebuilding");
  const result = spawnSync(process.execPath, [join(root, "scripts/build.mjs"), "--quiet"], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.status === 0) return;
  const reason = (result.stderr || result.stdout || "").trim().split("\n").slice(0, 6).join("\n  ");
  if (existsSync(distCli)) {
    console.log(`warning: the build failed; benchmarking the existing (stale) dist/\n  ${reason}`);
    return;
  }
  console.error(`error: the build failed and dist/ is missing\n  ${reason}\nhint: npm run build`);
  process.exit(2);
}

// ---------------------------------------------------------------- 1. CLI start-up

function emptyDir() {
  const dir = join(root, ".bench/empty");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function startup() {
  const cases = [
    { name: "shipshape --version", args: ["--version"], env: {} },
    { name: "shipshape --help", args: ["--help"], env: {} },
    // In an empty directory: start-up plus an empty walk, not the checking of this repository.
    { name: "shipshape check (empty dir)", args: ["check"], env: {}, cwd: emptyDir() },
    {
      name: "shipshape doctor (no engine)",
      args: ["doctor"],
      env: { DOCKER_HOST: "unix:///nonexistent.sock" },
    },
  ];
  console.log(`CLI start-up, ${runs} runs each (wall time of the whole process, ms)`);
  console.log(`${"case".padEnd(34)}${"median".padStart(8)}${"p95".padStart(8)}${"min".padStart(8)}`);
  for (const bench of cases) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      spawnSync(process.execPath, [bin, ...bench.args], {
        cwd: bench.cwd ?? root,
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
}

// ---------------------------------------------------------------- 2. check throughput

/**
 * The check core from the library bundle (dist/index.js). When that bundle lacks it (a dist/
 * built before the exports existed, or a build that failed), bundle the core from src/ instead.
 */
async function checkCore() {
  try {
    const lib = await import(pathToFileURL(distIndex).href);
    if (typeof lib.loadTree === "function" && typeof lib.projectFacts === "function" && lib.runRules) {
      return { ...pick(lib), from: "dist/index.js" };
    }
  } catch {
    // Fall through to bundling from source.
  }
  const { build } = await import("esbuild");
  const outfile = join(root, ".bench/check-core.mjs");
  mkdirSync(join(root, ".bench"), { recursive: true });
  await build({
    stdin: {
      contents: [
        'export { loadTree } from "./src/check/load.ts";',
        'export { projectFacts } from "./src/check/facts/project.ts";',
        'export { runRules } from "./src/check/engine.ts";',
      ].join("\n"),
      resolveDir: root,
      loader: "ts",
    },
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // As scripts/build.mjs bundles it: yaml's browser build (its node build reads process.env for
    // every token), so that this fallback measures the code that ships.
    alias: { yaml: join(root, "node_modules/yaml/browser/index.js") },
    banner: {
      js: "import { createRequire as __ssCreateRequire } from 'node:module'; const require = __ssCreateRequire(import.meta.url);",
    },
    logLevel: "error",
  });
  const lib = await import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
  return {
    ...pick(lib),
    from: "src/ (bundled into .bench/check-core.mjs: dist/index.js lacks the check core)",
  };
}

function pick(lib) {
  return { loadTree: lib.loadTree, projectFacts: lib.projectFacts, runRules: lib.runRules };
}

let oneCorePinned = false;

/**
 * Runs `body` with this process (every thread: V8's compiler and GC helpers too) on one CPU, so
 * that "one core" is what is measured; restores the affinity after. Without taskset (not Linux,
 * or util-linux missing) it says so and runs unpinned.
 */
async function onOneCore(body) {
  const pid = String(process.pid);
  const current = spawnSync("taskset", ["-p", "-c", pid], { encoding: "utf8" });
  const list = /list:\s*(\S+)/.exec(current.stdout ?? "")?.[1];
  if (current.status !== 0 || !list) {
    console.log("(taskset unavailable: the throughput figures below are not pinned to one CPU)");
    return body();
  }
  const cpu = list.split(",").at(-1).split("-").at(-1);
  oneCorePinned = spawnSync("taskset", ["-a", "-p", "-c", cpu, pid], { stdio: "ignore" }).status === 0;
  try {
    return await body(oneCorePinned ? `pinned to CPU ${cpu} with taskset` : undefined);
  } finally {
    spawnSync("taskset", ["-a", "-p", "-c", list, pid], { stdio: "ignore" });
  }
}

async function throughput(pinned) {
  if (!readCorpusManifest(corpusDir)) {
    const written = writeCorpus(corpusDir);
    console.log(
      `generated the corpus: ${written.counts.dockerfiles} Dockerfiles, ${written.counts.compose} compose files in ${written.apps} app directories`,
    );
  }
  const { loadTree, projectFacts, runRules, from } = await checkCore();
  const apps = readdirSync(corpusDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => join(corpusDir, entry.name))
    .sort();

  const trees = apps.map((dir) => loadTree(dir));
  let dockerfiles = 0;
  let composeFiles = 0;
  let filesRead = 0;
  let findings = 0;
  let problems = 0;
  const bySeverity = { error: 0, warning: 0, info: 0 };
  const ruleIds = new Set();
  for (const tree of trees) {
    const facts = projectFacts(tree);
    dockerfiles += facts.dockerfiles.length;
    composeFiles += facts.composeFiles.length;
    filesRead += tree.texts.size;
    const result = runRules(facts);
    findings += result.findings.length;
    problems += result.problems.length;
    for (const finding of result.findings) {
      bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
      ruleIds.add(finding.ruleId);
    }
  }
  const files = dockerfiles + composeFiles;

  const timeRound = (body) => {
    const started = process.hrtime.bigint();
    body();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  // Throughput is the steady state. V8 tiers a function up after enough calls, and most of the
  // check runs once per app directory (60 per round): rounds keep getting faster until about the
  // tenth, so a short warm-up measures the compiler rather than the check. The first round (cold
  // code, as a one-off `shipshape check` of a large tree meets it) is printed beside it.
  const timeRounds = (count, body) => {
    const warmUp = [];
    for (let i = 0; i < warmUpRounds; i++) warmUp.push(timeRound(body));
    const times = [];
    for (let i = 0; i < count; i++) times.push(timeRound(body));
    return { warmUp, times };
  };
  const report = (label, { warmUp, times }) => {
    const total = times.reduce((sum, t) => sum + t, 0);
    const perSecond = (files * times.length) / (total / 1000);
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `${label}: ${int(perSecond)} files/s (Dockerfiles + compose files, one core) over ${dockerfiles} Dockerfiles + ${composeFiles} compose files, ${times.length} rounds   target ≥ 1,000 files/s  ${perSecond >= 1000 ? "ok" : "MISSED"}`,
    );
    // For context only (the target is on Dockerfiles + compose files): every file the check reads.
    console.log(
      `  all files read (manifests, .dockerignore, env files, code too): ${int((filesRead * times.length) / (total / 1000))} files/s over ${filesRead} files`,
    );
    console.log(
      `  per round (${apps.length} app directories): median ${ms(percentile(sorted, 50))} ms, min ${ms(sorted[0])} ms, max ${ms(sorted.at(-1))} ms`,
    );
    if (warmUp.length > 0) {
      console.log(
        `  warm-up (${warmUp.length} rounds, not counted), ms: ${warmUp.map((t) => t.toFixed(0)).join(" ")}; the first, cold: ${int((files * 1000) / warmUp[0])} files/s`,
      );
    }
  };

  console.log(`\ncheck on the corpus (${corpusDir}), check core from ${from}${pinned ? `, ${pinned}` : ""}`);
  report(
    "check throughput",
    timeRounds(rounds, () => {
      for (const tree of trees) runRules(projectFacts(tree));
    }),
  );
  report(
    "check end-to-end (loadTree + facts + rules)",
    timeRounds(rounds, () => {
      for (const dir of apps) runRules(projectFacts(loadTree(dir)));
    }),
  );
  console.log(
    `  findings per round: ${int(findings)} (${bySeverity.error} error, ${bySeverity.warning} warning, ${bySeverity.info} info) from ${ruleIds.size} rules; input problems: ${problems}`,
  );
  // For context once the pin is lifted: the same warm rounds with V8's GC and compiler threads
  // free to run on other cores (the JavaScript itself still runs on one thread).
  return () => {
    const times = [];
    for (let i = 0; i < rounds; i++)
      times.push(
        timeRound(() => {
          for (const tree of trees) runRules(projectFacts(tree));
        }),
      );
    const total = times.reduce((sum, t) => sum + t, 0);
    console.log(
      `  the same, unpinned (one JavaScript thread; V8's helper threads on other cores): ${int((files * times.length) / (total / 1000))} files/s`,
    );
  };
}

// ---------------------------------------------------------------- 3. cold `shipshape check`

function coldCheck() {
  const args = [bin, "check", checkFixture, "--format", "json"];
  const label = `shipshape check ${checkFixture} --format json`;
  console.log(`\ncold CLI: ${label} (fresh process each run)`);
  const probe = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  let parsed = false;
  try {
    JSON.parse(probe.stdout);
    parsed = true;
  } catch {
    parsed = false;
  }
  if ((probe.status !== 0 && probe.status !== 1) || !parsed) {
    const why = (probe.stderr || probe.stdout || "").trim().split("\n")[0] ?? "";
    console.log(
      `check command not available (exit ${probe.status}${why ? `: ${why}` : ""})   target ≤ 300 ms`,
    );
    return;
  }
  const times = [];
  for (let i = 0; i < checkRuns; i++) {
    const started = process.hrtime.bigint();
    spawnSync(process.execPath, args, { cwd: root, stdio: "ignore" });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = percentile(times, 50);
  console.log(
    `check cold wall time: min ${ms(times[0])} ms, median ${ms(median)} ms, max ${ms(times.at(-1))} ms over ${checkRuns} runs   target ≤ 300 ms  ${median <= 300 ? "ok" : "MISSED"}`,
  );
}

ensureBuilt();
if (!existsSync(distCli)) {
  console.error("error: dist/ is missing\nhint: npm run build");
  process.exit(2);
}
startup();
const unpinned = await onOneCore(throughput);
if (unpinned && oneCorePinned) unpinned();
coldCheck();
// Needs the engine (scripts/testbed.sh); says so and skips the figures when none answers.
if (process.env.BENCH_INIT !== "0") {
  const { benchInit } = await import("./bench-init.mjs");
  await benchInit();
}
// `verify` of hardened-express against a bare build + run + first healthy answer (issue 6).
if (process.env.BENCH_VERIFY !== "0") {
  spawnSync(
    process.execPath,
    [join(root, "scripts/bench-verify.mjs"), "--rounds", process.env.BENCH_VERIFY_ROUNDS ?? "3"],
    { stdio: "inherit" },
  );
}

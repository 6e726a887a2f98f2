// The engine smoke on the bundled example (until `shipshape check` lands, this is the main job):
// build test/fixtures/apps/hardened-express with BuildKit, start PostgreSQL, run the migrations,
// start the API hardened (read-only, no capabilities, non-root), wait for its health check, call it
// on 127.0.0.1, stop it with SIGTERM, and remove everything it created.
import { fileURLToPath } from "node:url";
import { Engine, ShipshapeError, withSession } from "../dist/index.js";

const app = fileURLToPath(new URL("../test/fixtures/apps/hardened-express", import.meta.url));
const say = (text) => process.stdout.write(`${text}\n`);
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

try {
  const engine = await Engine.connect();
  const version = await engine.version();
  const cli = await engine.buildCli();
  say(
    `engine: Docker ${version.server} at ${engine.config.endpoint.display}; builds with ${cli.path} ${cli.version ?? ""}`,
  );
  await withSession(engine, "example", async (session) => {
    const image = "shipshape-example/hardened-express:local";
    say(`building ${app}`);
    await engine.build({ context: app, tags: [image] }, { onStep: (step) => say(`  ${step}`) });
    const network = session.name("backend");
    await session.createNetwork(network);
    const password = `example-${session.id}`;
    say("starting postgres:15.18-bookworm");
    const db = await session.run({
      image: "postgres:15.18-bookworm",
      network,
      networkAliases: ["db"],
      env: { POSTGRES_USER: "notes", POSTGRES_PASSWORD: password, POSTGRES_DB: "notes" },
      healthcheck: { test: ["CMD-SHELL", "pg_isready -h 127.0.0.1 -U notes"], intervalMs: 500, retries: 60 },
    });
    await session.waitForHealthy(db);
    const env = { DATABASE_URL: `postgres://notes:${password}@db:5432/notes` };
    const migrated = await session.runToCompletion({ image, cmd: ["node", "dist/migrate.js"], network, env });
    say(`migrations: exit ${migrated.exitCode}`);
    if (migrated.exitCode !== 0) throw new ShipshapeError(`migrations failed:\n${migrated.stderr}`);
    const api = await session.run({
      image,
      network,
      env,
      ports: [{ containerPort: 3000 }],
      readOnly: true,
      tmpfs: { "/tmp": "rw,size=16m" },
      capDrop: ["ALL"],
      securityOpt: ["no-new-privileges:true"],
    });
    say("api: waiting for its HEALTHCHECK");
    await session.waitForHealthy(api);
    const port = await session.hostPort(api, 3000);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    say(`api: GET http://127.0.0.1:${port}/healthz -> ${health.status} ${await health.text()}`);
    const user = (await session.inspect(api)).Config.User;
    const stop = await session.stop(api);
    say(`api: runs as "${user}"; stopped with SIGTERM in ${stop.durationMs} ms, exit ${stop.exitCode}`);
  });
  say(`done in ${seconds()}; every container, network and volume it made is removed`);
} catch (error) {
  if (!(error instanceof ShipshapeError)) throw error;
  process.stderr.write(`error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ""}`);
  process.exitCode = error.exitCode;
}

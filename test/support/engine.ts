/**
 * The real engine for integration tests. Without one, the tests are skipped, except when CI
 * requires it (SHIPSHAPE_REQUIRE_ENGINE=1): then a missing engine fails them.
 */

import { get } from "node:http";
import { chooseBuildCli } from "../../src/engine/cli.js";
import { resolveEngineConfig } from "../../src/engine/config.js";
import { Engine } from "../../src/engine/engine.js";
import { ShipshapeError } from "../../src/errors.js";

export const REQUIRE_ENGINE = process.env.SHIPSHAPE_REQUIRE_ENGINE === "1";

let connecting: Promise<Engine | undefined> | undefined;

/** Resolves the engine, undefined when there is none (and none is required), or throws when required. */
export function testEngine(): Promise<Engine | undefined> {
  connecting ??= (async () => {
    const config = resolveEngineConfig();
    try {
      const cli = await chooseBuildCli(config.dockerCli, config.dockerCliExplicit);
      if (!cli.buildkit) throw new ShipshapeError(cli.problem ?? `${cli.path} cannot build with BuildKit`);
      return await Engine.connect(config);
    } catch (error) {
      if (REQUIRE_ENGINE) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`SHIPSHAPE_REQUIRE_ENGINE=1 but the engine is not usable: ${message}`);
      }
      console.warn(`integration tests skipped: ${error instanceof Error ? error.message : error}`);
      return undefined;
    }
  })();
  return connecting;
}

/** Polls an HTTP URL until it answers (any status) or the deadline passes. */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(2_000) });
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${(last as Error)?.message ?? last}`);
}

/**
 * One GET with node:http, reporting a network failure as data (e.g. `ECONNRESET`) instead of
 * throwing. (fetch() is not used here: against a published port whose container listens only on
 * its loopback, Node 20's fetch can hang instead of failing.)
 */
export function probeHttp(
  url: string,
  timeoutMs = 3_000,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    request.on("timeout", () => request.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    request.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

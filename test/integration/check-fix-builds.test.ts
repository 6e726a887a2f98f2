/**
 * `shipshape check --fix` on a copy of the naive app: the mechanical fixes leave an app that
 * still builds in the test bed, and the image they produce carries the fixes (non-root user,
 * node as the command, no `.env` in the image).
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine, EngineSession } from "../../src/engine/engine.js";
import { shipshape } from "../support/cli.js";
import { testEngine } from "../support/engine.js";
import { fixtureApp } from "../support/fixtures.js";

const engine = (await testEngine()) as Engine;
const IMAGE = "shipshape-test/ai-naive-express-fixed:it";

describe.skipIf(!engine)("check --fix on the naive app", () => {
  let dir: string;
  let session: EngineSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "shipshape-fixed-naive-"));
    cpSync(fixtureApp("ai-naive-express"), dir, { recursive: true });
    const fixed = shipshape(["check", dir, "--fix", "--fail-on", "none"]);
    expect(fixed.code).toBe(0);
    session = engine.session("it-fixed");
    await engine.build({ context: dir, tags: [IMAGE] });
  });

  afterAll(async () => {
    await session?.cleanup();
    await engine?.removeImage(IMAGE).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("still builds, and the image runs as a non-root user with node as its command", async () => {
    const image = await engine.imageInspect(IMAGE);
    expect(image.Config.User).not.toBe("");
    expect(image.Config.User).not.toBe("root");
    expect(image.Config.Cmd).toEqual(["node", "dist/index.js"]);
    expect(image.Config.Env).toContain("NODE_ENV=production");
  });

  it("no longer has .env in the image, and the compiled app is there", async () => {
    const listing = await session.runToCompletion({
      image: IMAGE,
      entrypoint: ["sh", "-c"],
      cmd: ["ls -a /app"],
    });
    expect(listing.stdout).not.toMatch(/^\.env$/m);
    expect(listing.stdout).toMatch(/^dist$/m);
  });
});

/**
 * verify's image-contents scan (check 6) on real `docker save` archives from the engine: a secret
 * written by one RUN and deleted by the next is still found, redacted, with the layer and the
 * instruction that wrote it; and the clean slim base every hardened image starts from yields
 * nothing that fails (its stock setuid binaries are warnings), printed for the record.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine/engine.js";
import { type ImageContents, inspectImageContents } from "../../src/verify/contents.js";
import { checkMetadata } from "../../src/verify/metadata.js";
import { testEngine } from "../support/engine.js";
import { project } from "../support/projects.js";

const engine = (await testEngine()) as Engine;
const BASE = "node:20.20.2-bookworm-slim";
const IMAGE = "shipshape-test/verify-contents:it";
const FAKE_KEY = "sk-proj-FAKEverifyContentsLayerTest0123456789abcdefXYZ";

function print(title: string, contents: ImageContents): void {
  const lines = [
    `${title}: ${contents.layers.length} layers (${contents.baseLayerCount} from the base), ${contents.totalBytes} bytes`,
    ...contents.layers.map(
      (l) => `  layer ${l.index}${l.fromBase ? " (base)" : ""}: ${l.sizeBytes} B  ${l.instruction}`,
    ),
    ...contents.findings.map(
      (f) =>
        `  ${f.severity} ${f.kind} ${f.path} [layer ${f.layer.index}${f.deletedInLayer === undefined ? "" : `, deleted in ${f.deletedInLayer}`}]: ${f.detail}`,
    ),
  ];
  console.log(lines.join("\n"));
}

describe.skipIf(!engine)("verify image contents on the engine", () => {
  let baseDiffIds: string[];

  beforeAll(async () => {
    baseDiffIds = (await engine.imageInspect(BASE)).RootFS.Layers ?? [];
    const dir = project(
      {
        Dockerfile: [
          `FROM ${BASE}`,
          "WORKDIR /app",
          `RUN echo "OPENAI_API_KEY=${FAKE_KEY}" > /app/.env`,
          "RUN rm /app/.env",
          'RUN echo "console.log(1)" > /app/server.js',
          "USER node",
          "EXPOSE 3000",
          'CMD ["node", "server.js"]',
          "",
        ].join("\n"),
      },
      "shipshape-verify-contents-",
    );
    await engine.build({ context: dir, tags: [IMAGE] });
  });

  afterAll(async () => {
    await engine?.removeImage(IMAGE, true);
  });

  it("finds a secret written in one layer and deleted in the next, redacted, with its layer and instruction", async () => {
    const contents = await inspectImageContents(await engine.exportImage(IMAGE), { baseDiffIds });
    print(IMAGE, contents);
    const writer = contents.layers.find((l) => l.instruction.startsWith('RUN echo "OPENAI_API_KEY='))!;
    const remover = contents.layers.find((l) => l.instruction === "RUN rm /app/.env")!;
    expect(writer.instruction).toBe('RUN echo "OPENAI_API_KEY=sk-p****" > /app/.env');
    const secrets = contents.findings.filter((f) => f.kind === "secret");
    expect(secrets).toHaveLength(1);
    expect(secrets[0]).toMatchObject({
      path: "/app/.env",
      severity: "error",
      layer: { index: writer.index, instruction: writer.instruction, fromBase: false },
      deletedInLayer: remover.index,
    });
    expect(secrets[0]!.detail).toContain("an env file (OPENAI_API_KEY)");
    expect(secrets[0]!.fix).toContain("RUN --mount=type=secret");
    expect(JSON.stringify(contents)).not.toContain(FAKE_KEY);

    // The base is known from its diff ids, and the history guess agrees on a FROM-slim image.
    expect(contents.baseLayerCount).toBe(baseDiffIds.length);
    const guessed = await inspectImageContents(await engine.exportImage(IMAGE));
    expect(guessed.baseLayerCount).toBe(baseDiffIds.length);

    const metadata = checkMetadata(contents, { port: 3000 });
    expect(metadata.filter((c) => c.status === "fail").map((c) => c.id)).toEqual(["metadata.healthcheck"]);
  });

  it("passes the clean slim base: no errors, its stock setuid binaries as warnings", async () => {
    const contents = await inspectImageContents(await engine.exportImage(BASE), { baseDiffIds });
    print(BASE, contents);
    expect(contents.findings.filter((f) => f.severity === "error")).toEqual([]);
    const setuid = contents.findings.filter((f) => f.kind === "setuid");
    expect(setuid.length).toBeGreaterThan(0);
    expect(setuid.every((f) => f.severity === "warning")).toBe(true);
    expect(setuid.flatMap((f) => f.paths ?? [])).toEqual(
      expect.arrayContaining(["/usr/bin/su", "/usr/bin/passwd"]),
    );
  });
});

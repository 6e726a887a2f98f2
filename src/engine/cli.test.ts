import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseBuildCli, clientHasBuiltinBuildKit, probeDockerCli } from "./cli.js";

/** A stand-in docker CLI: answers `version` with `version`, and `buildx version` only when it has buildx. */
function fakeDocker(version: string, buildx: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "shipshape-cli-"));
  const path = join(dir, "docker");
  writeFileSync(
    path,
    `#!/bin/sh
case "$1" in
  version) echo "${version}" ;;
  buildx) ${buildx ? 'echo "github.com/docker/buildx v0.20.0"' : 'echo "docker: unknown command: docker buildx" >&2; exit 1'} ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe("probeDockerCli", () => {
  it("accepts a pre-23 client: it builds with BuildKit itself", async () => {
    const probe = await probeDockerCli(fakeDocker("20.10.24+dfsg1", false));
    expect(probe).toMatchObject({ found: true, version: "20.10.24+dfsg1", buildkit: true });
  });

  it("accepts a newer client only with the buildx plugin", async () => {
    expect((await probeDockerCli(fakeDocker("28.2.2", true))).buildkit).toBe(true);
    const without = await probeDockerCli(fakeDocker("28.2.2", false));
    expect(without.buildkit).toBe(false);
    expect(without.problem).toBe(
      "docker 28.2.2 needs the buildx plugin for BuildKit builds and it is missing",
    );
  });

  it("reports a CLI that does not exist", async () => {
    const probe = await probeDockerCli("/nonexistent/docker");
    expect(probe).toMatchObject({ found: false, buildkit: false, problem: "/nonexistent/docker not found" });
  });
});

describe("chooseBuildCli", () => {
  it("uses an explicit SHIPSHAPE_DOCKER as it is, even when it cannot build", async () => {
    const path = fakeDocker("28.2.2", false);
    const choice = await chooseBuildCli(path, true);
    expect(choice.path).toBe(path);
    expect(choice.buildkit).toBe(false);
  });

  it("keeps the default CLI when it can build", async () => {
    const path = fakeDocker("27.0.1", true);
    expect((await chooseBuildCli(path, false)).path).toBe(path);
  });
});

describe("clientHasBuiltinBuildKit", () => {
  it.each([
    ["20.10.24+dfsg1", true],
    ["22.06.0", true],
    ["23.0.0", false],
    ["nonsense", false],
  ])("%s → %s", (version, expected) => {
    expect(clientHasBuiltinBuildKit(version)).toBe(expected);
  });
});

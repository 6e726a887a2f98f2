import { describe, expect, it } from "vitest";
import { isBuildKitUnavailable, summarizeBuildFailure } from "./buildlog.js";

const FAILED = `#1 [internal] load build definition from Dockerfile
#1 DONE 0.0s
#7 [build 3/5] RUN npm ci
#7 2.301 added 12 packages in 2s
#7 DONE 2.4s
#8 [build 4/5] RUN npm run build
#8 0.412
#8 0.412 > app@1.0.0 build
#8 0.412 > tsc
#8 0.412
#8 0.420 sh: 1: tsc: not found
#8 ERROR: executor failed running [/bin/sh -c npm run build]: exit code: 127
------
 > [build 4/5] RUN npm run build:
#8 0.420 sh: 1: tsc: not found
------
error: failed to solve: executor failed running [/bin/sh -c npm run build]: exit code: 127
`;

describe("summarizeBuildFailure", () => {
  it("names the failing step, BuildKit's error and the step's last lines", () => {
    const failure = summarizeBuildFailure(FAILED);
    expect(failure.step).toBe("[build 4/5] RUN npm run build");
    expect(failure.error).toBe("executor failed running [/bin/sh -c npm run build]: exit code: 127");
    expect(failure.lastLines.at(-1)).toBe("sh: 1: tsc: not found");
    expect(failure.lastLines).not.toContain("added 12 packages in 2s");
  });

  it("falls back to the final error line when no step failed (e.g. a missing Dockerfile)", () => {
    const failure = summarizeBuildFailure(
      "#1 [internal] load build definition from Dockerfile\nerror: failed to solve: failed to read dockerfile: open Dockerfile: no such file or directory\n",
    );
    expect(failure.step).toBeUndefined();
    expect(failure.error).toMatch(/failed to read dockerfile/);
  });
});

describe("isBuildKitUnavailable", () => {
  it("recognises a client that cannot build with BuildKit", () => {
    expect(
      isBuildKitUnavailable("ERROR: BuildKit is enabled but the buildx component is missing or broken."),
    ).toBe(true);
    expect(isBuildKitUnavailable(FAILED)).toBe(false);
  });
});

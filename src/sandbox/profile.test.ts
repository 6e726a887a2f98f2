import { describe, expect, it } from "vitest";
import { toCreateOptions } from "../engine/plans.js";
import { UsageError } from "../errors.js";
import {
  dockerRunEquivalent,
  explain,
  parseDuration,
  parseSize,
  type SandboxOptions,
  sandboxRunSpec,
} from "./profile.js";

const OPTIONS: SandboxOptions = {
  command: ["sh", "-c", "echo hi"],
  image: "debian:bookworm-slim",
  copyOut: false,
  readOnlyMounts: [],
  network: "none",
  memoryBytes: 512 * 1024 ** 2,
  cpus: 1,
  pids: 256,
  timeoutMs: 600_000,
  tmpBytes: 64 * 1024 ** 2,
  user: "10001:10001",
};

describe("sizes and durations", () => {
  it.each([
    ["512m", 512 * 1024 ** 2],
    ["1g", 1024 ** 3],
    ["64k", 64 * 1024],
    ["1.5g", 1.5 * 1024 ** 3],
    ["128MiB", 128 * 1024 ** 2],
    ["4096", 4096],
  ])("%s is %d bytes", (text, bytes) => expect(parseSize(text, "--tmp-size")).toBe(bytes));

  it.each([
    ["10m", 600_000],
    ["30s", 30_000],
    ["1h", 3_600_000],
    ["1500ms", 1500],
    ["45", 45_000],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text, "--timeout")).toBe(ms));

  it("rejects what is not one, naming the flag", () => {
    expect(() => parseSize("lots", "--memory")).toThrow(
      new UsageError("--memory lots is not a size (like 512m or 1g)"),
    );
    expect(() => parseSize("1m", "--memory")).toThrow(/below the engine's minimum/);
    expect(() => parseDuration("soon", "--timeout")).toThrow(/--timeout soon is not a duration/);
  });
});

describe("the container the sandbox asks for", () => {
  it("is locked down by default: no network, read-only, no capabilities, non-root, limits", () => {
    const create = toCreateOptions(sandboxRunSpec(OPTIONS));
    expect(create.User).toBe("10001:10001");
    expect(create.WorkingDir).toBe("/workspace");
    expect(create.Entrypoint).toEqual([]);
    expect(create.Cmd).toEqual(["sh", "-c", "echo hi"]);
    expect(create.HostConfig).toMatchObject({
      NetworkMode: "none",
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Memory: 512 * 1024 ** 2,
      MemorySwap: 512 * 1024 ** 2,
      NanoCpus: 1e9,
      PidsLimit: 256,
      Mounts: [],
      Tmpfs: {
        "/tmp": `rw,nosuid,nodev,noexec,size=${64 * 1024 ** 2}`,
        "/workspace": `rw,nosuid,nodev,size=${64 * 1024 ** 2},uid=10001,gid=10001,mode=0755`,
      },
    });
    expect(create.HostConfig?.Privileged).toBeUndefined();
    expect(create.HostConfig?.Binds).toBeUndefined();
  });

  it("a workspace is a volume, read-only mounts are read-only binds, and the rest is only what was asked", () => {
    const create = toCreateOptions(
      sandboxRunSpec(
        {
          ...OPTIONS,
          workspace: "/home/me/app",
          readOnlyMounts: [{ source: "/data", target: "/mnt/data" }],
          network: "allow",
          runtime: "runsc",
        },
        "vol-1",
      ),
    );
    expect(create.HostConfig?.Mounts).toEqual([
      { Type: "volume", Source: "vol-1", Target: "/workspace", ReadOnly: false },
      { Type: "bind", Source: "/data", Target: "/mnt/data", ReadOnly: true },
    ]);
    expect(create.HostConfig?.Tmpfs).not.toHaveProperty("/workspace");
    expect(create.HostConfig?.NetworkMode).toBe("bridge");
    expect(create.HostConfig?.Runtime).toBe("runsc");
  });
});

describe("--explain", () => {
  it("gives the docker run that does the same", () => {
    const line = dockerRunEquivalent(OPTIONS);
    for (const part of [
      "--network none",
      "--read-only",
      "--tmpfs /tmp:rw,nosuid,nodev,noexec,size=64m",
      "--cap-drop ALL",
      "--security-opt no-new-privileges",
      "--user 10001:10001",
      "--memory 512m --memory-swap 512m",
      "--cpus 1",
      "--pids-limit 256",
      "debian:bookworm-slim sh -c 'echo hi'",
    ])
      expect(line).toContain(part);
  });

  it("says what it protects against and, plainly, what it does not", () => {
    const text = explain(OPTIONS).join("\n");
    expect(text).toContain("network: none at all");
    expect(text).toContain("shares the host's Linux kernel");
    expect(text).toContain("CPU side channels");
    const gvisor = explain({ ...OPTIONS, runtime: "runsc", network: "allow" }).join("\n");
    expect(gvisor).toContain("gVisor (runsc) answers the command's system calls itself");
    expect(gvisor).toContain("network: ALLOWED");
  });
});

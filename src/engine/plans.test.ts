import { describe, expect, it } from "vitest";
import { LABEL_SESSION, toBuildInvocation, toCreateOptions } from "./plans.js";

describe("toCreateOptions", () => {
  it("publishes ports on 127.0.0.1 unless told otherwise, with an engine-chosen port by default", () => {
    const options = toCreateOptions({
      image: "app:1",
      ports: [
        { containerPort: 3000 },
        { containerPort: 53, protocol: "udp", hostIp: "0.0.0.0", hostPort: 5353 },
      ],
    });
    expect(options.ExposedPorts).toEqual({ "3000/tcp": {}, "53/udp": {} });
    expect(options.HostConfig?.PortBindings).toEqual({
      "3000/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }],
      "53/udp": [{ HostIp: "0.0.0.0", HostPort: "5353" }],
    });
  });

  it("maps the hardened run profile onto HostConfig", () => {
    const options = toCreateOptions({
      image: "app:1",
      user: "1000:1000",
      readOnly: true,
      tmpfs: { "/tmp": "rw,size=64m" },
      capDrop: ["ALL"],
      securityOpt: ["no-new-privileges:true"],
      init: true,
      memoryBytes: 256 * 1024 * 1024,
      pidsLimit: 128,
      runtime: "runsc",
    });
    expect(options.User).toBe("1000:1000");
    expect(options.HostConfig).toMatchObject({
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": "rw,size=64m" },
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true"],
      Init: true,
      Memory: 268435456,
      PidsLimit: 128,
      Runtime: "runsc",
    });
  });

  it("labels the container with its session and keeps the caller's labels", () => {
    const options = toCreateOptions({ image: "app:1", labels: { role: "db" } }, { [LABEL_SESSION]: "s-1" });
    expect(options.Labels).toEqual({ role: "db", [LABEL_SESSION]: "s-1" });
  });

  it("joins a network with aliases and mounts named volumes only", () => {
    const options = toCreateOptions({
      image: "postgres:15",
      network: "net-1",
      networkAliases: ["db"],
      volumes: [{ volume: "pgdata", target: "/var/lib/postgresql/data" }],
    });
    expect(options.HostConfig?.NetworkMode).toBe("net-1");
    expect(options.NetworkingConfig).toEqual({ EndpointsConfig: { "net-1": { Aliases: ["db"] } } });
    expect(options.HostConfig?.Mounts).toEqual([
      { Type: "volume", Source: "pgdata", Target: "/var/lib/postgresql/data", ReadOnly: false },
    ]);
  });

  it("converts health check durations from milliseconds to the API's nanoseconds", () => {
    const options = toCreateOptions({
      image: "app:1",
      healthcheck: { test: ["CMD", "true"], intervalMs: 500, timeoutMs: 2000, retries: 3 },
    });
    expect(options.Healthcheck).toEqual({ Test: ["CMD", "true"], Interval: 5e8, Timeout: 2e9, Retries: 3 });
  });

  it("sets environment variables as KEY=value", () => {
    expect(toCreateOptions({ image: "a", env: { A: "1", B: "x=y" } }).Env).toEqual(["A=1", "B=x=y"]);
  });
});

describe("toBuildInvocation", () => {
  it("builds with BuildKit, plain progress and an iid file, context last", () => {
    const call = toBuildInvocation(
      {
        context: "/app",
        dockerfile: "/app/Dockerfile",
        tags: ["app:1.0.0", "app:sha-abc1234"],
        target: "runtime",
        buildArgs: { NODE_ENV: "production" },
        labels: { "org.opencontainers.image.revision": "abc" },
        secrets: [
          { id: "npm_token", env: "NPM_TOKEN" },
          { id: "pip", src: "/run/pip.conf" },
        ],
        noCache: true,
        pull: true,
      },
      "/usr/bin/docker",
      "/tmp/iid",
    );
    expect(call.command).toBe("/usr/bin/docker");
    expect(call.env).toEqual({ DOCKER_BUILDKIT: "1" });
    expect(call.args).toEqual([
      "build",
      "--progress=plain",
      "--iidfile",
      "/tmp/iid",
      "--file",
      "/app/Dockerfile",
      "--tag",
      "app:1.0.0",
      "--tag",
      "app:sha-abc1234",
      "--target",
      "runtime",
      "--build-arg",
      "NODE_ENV=production",
      "--label",
      "org.opencontainers.image.revision=abc",
      "--secret",
      "id=npm_token,env=NPM_TOKEN",
      "--secret",
      "id=pip,src=/run/pip.conf",
      "--no-cache",
      "--pull",
      "/app",
    ]);
  });

  it("never puts a secret's value on the command line", () => {
    const call = toBuildInvocation(
      { context: ".", secrets: [{ id: "t", env: "TOKEN" }] },
      "docker",
      "/tmp/i",
    );
    expect(call.args.join(" ")).not.toMatch(/TOKEN=/);
  });
});

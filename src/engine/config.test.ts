import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { parseDockerHost, resolveEngineConfig } from "./config.js";

describe("resolveEngineConfig", () => {
  it("uses the default socket and the docker CLI on PATH when nothing is set", () => {
    const config = resolveEngineConfig({});
    expect(config.endpoint).toEqual({
      kind: "unix",
      socketPath: "/var/run/docker.sock",
      display: "unix:///var/run/docker.sock",
    });
    expect(config.fromEnv).toBe(false);
    expect(config.dockerCli).toBe("docker");
  });

  it("honours DOCKER_HOST and SHIPSHAPE_DOCKER", () => {
    const config = resolveEngineConfig({
      DOCKER_HOST: "unix:///run/user/1000/docker.sock",
      SHIPSHAPE_DOCKER: "/usr/bin/docker",
    });
    expect(config.endpoint).toMatchObject({ kind: "unix", socketPath: "/run/user/1000/docker.sock" });
    expect(config.fromEnv).toBe(true);
    expect(config.dockerCli).toBe("/usr/bin/docker");
  });

  it("asks for TLS files when DOCKER_TLS_VERIFY is set and they are missing", () => {
    expect(() =>
      resolveEngineConfig({
        DOCKER_HOST: "tcp://10.0.0.1:2376",
        DOCKER_TLS_VERIFY: "1",
        DOCKER_CERT_PATH: "/nonexistent",
      }),
    ).toThrow(/DOCKER_TLS_VERIFY is set but the TLS files in \/nonexistent cannot be read/);
  });
});

describe("parseDockerHost", () => {
  it("reads tcp endpoints with their default ports", () => {
    expect(parseDockerHost("tcp://127.0.0.1:2375")).toMatchObject({
      kind: "tcp",
      host: "127.0.0.1",
      port: 2375,
      tls: false,
    });
    expect(parseDockerHost("tcp://docker.internal")).toMatchObject({ port: 2375, tls: false });
    expect(parseDockerHost("tcp://docker.internal", true)).toMatchObject({ port: 2376, tls: true });
  });

  it("rejects what it cannot use with a clear message naming the variable", () => {
    expect(() => parseDockerHost("ssh://me@host")).toThrow(UsageError);
    expect(() => parseDockerHost("ssh://me@host")).toThrow(
      /DOCKER_HOST=ssh:\/\/me@host: the ssh:\/\/ scheme is not supported/,
    );
    expect(() => parseDockerHost("unix://relative.sock")).toThrow(/must be absolute/);
  });
});

import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { canonicalReference, familiarReference, parseReference } from "./reference.js";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("parseReference", () => {
  it("reads an official image as docker.io/library/<name>:latest, served by registry-1.docker.io", () => {
    expect(parseReference("node")).toEqual({
      text: "node",
      domain: "docker.io",
      registry: "registry-1.docker.io",
      repository: "library/node",
      tag: "latest",
      dockerHub: true,
    });
  });

  it.each([
    ["node:20", "library/node", "20"],
    ["library/node:20", "library/node", "20"],
    ["docker.io/node:20", "library/node", "20"],
    ["docker.io/library/node:20", "library/node", "20"],
    ["index.docker.io/library/node:20", "library/node", "20"],
    ["bitnami/redis:7.2", "bitnami/redis", "7.2"],
  ])("%s is Docker Hub's %s:%s", (text, repository, tag) => {
    const reference = parseReference(text);
    expect(reference).toMatchObject({
      domain: "docker.io",
      registry: "registry-1.docker.io",
      repository,
      tag,
    });
    expect(reference.dockerHub).toBe(true);
  });

  it("keeps a tag and a digest together, with the registry named", () => {
    expect(parseReference(`ghcr.io/a/b:1.2@${DIGEST}`)).toEqual({
      text: `ghcr.io/a/b:1.2@${DIGEST}`,
      domain: "ghcr.io",
      registry: "ghcr.io",
      repository: "a/b",
      tag: "1.2",
      digest: DIGEST,
      dockerHub: false,
    });
  });

  it("has no tag when only a digest is written", () => {
    const reference = parseReference(`node@${DIGEST}`);
    expect(reference.tag).toBeUndefined();
    expect(reference.digest).toBe(DIGEST);
  });

  it("detects a registry by a dot, a port or localhost in the first component", () => {
    expect(parseReference("localhost:5000/x")).toMatchObject({
      domain: "localhost:5000",
      registry: "localhost:5000",
      repository: "x",
      tag: "latest",
      dockerHub: false,
    });
    expect(parseReference("localhost/x:1")).toMatchObject({ domain: "localhost", repository: "x", tag: "1" });
    expect(parseReference("127.0.0.1:5000/library/node:20")).toMatchObject({
      domain: "127.0.0.1:5000",
      repository: "library/node",
    });
    expect(parseReference("registry.example.com/team/app")).toMatchObject({
      domain: "registry.example.com",
      repository: "team/app",
    });
    // Without a dot, a port or localhost the first component is a Docker Hub namespace.
    expect(parseReference("myorg/app:1")).toMatchObject({ domain: "docker.io", repository: "myorg/app" });
  });

  it("reads localhost:5000 alone as the image localhost, tag 5000 (as Docker does)", () => {
    expect(parseReference("localhost:5000")).toMatchObject({ repository: "library/localhost", tag: "5000" });
  });

  it.each([
    ["", "empty"],
    ["Node:20", "lowercase"],
    ["node:20 ", undefined],
    ["node:", "separator"],
    ["node@sha256:abc", "not a valid digest"],
    ["node:-bad", "not a valid tag"],
    ["ghcr.io/a//b", "not a valid name component"],
    ["${BASE}:1", "variable"],
  ])("rejects %j with a UsageError", (text, problem) => {
    if (problem === undefined) {
      expect(parseReference(text).tag).toBe("20");
      return;
    }
    expect(() => parseReference(text)).toThrow(UsageError);
    expect(() => parseReference(text)).toThrow(problem);
  });

  it("prints the canonical and the familiar forms", () => {
    expect(canonicalReference(parseReference("node"))).toBe("docker.io/library/node:latest");
    expect(familiarReference(parseReference("docker.io/library/node:20"))).toBe("node:20");
    expect(familiarReference(parseReference("bitnami/redis"))).toBe("bitnami/redis:latest");
    expect(familiarReference(parseReference(`ghcr.io/a/b@${DIGEST}`))).toBe(`ghcr.io/a/b@${DIGEST}`);
  });
});

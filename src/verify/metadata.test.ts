import { describe, expect, it } from "vitest";
import type { ImageContents, LayerInfo } from "./contents.js";
import { checkMetadata, isRootUser, type MetadataCheck } from "./metadata.js";

function layer(index: number, sizeBytes: number, instruction: string, fromBase = false): LayerInfo {
  return { index, diffId: `sha256:${index}`, sizeBytes, instruction, fromBase };
}

function image(
  config: Partial<ImageContents["config"]> = {},
  more: Partial<ImageContents> = {},
): ImageContents {
  const layers = more.layers ?? [
    layer(0, 117_000_000, "(Imported from -)", true),
    layer(1, 98_900_000, "COPY node /usr/local/bin/node", true),
    layer(2, 2_870_000, "COPY /app/node_modules ./node_modules"),
    layer(3, 5_830, "COPY /app/dist ./dist"),
    layer(4, 0, "WORKDIR /app"),
  ];
  return {
    layers,
    findings: [],
    totalBytes: layers.reduce((sum, l) => sum + l.sizeBytes, 0),
    config: { user: "node", exposedPorts: ["3000/tcp"], labels: {}, env: [], ...config },
    baseLayerCount: 2,
    users: [
      { name: "root", uid: 0 },
      { name: "node", uid: 1000 },
    ],
    notes: [],
    ...more,
  };
}

const check = (checks: MetadataCheck[], id: string) => checks.find((c) => c.id === id)!;

describe("checkMetadata", () => {
  it.each([
    ["", true],
    ["root", true],
    ["0", true],
    ["0:0", true],
    ["root:node", true],
    ["node", false],
    ["1000:1000", false],
  ])("USER %j is root: %s", (user, root) => {
    expect(isRootUser(user)).toBe(root);
  });

  it("fails a root user and names the image's own unprivileged user in the fix", () => {
    const user = check(checkMetadata(image({ user: "" })), "metadata.user");
    expect(user.status).toBe("fail");
    expect(user.evidence[0]).toContain("no USER (runs as root)");
    expect(user.fix).toContain("USER node");
    const none = check(
      checkMetadata(image({ user: "root" }, { users: [{ name: "root", uid: 0 }] })),
      "metadata.user",
    );
    expect(none.fix).toContain("useradd --uid 10001");
  });

  it("passes a non-root user, and fails one /etc/passwd does not have", () => {
    expect(check(checkMetadata(image()), "metadata.user")).toMatchObject({
      status: "pass",
      evidence: ["USER node (uid 1000)"],
    });
    expect(check(checkMetadata(image({ user: "10001" })), "metadata.user").status).toBe("pass");
    const ghost = check(checkMetadata(image({ user: "app" })), "metadata.user");
    expect(ghost.status).toBe("fail");
    expect(ghost.evidence[1]).toContain('no user "app"');
  });

  it("compares EXPOSE with the port the app listens on", () => {
    const ok = check(
      checkMetadata(image(), { port: 3000, portEvidence: "src/config.ts:5" }),
      "metadata.port",
    );
    expect(ok).toMatchObject({
      status: "pass",
      evidence: ["EXPOSE 3000/tcp", "the app listens on 3000 (src/config.ts:5)"],
    });
    const wrong = check(
      checkMetadata(image({ exposedPorts: ["8080/tcp"] }), { port: 3000 }),
      "metadata.port",
    );
    expect(wrong.status).toBe("fail");
    expect(wrong.fix).toContain("`EXPOSE 3000`");
    const missing = check(checkMetadata(image({ exposedPorts: [] }), { port: 3000 }), "metadata.port");
    expect(missing).toMatchObject({ status: "fail", fix: "add `EXPOSE 3000` to the runtime stage" });
    expect(check(checkMetadata(image()), "metadata.port").status).toBe("skip");
  });

  it("wants a HEALTHCHECK, and notes one that does not probe the app's health path", () => {
    const none = check(checkMetadata(image(), { port: 8080, healthPath: "/health" }), "metadata.healthcheck");
    expect(none.status).toBe("fail");
    expect(none.fix).toContain("http://127.0.0.1:8080/health");
    expect(check(checkMetadata(image({ healthcheck: ["NONE"] })), "metadata.healthcheck").status).toBe(
      "fail",
    );
    const some = check(
      checkMetadata(image({ healthcheck: ["CMD-SHELL", "curl -f http://localhost:3000/ || exit 1"] }), {
        healthPath: "/healthz",
      }),
      "metadata.healthcheck",
    );
    expect(some.status).toBe("pass");
    expect(some.evidence).toEqual([
      "HEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1",
      "it does not mention the app's health path /healthz",
    ]);
  });

  it("passes without OCI labels but warns, with the build flags that set them", () => {
    const labels = check(
      checkMetadata(image({ labels: { "org.opencontainers.image.version": "1.2.0" } })),
      "metadata.labels",
    );
    expect(labels.status).toBe("pass");
    expect(labels.evidence).toEqual(["org.opencontainers.image.version=1.2.0"]);
    expect(labels.warnings?.[0]).toContain(
      "missing org.opencontainers.image.source, org.opencontainers.image.revision, org.opencontainers.image.created",
    );
    expect(labels.fix).toContain('--label org.opencontainers.image.revision="$(git rev-parse HEAD)"');
    const all = Object.fromEntries(
      ["source", "revision", "created", "version"].map((k) => [`org.opencontainers.image.${k}`, "x"]),
    );
    const complete = check(checkMetadata(image({ labels: all })), "metadata.labels");
    expect(complete.status).toBe("pass");
    expect(complete).not.toHaveProperty("warnings");
  });

  it("reports the total size and the largest layers with their instructions", () => {
    const size = check(checkMetadata(image()), "metadata.size");
    expect(size.status).toBe("pass");
    expect(size.evidence).toEqual([
      "219 MB in 5 layers (216 MB from the base image, 2.9 MB added)",
      "layer 0: 117 MB  (Imported from -) (base)",
      "layer 1: 98.9 MB  COPY node /usr/local/bin/node (base)",
      "layer 2: 2.9 MB  COPY /app/node_modules ./node_modules",
      "layer 3: 5.8 kB  COPY /app/dist ./dist",
    ]);
  });

  it("returns the five checks in a stable order", () => {
    expect(checkMetadata(image()).map((c) => c.id)).toEqual([
      "metadata.user",
      "metadata.port",
      "metadata.healthcheck",
      "metadata.labels",
      "metadata.size",
    ]);
  });
});

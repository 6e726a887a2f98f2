import type { ImageRef } from "../../facts/image.js";
import type { Rule } from "../../types.js";
import { pulledImages } from "./images.js";

/** `node` → `docker.io/library/node`; `ghcr.io/acme/api` stays as it is. */
export function canonicalName(ref: ImageRef): string {
  const registry = ref.registry ?? "docker.io";
  const repository =
    !ref.registry && !ref.repository.includes("/") ? `library/${ref.repository}` : ref.repository;
  return `${registry}/${repository}`;
}

function trusted(ref: ImageRef, prefixes: readonly string[]): boolean {
  const name = canonicalName(ref);
  return prefixes.some((entry) => {
    const prefix = entry.replace(/\/+$/, "");
    return (
      name === prefix ||
      name.startsWith(`${prefix}/`) ||
      ref.text === prefix ||
      ref.text.startsWith(`${prefix}/`)
    );
  });
}

export const rule: Rule = {
  meta: {
    id: "SS1018",
    name: "image-from-untrusted-registry",
    title: "Image pulled from a registry `.shipshape.yaml` does not trust",
    severity: "warning",
    category: "hardening",
    rationale:
      "When a team lists the registries it trusts (`trustedRegistries`), a base or service image from anywhere else bypasses its vetting: a typo-squatted or abandoned image runs with the app's secrets.",
    fix: "Pull the image through a trusted registry (or mirror it there), or add the registry to `trustedRegistries`.",
    examples: {
      bad: {
        Dockerfile: 'FROM quay.io/someone/node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n',
      },
      good: { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n' },
      config: { trustedRegistries: ["docker.io/library", "ghcr.io/acme"] },
    },
  },
  check(facts, config) {
    const prefixes = config.trustedRegistries ?? [];
    if (prefixes.length === 0) return [];
    return pulledImages(facts)
      .filter((image) => !trusted(image.ref, prefixes))
      .map((image) => ({
        location: image.location,
        message: `\`${image.ref.text}\` comes from \`${canonicalName(image.ref).split("/").slice(0, -1).join("/")}\`, which \`trustedRegistries\` does not list (${prefixes.map((p) => `\`${p}\``).join(", ")})`,
      }));
  },
};

/**
 * Image references normalised the way the Docker engine reads them, for talking to a registry:
 * `node` is `docker.io/library/node:latest`, served by the API host `registry-1.docker.io`.
 *
 * The split into registry / path / tag / digest is check's parser (src/check/facts/image.ts);
 * this module adds what check does not need: Docker Hub's defaults, validation, and the hosts.
 */

import { parseImageRef } from "../check/facts/image.js";
import { UsageError } from "../errors.js";

/** The name Docker shows for Docker Hub, and the key its credentials are stored under. */
export const DOCKER_HUB_DOMAIN = "docker.io";
/** The host that actually serves Docker Hub's registry API. */
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";
export const DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB_DOMAIN, "index.docker.io", DOCKER_HUB_API_HOST]);

export interface ImageReference {
  /** As written. */
  text: string;
  /** `docker.io`, `ghcr.io`, `localhost:5000`: the registry as Docker names it. */
  domain: string;
  /** Host (and port) the registry API is reached at: `registry-1.docker.io` for Docker Hub. */
  registry: string;
  /** Full repository path: `library/node`, `a/b`. */
  repository: string;
  /** `latest` when neither a tag nor a digest was written. */
  tag?: string;
  digest?: string;
  dockerHub: boolean;
}

// The grammar of github.com/distribution/reference.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

/** Parses an image reference; throws a UsageError naming what is wrong with it. */
export function parseReference(text: string): ImageReference {
  const written = text.trim();
  const invalid = (problem: string): UsageError =>
    new UsageError(`invalid image reference "${written}": ${problem}`, {
      hint: "write it as [registry/]name[:tag][@sha256:digest], e.g. node:20 or ghcr.io/owner/app:1.2",
    });
  if (written === "") throw invalid("it is empty");
  if (written.includes("$")) throw invalid("it contains a variable whose value is unknown");
  if (/\s/.test(written)) throw invalid("it contains whitespace");
  if (/[:@/]$/.test(written)) throw invalid("it ends with a separator");

  const parsed = parseImageRef(written);
  let domain = parsed.registry ?? DOCKER_HUB_DOMAIN;
  let repository = parsed.repository;
  if (parsed.registry !== undefined && !DOMAIN.test(parsed.registry)) {
    throw invalid(`"${parsed.registry}" is not a registry host`);
  }
  const dockerHub = DOCKER_HUB_ALIASES.has(domain.toLowerCase());
  if (dockerHub) {
    domain = DOCKER_HUB_DOMAIN;
    // Official images live under library/ (check's parser strips it; the API needs it).
    if (!repository.includes("/")) repository = `library/${repository}`;
  }
  if (repository === "") throw invalid("the name is empty");
  for (const component of repository.split("/")) {
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(
        /[A-Z]/.test(component)
          ? "repository names must be lowercase"
          : `"${component}" is not a valid name component`,
      );
    }
  }
  if (repository.length > 255) throw invalid("the name is longer than 255 characters");
  if (parsed.tag !== undefined && !TAG.test(parsed.tag)) throw invalid(`"${parsed.tag}" is not a valid tag`);
  if (parsed.digest !== undefined && !DIGEST.test(parsed.digest)) {
    throw invalid(`"${parsed.digest}" is not a valid digest`);
  }

  const reference: ImageReference = {
    text: written,
    domain,
    registry: dockerHub ? DOCKER_HUB_API_HOST : domain,
    repository,
    dockerHub,
  };
  const tag = parsed.tag ?? (parsed.digest === undefined ? "latest" : undefined);
  if (tag !== undefined) reference.tag = tag;
  if (parsed.digest !== undefined) reference.digest = parsed.digest;
  return reference;
}

/** `docker.io/library/node:20@sha256:…`: the fully qualified form. */
export function canonicalReference(reference: ImageReference): string {
  return `${reference.domain}/${reference.repository}${suffix(reference)}`;
}

/** `node:20`, `ghcr.io/a/b:1`: the short form Docker shows. */
export function familiarReference(reference: ImageReference): string {
  let name = `${reference.domain}/${reference.repository}`;
  if (reference.dockerHub) {
    name = reference.repository.startsWith("library/")
      ? reference.repository.slice("library/".length)
      : reference.repository;
  }
  return `${name}${suffix(reference)}`;
}

function suffix(reference: ImageReference): string {
  return `${reference.tag === undefined ? "" : `:${reference.tag}`}${reference.digest === undefined ? "" : `@${reference.digest}`}`;
}

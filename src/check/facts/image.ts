/**
 * Image references (`FROM`, compose `image:`), parsed the way the engine reads them, plus what
 * their tag says about how precisely they are pinned.
 */
import { interpolate } from "./interpolate.js";

export interface ImageRef {
  /** As written (after variable substitution where the value was known). */
  text: string;
  /** Registry host when one is named (`ghcr.io`), else undefined (Docker Hub). */
  registry?: string;
  /** Repository path without registry (`library/node` is reported as `node`). */
  repository: string;
  tag?: string;
  digest?: string;
  /** The reference still contains `$VAR` whose value is unknown. */
  unresolved: boolean;
}

export type TagPrecision =
  /** no tag at all: the engine uses `latest` */
  | "missing"
  | "latest"
  /** `node:22`, `python:3`, `postgres:15-bookworm` */
  | "major"
  /** `python:3.12-slim`, `node:20.11` */
  | "minor"
  /** `node:20.11.1-bookworm-slim` */
  | "exact"
  /** a word tag (`lts`, `stable`, `bookworm`, `alpine`) that moves like `latest` */
  | "floating"
  /** a tag shipshape cannot read the version of (`v2024-01-01`, a commit sha) */
  | "other";

export function parseImageRef(text: string): ImageRef {
  const unresolved = /\$/.test(text);
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const firstSlash = rest.indexOf("/");
  if (firstSlash > 0) {
    const head = rest.slice(0, firstSlash);
    if (head.includes(".") || head.includes(":") || head === "localhost") {
      registry = head;
      rest = rest.slice(firstSlash + 1);
    }
  }
  const repository = rest.startsWith("library/") && !registry ? rest.slice("library/".length) : rest;
  const ref: ImageRef = { text, repository, unresolved };
  if (registry) ref.registry = registry;
  if (tag) ref.tag = tag;
  if (digest) ref.digest = digest;
  return ref;
}

/** Word tags that move to a new release by design. */
const FLOATING_TAGS =
  /^(?:latest|lts|stable|current|edge|mainline|rolling|nightly|alpine|slim|bookworm|bullseye|trixie|jammy|noble|focal|[a-z]+-slim)$/;

export function tagPrecision(ref: ImageRef): TagPrecision {
  const tag = ref.tag;
  if (tag === undefined) return "missing";
  if (tag === "latest") return "latest";
  if (FLOATING_TAGS.test(tag) || /^lts-/.test(tag)) return "floating";
  const version = /^v?(\d+(?:\.\d+)*)/.exec(tag);
  if (!version?.[1]) return "other";
  const parts = version[1].split(".").length;
  if (parts === 1) return "major";
  if (parts === 2) return twoPartReleases(ref, version[1]) ? "exact" : "minor";
  return "exact";
}

/** Images whose releases have two numbers: PostgreSQL 10 and later (`15.18`), Debian point releases (`12.12`). */
function twoPartReleases(ref: ImageRef, version: string): boolean {
  if (ref.registry) return false;
  const major = Number(version.split(".")[0]);
  if (ref.repository === "postgres") return major >= 10;
  return ref.repository === "debian";
}

/** The OS variant a tag names (`bookworm-slim`, `alpine3.19`), if any. */
export function tagVariant(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const match = /^v?\d+(?:\.\d+)*-(.+)$/.exec(tag);
  return match?.[1];
}

/** Official images whose full (non-slim) tags carry compilers and build tools. */
const FULL_IMAGE_LANGUAGES = new Set(["node", "python", "ruby", "golang", "php", "openjdk", "rust", "perl"]);

/** Whether the image is a full language image (compilers, headers, git) rather than a slim one. */
export function isFullLanguageImage(ref: ImageRef): boolean {
  if (ref.registry || !FULL_IMAGE_LANGUAGES.has(ref.repository)) return false;
  const tag = ref.tag ?? "latest";
  return !/slim|alpine|distroless|chainguard|minimal|windowsservercore|nanoserver/.test(tag);
}

export function formatImageRef(ref: ImageRef): string {
  return ref.text;
}

/**
 * Substitute `$X`, `${X}`, `${X:-default}` and the other forms (see interpolate.ts) with known
 * values; unknown variables stay as written. In a compose file `$$` is a literal `$`.
 */
export function substituteVariables(
  text: string,
  values: ReadonlyMap<string, string | undefined>,
  dialect: "dockerfile" | "compose" = "dockerfile",
): string {
  return interpolate(text, values, { unknown: "keep", dollarEscape: dialect === "compose" }).text;
}

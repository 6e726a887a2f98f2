/**
 * `--resolve-tags`: which tags move to the exact version they point at, and in which order the
 * repository's other tags are tried (the one with the same digest that is tried first wins).
 */
import { parseImageRef, tagPrecision, tagVariant } from "../check/facts/image.js";

/** Tags that name a moving release: none (`latest`), `latest`, `20`, `3.11-slim`, `lts`, `alpine`. */
export function isImpreciseTag(image: string): boolean {
  const precision = tagPrecision(parseImageRef(image));
  return precision !== "exact" && precision !== "other";
}

/** Word tags that name a release channel, not an OS variant. */
const CHANNELS = new Set(["latest", "lts", "stable", "current", "edge", "mainline", "rolling", "nightly"]);

function versionOf(tag: string): number[] | undefined {
  const match = /^v?(\d+(?:\.\d+)*)/.exec(tag);
  return match?.[1] ? match[1].split(".").map(Number) : undefined;
}

function variantOf(tag: string): string | undefined {
  if (versionOf(tag)) return tagVariant(tag);
  return CHANNELS.has(tag) || /^lts-/.test(tag) ? undefined : tag;
}

/**
 * The repository's exact-version tags that `tag` may currently point at, most likely first:
 * the same OS variant before others, then the newest version. `repository` is the familiar
 * name (`node`, `postgres`) whose version scheme decides what "exact" is.
 */
export function candidateTags(
  repository: string,
  tag: string | undefined,
  tags: readonly string[],
  limit = 20,
): string[] {
  const original = tag ?? "latest";
  const version = versionOf(original) ?? [];
  const variant = variantOf(original);
  const candidates = tags.filter((candidate) => {
    if (candidate === original) return false;
    if (tagPrecision(parseImageRef(`${repository}:${candidate}`)) !== "exact") return false;
    const parts = versionOf(candidate) ?? [];
    return version.every((part, index) => parts[index] === part) && parts.length > version.length;
  });
  const compare = (a: string, b: string): number => {
    const sameA = variantOf(a) === variant ? 0 : 1;
    const sameB = variantOf(b) === variant ? 0 : 1;
    if (sameA !== sameB) return sameA - sameB;
    const va = versionOf(a) ?? [];
    const vb = versionOf(b) ?? [];
    for (let i = 0; i < Math.max(va.length, vb.length); i++) {
      const diff = (vb[i] ?? -1) - (va[i] ?? -1);
      if (diff !== 0) return diff;
    }
    return a.length - b.length || a.localeCompare(b);
  };
  return candidates.sort(compare).slice(0, limit);
}

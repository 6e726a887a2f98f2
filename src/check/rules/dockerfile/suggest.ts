/**
 * What to suggest instead of a floating or imprecise tag. A suggestion, not a lookup: `shipshape
 * pin` resolves real digests; here the versions are the current releases shipshape was built with,
 * or the version the project itself asks for (`engines.node`, `.nvmrc`).
 */

import { KNOWN_IMAGES } from "../../../app/versions.js";
import type { ImageRef } from "../../facts/image.js";
import { tagVariant } from "../../facts/image.js";
import type { ProjectFacts } from "../../facts/project.js";

/** The releases shipshape knows (src/app/versions.ts): what init writes is what check suggests. */
const CURRENT = KNOWN_IMAGES;

/** A precise tag for an image, or undefined when shipshape has no basis for one. */
export function suggestTag(ref: ImageRef, facts?: ProjectFacts): string | undefined {
  const current = CURRENT[ref.repository];
  if (!current || ref.registry) return undefined;
  let version = current.version;
  if (ref.repository === "node" && facts) {
    const wanted = facts.text(".nvmrc")?.text.trim() ?? facts.text(".node-version")?.text.trim();
    const exact = wanted && /^v?(\d+\.\d+\.\d+)$/.exec(wanted)?.[1];
    if (exact) version = exact;
  }
  // Keep the major the user chose when the tag names one (`node:22` → 22.x), else suggest current.
  const major = /^v?(\d+)/.exec(ref.tag ?? "")?.[1];
  if (major && major !== version.split(".")[0]) return undefined;
  const variant = tagVariant(ref.tag) ?? current.variant;
  if (ref.repository === "debian") return `${ref.repository}:${version}-${variant}`;
  return `${ref.repository}:${version}-${variant}`;
}

import { tagPrecision, tagVariant } from "../../facts/image.js";
import type { Rule } from "../../types.js";
import { pulledImages } from "./images.js";
import { suggestTag } from "./suggest.js";

/** Official images whose tags come in OS variants, and whose default variant changes over time. */
const VARIANT_IMAGES = new Set([
  "node",
  "python",
  "ruby",
  "golang",
  "php",
  "perl",
  "rust",
  "postgres",
  "redis",
  "nginx",
  "httpd",
  "openjdk",
  "eclipse-temurin",
]);

export const rule: Rule = {
  meta: {
    id: "SS1003",
    name: "image-variant-unnamed",
    title: "Exact image version without an OS variant",
    severity: "info",
    category: "reproducibility",
    rationale:
      "Without a variant (`-bookworm-slim`, `-alpine3.20`) the tag means the image's default OS, which the maintainers switch to the next Debian release; the full default variant is also several times larger than `-slim`.",
    fix: "Add the OS variant to the tag (`node:20.11.1-bookworm-slim`).",
    examples: {
      bad: { Dockerfile: 'FROM node:20.11.1\nUSER node\nCMD ["node", "server.js"]\n' },
      good: { Dockerfile: 'FROM node:20.11.1-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n' },
    },
  },
  check(facts) {
    return pulledImages(facts).flatMap((image) => {
      const ref = image.ref;
      if (ref.digest || ref.registry || !VARIANT_IMAGES.has(ref.repository)) return [];
      if (tagPrecision(ref) !== "exact" || tagVariant(ref.tag)) return [];
      const current = suggestTag({ text: ref.repository, repository: ref.repository, unresolved: false });
      const variant = tagVariant(current?.slice(current.indexOf(":") + 1));
      const advice = variant
        ? `name one, such as \`${ref.repository}:${ref.tag}-${variant}\``
        : "name one (`-bookworm`, `-slim-bookworm`, `-alpine3.20`)";
      return [
        {
          location: image.location,
          message: `\`${ref.text}\` names no OS variant, so its OS changes when the image's default does: ${advice}`,
        },
      ];
    });
  },
};

import { tagPrecision } from "../../facts/image.js";
import type { Rule } from "../../types.js";
import { pulledImages } from "./images.js";
import { suggestTag } from "./suggest.js";

export const rule: Rule = {
  meta: {
    id: "SS1002",
    name: "image-tag-imprecise",
    title: "Image tag names only a major or `major.minor` version",
    severity: "warning",
    category: "reproducibility",
    rationale:
      "A tag like `node:22` or `postgres:15-bookworm` moves to every new patch (and `node:22` to every minor) release: two builds or two hosts of the same commit run different versions.",
    fix: "Name the exact version with its OS variant (`postgres:15.14-bookworm`), then `shipshape pin` to add the digest.",
    examples: {
      bad: { "compose.yaml": "services:\n  db:\n    image: postgres:15-bookworm\n" },
      good: { "compose.yaml": "services:\n  db:\n    image: postgres:15.14-bookworm\n" },
    },
  },
  check(facts) {
    return pulledImages(facts).flatMap((image) => {
      if (image.ref.digest) return [];
      const precision = tagPrecision(image.ref);
      if (precision !== "major" && precision !== "minor") return [];
      const what =
        precision === "major"
          ? `\`${image.ref.text}\` names only a major version, so it moves with every minor and patch release`
          : `\`${image.ref.text}\` names no patch version, so it moves with every patch release`;
      const suggestion = suggestTag(image.ref, facts);
      return [
        {
          location: image.location,
          message: suggestion ? `${what}: pin \`${suggestion}\`` : `${what}: pin the exact version`,
        },
      ];
    });
  },
};

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
    fix: "Name the exact version with its OS variant (`postgres:15.18-bookworm`), then `shipshape pin` to add the digest.",
    examples: {
      bad: { "compose.yaml": "services:\n  db:\n    image: postgres:15-bookworm\n" },
      good: { "compose.yaml": "services:\n  db:\n    image: postgres:15.18-bookworm\n" },
    },
  },
  check(facts) {
    return pulledImages(facts).flatMap((image) => {
      if (image.ref.digest) return [];
      const precision = tagPrecision(image.ref);
      if (precision !== "major" && precision !== "minor") return [];
      const version = /^v?(\d+(?:\.\d+)*)/.exec(image.ref.tag ?? "")?.[1] ?? "";
      const what =
        precision === "major"
          ? `\`${image.ref.text}\` names only major version ${version}, so it moves to every new ${version}.x release`
          : `\`${image.ref.text}\` names no patch version, so it moves to every new ${version}.x release`;
      // Only a suggestion inside the line the user chose (`3.12` must not become `3.11.x`).
      const suggested = suggestTag(image.ref, facts);
      const suggestion = suggested?.split(":")[1]?.startsWith(`${version}.`) ? suggested : undefined;
      return [
        {
          location: image.location,
          message: suggestion ? `${what}: pin \`${suggestion}\`` : `${what}: pin the exact version`,
        },
      ];
    });
  },
};

import { tagPrecision } from "../../facts/image.js";
import type { Rule } from "../../types.js";
import { pulledImages } from "./images.js";
import { suggestTag } from "./suggest.js";

export const rule: Rule = {
  meta: {
    id: "SS1001",
    name: "image-tag-floating",
    title: "Image tag moves: `latest`, no tag, or a word tag",
    severity: "error",
    category: "reproducibility",
    rationale:
      "`latest` (what a missing tag means) and word tags like `lts` or `alpine` point at a new image with every release: two builds of the same commit get different runtimes, OS releases and libraries.",
    fix: "Name an exact version and OS variant (`node:20.20.2-bookworm-slim`), then `shipshape pin` to add the digest.",
    equivalents: { hadolint: ["DL3006", "DL3007"], trivy: ["DS001"], checkov: ["CKV_DOCKER_7"] },
    examples: {
      bad: { Dockerfile: 'FROM node:latest\nUSER node\nCMD ["node", "server.js"]\n' },
      good: { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n' },
    },
  },
  check(facts) {
    return pulledImages(facts).flatMap((image) => {
      const precision = tagPrecision(image.ref);
      if (image.ref.digest) return [];
      if (precision !== "latest" && precision !== "missing" && precision !== "floating") return [];
      const shown = precision === "missing" ? `${image.ref.text}` : image.ref.text;
      const what =
        precision === "missing"
          ? `\`${shown}\` has no tag, so it means \`latest\`, which moves`
          : `\`${shown}\` moves with every release`;
      const suggestion = suggestTag(image.ref, facts);
      return [
        {
          location: image.location,
          message: suggestion
            ? `${what}: pin \`${suggestion}\``
            : `${what}: pin an exact version and OS variant`,
        },
      ];
    });
  },
};

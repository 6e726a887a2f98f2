import type { Rule } from "../../types.js";
import { pulledImages } from "./images.js";

export const rule: Rule = {
  meta: {
    id: "SS1004",
    name: "image-not-digest-pinned",
    title: "Image pulled by tag, without a `@sha256:` digest",
    severity: "info",
    category: "reproducibility",
    rationale:
      "Even an exact tag is re-pushed when the maintainers rebuild it for OS security updates, so the same tag can mean different bytes; only a digest names one image.",
    fix: "Run `shipshape pin` to append the current `@sha256:` digest to each image (and `shipshape pin --check` in CI).",
    examples: {
      bad: { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n' },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nUSER node\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    return pulledImages(facts).flatMap((image) => {
      if (image.ref.digest?.startsWith("sha256:") || image.ref.text === "") return [];
      return [
        {
          location: image.location,
          message: `\`${image.ref.text}\` has no digest, so a re-pushed tag changes what is pulled: \`shipshape pin\` adds it`,
        },
      ];
    });
  },
};

import { parseImageRef } from "../../facts/image.js";
import type { Rule } from "../../types.js";

export const rule: Rule = {
  meta: {
    id: "SS1005",
    name: "syntax-directive-floating",
    title: "`# syntax=` frontend that moves: `latest`, no tag, or a branch",
    severity: "warning",
    category: "reproducibility",
    rationale:
      "The `# syntax=` image is the parser BuildKit runs for the whole file; without a version tag it is whatever the frontend's `latest` or branch build is today, so the same Dockerfile can parse differently tomorrow.",
    fix: "Use a version channel such as `# syntax=docker/dockerfile:1` (stable 1.x) or an exact `docker/dockerfile:1.7`.",
    examples: {
      bad: {
        Dockerfile:
          '# syntax=docker/dockerfile:latest\nFROM node:20.20.2-bookworm-slim\nCMD ["node", "server.js"]\n',
      },
      good: {
        Dockerfile:
          '# syntax=docker/dockerfile:1\nFROM node:20.20.2-bookworm-slim\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: ReturnType<Rule["check"]> = [];
    for (const { dockerfile } of facts.dockerfiles) {
      for (const directive of dockerfile.directives) {
        if (directive.name !== "syntax") continue;
        const value = directive.value.trim();
        if (value === "" || /\$/.test(value)) continue;
        const ref = parseImageRef(value);
        if (ref.digest) continue;
        // `1`, `1.7`, `1.7.0`, `1-labs`, `1.7-labs`: version channels and releases.
        if (ref.tag && /^v?\d+(?:\.\d+)*(?:-[a-z]+)?$/.test(ref.tag)) continue;
        const why =
          ref.tag === undefined
            ? "has no tag, so it means `latest`"
            : ref.tag === "latest"
              ? "is `latest`"
              : `uses the tag \`${ref.tag}\`, which follows a branch`;
        const column = dockerfile.source.line(directive.line).indexOf(value) + 1;
        out.push({
          location: { file: dockerfile.file, line: directive.line, column: column > 0 ? column : 1 },
          message: `The BuildKit frontend \`${value}\` ${why}: ${ref.repository === "docker/dockerfile" ? "use `docker/dockerfile:1`" : "use a version tag"}`,
        });
      }
    }
    return out;
  },
};

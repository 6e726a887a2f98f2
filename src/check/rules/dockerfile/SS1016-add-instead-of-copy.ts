import type { Rule, RuleResult } from "../../types.js";
import { keywordText } from "./query.js";

const ARCHIVE = /\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst)$/i;
const URL = /^[a-z][a-z0-9+.-]*:\/\//i;
const GIT = /^git@|\.git(?:#.*)?$|^git:\/\//;

export const rule: Rule = {
  meta: {
    id: "SS1016",
    name: "add-instead-of-copy",
    title: "`ADD` where `COPY` (or a verified download) is meant",
    severity: "warning",
    category: "reproducibility",
    rationale:
      "`ADD` also unpacks archives and fetches URLs: for local files it hides that magic behind a plain copy, and a URL is downloaded unverified, so the image changes when the remote file does.",
    fix: "Use `COPY` for local files; for a URL, `ADD --checksum=sha256:<hash> <url> <dest>` or `curl` plus `sha256sum -c`.",
    equivalents: {
      hadolint: ["DL3020"],
      trivy: ["DS005"],
      checkov: ["CKV_DOCKER_4"],
      dockle: ["CIS-DI-0009"],
    },
    examples: {
      bad: {
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nADD server.js /app/\nCMD ["node", "/app/server.js"]\n',
      },
      good: {
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nCOPY server.js /app/\nCMD ["node", "/app/server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      for (const stage of dockerfile.stages) {
        for (const copy of stage.copies) {
          if (copy.keyword !== "ADD" || copy.instruction.stage !== stage.index) continue;
          const sources = copy.sources;
          if (sources.length === 0 && !copy.heredoc) continue;
          if (sources.some((source) => /\$/.test(source) || GIT.test(source))) continue;
          const location = {
            file: dockerfile.file,
            line: copy.instruction.line,
            column: copy.instruction.column,
          };
          const urls = sources.filter((source) => URL.test(source));
          if (urls.length > 0) {
            if (copy.instruction.flags.has("checksum")) continue;
            out.push({
              location,
              message: `\`ADD ${urls[0]}\` downloads without checking what arrives: add \`--checksum=sha256:<hash>\`, or fetch with \`curl\` and verify with \`sha256sum -c\``,
            });
            continue;
          }
          // Unpacking a local archive is what ADD is for.
          if (sources.some((source) => ARCHIVE.test(source))) continue;
          const written = keywordText(dockerfile, copy.instruction);
          const shownSources = sources.length > 0 ? sources.join(" ") : "<<heredoc";
          out.push({
            location,
            message: `\`ADD ${shownSources}\` copies local files: use \`COPY\`, which does only that`,
            fix: {
              description: "Replace `ADD` with `COPY`",
              edits: [
                {
                  file: dockerfile.file,
                  start: copy.instruction.start,
                  end: copy.instruction.start + written.length,
                  text: written === written.toLowerCase() ? "copy" : "COPY",
                },
              ],
            },
          });
        }
      }
    }
    return out;
  },
};

import { effectiveArgv, programOf } from "../../facts/shell.js";
import type { Rule, RuleResult } from "../../types.js";
import { commandAt } from "./query.js";

const SHELLS = /^(?:sh|bash|dash|zsh|ash|ksh|python[0-9.]*|perl|ruby|node)$/;
const DOWNLOADERS = new Set(["curl", "wget"]);

export const rule: Rule = {
  meta: {
    id: "SS1011",
    name: "pipe-to-shell",
    title: "Script downloaded and piped straight into a shell",
    severity: "warning",
    category: "reproducibility",
    rationale:
      "`curl … | sh` runs whatever the server returns at build time, unchecked: a changed, truncated or compromised script changes the image without any change to the Dockerfile.",
    fix: 'Download to a file, check it against a known SHA-256 (`echo "<sha256>  install.sh" | sha256sum -c -`), then run it; or install a versioned package instead.',
    examples: {
      bad: {
        Dockerfile: "FROM debian:12.12-slim\nRUN curl -fsSL https://example.com/install.sh | sh\n",
      },
      good: {
        Dockerfile:
          'FROM debian:12.12-slim\nRUN curl -fsSLo /tmp/install.sh https://example.com/v1.2.3/install.sh \\\n && echo "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  /tmp/install.sh" | sha256sum -c - \\\n && sh /tmp/install.sh\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      for (const stage of dockerfile.stages) {
        for (const run of stage.runs) {
          for (const command of run.commands) {
            const source = command.pipedFrom;
            if (!source) continue;
            const downloader = programOf(source.argv);
            if (!DOWNLOADERS.has(downloader)) continue;
            // `sudo -E bash -`: past the wrapper and its flags.
            let words = effectiveArgv(command.argv);
            while (words[0]?.startsWith("-")) words = words.slice(1);
            const shell = programOf(words);
            if (!SHELLS.test(shell)) continue;
            // `… | sh -c '…'` runs a given script, not the download.
            if (words.slice(1).includes("-c")) continue;
            const url = source.argv.find((word) => /^https?:\/\//.test(word));
            out.push({
              location: commandAt(dockerfile, { run, command: source }),
              message: `\`${downloader}${url ? ` ${url}` : ""} | ${shell}\` runs whatever the server sends at build time: download to a file, verify its SHA-256, then run it`,
            });
          }
        }
      }
    }
    return out;
  },
};

import type { Rule, RuleResult } from "../../types.js";
import { shippedRuns } from "../helpers.js";
import { commandAt } from "./query.js";

export const rule: Rule = {
  meta: {
    id: "SS1210",
    name: "sudo-in-run",
    title: "`sudo` in a `RUN`",
    severity: "warning",
    category: "hardening",
    rationale:
      "`RUN` already runs as the `USER` in effect; `sudo` in an image means a sudoers setup that lets the app's user become root, and it behaves unpredictably without a TTY.",
    fix: "Drop `sudo`: switch with `USER root` for the privileged steps, then back to the unprivileged user.",
    equivalents: { hadolint: ["DL3004"] },
    examples: {
      bad: {
        Dockerfile:
          "FROM debian:12.12-slim\nRUN sudo apt-get update && sudo apt-get install -y --no-install-recommends tini && sudo rm -rf /var/lib/apt/lists/*\n",
      },
      good: {
        Dockerfile:
          "FROM debian:12.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile, run } of shippedRuns(facts)) {
      const command = run.commands.find((candidate) => {
        const words = candidate.argv.filter((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
        return words[0] === "sudo" || words[0] === "/usr/bin/sudo";
      });
      if (!command) continue;
      const rest = command.argv.slice(command.argv.findIndex((word) => /sudo$/.test(word)) + 1);
      out.push({
        location: commandAt(dockerfile, { run, command }),
        message: `\`sudo ${rest.slice(0, 2).join(" ")}\`: \`RUN\` already runs as the current \`USER\`; use \`USER root\` for privileged steps instead of \`sudo\``,
      });
    }
    return out;
  },
};

import { effectiveArgv } from "../../facts/shell.js";
import type { Rule, RuleResult } from "../../types.js";
import { commandAt } from "./query.js";

const TEMP = /^\/(?:tmp|var\/tmp|dev\/shm)(?:\/|$)/;

/** Whether a chmod mode makes files writable by everyone (and is not a sticky temp dir). */
export function worldWritable(mode: string): boolean {
  if (/^[0-7]{3,4}$/.test(mode)) {
    const digits = mode.padStart(4, "0");
    const special = Number(digits[0]);
    const other = Number(digits[3]);
    return (other & 2) !== 0 && (special & 1) === 0;
  }
  return mode.split(",").some((clause) => {
    const match = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    if (!match) return false;
    const who = match[1] ?? "";
    return (who.includes("o") || who.includes("a")) && match[2] !== "-" && (match[3] ?? "").includes("w");
  });
}

export const rule: Rule = {
  meta: {
    id: "SS1211",
    name: "world-writable",
    title: "Files made writable by every user",
    severity: "warning",
    category: "hardening",
    rationale:
      "`chmod 777` lets any process in the container, whatever its user, rewrite the app's code or configuration: a small foothold becomes persistent code execution.",
    fix: "Give ownership to the app's user (`COPY --chown=app:app`, `chown`) and keep modes like `755`/`644` (`775` for a shared group).",
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN chmod -R 777 /app\nUSER node\nCMD ["node", "server.js"]\n',
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER node\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      for (const stage of dockerfile.stages) {
        if (!stage.shipped) continue;
        for (const run of stage.runs) {
          for (const command of run.commands) {
            const words = effectiveArgv(command.argv);
            if (words[0] !== "chmod") continue;
            const args = words.slice(1).filter((word) => !/^-[a-zA-Z]+$|^--(?!reference)/.test(word));
            const mode = args[0];
            const paths = args.slice(1);
            if (!mode || !worldWritable(mode)) continue;
            if (paths.length > 0 && paths.every((path) => TEMP.test(path))) continue;
            out.push({
              location: commandAt(dockerfile, { run, command }),
              message: `\`chmod ${mode} ${paths.join(" ")}\` lets every user in the container write there: give the app's user ownership and use \`755\`/\`644\``,
            });
          }
        }
        for (const copy of stage.copies) {
          const mode = copy.instruction.flags.get("chmod")?.[0];
          if (!mode || !worldWritable(mode)) continue;
          out.push({
            location: { file: dockerfile.file, line: copy.instruction.line, column: copy.instruction.column },
            message: `\`${copy.keyword} --chmod=${mode}\` makes \`${copy.destination}\` writable by every user: use \`755\`/\`644\` and \`--chown\` for the app's user`,
          });
        }
      }
    }
    return out;
  },
};

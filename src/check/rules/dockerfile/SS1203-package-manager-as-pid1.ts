import type { PackageFacts } from "../../facts/app.js";
import { parseShell, programOf } from "../../facts/shell.js";
import type { Rule, RuleResult } from "../../types.js";
import { jsonArray } from "../helpers.js";
import { contextPackage, keywordText, mainCommand } from "./query.js";

const MANAGERS = new Set(["npm", "yarn", "pnpm", "bun"]);
const LIFECYCLE = new Set(["start", "test", "restart", "stop"]);
/** yarn/pnpm subcommands that are not scripts. */
const BUILTINS = new Set([
  "install",
  "add",
  "remove",
  "exec",
  "dlx",
  "x",
  "create",
  "init",
  "publish",
  "upgrade",
  "up",
  "why",
  "info",
  "list",
  "ls",
  "config",
  "cache",
  "node",
]);

/** The script a package-manager command runs, and the words after it. */
function scriptOf(
  argv: string[],
  pkg: PackageFacts | undefined,
): { name: string; rest: string[] } | undefined {
  const manager = programOf(argv);
  const sub = argv[1] ?? "";
  if (manager === "npm") {
    if (LIFECYCLE.has(sub)) return { name: sub, rest: argv.slice(2) };
    if ((sub === "run" || sub === "run-script") && argv[2]) return { name: argv[2], rest: argv.slice(3) };
    return undefined;
  }
  if (manager === "bun") {
    if (sub === "run" && argv[2] && pkg?.scripts.has(argv[2])) return { name: argv[2], rest: argv.slice(3) };
    return undefined;
  }
  if (sub === "run" && argv[2]) return { name: argv[2], rest: argv.slice(3) };
  if (LIFECYCLE.has(sub)) return { name: sub, rest: argv.slice(2) };
  if (sub && !sub.startsWith("-") && !BUILTINS.has(sub) && pkg?.scripts.has(sub))
    return { name: sub, rest: argv.slice(2) };
  return undefined;
}

/** The words of a script that is a plain `node <file> [args]`, or undefined. */
function plainNode(command: string): string[] | undefined {
  const commands = parseShell(command);
  const only = commands[0];
  if (commands.length !== 1 || !only || only.pipedFrom) return undefined;
  if (only.argv[0] !== "node" || only.argv.length < 2) return undefined;
  if (only.argv.some((word) => /[$`<>|&;*?~'"\\]/.test(word) || word === "")) return undefined;
  return only.argv;
}

export const rule: Rule = {
  meta: {
    id: "SS1203",
    name: "package-manager-as-pid1",
    title: "A package manager (`npm start`) is the container's main process",
    severity: "warning",
    category: "hardening",
    rationale:
      'With `CMD ["npm", "start"]` npm runs `sh`, which runs node: three processes where one would do, and npm decides what happens to SIGTERM and the exit code, so every `docker stop` can end in `Exited (1)` or a 10-second kill.',
    fix: 'Run the program directly in exec form (`CMD ["node", "dist/index.js"]`).',
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD ["npm", "start"]\n',
        "package.json": '{ "name": "app", "scripts": { "start": "node server.js" } }\n',
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD ["node", "server.js"]\n',
        "package.json": '{ "name": "app", "scripts": { "start": "node server.js" } }\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const { dockerfile } = target;
      const final = dockerfile.final;
      if (!final) continue;
      const { exec, argv } = mainCommand(final);
      if (!exec || !MANAGERS.has(programOf(argv))) continue;
      const pkg = contextPackage(facts, target);
      const script = scriptOf(argv, pkg);
      if (!script) continue;
      const written = argv.slice(0, argv.length - script.rest.length).join(" ");
      const command = pkg?.scripts.get(script.name)?.command;
      const words = command !== undefined ? plainNode(command) : undefined;
      const hooks = pkg?.scripts.has(`pre${script.name}`) || pkg?.scripts.has(`post${script.name}`);
      const instruction = exec.instruction;
      const result: RuleResult = {
        location: { file: dockerfile.file, line: instruction.line, column: instruction.column },
        message: words
          ? `\`${written}\` makes ${programOf(argv)} the main process, between Docker and node (signals, exit codes): run \`${words.join(" ")}\` directly`
          : `\`${written}\` makes ${programOf(argv)} the main process, between Docker and the app (signals, exit codes): run the program directly in exec form`,
      };
      // Replace the instruction only when it holds nothing but this command (no init in front).
      const alone =
        exec.form === "exec"
          ? exec.argv.join(" ") === argv.join(" ")
          : parseShell(exec.script ?? "").length === 1;
      if (words && !hooks && alone && script.rest.length === 0) {
        const keyword = keywordText(dockerfile, instruction);
        result.fix = {
          description: `Run \`${words.join(" ")}\` directly`,
          edits: [
            {
              file: dockerfile.file,
              start: instruction.start,
              end: instruction.end,
              text: `${keyword} ${jsonArray(words)}`,
            },
          ],
        };
      }
      out.push(result);
    }
    return out;
  },
};

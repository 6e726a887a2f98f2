import type { EnvRead } from "../../facts/app.js";
import type { ProjectFacts } from "../../facts/project.js";
import type { Fix, Rule, RuleResult } from "../../types.js";
import { at } from "../helpers.js";
import { declaredEnv, exampleEnvFiles, firstReads, relativeTo, serverReads, targetsOf } from "./support.js";

/** Server reads of the code that ships (in a build context when there is a Dockerfile). */
export function shippedReads(facts: ProjectFacts): EnvRead[] {
  const reads = serverReads(facts);
  if (facts.dockerfiles.length === 0) return reads;
  return reads.filter((read) =>
    targetsOf(facts, read.file).some((target) =>
      target.context.includes(relativeTo(target.context.dir, read.file)),
    ),
  );
}

export const rule: Rule = {
  meta: {
    id: "SS3007",
    name: "env-undeclared",
    title: "The code reads a variable that no declaration lists",
    severity: "error",
    category: "runtime",
    rationale:
      "The project declares its configuration (`.env.example`, compose `environment`, Dockerfile `ENV`) but not this variable: it is set on the author's machine only, so a fresh deployment starts without it and fails, often far from the cause (`Received undefined`).",
    fix: "Add the variable to `.env.example` (a placeholder, never the real value) and pass it at run time; fail fast when a required one is missing.",
    examples: {
      bad: {
        "src/session.js": 'const key = Buffer.from(process.env.SESSION_SECRET, "utf8");\n',
        ".env.example": "PORT=3000\n",
      },
      good: {
        "src/session.js": 'const key = Buffer.from(process.env.SESSION_SECRET, "utf8");\n',
        ".env.example": "PORT=3000\nSESSION_SECRET=\n",
      },
    },
  },
  check(facts) {
    const examples = exampleEnvFiles(facts);
    // Without an example file SS3008 reports every variable instead.
    const example = examples[0];
    if (!example) return [];
    const declared = declaredEnv(facts);
    const reads = shippedReads(facts).filter(
      (read) => !(read.name === "PORT" && read.fallback !== undefined),
    );
    const undeclared = firstReads(reads).filter((read) => !declared.has(read.name));
    if (undeclared.length === 0) return [];
    const source = example.source;
    const append = undeclared.map((read) => `${read.name}=`);
    const needsBreak = source.text.length > 0 && !source.text.endsWith("\n");
    const fix: Fix = {
      description: `Add ${undeclared.map((read) => `\`${read.name}\``).join(", ")} to \`${example.file}\``,
      edits: [
        {
          file: example.file,
          start: source.text.length,
          end: source.text.length,
          text: (needsBreak ? source.eol : "") + append.map((line) => line + source.eol).join(""),
        },
      ],
    };
    return undeclared.map((read, index): RuleResult => {
      const all = reads.filter((other) => other.name === read.name);
      const required = all.every((other) => other.fallback === undefined);
      const direct = all.some((other) => other.direct && other.fallback === undefined);
      const checked = facts.app.checkedEnv.has(read.name) || all.some((other) => other.failsWhenMissing);
      const where = `\`${example.file}\`, the Dockerfile and compose`;
      let message: string;
      if (required && !checked)
        message = `\`${read.name}\` is read without a fallback${direct ? " and used directly" : ""}, and nothing declares it (${where}): a fresh deployment starts without it and fails far from the cause; add it to \`${example.file}\``;
      else if (required)
        message = `\`${read.name}\` is required but nothing declares it (${where}): a fresh deployment stops at startup; add it to \`${example.file}\``;
      else
        message = `\`${read.name}\` is not declared (${where}): deployments silently run with the code's default; add it to \`${example.file}\``;
      const result: RuleResult = {
        location: at(read.file, read.line, read.column),
        message,
        related: [{ ...at(example.file, 1), message: "the declared variables" }],
      };
      if (index === 0) result.fix = fix;
      return result;
    });
  },
};

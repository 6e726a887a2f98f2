import type { Rule } from "../../types.js";
import { deleteLines, nodeAt } from "../helpers.js";
import { result } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2001",
    name: "compose-version-obsolete",
    title: "Obsolete `version:` in a compose file",
    severity: "info",
    category: "reproducibility",
    rationale:
      "The Compose Specification ignores `version:`: it no longer selects a file format, Compose v2 warns that it is obsolete on every command, and readers take it for a constraint that does not exist.",
    fix: "Delete the `version:` line.",
    equivalents: { dclint: ["no-version-field"] },
    examples: {
      bad: {
        "compose.yaml": "version: '3.8'\n\nservices:\n  web:\n    image: nginx:1.27.3-alpine\n",
      },
      good: { "compose.yaml": "services:\n  web:\n    image: nginx:1.27.3-alpine\n" },
    },
  },
  check(facts) {
    return facts.composeFiles.flatMap((compose) => {
      if (!compose.version) return [];
      const source = compose.source;
      const line = compose.version.line;
      const text = source.line(line);
      const value = /^version\s*:\s*(.*?)\s*(?:#.*)?$/.exec(text)?.[1];
      const shown = value ? `version: ${value}` : "version:";
      let fix: Parameters<typeof result>[2];
      // Only a top-level `version:` on a line of its own is deleted (not one inside a flow mapping).
      if (value !== undefined && compose.version.column === 1) {
        const last = line < source.lineCount && source.line(line + 1).trim() === "" ? line + 1 : line;
        fix = {
          description: "Delete the obsolete `version:` line",
          edits: [deleteLines(source, line, last)],
        };
      }
      return [
        result(
          nodeAt(compose.file, compose.version),
          `\`${shown}\` is obsolete: Compose ignores it and v2 warns about it on every command`,
          fix,
        ),
      ];
    });
  },
};

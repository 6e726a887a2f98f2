/**
 * `.shipshape.yaml`: which rules run and how severe they are, the `--fail-on` threshold,
 * trusted registries and paths to skip. Validated with zod; errors name the file and line.
 */
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { InputError } from "../errors.js";

const severity = z.enum(["error", "warning", "info"]);
const ruleSetting = z.union([severity, z.literal("off"), z.literal("on")]);

export const configSchema = z
  .object({
    failOn: z.enum(["error", "warning", "info", "none"]).optional(),
    rules: z.record(z.string().regex(/^SS\d{4}$/, "rule ids look like SS1001"), ruleSetting).optional(),
    ignore: z.array(z.string().regex(/^SS\d{4}$/, "rule ids look like SS1001")).optional(),
    ignorePaths: z.array(z.string().min(1)).optional(),
    trustedRegistries: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type ShipshapeConfig = z.infer<typeof configSchema>;

export const CONFIG_FILES = [".shipshape.yaml", ".shipshape.yml"];

/** Parse and validate a config file's text; throws InputError naming the line. */
export function parseConfig(file: string, text: string): ShipshapeConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = lineCounter.linePos(firstError.pos[0]);
    throw new InputError(file, pos.line, `is not valid YAML: ${firstError.message.split("\n")[0]}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new InputError(file, 1, (error as Error).message);
  }
  const result = configSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map((part) => (typeof part === "symbol" ? String(part) : part));
  // Point at the deepest node that exists: the offending key or value.
  let line = 1;
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      line = lineCounter.linePos(node.range[0]).line;
      break;
    }
    if (depth > 0) {
      // An unknown key: find the key's own line.
      const parent = doc.getIn(path.slice(0, depth - 1), true) as
        | { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> }
        | undefined;
      const key = parent?.items?.find((item) => item.key?.value === path[depth - 1]);
      if (key?.key?.range) {
        line = lineCounter.linePos(key.key.range[0]).line;
        break;
      }
    }
  }
  const unknownKeys = issue.code === "unrecognized_keys" ? (issue as { keys?: string[] }).keys : undefined;
  if (unknownKeys?.[0]) {
    const keyLine = text.split("\n").findIndex((l) => new RegExp(`^\\s*${unknownKeys[0]}\\s*:`).test(l));
    if (keyLine >= 0) line = keyLine + 1;
  }
  const where = path.length > 0 ? `${path.join(".")}: ` : "";
  throw new InputError(
    file,
    line,
    `${where}${issue.message}`,
    "keys: failOn, rules (SS1001: error|warning|info|off|on), ignore, ignorePaths, trustedRegistries",
  );
}

/**
 * Every image reference `pin` can pin, found in the project's facts: each Dockerfile stage's
 * `FROM` (stage aliases and `scratch` left alone), a `# syntax=` parser directive, and compose
 * `image:` of services that pull rather than build. Each comes with the exact span of text a
 * rewrite replaces, so that every other byte of the file stays as it is.
 *
 * A `FROM` whose image comes from an `ARG` is pinned through the ARG's default when that is
 * safe: the reference ends with the variable (`FROM $BASE`, `FROM node:${NODE_TAG}`), the ARG is
 * declared before the first FROM with a literal default, and nothing but `FROM` lines uses it
 * (a digest added to it would otherwise change a `LABEL` or `RUN` too). Anything else templated
 * is reported as unpinnable, with the reason.
 */
import type { ComposeFacts } from "../check/facts/compose.js";
import type { DockerfileFacts, InstructionFacts, StageFacts } from "../check/facts/dockerfile.js";
import type { ProjectFacts } from "../check/facts/project.js";
import type { SourceText } from "../check/facts/source.js";

export type ReferenceKind = "from" | "syntax" | "compose";

/** A span of a file a rewrite replaces: the image reference, or the part of it a variable holds. */
export interface TextSpan {
  file: string;
  start: number;
  end: number;
  /** The text in the span (`node:20`, or `20` when `FROM node:${TAG}` takes it from ARG TAG). */
  text: string;
}

export interface PinReference {
  file: string;
  line: number;
  column: number;
  kind: ReferenceKind;
  /** The image as the engine reads it (ARG defaults substituted): `node:20-bookworm-slim`. */
  image: string;
  /** Where the rewrite goes. For `FROM $BASE` this is the ARG's default. */
  span: TextSpan;
  /** The text before the span that is part of the reference (`node:` for `FROM node:${TAG}`). */
  prefix: string;
  /** Through which ARG the image is templated, when it is. */
  viaArg?: string;
  /** `--platform` as written on the FROM line (kept as it is). */
  platform?: string;
  /** The stage's alias, or the compose service. */
  stage?: string;
  service?: string;
}

export interface Unpinnable {
  file: string;
  line: number;
  column: number;
  kind: ReferenceKind;
  /** The reference as written. */
  text: string;
  reason: string;
}

export interface FoundReferences {
  references: PinReference[];
  unpinnable: Unpinnable[];
}

export interface FindOptions {
  /** Leave compose files out (when `--file` names the Dockerfiles to pin). */
  compose?: boolean;
}

/** ARGs BuildKit sets from the build's platforms: an image named with them differs per build. */
const PLATFORM_ARGS = new Set([
  "TARGETPLATFORM",
  "TARGETOS",
  "TARGETARCH",
  "TARGETVARIANT",
  "BUILDPLATFORM",
  "BUILDOS",
  "BUILDARCH",
  "BUILDVARIANT",
]);

const VARIABLE_USE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))/g;
const TRAILING_VARIABLE = /^([^$]*)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/;

export function findReferences(facts: ProjectFacts, options: FindOptions = {}): FoundReferences {
  const found: FoundReferences = { references: [], unpinnable: [] };
  for (const { dockerfile } of facts.dockerfiles) fromDockerfile(dockerfile, found);
  if (options.compose !== false) for (const compose of facts.composeFiles) fromCompose(compose, found);
  return found;
}

// --- Dockerfiles ----------------------------------------------------------------------------------

function fromDockerfile(dockerfile: DockerfileFacts, found: FoundReferences): void {
  const { source } = dockerfile;
  const syntax = dockerfile.directives.find((directive) => directive.name === "syntax");
  if (syntax) {
    const lineStart = source.offset(syntax.line);
    const lineText = source.line(syntax.line);
    const value = syntax.value.trim();
    const equals = lineText.indexOf("=");
    const at = equals < 0 ? -1 : lineText.indexOf(value, equals + 1);
    if (value !== "" && at >= 0) {
      const start = lineStart + at;
      const base = { file: dockerfile.file, ...position(source, start), kind: "syntax" as const };
      if (value.includes("$"))
        found.unpinnable.push({
          ...base,
          text: value,
          reason: "parser directives are not expanded: write the frontend image out",
        });
      else
        found.references.push({
          ...base,
          image: value,
          span: { file: dockerfile.file, start, end: start + value.length, text: value },
          prefix: "",
        });
    }
  }

  for (const stage of dockerfile.stages) {
    // `FROM build AS runtime` builds on an earlier stage; `scratch` is no image at all.
    if (stage.parentStage !== undefined) continue;
    if (stage.base.repository === "scratch" && stage.base.registry === undefined && !stage.base.tag) continue;
    const token = fromImageToken(source, stage.from, dockerfile.escape);
    const at = token ? position(source, token.start) : { line: stage.from.line, column: stage.from.column };
    const base = { file: dockerfile.file, ...at, kind: "from" as const };
    const described = {
      ...(stage.platform === undefined ? {} : { platform: stage.platform }),
      ...(stage.name === undefined ? {} : { stage: stage.name }),
    };
    if (!token || token.text !== stage.baseText) {
      found.unpinnable.push({
        ...base,
        text: stage.baseText,
        reason: "the image could not be located on its FROM line",
      });
      continue;
    }
    if (!stage.baseText.includes("$")) {
      found.references.push({
        ...base,
        ...described,
        image: stage.baseText,
        span: { file: dockerfile.file, ...token },
        prefix: "",
      });
      continue;
    }
    const templated = throughArg(dockerfile, stage);
    if ("reason" in templated) {
      found.unpinnable.push({ ...base, text: stage.baseText, reason: templated.reason });
      continue;
    }
    found.references.push({
      ...base,
      ...described,
      image: stage.base.text,
      span: templated.span,
      prefix: templated.prefix,
      viaArg: templated.arg,
    });
  }
}

/** The image word of a FROM instruction: after the keyword, continuations and `--flags`. */
export function fromImageToken(
  source: SourceText,
  from: InstructionFacts,
  escapeChar: string,
): { start: number; end: number; text: string } | undefined {
  const text = source.text;
  let i = from.start;
  const keyword = /^[A-Za-z]+/.exec(text.slice(i, i + 16));
  if (!keyword) return undefined;
  i += keyword[0].length;
  for (;;) {
    // Blanks, and continuation lines (with the comment lines a continuation may carry).
    while (i < from.end) {
      const char = text[i];
      if (char === " " || char === "\t") {
        i++;
        continue;
      }
      if (char === escapeChar) {
        const rest = /^.[ \t]*\r?\n/.exec(text.slice(i, i + 256));
        if (rest) {
          i += rest[0].length;
          // Comment lines inside a continued instruction are dropped by the parser.
          for (;;) {
            const comment = /^[ \t]*#[^\n]*\n/.exec(text.slice(i, Math.min(from.end, i + 4096)));
            if (!comment) break;
            i += comment[0].length;
          }
          continue;
        }
      }
      break;
    }
    if (i >= from.end) return undefined;
    const word = /^[^\s]+/.exec(text.slice(i, from.end));
    if (!word) return undefined;
    let value = word[0];
    // A word ending in the escape character followed by a newline continues on the next line:
    // an image split like that is not one pin can rewrite in place.
    if (value.endsWith(escapeChar) && /^\r?\n/.test(text.slice(i + value.length))) value = value.slice(0, -1);
    if (value.startsWith("--")) {
      i += word[0].length;
      continue;
    }
    return { start: i, end: i + value.length, text: value };
  }
}

type ArgTemplate = { span: TextSpan; prefix: string; arg: string } | { reason: string };

function throughArg(dockerfile: DockerfileFacts, stage: StageFacts): ArgTemplate {
  const names = [...stage.baseText.matchAll(VARIABLE_USE)].map((match) => match[1] ?? match[2] ?? "");
  const platformArg = names.find((name) => PLATFORM_ARGS.has(name));
  if (platformArg)
    return {
      reason: `it depends on the build's platform ($${platformArg}): name the image itself and keep --platform`,
    };
  const template = TRAILING_VARIABLE.exec(stage.baseText);
  if (!template) {
    return {
      reason: `it is assembled from ${names.map((name) => `ARG ${name}`).join(", ")}: pin can add a digest only when the reference ends with one ARG (FROM $BASE, FROM node:$TAG)`,
    };
  }
  const prefix = template[1] ?? "";
  const name = template[2] ?? template[3] ?? "";
  const declared = dockerfile.globalArgs.filter((variable) => variable.name === name);
  const arg = declared.at(-1);
  if (!arg)
    return {
      reason: `ARG ${name} is not declared before the first FROM, so the image is unknown until build time`,
    };
  if (arg.value === undefined || arg.value === "")
    return {
      reason: `ARG ${name} has no default: the image is chosen at build time (--build-arg), so pin cannot know it`,
    };
  if (arg.value.includes("$"))
    return { reason: `the default of ARG ${name} is itself templated (${arg.value})` };
  if (declared.length > 1) return { reason: `ARG ${name} is declared more than once before the first FROM` };
  // Appending a digest to the ARG changes every use of it: only FROM lines may use it.
  const elsewhere = dockerfile.instructions.find(
    (instruction) =>
      instruction.keyword !== "FROM" &&
      instruction !== arg.instruction &&
      [...instruction.args.matchAll(VARIABLE_USE)].some((match) => (match[1] ?? match[2]) === name),
  );
  if (elsewhere)
    return {
      reason: `ARG ${name} is also used by ${elsewhere.keyword} on line ${elsewhere.line}, which a digest in it would change: write the image out on the FROM line`,
    };
  const span = argValueSpan(dockerfile, arg.instruction, name, arg.value);
  if (!span) return { reason: `the default of ARG ${name} could not be located on its line` };
  return { span, prefix, arg: name };
}

/** The default's text in `ARG NAME=value` (inside quotes when quoted). */
function argValueSpan(
  dockerfile: DockerfileFacts,
  instruction: InstructionFacts,
  name: string,
  value: string,
): TextSpan | undefined {
  const raw = dockerfile.source.text.slice(instruction.start, instruction.end);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`(^|\\s)${escaped}=(["']?)([^\\s"']*)\\2(?=\\s|$)`).exec(raw);
  if (!match || match[3] !== value) return undefined;
  const start =
    instruction.start + match.index + (match[1] ?? "").length + name.length + 1 + (match[2] ?? "").length;
  return { file: dockerfile.file, start, end: start + value.length, text: value };
}

// --- compose --------------------------------------------------------------------------------------

function fromCompose(compose: ComposeFacts, found: FoundReferences): void {
  const { source } = compose;
  for (const service of compose.services) {
    // With `build:`, `image:` names the image being built, not one that is pulled.
    if (!service.image || service.build) continue;
    const { start, end } = service.image.position;
    const raw = source.text.slice(start, end);
    const base = {
      file: compose.file,
      ...position(source, start),
      kind: "compose" as const,
    };
    let inner = raw;
    let offset = start;
    if (/^"[^"\\]*"$/.test(raw) || /^'[^']*'$/.test(raw)) {
      inner = raw.slice(1, -1);
      offset = start + 1;
    } else if (!/^[^\s"'|>&*!#]\S*$/.test(raw)) {
      found.unpinnable.push({
        ...base,
        text: raw,
        reason: "the value is not a plain or simply quoted YAML string: write it as image: name:tag",
      });
      continue;
    }
    if (inner.includes("$")) {
      found.unpinnable.push({
        ...base,
        text: inner,
        reason:
          "it is interpolated from the environment: pin the variable's value where it is set, or write the image out",
      });
      continue;
    }
    found.references.push({
      ...base,
      image: inner,
      span: { file: compose.file, start: offset, end: offset + inner.length, text: inner },
      prefix: "",
      service: service.name,
    });
  }
}

function position(source: SourceText, offset: number): { line: number; column: number } {
  const at = source.position(offset);
  return { line: at.line, column: at.column };
}

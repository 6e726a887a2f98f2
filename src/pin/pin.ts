/**
 * `pin` as a library: find the references, resolve what the mode needs through an
 * {@link ImageResolver} (the registry client, or a fake in tests), and plan the rewrites.
 * Nothing here writes: every resolution is done before a single change is planned, and a plan
 * with any registry error carries no changes at all, so a file is never half-pinned.
 */
import type { ProjectFacts } from "../check/facts/project.js";
import type { PlannedChange } from "../init/write.js";
import {
  canonicalReference,
  familiarReference,
  type ImageReference,
  parseReference,
  RegistryError,
  type ResolvedImage,
  type TagList,
} from "../registry/index.js";
import { findReferences, type PinReference, type ReferenceKind, type Unpinnable } from "./find.js";
import { applyEdits, pinnedText, splitWritten, type TextEdit } from "./rewrite.js";
import { candidateTags, isImpreciseTag } from "./tags.js";

/** What `pin` needs from a registry: RegistryClient is one. */
export interface ImageResolver {
  resolve(image: string, options?: { platform?: string }): Promise<ResolvedImage>;
  tags(image: string): Promise<TagList>;
}

export type PinMode = "pin" | "check" | "update";

export interface PinOptions {
  /** pin (default): pin what is unpinned; check: report, change nothing; update: also move drifted digests. */
  mode?: PinMode;
  /** Move bare, `latest`, major-only and other moving tags to the exact version they point at. */
  resolveTags?: boolean;
  /** Also show each image's manifest for this platform (`linux/arm64`). */
  platform?: string;
  /** Include compose files (default true). */
  compose?: boolean;
  /** Registry requests in flight at once (default 4). */
  concurrency?: number;
}

export type PinStatus =
  /** pinned now */
  | "pinned"
  /** pinned before, digest moved on purpose (`--update`) */
  | "updated"
  /** pinned, and the tag still points at the digest */
  | "current"
  /** pinned, not looked up (plain `pin` never touches a pinned reference) */
  | "unchanged"
  /** `--check`: no digest */
  | "unpinned"
  /** `--check`: the tag now points elsewhere */
  | "drift"
  | "unpinnable"
  /** the registry could not answer */
  | "error";

export interface PinEntry {
  file: string;
  line: number;
  column: number;
  kind: ReferenceKind;
  /** The reference as the engine reads it now. */
  image: string;
  status: PinStatus;
  /** The reference as it is written after this run (pinned/updated). */
  pinned?: string;
  /** The digest the reference names after this run, or the tag's current digest (drift). */
  digest?: string;
  /** The digest written in the file before (updated, current, drift, unchanged). */
  previousDigest?: string;
  /** `--resolve-tags`: the tag it was and the exact one chosen (same digest). */
  tagMove?: { from: string; to: string };
  /** `--resolve-tags` found no more precise tag: why. */
  note?: string;
  /** `--platform`: that platform's manifest. */
  platform?: { platform: string; digest: string };
  /** Unpinnable: why. Error: what the registry said. */
  reason?: string;
  hint?: string;
  /** The ARG a templated FROM is pinned through. */
  viaArg?: string;
  stage?: string;
  service?: string;
  /** Registry that answered (a mirror's URL for Docker Hub images behind one). */
  source?: string;
}

export interface PinResult {
  mode: PinMode;
  entries: PinEntry[];
  /** Registry failures, one per image that failed (the same failure is not repeated per line). */
  errors: RegistryError[];
  /** Files to write: empty when anything failed. */
  changes: PlannedChange[];
}

/** What one lookup found: the tag's digest, and with --resolve-tags the exact tag chosen. */
interface Lookup {
  resolved: ResolvedImage;
  tag?: { to: string } | { note: string };
}

export async function pinProject(
  facts: ProjectFacts,
  resolver: ImageResolver,
  options: PinOptions = {},
): Promise<PinResult> {
  const mode = options.mode ?? "pin";
  const found = findReferences(facts, options.compose === false ? { compose: false } : {});
  const unpinnable: Unpinnable[] = [...found.unpinnable];
  const references = sharedArgConflicts(found.references, unpinnable);

  // What each reference needs looked up: a tag (to pin, or to compare), or the pinned digest
  // (only for --platform's per-platform digest).
  interface Work {
    reference: PinReference;
    parsed: ImageReference;
    lookup?: string;
    moveTag: boolean;
  }
  const work: Work[] = [];
  for (const reference of references) {
    let parsed: ImageReference;
    try {
      parsed = parseReference(reference.image);
    } catch (error) {
      unpinnable.push({ ...reference, text: reference.image, reason: (error as Error).message });
      continue;
    }
    const pinned = parsed.digest !== undefined;
    const hasTag = splitWritten(reference.image).tag !== undefined || !pinned;
    const byTag = canonicalReference(byTagOnly(parsed));
    const item: Work = { reference, parsed, moveTag: false };
    if (!pinned && mode !== "check") item.lookup = byTag;
    else if (pinned && hasTag && mode !== "pin") item.lookup = byTag;
    else if (pinned && options.platform) item.lookup = canonicalReference(parsed);
    item.moveTag =
      options.resolveTags === true &&
      item.lookup === byTag &&
      mode !== "check" &&
      (!pinned || mode === "update") &&
      isImpreciseTag(reference.image.replace(/@.*$/, ""));
    work.push(item);
  }

  // Each distinct lookup once, a few at a time.
  const keys = new Map<string, { image: string; moveTag: boolean; familiar: string; tag?: string }>();
  for (const item of work) {
    if (!item.lookup) continue;
    const key = `${item.lookup}|${item.moveTag}`;
    if (!keys.has(key)) {
      // Asked as the user would write it (`node:20`), so that errors name it that way.
      const asWritten =
        item.lookup === canonicalReference(item.parsed) ? item.parsed : byTagOnly(item.parsed);
      const entry: { image: string; moveTag: boolean; familiar: string; tag?: string } = {
        image: familiarReference(asWritten),
        moveTag: item.moveTag,
        familiar: familiarReference(nameOnly(item.parsed)),
      };
      if (item.parsed.tag !== undefined) entry.tag = item.parsed.tag;
      keys.set(key, entry);
    }
  }
  const outcomes = new Map<string, Lookup | RegistryError>();
  const jobs = [...keys].map(([key, job]) => async () => {
    try {
      outcomes.set(key, await lookUp(resolver, job, options.platform));
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      outcomes.set(key, error);
    }
  });
  await inBatches(jobs, options.concurrency ?? 4);

  const entries: PinEntry[] = [];
  const edits = new Map<string, Map<number, TextEdit & { image: string }>>();
  const errors = new Set<RegistryError>();
  for (const item of work) {
    const { reference, parsed } = item;
    const entry: PinEntry = {
      file: reference.file,
      line: reference.line,
      column: reference.column,
      kind: reference.kind,
      image: reference.image,
      status: "unchanged",
      ...(reference.viaArg === undefined ? {} : { viaArg: reference.viaArg }),
      ...(reference.stage === undefined ? {} : { stage: reference.stage }),
      ...(reference.service === undefined ? {} : { service: reference.service }),
    };
    if (parsed.digest !== undefined) entry.previousDigest = parsed.digest;
    entries.push(entry);
    const outcome = item.lookup ? outcomes.get(`${item.lookup}|${item.moveTag}`) : undefined;
    if (outcome instanceof RegistryError) {
      errors.add(outcome);
      entry.status = "error";
      entry.reason = outcome.message;
      if (outcome.hint !== undefined) entry.hint = outcome.hint;
      continue;
    }
    if (outcome) {
      entry.source = outcome.resolved.source;
      if (outcome.resolved.platform)
        entry.platform = {
          platform: outcome.resolved.platform.platform,
          digest: outcome.resolved.platform.digest,
        };
    }
    const pinned = parsed.digest !== undefined;
    if (!pinned && mode === "check") {
      entry.status = "unpinned";
      continue;
    }
    if (!outcome || (pinned && item.lookup === canonicalReference(parsed))) {
      // Pinned and not compared with its tag (plain pin, or a digest without a tag).
      entry.status = pinned ? "unchanged" : "unpinned";
      if (pinned) entry.digest = parsed.digest as string;
      continue;
    }
    const digest = outcome.resolved.digest;
    entry.digest = digest;
    let tag: string | undefined;
    if (outcome.tag && "to" in outcome.tag) tag = outcome.tag.to;
    else if (outcome.tag) entry.note = outcome.tag.note;
    if (pinned && digest === parsed.digest && tag === undefined) {
      entry.status = "current";
      continue;
    }
    if (pinned && mode === "check") {
      entry.status = "drift";
      continue;
    }
    // Pin (or move) it: the reference's new text, in the span the rewrite replaces.
    const full = reference.prefix + reference.span.text;
    const rewritten = pinnedText(full, digest, tag);
    if (!rewritten.startsWith(reference.prefix)) {
      // Only a new tag can reach into the prefix (FROM node:20-${VARIANT} is unpinnable anyway).
      entry.status = "unpinnable";
      entry.reason = `the tag is partly written on the FROM line, partly in ARG ${reference.viaArg}: --resolve-tags cannot move it`;
      continue;
    }
    if (tag !== undefined) {
      entry.tagMove = { from: splitWritten(full).tag ?? "latest", to: tag };
    }
    entry.status = pinned ? "updated" : "pinned";
    entry.pinned = rewritten;
    const byFile = edits.get(reference.file) ?? new Map<number, TextEdit & { image: string }>();
    edits.set(reference.file, byFile);
    byFile.set(reference.span.start, {
      start: reference.span.start,
      end: reference.span.end,
      text: rewritten.slice(reference.prefix.length),
      image: reference.image,
    });
  }
  for (const item of unpinnable) {
    entries.push({
      file: item.file,
      line: item.line,
      column: item.column,
      kind: item.kind,
      image: item.text,
      status: "unpinnable",
      reason: item.reason,
    });
  }
  entries.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);

  const changes: PlannedChange[] = [];
  if (errors.size === 0) {
    for (const [file, byFile] of [...edits].sort(([a], [b]) => a.localeCompare(b))) {
      const source = facts.text(file);
      if (!source) continue;
      const after = applyEdits(source, [...byFile.values()]);
      const before = (source.bom ? "\uFEFF" : "") + source.text;
      if (after === before) continue;
      const count = byFile.size;
      changes.push({
        path: file,
        status: "change",
        why: `${count} image reference${count === 1 ? "" : "s"} pinned by digest`,
        before,
        after,
        edit: true,
      });
    }
  }
  return { mode, entries, errors: [...errors], changes };
}

/** Whether the result passes `pin --check`: everything pinned and current, nothing failed. */
export function pinCheckPassed(result: PinResult): boolean {
  return result.entries.every((entry) => entry.status === "current" || entry.status === "unchanged");
}

/** The reference without its digest, with its tag (`latest` when none is written). */
function byTagOnly(parsed: ImageReference): ImageReference {
  const { digest: _digest, ...rest } = parsed;
  return { ...rest, tag: parsed.tag ?? "latest" };
}

function nameOnly(parsed: ImageReference): ImageReference {
  const { digest: _digest, tag: _tag, ...rest } = parsed;
  return rest;
}

async function lookUp(
  resolver: ImageResolver,
  job: { image: string; moveTag: boolean; familiar: string; tag?: string },
  platform: string | undefined,
): Promise<Lookup> {
  const resolved = await resolver.resolve(job.image, platform === undefined ? {} : { platform });
  if (!job.moveTag) return { resolved };
  let list: TagList;
  try {
    list = await resolver.tags(job.image);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return { resolved, tag: { note: `its tags could not be listed (${error.what}): kept the tag` } };
  }
  const familiar = job.familiar;
  const candidates = candidateTags(familiar, job.tag, list.tags);
  const name = job.image.replace(/:[^:/@]+$/, "");
  const batch = 4;
  for (let i = 0; i < candidates.length; i += batch) {
    const slice = candidates.slice(i, i + batch);
    const digests = await Promise.all(
      slice.map((candidate) =>
        resolver.resolve(`${name}:${candidate}`).then(
          (found) => found.digest,
          (error: unknown) => {
            // A tag that vanished or fails is just not the one.
            if (error instanceof RegistryError) return undefined;
            throw error;
          },
        ),
      ),
    );
    const match = slice.find((_candidate, index) => digests[index] === resolved.digest);
    if (match) return { resolved, tag: { to: match } };
  }
  const checked = candidates.length;
  return {
    resolved,
    tag: {
      note:
        checked === 0
          ? `no exact-version tag of ${familiar} to move ${job.tag ?? "latest"} to: kept the tag`
          : `none of the ${checked} newest exact-version tags of ${familiar} has the same digest: kept the tag`,
    },
  };
}

/**
 * References that share one ARG default must mean one image: `FROM node:$TAG` and
 * `FROM python:$TAG` cannot both be pinned through TAG.
 */
function sharedArgConflicts(references: PinReference[], unpinnable: Unpinnable[]): PinReference[] {
  const bySpan = new Map<string, PinReference[]>();
  for (const reference of references) {
    if (reference.viaArg === undefined) continue;
    const key = `${reference.file}:${reference.span.start}`;
    bySpan.set(key, [...(bySpan.get(key) ?? []), reference]);
  }
  const conflicting = new Set<PinReference>();
  for (const group of bySpan.values()) {
    if (new Set(group.map((reference) => reference.image)).size > 1)
      for (const r of group) conflicting.add(r);
  }
  for (const reference of conflicting) {
    unpinnable.push({
      ...reference,
      text: reference.image,
      reason: `ARG ${reference.viaArg} names part of different images on different FROM lines, so one digest cannot pin it`,
    });
  }
  return references.filter((reference) => !conflicting.has(reference));
}

async function inBatches(jobs: Array<() => Promise<void>>, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (job) await job();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
}

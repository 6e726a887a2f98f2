/**
 * Byte-exact rewrites: a reference's new text, and edits applied to a file's text so that only
 * the replaced spans change (line endings, BOM, comments and continuations stay as they were).
 */
import type { SourceText } from "../check/facts/source.js";

/** `ghcr.io/a/b:1.2@sha256:…` → name `ghcr.io/a/b`, tag `1.2`, digest `sha256:…`, as written. */
export function splitWritten(text: string): { name: string; tag?: string; digest?: string } {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(":");
  const split: { name: string; tag?: string; digest?: string } = { name: rest };
  if (colon > rest.lastIndexOf("/")) {
    split.name = rest.slice(0, colon);
    split.tag = rest.slice(colon + 1);
  }
  if (digest !== undefined) split.digest = digest;
  return split;
}

/**
 * The reference pinned: `name:tag@digest`. A reference without a tag gets `latest` written out,
 * so that `pin --check` knows which tag to compare the digest with.
 */
export function pinnedText(written: string, digest: string, tag?: string): string {
  const split = splitWritten(written);
  return `${split.name}:${tag ?? split.tag ?? "latest"}@${digest}`;
}

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * The file's text with the edits applied (offsets into `source.text`), its BOM put back.
 * Overlapping edits are a bug in the caller: they throw.
 */
export function applyEdits(source: SourceText, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  for (const edit of sorted) {
    if (edit.start < at) throw new Error(`overlapping edits in ${source.path} at offset ${edit.start}`);
    out += source.text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  out += source.text.slice(at);
  return (source.bom ? "\uFEFF" : "") + out;
}

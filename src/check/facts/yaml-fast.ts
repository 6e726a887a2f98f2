/**
 * The YAML node model (yaml-tree.ts) from @stoplight/yaml-ast-parser, a js-yaml descendant that
 * keeps source positions and parses compose files about six times faster than yaml's CST parser,
 * with a fraction of its allocation.
 *
 * Only the plain subset is taken this way, and it must come out exactly as yaml composes it
 * (values by the core schema, the same ranges): a top-level mapping of block maps and sequences,
 * one-line plain and quoted scalars, empty values, flow collections on one line, anchors, aliases
 * and `<<`. Everything else — any parser error, anything yaml would call an error, tags,
 * directives, several documents, explicit keys, tabs, a BOM, block scalars, scalars over several
 * lines, comments inside flow collections or trailing a nested collection — returns undefined,
 * and yaml's own path (yamlTree, then its Document) takes the text as before. The tests hold the
 * two paths equal on real compose files and on thousands of mutations of them.
 */
import { Kind, load, type YAMLNode } from "@stoplight/yaml-ast-parser";
import {
  plainScalarValue,
  type YamlMap,
  type YamlNode,
  type YamlPair,
  type YamlRange,
  type YamlScalar,
  type YamlSeq,
  type YamlTree,
} from "./yaml-tree.js";

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};

/**
 * Constructs the fast path does not take, checked on the text before parsing: tabs, a lone CR,
 * document markers and directives, explicit `?` keys, tags. Each regex runs only when a cheap
 * search finds its character (one regex over the whole text cost more than the parse).
 */
function outsideSubset(text: string): boolean {
  if (text.includes("\t")) return true;
  if (text.includes("\r") && /\r(?!\n)/.test(text)) return true;
  if (/^(?:---|\.\.\.|%)/.test(text) || /\n(?:---|\.\.\.|%)/.test(text)) return true;
  if (text.includes("?") && /^[ ]*\?(?:[ \r\n]|$)/m.test(text)) return true;
  return text.includes("!") && /(?:^|[ \r\n,[{])!/.test(text);
}

export function fastYamlTree(text: string): YamlTree | undefined {
  if (outsideSubset(text)) return undefined;
  let root: YAMLNode | undefined;
  try {
    root = load(text) as YAMLNode | undefined;
  } catch {
    return undefined; // the parser itself failed on some malformed input: yaml says what is wrong
  }
  // A compose file is a mapping; anything else (empty, a scalar, a list) is yaml's to judge.
  if (!root || root.errors.length > 0 || root.kind !== Kind.MAP) return undefined;
  try {
    return { contents: new Converter(text).node(root, false, 0) };
  } catch (error) {
    if (error instanceof GiveUp || error instanceof RangeError) return undefined;
    throw error;
  }
}

const MAX_DEPTH = 64;

class Converter {
  constructor(private readonly text: string) {}

  /** Past trailing spaces, a comment and the line break after `at` (yaml's node end). */
  private lineEnd(at: number): number {
    const text = this.text;
    let i = at;
    while (text.charCodeAt(i) === 32) i++;
    if (text.charCodeAt(i) === 35 /* # */) {
      if (i === at) giveUp(); // a comment needs a space before it
      while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
    }
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) return i + 2;
    if (text.charCodeAt(i) === 10) return i + 1;
    return i;
  }

  /** Whether a line break lies between two offsets. */
  private lineBreakBetween(from: number, to: number): boolean {
    const text = this.text;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) return true;
    }
    return false;
  }

  node(node: YAMLNode, atKey: boolean, depth: number, inFlow = false): YamlNode {
    if (depth > MAX_DEPTH) giveUp();
    let out: Exclude<YamlNode, { kind: "alias" }>;
    switch (node.kind) {
      case Kind.SCALAR:
        out = this.scalar(node, atKey, inFlow);
        break;
      case Kind.MAP:
        out = this.map(node, depth);
        break;
      case Kind.SEQ:
        out = this.seq(node, depth);
        break;
      case Kind.ANCHOR_REF: {
        if (node.anchorId) giveUp();
        const source = (node as YAMLNode & { referencesAnchor: string }).referencesAnchor;
        if (!source || source.endsWith(":")) giveUp();
        // Its position is the name's: the `*` is just before.
        const start = node.startPosition - 1;
        if (this.text[start] !== "*") giveUp();
        return { kind: "alias", source, range: this.range(start, node.endPosition, inFlow) };
      }
      default:
        return giveUp();
    }
    if (node.anchorId) out.anchor = node.anchorId;
    return out;
  }

  /** A one-line node's range; in block context nothing but a comment may follow it on its line. */
  private range(start: number, end: number, flowItem = false): YamlRange {
    const lineEnd = this.lineEnd(end);
    if (flowItem) return [start, end, lineEnd];
    const c = this.text.charCodeAt(lineEnd);
    const atLineEnd =
      lineEnd === this.text.length ||
      this.text.charCodeAt(lineEnd - 1) === 10 ||
      // a key: its `:` follows
      c === 58;
    if (!atLineEnd) giveUp();
    return [start, end, lineEnd];
  }

  private scalar(node: YAMLNode, atKey: boolean, inFlow: boolean): YamlScalar {
    const { startPosition: start, endPosition: end } = node;
    const scalar = node as YAMLNode & {
      value: string;
      plainScalar?: boolean;
      doubleQuoted?: boolean;
      singleQuoted?: boolean;
    };
    if (scalar.plainScalar || scalar.doubleQuoted || scalar.singleQuoted) {
      for (let i = start; i < end; i++) {
        const c = this.text.charCodeAt(i);
        if (c === 10 || c === 13) giveUp(); // over several lines: folding is yaml's
      }
      const source = scalar.value;
      if (typeof source !== "string") giveUp();
      // A plain scalar's value is its text, as written.
      if (scalar.plainScalar && (source.length !== end - start || !this.text.startsWith(source, start)))
        giveUp();
      const value = scalar.plainScalar ? plainScalarValue(source, atKey) : source;
      const range = this.range(start, end, inFlow);
      if (atKey) range[2] = end; // the spaces before a key's `:` are not the key's
      return { kind: "scalar", value, source, range };
    }
    return giveUp();
  }

  private map(node: YAMLNode, depth: number): YamlMap {
    const mappings = (node as YAMLNode & { mappings: YAMLNode[] }).mappings;
    const flow = this.text[node.startPosition] === "{";
    const items: YamlPair[] = [];
    let last: YamlNode | undefined;
    for (const mapping of mappings) {
      const key = (mapping as YAMLNode & { key: YAMLNode | null }).key;
      const value = (mapping as YAMLNode & { value: YAMLNode | null }).value;
      if (!key || key.kind !== Kind.SCALAR) giveUp();
      const keyNode = this.node(key as YAMLNode, true, depth + 1, flow);
      if (!value && flow) giveUp();
      // A block collection as a value starts on a later line (`a: b: c` is an error in yaml).
      if (
        value &&
        (value.kind === Kind.MAP || value.kind === Kind.SEQ) &&
        !/^[[{]/.test(this.text[value.startPosition] ?? "") &&
        (flow || !this.lineBreakBetween(keyNode.range[1], value.startPosition))
      )
        giveUp();
      const valueNode = value ? this.node(value as YAMLNode, false, depth + 1, flow) : this.empty(keyNode);
      items.push({ key: keyNode, value: valueNode });
      last = valueNode;
    }
    if (flow) return { kind: "map", items, flow, range: this.flowRange(node) };
    if (!last) giveUp();
    return { kind: "map", items, flow, range: this.blockRange(node, last as YamlNode) };
  }

  /** `key:` with no value: null, placed as yaml places it (after the `:` and its spaces). */
  private empty(key: YamlNode): YamlScalar {
    const text = this.text;
    let colon = key.range[1];
    while (text.charCodeAt(colon) === 32) colon++;
    if (text[colon] !== ":") giveUp();
    let at = colon + 1;
    while (text.charCodeAt(at) === 32) at++;
    const comment = text[at] === "#";
    const end = comment ? this.lineEnd(colon + 1) : at;
    if (!comment && !/^(?:\r?\n|$)/.test(text.slice(at, at + 2))) giveUp();
    return { kind: "scalar", value: null, source: "", range: [at, at, end] };
  }

  private seq(node: YAMLNode, depth: number): YamlSeq {
    const flow = this.text[node.startPosition] === "[";
    const items: YamlNode[] = [];
    for (const item of (node as YAMLNode & { items: Array<YAMLNode | null> }).items) {
      if (!item) giveUp();
      items.push(this.node(item as YAMLNode, false, depth + 1, flow));
    }
    if (flow) return { kind: "seq", items, flow, range: this.flowRange(node) };
    const last = items.at(-1);
    if (!last) giveUp();
    return { kind: "seq", items, flow, range: this.blockRange(node, last as YamlNode) };
  }

  /** `{…}` / `[…]` on one line, without comments inside. */
  private flowRange(node: YAMLNode): YamlRange {
    const { startPosition: start, endPosition: end } = node;
    const close = this.text[start] === "{" ? "}" : "]";
    if (this.text[end - 1] !== close) giveUp();
    for (let i = start; i < end; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 10 || c === 13 || c === 35 /* # */) giveUp();
    }
    return this.range(start, end);
  }

  /**
   * A block collection ends where its last value's node ends. Comment lines right after it that
   * are indented at least as deep as the collection are its own trailing comments in yaml (they
   * move its end): left to yaml. Less indented ones belong to an enclosing collection.
   */
  private blockRange(node: YAMLNode, last: YamlNode): YamlRange {
    const end = last.range[2];
    const start = node.startPosition;
    const indent = start - (this.text.lastIndexOf("\n", start - 1) + 1);
    if (this.trailingCommentAt(end, indent)) giveUp();
    return [start, end, end];
  }

  /** Whether the first non-blank line from `at` is a comment at column `indent` or deeper. */
  private trailingCommentAt(at: number, indent: number): boolean {
    const text = this.text;
    let i = at;
    let column = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32) column++;
      else if (c === 10 || c === 13) column = 0;
      else return c === 35 && column >= indent;
      i++;
    }
    return false;
  }
}

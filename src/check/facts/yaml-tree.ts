/**
 * A small YAML node model for compose facts and compose fixers: maps, sequences, scalars and
 * aliases with eemeli/yaml's source ranges and scalar values, and nothing else.
 *
 * `yamlTree` builds it straight from yaml's CST (`Parser`), skipping yaml's Composer, which
 * costs as much as the parse itself and allocates a Document of rich nodes that compose facts
 * never use. The walk below mirrors the Composer (compose-doc, compose-node, resolve-props,
 * resolve-block-map/-seq, resolve-flow-collection) so that ranges and values come out the same,
 * but it handles only the plain subset compose files are written in. At every place where the
 * Composer would report an error — and at anything outside the subset (tags, explicit `?` keys,
 * directives, several documents, pairs inside flow sequences, very deep nesting) — it gives up,
 * and the caller composes the Document as before (`treeOfDocument`): YAML errors, their messages
 * and every unusual construct keep yaml's own behaviour.
 */
import { CST, type Document, isAlias, isMap, isScalar, isSeq, Parser } from "yaml";

/** yaml's `range`: start, end of the value, end of the node with its trailing comment and space. */
export type YamlRange = [number, number, number];

export interface YamlScalar {
  kind: "scalar";
  /** As yaml resolves it (core schema): string, number, boolean, null, or a symbol for `<<`. */
  value: unknown;
  /** The string the value was resolved from (quotes and escapes removed). */
  source: string;
  range: YamlRange;
  anchor?: string;
}

export interface YamlPair {
  key: YamlNode | null;
  value: YamlNode | null;
}

export interface YamlMap {
  kind: "map";
  items: YamlPair[];
  flow: boolean;
  range: YamlRange;
  anchor?: string;
}

export interface YamlSeq {
  kind: "seq";
  items: Array<YamlNode | null>;
  flow: boolean;
  range: YamlRange;
  anchor?: string;
}

export interface YamlAlias {
  kind: "alias";
  /** The anchor name it refers to. */
  source: string;
  range: YamlRange;
}

export type YamlNode = YamlScalar | YamlMap | YamlSeq | YamlAlias;

/** The document's top node (null for an empty document). */
export interface YamlTree {
  contents: YamlNode | null;
}

// ------------------------------------------------------------------ from a composed Document

/** The model of a Document yaml composed (the fallback path: same values, same ranges). */
export function treeOfDocument(doc: Document.Parsed): YamlTree {
  return { contents: nodeOf(doc.contents) };
}

function nodeOf(node: unknown): YamlNode | null {
  if (isScalar(node)) {
    const scalar: YamlScalar = {
      kind: "scalar",
      value: node.value,
      source: typeof node.source === "string" ? node.source : String(node.value),
      range: rangeOf(node.range),
    };
    if (node.anchor) scalar.anchor = node.anchor;
    return scalar;
  }
  if (isMap(node)) {
    const map: YamlMap = {
      kind: "map",
      items: node.items.map((pair) => ({ key: nodeOf(pair.key), value: nodeOf(pair.value) })),
      flow: node.flow === true,
      range: rangeOf(node.range),
    };
    if (node.anchor) map.anchor = node.anchor;
    return map;
  }
  if (isSeq(node)) {
    const seq: YamlSeq = {
      kind: "seq",
      items: node.items.map((item) => nodeOf(item)),
      flow: node.flow === true,
      range: rangeOf(node.range),
    };
    if (node.anchor) seq.anchor = node.anchor;
    return seq;
  }
  if (isAlias(node)) return { kind: "alias", source: node.source, range: rangeOf(node.range) };
  return null;
}

function rangeOf(range: readonly number[] | null | undefined): YamlRange {
  return range ? [range[0] ?? 0, range[1] ?? 0, range[2] ?? 0] : [0, 0, 0];
}

// ------------------------------------------------------------------ straight from the CST

type Token = CST.Token;
type SourceToken = CST.SourceToken;

/** Thrown where the Composer would report an error or the input leaves the subset. */
const GIVE_UP = new Error("outside the plain subset");
function giveUp(): never {
  throw GIVE_UP;
}

/** Nesting deeper than any compose file: left to yaml (whose own limit then applies). */
const MAX_DEPTH = 64;

/**
 * The tree of a YAML text composed as `parseDocument(text, { merge: true, uniqueKeys: false })`
 * would compose it, or undefined when yaml itself must compose it (errors, unusual constructs).
 */
export function yamlTree(text: string): YamlTree | undefined {
  let document: CST.Document | undefined;
  try {
    for (const token of new Parser().parse(text)) {
      switch (token.type) {
        case "document":
          if (document) return undefined; // several documents: yaml reports it
          document = token;
          break;
        case "comment":
        case "newline":
        case "space":
          break;
        default:
          return undefined; // directives, `...`, errors
      }
    }
    if (!document) return undefined;
    return { contents: composeDocument(document) };
  } catch {
    // Given up (or anything unexpected, a stack overflow included): yaml composes it instead.
    return undefined;
  }
}

interface Props {
  found: SourceToken | null;
  hasNewline: boolean;
  anchor: SourceToken | null;
  newlineAfterProp: SourceToken | null;
  comma: SourceToken | null;
  comment: boolean;
  end: number;
  start: number;
}

interface PropsContext {
  flow?: string;
  indicator: string;
  next: Token | null | undefined;
  offset: number;
  parentIndent: number;
  startOnNewline: boolean;
}

/** resolve-props.js: the tokens before a node (indicator, anchor, comments), or give up. */
function resolveProps(tokens: readonly SourceToken[], context: PropsContext): Props {
  const { flow, indicator, next, offset, parentIndent, startOnNewline } = context;
  let atNewline = startOnNewline;
  let hasSpace = startOnNewline;
  let comment = false;
  let hasNewline = false;
  let reqSpace = false;
  let tab: SourceToken | null = null;
  let anchor: SourceToken | null = null;
  let newlineAfterProp: SourceToken | null = null;
  let comma: SourceToken | null = null;
  let found: SourceToken | null = null;
  let start: number | null = null;
  for (const token of tokens) {
    if (reqSpace) {
      if (token.type !== "space" && token.type !== "newline" && token.type !== "comma") giveUp();
      reqSpace = false;
    }
    if (tab) {
      if (atNewline && token.type !== "comment" && token.type !== "newline") giveUp();
      tab = null;
    }
    switch (token.type) {
      case "space":
        if (
          !flow &&
          (indicator !== "doc-start" || next?.type !== "flow-collection") &&
          token.source.includes("\t")
        )
          tab = token;
        hasSpace = true;
        break;
      case "comment":
        if (!hasSpace) giveUp();
        comment = true;
        atNewline = false;
        break;
      case "newline":
        atNewline = true;
        hasNewline = true;
        if (anchor) newlineAfterProp = token;
        hasSpace = true;
        break;
      case "anchor":
        if (anchor) giveUp();
        anchor = token;
        start ??= token.offset;
        atNewline = false;
        hasSpace = false;
        reqSpace = true;
        break;
      default:
        if (token.type === indicator) {
          if (anchor || found) giveUp();
          found = token;
          atNewline = indicator === "seq-item-ind" || indicator === "explicit-key-ind";
          hasSpace = false;
          break;
        }
        if (token.type === "comma" && flow) {
          if (comma) giveUp();
          comma = token;
          atNewline = false;
          hasSpace = false;
          break;
        }
        giveUp(); // tags, unexpected tokens
    }
  }
  const last = tokens[tokens.length - 1];
  const end = last ? last.offset + last.source.length : offset;
  if (
    reqSpace &&
    next &&
    next.type !== "space" &&
    next.type !== "newline" &&
    next.type !== "comma" &&
    (next.type !== "scalar" || next.source !== "")
  )
    giveUp();
  if (
    tab &&
    ((atNewline && tab.indent <= parentIndent) || next?.type === "block-map" || next?.type === "block-seq")
  )
    giveUp();
  return { found, hasNewline, anchor, newlineAfterProp, comma, comment, end, start: start ?? end };
}

/** resolve-end.js: the space and comments after a node; the offset where they end. */
function resolveEnd(end: readonly SourceToken[] | undefined, offset: number, reqSpace: boolean): number {
  let at = offset;
  if (end) {
    let hasSpace = false;
    for (const token of end) {
      switch (token.type) {
        case "space":
        case "newline":
          hasSpace = true;
          break;
        case "comment":
          if (reqSpace && !hasSpace) giveUp();
          break;
        default:
          giveUp();
      }
      at += token.source.length;
    }
  }
  return at;
}

function composeDocument(document: CST.Document): YamlNode | null {
  const { offset, start, value, end } = document;
  const props = resolveProps(start, {
    indicator: "doc-start",
    next: value ?? end?.[0],
    offset,
    parentIndent: 0,
    startOnNewline: true,
  });
  if (props.found && value && (value.type === "block-map" || value.type === "block-seq") && !props.hasNewline)
    giveUp();
  const contents = value ? composeNode(value, props, false, 0) : composeEmpty(props.end, start, null, props);
  resolveEnd(end, contents.range[2], false);
  return contents;
}

function composeNode(token: Token, props: Props, atKey: boolean, depth: number): YamlNode {
  if (depth > MAX_DEPTH) giveUp();
  const { anchor } = props;
  let node: YamlNode;
  switch (token.type) {
    case "alias": {
      if (anchor) giveUp();
      const source = token.source.substring(1);
      if (source === "" || source.endsWith(":")) giveUp();
      const valueEnd = token.offset + token.source.length;
      return {
        kind: "alias",
        source,
        range: [token.offset, valueEnd, resolveEnd(token.end, valueEnd, true)],
      };
    }
    case "scalar":
    case "single-quoted-scalar":
    case "double-quoted-scalar":
    case "block-scalar":
      node = composeScalar(token, atKey);
      break;
    case "block-map":
      if (depth >= MAX_DEPTH) giveUp();
      node = resolveBlockMap(token, depth + 1);
      break;
    case "block-seq":
      if (anchor && (!props.newlineAfterProp || props.newlineAfterProp.offset < anchor.offset)) giveUp();
      node = resolveBlockSeq(token, depth + 1);
      break;
    case "flow-collection":
      node = resolveFlowCollection(token, depth + 1);
      break;
    default:
      giveUp();
  }
  if (anchor) {
    node.anchor = anchor.source.substring(1);
    if (node.anchor === "") giveUp();
  }
  return node;
}

/** util-empty-scalar-position.js */
function emptyScalarPosition(
  offset: number,
  before: readonly SourceToken[] | undefined,
  pos: number | null,
): number {
  let at = offset;
  if (before) {
    let i = (pos ?? before.length) - 1;
    for (; i >= 0; --i) {
      const token = before[i] as SourceToken;
      if (token.type === "space" || token.type === "comment" || token.type === "newline") {
        at -= token.source.length;
        continue;
      }
      let next = before[++i];
      while (next?.type === "space") {
        at += next.source.length;
        next = before[++i];
      }
      break;
    }
  }
  return at;
}

function composeEmpty(
  offset: number,
  before: readonly SourceToken[] | undefined,
  pos: number | null,
  props: Props,
): YamlScalar {
  const at = emptyScalarPosition(offset, before, pos);
  const node: YamlScalar = { kind: "scalar", value: null, source: "", range: [at, at, at] };
  if (props.anchor) {
    node.anchor = props.anchor.source.substring(1);
    if (node.anchor === "") giveUp();
  }
  if (props.comment) node.range[2] = props.end;
  return node;
}

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** yaml's merge tag resolves `<<` to a symbol (only as a key). */
const MERGE = Symbol("<<");

/** The core schema's resolution of a plain scalar (yaml's schema order: first test that matches). */
export function plainScalarValue(text: string, atKey: boolean): unknown {
  const first = text.charCodeAt(0);
  // Most plain scalars start with a letter other than those of null/true/false/.inf: strings.
  if (
    (first >= 97 && first <= 122 && first !== 110 && first !== 116 && first !== 102) ||
    (first >= 65 && first <= 90 && first !== 78 && first !== 84 && first !== 70) ||
    first === 47 // `/`
  )
    return text;
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return text[0] === "t" || text[0] === "T";
  if (INT_OCT.test(text)) return Number.parseInt(text.substring(2), 8);
  if (INT.test(text)) return Number.parseInt(text, 10);
  if (INT_HEX.test(text)) return Number.parseInt(text.substring(2), 16);
  if (FLOAT_NAN.test(text))
    return text.slice(-3).toLowerCase() === "nan"
      ? Number.NaN
      : text[0] === "-"
        ? Number.NEGATIVE_INFINITY
        : Number.POSITIVE_INFINITY;
  if (FLOAT_EXP.test(text) || FLOAT.test(text)) return Number.parseFloat(text);
  if (atKey && text === "<<") return MERGE;
  return text;
}

function composeScalar(token: CST.FlowScalar | CST.BlockScalar, atKey: boolean): YamlScalar {
  if (token.type === "scalar" && !token.source.includes("\n")) {
    // resolve-flow-scalar.js for a one-line plain scalar: the value is its source.
    const source = token.source;
    const first = source[0];
    if (first === "\t" || first === "," || first === "%" || first === "|" || first === ">") giveUp();
    if (first === "@" || first === "`") giveUp();
    const valueEnd = token.offset + source.length;
    return {
      kind: "scalar",
      value: plainScalarValue(source, atKey),
      source,
      range: [token.offset, valueEnd, resolveEnd(token.end, valueEnd, true)],
    };
  }
  const resolved = CST.resolveAsScalar(token, true, giveUp);
  if (!resolved) giveUp();
  const value = token.type === "scalar" ? plainScalarValue(resolved.value, atKey) : resolved.value;
  return { kind: "scalar", value, source: resolved.value, range: resolved.range };
}

/** util-contains-newline.js, for the keys the subset allows (scalars and aliases). */
function keyContainsNewline(key: Token): boolean {
  if (
    key.type === "alias" ||
    key.type === "scalar" ||
    key.type === "double-quoted-scalar" ||
    key.type === "single-quoted-scalar"
  ) {
    if (key.source.includes("\n")) return true;
    if (key.end) for (const token of key.end) if (token.type === "newline") return true;
    return false;
  }
  return true;
}

function resolveBlockMap(map: CST.BlockMap, depth: number): YamlMap {
  const out: YamlMap = { kind: "map", items: [], flow: false, range: [0, 0, 0] };
  let offset = map.offset;
  let commentEnd: number | null = null;
  for (const item of map.items) {
    const { start, key, sep, value } = item;
    const keyProps = resolveProps(start, {
      indicator: "explicit-key-ind",
      next: key ?? sep?.[0],
      offset,
      parentIndent: map.indent,
      startOnNewline: true,
    });
    if (keyProps.found) giveUp(); // explicit `? key`
    if (key) {
      if (key.type === "block-seq") giveUp();
      if ("indent" in key && key.indent !== map.indent) giveUp();
    }
    if (!keyProps.anchor && !sep) {
      commentEnd = keyProps.end;
      continue;
    }
    if (keyProps.newlineAfterProp || (key && keyContainsNewline(key))) giveUp();
    const keyNode = key
      ? composeNode(key, keyProps, true, depth)
      : composeEmpty(keyProps.end, start, null, keyProps);
    const valueProps = resolveProps(sep ?? [], {
      indicator: "map-value-ind",
      next: value,
      offset: keyNode.range[2],
      parentIndent: map.indent,
      startOnNewline: !key || key.type === "block-scalar",
    });
    offset = valueProps.end;
    if (!valueProps.found) giveUp(); // an implicit key without a value
    if (value?.type === "block-map" && !valueProps.hasNewline) giveUp();
    if (keyProps.start < valueProps.found.offset - 1024) giveUp();
    const valueNode = value
      ? composeNode(value, valueProps, false, depth)
      : composeEmpty(offset, sep, null, valueProps);
    offset = valueNode.range[2];
    out.items.push({ key: keyNode, value: valueNode });
  }
  if (commentEnd !== null && commentEnd < offset) giveUp();
  out.range = [map.offset, offset, commentEnd ?? offset];
  return out;
}

function resolveBlockSeq(seq: CST.BlockSequence, depth: number): YamlSeq {
  const out: YamlSeq = { kind: "seq", items: [], flow: false, range: [0, 0, 0] };
  let offset = seq.offset;
  let commentEnd: number | null = null;
  for (const { start, value } of seq.items) {
    const props = resolveProps(start, {
      indicator: "seq-item-ind",
      next: value,
      offset,
      parentIndent: seq.indent,
      startOnNewline: true,
    });
    if (!props.found) {
      if (props.anchor || value) giveUp();
      commentEnd = props.end;
      continue;
    }
    const node = value
      ? composeNode(value, props, false, depth)
      : composeEmpty(props.end, start, null, props);
    offset = node.range[2];
    out.items.push(node);
  }
  out.range = [seq.offset, offset, commentEnd ?? offset];
  return out;
}

function resolveFlowCollection(collection: CST.FlowCollection, depth: number): YamlMap | YamlSeq {
  const isMapping = collection.start.source === "{";
  const flow = isMapping ? "flow map" : "flow sequence";
  const pairs: YamlPair[] = [];
  const items: Array<YamlNode | null> = [];
  let offset = collection.offset + collection.start.source.length;
  for (let i = 0; i < collection.items.length; ++i) {
    const { start, key, sep, value } = collection.items[i] as CST.CollectionItem;
    const props = resolveProps(start, {
      flow,
      indicator: "explicit-key-ind",
      next: key ?? sep?.[0],
      offset,
      parentIndent: collection.indent,
      startOnNewline: false,
    });
    if (props.found) giveUp(); // explicit `? key`
    if (!props.anchor && !sep && !value) {
      // An empty item: only a trailing comma is allowed.
      if ((i === 0 && props.comma) || i < collection.items.length - 1) giveUp();
      offset = props.end;
      continue;
    }
    if (i === 0 ? props.comma : !props.comma) giveUp();
    if (!isMapping) {
      if (sep || key) giveUp(); // a pair in a flow sequence
      if (value && (value.type === "block-map" || value.type === "block-seq")) giveUp();
      const node = value
        ? composeNode(value, props, false, depth)
        : composeEmpty(props.end, sep, null, props);
      items.push(node);
      offset = node.range[2];
      continue;
    }
    if (
      key &&
      key.type !== "scalar" &&
      key.type !== "single-quoted-scalar" &&
      key.type !== "double-quoted-scalar" &&
      key.type !== "alias"
    )
      giveUp();
    const keyNode = key ? composeNode(key, props, true, depth) : composeEmpty(props.end, start, null, props);
    const valueProps = resolveProps(sep ?? [], {
      flow,
      indicator: "map-value-ind",
      next: value,
      offset: keyNode.range[2],
      parentIndent: collection.indent,
      startOnNewline: false,
    });
    if (!valueProps.found && value) giveUp();
    if (value && (value.type === "block-map" || value.type === "block-seq")) giveUp();
    const valueNode = value
      ? composeNode(value, valueProps, false, depth)
      : valueProps.found
        ? composeEmpty(valueProps.end, sep, null, valueProps)
        : null;
    pairs.push({ key: keyNode, value: valueNode });
    offset = valueNode ? valueNode.range[2] : valueProps.end;
  }
  const [close, ...rest] = collection.end;
  if (close?.source !== (isMapping ? "}" : "]")) giveUp();
  const closeEnd = close.offset + close.source.length;
  const range: YamlRange = [
    collection.offset,
    closeEnd,
    rest.length > 0 ? resolveEnd(rest, closeEnd, true) : closeEnd,
  ];
  return isMapping
    ? { kind: "map", items: pairs, flow: true, range }
    : { kind: "seq", items, flow: true, range };
}

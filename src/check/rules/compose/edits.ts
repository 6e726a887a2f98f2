/**
 * Text edits to compose files that keep their formatting and comments: add a key to a service,
 * append an item to a service's list, bind a published port to 127.0.0.1. They read the YAML
 * document the facts kept (aliases unexpanded) for value ranges the facts do not carry; every
 * helper returns undefined when the layout is not one it can edit safely (flow style, a value
 * that comes from an anchor or `extends`).
 */
import type { ComposeFacts, PortFacts, ServiceFacts } from "../../facts/compose.js";
import type { YamlMap, YamlPair } from "../../facts/yaml-tree.js";
import type { TextEdit } from "../../types.js";
import { insertLinesAfter } from "../helpers.js";

function keyName(pair: YamlPair): string | undefined {
  return pair.key?.kind === "scalar" ? String(pair.key.value) : undefined;
}

export interface ServiceBlock {
  map: YamlMap;
  /** Indentation of the service's keys. */
  keyIndent: string;
  /** One indentation step of the file (keys below the service name). */
  unit: string;
  /** The last line of the service's value. */
  lastLine: number;
}

/** The service's own block mapping in its file, or undefined when it is not one written in place. */
export function serviceBlock(compose: ComposeFacts, service: ServiceFacts): ServiceBlock | undefined {
  const contents = compose.yaml?.contents;
  if (contents?.kind !== "map") return undefined;
  const services = contents.items.find((pair) => keyName(pair) === "services")?.value;
  if (services?.kind !== "map" || services.flow) return undefined;
  const pair = services.items.find(
    (item) => item.key?.kind === "scalar" && item.key.range[0] === service.position.start,
  );
  const map = pair?.value;
  if (map?.kind !== "map" || map.flow || map.items.length === 0) return undefined;
  const firstKey = map.items[0]?.key;
  if (firstKey?.kind !== "scalar") return undefined;
  const source = compose.source;
  const keyColumn = source.position(firstKey.range[0]).column;
  const keyIndent = " ".repeat(keyColumn - 1);
  const keyLine = source.position(firstKey.range[0]).line;
  if (
    source
      .line(keyLine)
      .slice(0, keyColumn - 1)
      .trim() !== ""
  )
    return undefined;
  const step = keyColumn - service.position.column;
  const unit = " ".repeat(step > 0 ? step : 2);
  const lastLine = source.position(Math.max(map.range[1] - 1, map.range[0])).line;
  return { map, keyIndent, unit, lastLine };
}

/** Add keys to a service as whole lines after its last line (`lines` relative to the key indentation). */
export function addToService(
  compose: ComposeFacts,
  service: ServiceFacts,
  lines: (unit: string) => string[],
): TextEdit | undefined {
  const block = serviceBlock(compose, service);
  if (!block) return undefined;
  return insertLinesAfter(
    compose.source,
    block.lastLine,
    lines(block.unit).map((line) => block.keyIndent + line),
  );
}

/** Append an item to a list the service sets in its own block (`security_opt`, `cap_drop`). */
export function appendToServiceList(
  compose: ComposeFacts,
  service: ServiceFacts,
  key: string,
  item: string,
): TextEdit | undefined {
  const block = serviceBlock(compose, service);
  if (!block) return undefined;
  const list = block.map.items.find((pair) => keyName(pair) === key)?.value;
  if (list?.kind !== "seq") return undefined;
  const source = compose.source;
  if (list.flow) {
    const close = source.text.lastIndexOf("]", list.range[1]);
    if (close < list.range[0]) return undefined;
    const at = skipSpaceBack(source.text, close);
    const text = list.items.length > 0 ? `, ${item}` : item;
    return { file: compose.file, start: at, end: at, text };
  }
  const start = source.position(list.range[0]);
  if (source.text[list.range[0]] !== "-") return undefined;
  const lastLine = source.position(Math.max(list.range[1] - 1, list.range[0])).line;
  return insertLinesAfter(source, lastLine, [`${" ".repeat(start.column - 1)}- ${item}`]);
}

const ANY_ADDRESS = new Set(["0.0.0.0", "::", ""]);

/** Bind a published port to 127.0.0.1 (short syntax: prefix the address; long syntax: `host_ip`). */
export function bindToLoopback(compose: ComposeFacts, port: PortFacts): TextEdit | undefined {
  const source = compose.source;
  const { start, end } = port.position;
  const raw = source.text.slice(start, end);
  if (port.long) {
    if (raw.startsWith("{")) {
      if (port.hostIp !== undefined) return replaceHostIp(compose, start, end);
      const close = source.text.lastIndexOf("}", end);
      if (close < start) return undefined;
      const at = skipSpaceBack(source.text, close);
      return { file: compose.file, start: at, end: at, text: ", host_ip: 127.0.0.1" };
    }
    if (port.hostIp !== undefined) return replaceHostIp(compose, start, end);
    const indent = " ".repeat(port.position.column - 1);
    const lastLine = source.position(Math.max(end - 1, start)).line;
    return insertLinesAfter(source, lastLine, [`${indent}host_ip: 127.0.0.1`]);
  }
  const quote = raw[0] === '"' || raw[0] === "'" ? 1 : 0;
  const body = raw.slice(quote, quote > 0 ? raw.length - 1 : raw.length);
  if (!/^[[\d$]/.test(body) || body.includes("\n")) return undefined;
  const at = start + quote;
  if (port.hostIp === undefined) {
    // `3000` publishes a random host port: keep it random, on loopback.
    const text = port.hostPort === undefined ? "127.0.0.1::" : "127.0.0.1:";
    return { file: compose.file, start: at, end: at, text };
  }
  const written = /^(\[[^\]]*\]|[^:]*):/.exec(body);
  const address = written?.[1];
  if (address === undefined || !ANY_ADDRESS.has(address.replace(/^\[|\]$/g, ""))) return undefined;
  return { file: compose.file, start: at, end: at + address.length, text: "127.0.0.1" };
}

function replaceHostIp(compose: ComposeFacts, start: number, end: number): TextEdit | undefined {
  const slice = compose.source.text.slice(start, end);
  const match = /(host_ip\s*:\s*)(["']?)(0\.0\.0\.0|::|\[::\])\2/.exec(slice);
  if (!match) return undefined;
  const from = start + match.index + (match[1]?.length ?? 0) + (match[2]?.length ?? 0);
  return { file: compose.file, start: from, end: from + (match[3]?.length ?? 0), text: "127.0.0.1" };
}

/** The offset after the last non-blank character before `offset` (to insert before `]` or `}`). */
function skipSpaceBack(text: string, offset: number): number {
  let at = offset;
  while (at > 0 && (text[at - 1] === " " || text[at - 1] === "\t")) at--;
  return at;
}

/**
 * Compose file facts with positions: services, images, builds, ports, environment, depends_on,
 * health checks and the runtime profile (read_only, cap_drop, security_opt, limits, networks,
 * volumes). YAML is eemeli/yaml's, read into the small node model of yaml-tree.ts (straight
 * from yaml's CST when the file is plain, through a composed Document otherwise), with source
 * ranges; anchors and `<<` merges are resolved here, and alias expansion is bounded so an alias
 * bomb cannot exhaust memory.
 */
import { type Document, parseDocument } from "yaml";
import { type ImageRef, parseImageRef, substituteVariables } from "./image.js";
import type { SourceText } from "./source.js";
import { fastYamlTree } from "./yaml-fast.js";
import {
  treeOfDocument,
  type YamlAlias,
  type YamlMap,
  type YamlNode,
  type YamlPair,
  type YamlScalar,
  type YamlSeq,
  type YamlTree,
  yamlTree,
} from "./yaml-tree.js";

export interface NodePosition {
  line: number;
  column: number;
  /** Offsets of the node in the file (end exclusive). */
  start: number;
  end: number;
}

export interface PortFacts {
  text: string;
  hostIp?: string;
  hostPort?: string;
  containerPort?: number;
  protocol: string;
  position: NodePosition;
  /** Long syntax (`target:`/`published:`) rather than a string. */
  long: boolean;
}

export interface EnvEntry {
  name: string;
  /** undefined: passed through from the host (`- NAME` or `NAME:` with no value). */
  value?: string;
  position: NodePosition;
  /** The value uses `${...}`/`$VAR` interpolation. */
  interpolated: boolean;
}

export interface VolumeFacts {
  text: string;
  source?: string;
  target?: string;
  type: "bind" | "volume" | "tmpfs" | "other";
  position: NodePosition;
}

export interface ServiceFacts {
  name: string;
  file: string;
  position: NodePosition;
  /** Keys the service sets (in this file, after `<<` merges and `extends`). */
  keys: Map<string, NodePosition>;
  image?: { ref: ImageRef; position: NodePosition };
  build?: {
    context: string;
    dockerfile: string;
    position: NodePosition;
    args: Map<string, string | undefined>;
  };
  ports: PortFacts[];
  environment: EnvEntry[];
  envFiles: string[];
  dependsOn: Array<{ service: string; condition?: string; position: NodePosition }>;
  healthcheck?: { position: NodePosition; disabled: boolean; test: string[] };
  init?: boolean;
  readOnly?: boolean;
  privileged?: boolean;
  networkMode?: string;
  capDrop: string[];
  capAdd: string[];
  securityOpt: string[];
  networks?: string[];
  volumes: VolumeFacts[];
  tmpfs: string[];
  command?: string[];
  entrypoint?: string[];
  restart?: string;
  user?: string;
  runtime?: string;
  limits: { memory?: string; cpus?: string; pids?: string };
}

export interface ComposeFacts {
  file: string;
  source: SourceText;
  /** An override file (`compose.override.yaml`): merged onto its base by Compose. */
  isOverride: boolean;
  version?: NodePosition;
  services: ServiceFacts[];
  networks: Map<string, { internal: boolean; position: NodePosition }>;
  problems: Array<{ line: number; column: number; message: string }>;
  /** The YAML nodes with their ranges (absent when it did not parse), for fixers' exact edits. */
  yaml?: YamlTree;
  /**
   * The parsed YAML Document (absent when it did not parse). Composed on first access: checking
   * reads `yaml`, only code that needs yaml's own nodes pays for them.
   */
  document?: Document.Parsed;
}

/** Aliases followed per file before giving up (a YAML alias bomb expands exponentially). */
const MAX_ALIAS_STEPS = 10_000;

/** Nodes a document may expand to through its aliases (a real compose file has a few thousand). */
const MAX_EXPANDED_NODES = 200_000;

class AliasBudgetExceeded extends Error {}

const PARSE_OPTIONS = { merge: true, uniqueKeys: false, prettyErrors: false } as const;

type Maybe = YamlNode | null | undefined;
const isAlias = (node: Maybe): node is YamlAlias => node?.kind === "alias";
const isScalar = (node: Maybe): node is YamlScalar => node?.kind === "scalar";
const isMap = (node: Maybe): node is YamlMap => node?.kind === "map";
const isSeq = (node: Maybe): node is YamlSeq => node?.kind === "seq";

/** `document` as a getter that composes the Document once, when something first reads it. */
function attachDocument(facts: ComposeFacts, text: string, composed?: Document.Parsed): void {
  let document = composed;
  Object.defineProperty(facts, "document", {
    configurable: true,
    enumerable: false,
    get: () => {
      document ??= parseDocument(text, PARSE_OPTIONS);
      return document;
    },
  });
}

export function parseCompose(
  source: SourceText,
  env: ReadonlyMap<string, string | undefined> = new Map(),
): ComposeFacts {
  const facts: ComposeFacts = {
    file: source.path,
    source,
    isOverride: /\.override\./.test(source.path),
    services: [],
    networks: new Map(),
    problems: [],
  };
  // The fast parser for the plain subset, then yaml's CST, then yaml's Document (see yaml-fast.ts).
  let tree = fastYamlTree(source.text) ?? yamlTree(source.text);
  if (tree) attachDocument(facts, source.text);
  else {
    // Not in the plain subset the CST walk reads (or not valid): yaml composes it, and reports.
    let doc: Document.Parsed;
    try {
      // Positions come from SourceText's own line index (yaml's LineCounter would build a second one).
      doc = parseDocument(source.text, PARSE_OPTIONS);
    } catch (error) {
      facts.problems.push({ line: 1, column: 1, message: `is not YAML: ${(error as Error).message}` });
      return facts;
    }
    // The first error is the one to fix; later ones are usually its echoes.
    for (const error of doc.errors.slice(0, 1)) {
      const at = source.position(error.pos[0]);
      const pos = { line: at.line, col: at.column };
      facts.problems.push({
        line: pos.line,
        column: pos.col,
        message: `is not valid YAML: ${error.message.split("\n")[0]}`,
      });
    }
    if (doc.errors.length > 0) return facts;
    tree = treeOfDocument(doc);
    attachDocument(facts, source.text, doc);
  }
  facts.yaml = tree;
  const contents = tree.contents;

  // One pass collects every anchor; an alias then resolves to the last anchor of its name
  // defined before it (yaml's own Alias.resolve walks the whole document for every alias).
  const anchors = new Map<string, Array<{ offset: number; node: YamlNode }>>();
  let hasAliases = false;
  if (source.text.includes("&")) {
    // What `visit(doc, { Alias, Node })` would see, in the same order.
    const collect = (node: Maybe): void => {
      if (!node) return;
      if (node.kind === "alias") {
        hasAliases = true;
        return;
      }
      if (node.anchor) {
        const list = anchors.get(node.anchor) ?? [];
        list.push({ offset: node.range[0], node });
        anchors.set(node.anchor, list);
      }
      if (node.kind === "map")
        for (const pair of node.items) {
          collect(pair.key);
          collect(pair.value);
        }
      else if (node.kind === "seq") for (const item of node.items) collect(item);
    };
    collect(contents);
  }
  const resolveAlias = (alias: YamlAlias): YamlNode | undefined => {
    const at = alias.range[0];
    let found: YamlNode | undefined;
    for (const entry of anchors.get(alias.source) ?? []) if (entry.offset < at) found = entry.node;
    return found;
  };
  // Refuse a billion-laughs document: count the nodes it would expand to (each anchored node's
  // size is memoised, and only anchored nodes are reached more than once, so this is linear in
  // the document) and stop past a bound.
  if (hasAliases) {
    const sizes = new Map<YamlNode, number>();
    const sizeOf = (node: Maybe): number => {
      const target = isAlias(node) ? resolveAlias(node) : node;
      if (target === undefined || target === null) return 1;
      if (target.kind === "scalar" || target.kind === "alias") return 1;
      const anchored = target.anchor !== undefined;
      if (anchored) {
        const known = sizes.get(target);
        if (known !== undefined) return known;
        sizes.set(target, 1); // an alias back to an ancestor (always anchored) counts once
      }
      let size = 1;
      if (isMap(target)) for (const pair of target.items) size += sizeOf(pair.key) + sizeOf(pair.value);
      else if (isSeq(target)) for (const item of target.items) size += sizeOf(item);
      size = Math.min(size, MAX_EXPANDED_NODES + 1);
      if (anchored) sizes.set(target, size);
      return size;
    };
    if (sizeOf(contents) > MAX_EXPANDED_NODES) {
      facts.problems.push({
        line: 1,
        column: 1,
        message: "expands too many YAML aliases (an alias bomb?): not checked",
      });
      return facts;
    }
  }
  let aliasSteps = 0;
  const deref = (node: Maybe): Maybe => {
    let current = node;
    while (isAlias(current)) {
      if (++aliasSteps > MAX_ALIAS_STEPS) throw new AliasBudgetExceeded();
      current = resolveAlias(current);
    }
    return current;
  };
  const position = (node: Maybe): NodePosition => {
    const range = node?.range ?? [0, 0, 0];
    const at = source.position(range[0]);
    return { line: at.line, column: at.column, start: range[0], end: range[1] };
  };
  /** The pairs of a map, with `<<` merges expanded (explicit keys win, as YAML says). */
  const merging = new Set<YamlMap>();
  const isMergeKey = (key: Maybe): boolean =>
    isScalar(key) && (key.source === "<<" || String(key.value) === "<<" || typeof key.value === "symbol");
  const pairsOf = (node: Maybe): YamlPair[] => {
    const map = deref(node);
    if (!isMap(map)) return [];
    // Most maps merge nothing: their own pairs are the answer (callers only read the list), and
    // such a map is never on the `merging` stack. Keys that are aliases are still resolved once,
    // as mergedPairs does, so that they count against the alias budget as they always did.
    if (!map.items.some((item) => isMergeKey(item.key))) {
      for (const item of map.items) if (isAlias(item.key)) deref(item.key);
      return map.items;
    }
    // A map that merges itself (`x: &a {<<: *a}`) contributes nothing the second time.
    if (merging.has(map)) return [];
    merging.add(map);
    try {
      return mergedPairs(map);
    } finally {
      merging.delete(map);
    }
  };
  const mergedPairs = (map: YamlMap): YamlPair[] => {
    const own: YamlPair[] = [];
    const merged: YamlPair[] = [];
    for (const item of map.items) {
      if (isMergeKey(item.key)) {
        const value = deref(item.value);
        const sources = isSeq(value) ? value.items : [value];
        for (const merge of sources) merged.push(...pairsOf(merge));
      } else own.push(item);
    }
    const seen = new Set(own.map((pair) => keyOf(pair)));
    return [...own, ...merged.filter((pair) => !seen.has(keyOf(pair)))];
  };
  const keyOf = (pair: YamlPair): string => {
    const key = deref(pair.key);
    return isScalar(key) ? String(key.value) : "";
  };
  const scalarText = (node: Maybe): string | undefined => {
    const value = deref(node);
    if (!isScalar(value)) return undefined;
    return value.value === null ? undefined : String(value.value);
  };
  const stringList = (node: Maybe): string[] => {
    const value = deref(node);
    if (isSeq(value)) return value.items.map(scalarText).filter((item): item is string => item !== undefined);
    const text = scalarText(value);
    return text === undefined ? [] : [text];
  };

  try {
    const root = deref(contents);
    if (root !== null && root !== undefined && !isMap(root)) {
      facts.problems.push({
        line: 1,
        column: 1,
        message: "is not a compose file: the top level must be a mapping",
      });
      return facts;
    }
    const top = new Map(pairsOf(root).map((pair) => [keyOf(pair), pair] as const));
    const version = top.get("version");
    if (version) facts.version = position(version.key);
    for (const pair of pairsOf(top.get("networks")?.value)) {
      const internal = pairsOf(pair.value).some(
        (p) => keyOf(p) === "internal" && scalarText(p.value) === "true",
      );
      facts.networks.set(keyOf(pair), { internal, position: position(pair.key) });
    }
    const servicePairs = pairsOf(top.get("services")?.value);
    const byName = new Map(servicePairs.map((pair) => [keyOf(pair), pair] as const));
    const composeDir = source.path.includes("/") ? source.path.slice(0, source.path.lastIndexOf("/")) : "";

    const serviceFacts = (name: string, pair: YamlPair, depth: number): ServiceFacts => {
      const service: ServiceFacts = {
        name,
        file: source.path,
        position: position(pair.key),
        keys: new Map(),
        ports: [],
        environment: [],
        envFiles: [],
        dependsOn: [],
        capDrop: [],
        capAdd: [],
        securityOpt: [],
        volumes: [],
        tmpfs: [],
        limits: {},
      };
      const entries = pairsOf(pair.value);
      for (const entry of entries) service.keys.set(keyOf(entry), position(entry.key));
      for (const entry of entries) readServiceKey(service, keyOf(entry), entry);
      // `extends` in the same file: inherit what the service does not set itself.
      const extendsNode = entries.find((entry) => keyOf(entry) === "extends");
      if (extendsNode && depth < 5) {
        const baseName =
          scalarText(extendsNode.value) ??
          scalarText(pairsOf(extendsNode.value).find((p) => keyOf(p) === "service")?.value);
        const hasFile = pairsOf(extendsNode.value).some((p) => keyOf(p) === "file");
        const basePair = baseName && !hasFile ? byName.get(baseName) : undefined;
        if (basePair && baseName !== name) {
          const base = serviceFacts(name, basePair, depth + 1);
          inherit(service, base);
        }
      }
      return service;
    };

    const readServiceKey = (service: ServiceFacts, key: string, entry: YamlPair): void => {
      const value = deref(entry.value);
      switch (key) {
        case "image": {
          const text = scalarText(value);
          if (text)
            service.image = {
              ref: parseImageRef(substituteVariables(text, env, "compose")),
              position: position(value),
            };
          break;
        }
        case "build": {
          let context = ".";
          let dockerfile = "Dockerfile";
          const args = new Map<string, string | undefined>();
          if (isScalar(value)) context = scalarText(value) ?? ".";
          else
            for (const p of pairsOf(value)) {
              if (keyOf(p) === "context") context = scalarText(p.value) ?? ".";
              if (keyOf(p) === "dockerfile") dockerfile = scalarText(p.value) ?? "Dockerfile";
              if (keyOf(p) === "args") for (const arg of keyValues(p.value)) args.set(arg.name, arg.value);
            }
          const contextDir = normalise(
            joinRelative(composeDir, substituteVariables(context, env, "compose")),
          );
          service.build = {
            context: contextDir,
            dockerfile: normalise(joinRelative(contextDir, dockerfile)),
            position: position(entry.key),
            args,
          };
          break;
        }
        case "ports":
          if (isSeq(value)) for (const item of value.items) service.ports.push(portFacts(deref(item)));
          break;
        case "environment":
          service.environment.push(
            ...keyValues(value).map((kv) => ({ ...kv, interpolated: /\$/.test(kv.value ?? "") })),
          );
          break;
        case "env_file":
          if (isSeq(value))
            for (const item of value.items) {
              const text =
                scalarText(item) ?? scalarText(pairsOf(item).find((p) => keyOf(p) === "path")?.value);
              if (text) service.envFiles.push(normalise(joinRelative(composeDir, text)));
            }
          else if (scalarText(value))
            service.envFiles.push(normalise(joinRelative(composeDir, scalarText(value)!)));
          break;
        case "depends_on":
          if (isSeq(value)) {
            for (const item of value.items) {
              const text = scalarText(item);
              if (text) service.dependsOn.push({ service: text, position: position(deref(item)) });
            }
          } else {
            for (const p of pairsOf(value)) {
              const condition = scalarText(pairsOf(p.value).find((q) => keyOf(q) === "condition")?.value);
              const dependency: ServiceFacts["dependsOn"][number] = {
                service: keyOf(p),
                position: position(p.key),
              };
              if (condition) dependency.condition = condition;
              service.dependsOn.push(dependency);
            }
          }
          break;
        case "healthcheck": {
          const pairs = pairsOf(value);
          const disabled = pairs.some((p) => keyOf(p) === "disable" && scalarText(p.value) === "true");
          const testNode = pairs.find((p) => keyOf(p) === "test")?.value;
          const test = stringList(testNode);
          service.healthcheck = {
            position: position(entry.key),
            disabled: disabled || test[0] === "NONE",
            test,
          };
          break;
        }
        case "init":
          service.init = scalarText(value) === "true";
          break;
        case "read_only":
          service.readOnly = scalarText(value) === "true";
          break;
        case "privileged":
          service.privileged = scalarText(value) === "true";
          break;
        case "network_mode":
          if (scalarText(value)) service.networkMode = scalarText(value)!;
          break;
        case "cap_drop":
          service.capDrop = stringList(value);
          break;
        case "cap_add":
          service.capAdd = stringList(value);
          break;
        case "security_opt":
          service.securityOpt = stringList(value);
          break;
        case "networks":
          service.networks = isSeq(value) ? stringList(value) : pairsOf(value).map(keyOf);
          break;
        case "volumes":
          if (isSeq(value)) for (const item of value.items) service.volumes.push(volumeFacts(deref(item)));
          break;
        case "tmpfs":
          service.tmpfs = stringList(value);
          break;
        case "command":
          service.command = stringList(value);
          break;
        case "entrypoint":
          service.entrypoint = stringList(value);
          break;
        case "restart":
          if (scalarText(value)) service.restart = scalarText(value)!;
          break;
        case "user":
          if (scalarText(value)) service.user = scalarText(value)!;
          break;
        case "runtime":
          if (scalarText(value)) service.runtime = scalarText(value)!;
          break;
        case "mem_limit":
          service.limits.memory = scalarText(value) ?? "";
          break;
        case "cpus":
          service.limits.cpus = scalarText(value) ?? "";
          break;
        case "pids_limit":
          service.limits.pids = scalarText(value) ?? "";
          break;
        case "deploy": {
          const resources = pairsOf(pairsOf(value).find((p) => keyOf(p) === "resources")?.value);
          const limits = pairsOf(resources.find((p) => keyOf(p) === "limits")?.value);
          for (const p of limits) {
            if (keyOf(p) === "memory") service.limits.memory = scalarText(p.value) ?? "";
            if (keyOf(p) === "cpus") service.limits.cpus = scalarText(p.value) ?? "";
            if (keyOf(p) === "pids") service.limits.pids = scalarText(p.value) ?? "";
          }
          break;
        }
        default:
          break;
      }
    };

    const keyValues = (node: Maybe): Array<{ name: string; value?: string; position: NodePosition }> => {
      const value = deref(node);
      const out: Array<{ name: string; value?: string; position: NodePosition }> = [];
      if (isSeq(value)) {
        for (const item of value.items) {
          const text = scalarText(item);
          if (text === undefined) continue;
          const eq = text.indexOf("=");
          const entry: { name: string; value?: string; position: NodePosition } = {
            name: eq < 0 ? text : text.slice(0, eq),
            position: position(deref(item)),
          };
          if (eq >= 0) entry.value = text.slice(eq + 1);
          out.push(entry);
        }
      } else {
        for (const p of pairsOf(value)) {
          const text = scalarText(p.value);
          const entry: { name: string; value?: string; position: NodePosition } = {
            name: keyOf(p),
            position: position(p.key),
          };
          if (text !== undefined) entry.value = text;
          out.push(entry);
        }
      }
      return out;
    };

    const portFacts = (node: Maybe): PortFacts => {
      const pos = position(node);
      if (isMap(node)) {
        const pairs = pairsOf(node);
        const get = (key: string) => scalarText(pairs.find((p) => keyOf(p) === key)?.value);
        const port: PortFacts = { text: "", protocol: get("protocol") ?? "tcp", position: pos, long: true };
        const target = Number(get("target"));
        if (Number.isFinite(target)) port.containerPort = target;
        const published = get("published");
        if (published !== undefined) port.hostPort = published;
        const hostIp = get("host_ip");
        if (hostIp !== undefined) port.hostIp = hostIp;
        return port;
      }
      const text = scalarText(node) ?? "";
      return {
        ...parsePortText(substituteVariables(text, env, "compose")),
        text,
        position: pos,
        long: false,
      };
    };

    const volumeFacts = (node: Maybe): VolumeFacts => {
      const pos = position(node);
      if (isMap(node)) {
        const pairs = pairsOf(node);
        const get = (key: string) => scalarText(pairs.find((p) => keyOf(p) === key)?.value);
        const type = get("type");
        const volume: VolumeFacts = {
          text: "",
          type: type === "bind" || type === "volume" || type === "tmpfs" ? type : "other",
          position: pos,
        };
        const sourceValue = get("source");
        if (sourceValue !== undefined) volume.source = sourceValue;
        const target = get("target");
        if (target !== undefined) volume.target = target;
        return volume;
      }
      const text = scalarText(node) ?? "";
      const parts = text.split(":");
      const volume: VolumeFacts = { text, type: "volume", position: pos };
      if (parts.length === 1) volume.target = parts[0] ?? "";
      else {
        volume.source = parts[0] ?? "";
        volume.target = parts[1] ?? "";
        volume.type = /^[./~$]/.test(volume.source) ? "bind" : "volume";
      }
      return volume;
    };

    for (const [name, pair] of byName) facts.services.push(serviceFacts(name, pair, 0));
  } catch (error) {
    if (error instanceof AliasBudgetExceeded) {
      facts.problems.push({
        line: 1,
        column: 1,
        message: `expands more than ${MAX_ALIAS_STEPS} YAML aliases (an alias bomb?): not checked`,
      });
      facts.services = [];
      return facts;
    }
    throw error;
  }
  return facts;
}

function inherit(service: ServiceFacts, base: ServiceFacts): void {
  for (const [key, pos] of base.keys) if (!service.keys.has(key)) service.keys.set(key, pos);
  const target = service as unknown as Record<string, unknown>;
  const source = base as unknown as Record<string, unknown>;
  for (const [field, value] of Object.entries(source)) {
    if (field === "name" || field === "file" || field === "position" || field === "keys") continue;
    const current = target[field];
    const empty = current === undefined || (Array.isArray(current) && current.length === 0);
    if (empty && value !== undefined) target[field] = value;
  }
}

/** `[ip:][host:]container[/proto]`, with `[::1]` style IPv6 hosts. */
export function parsePortText(text: string): Omit<PortFacts, "text" | "position" | "long"> {
  let rest = text.trim();
  let protocol = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1];
    rest = v6[2] ?? "";
  }
  const parts = splitOutsideBraces(rest);
  const out: Omit<PortFacts, "text" | "position" | "long"> = { protocol };
  if (parts.length === 3) {
    hostIp = parts[0];
    out.hostPort = parts[1] ?? "";
  } else if (parts.length === 2) out.hostPort = parts[0] ?? "";
  const container = Number.parseInt(parts.at(-1) ?? "", 10);
  if (Number.isFinite(container)) out.containerPort = container;
  if (hostIp !== undefined) out.hostIp = hostIp;
  return out;
}

/** Split on `:` except inside `${...}` (`${PORT:-3000}`, `${PORT:?message}`). */
function splitOutsideBraces(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "$" && text[i + 1] === "{") depth++;
    else if (char === "}" && depth > 0) depth--;
    if (char === ":" && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function joinRelative(dir: string, path: string): string {
  if (path.startsWith("/")) return path;
  return dir === "" ? path : `${dir}/${path}`;
}

/** Collapse `.` and `..` segments of a relative path ("" for the root). */
export function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts.at(-1) !== "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

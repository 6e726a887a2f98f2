/**
 * Check 6 of `shipshape verify`, image contents: every layer of an image read from a
 * `docker save` archive (Engine.exportImage), once, streaming, including the files a later layer
 * deletes (they are still shipped: anyone who pulls the image gets the layer that wrote them).
 *
 * Reading: the archive is one tar; layers (plain or gzip tars, found by their magic bytes) are
 * scanned as they arrive, before manifest.json says which layer is which (`docker save` writes
 * the manifest last), so each layer's scan is kept by its path in the archive and ordered once the
 * manifest is read. Only headers are kept for every file; contents are read only for files that
 * can hold a secret (named secret files, small text files of the app), package.json files and
 * /etc/passwd, never over `maxFileBytes` and never binary.
 *
 * Severity policy (what fails the check is every "error"):
 * - secrets (files, ENV and LABEL values), `.git` directories, compilers and build tools, and
 *   devDependencies in the runtime node_modules: error, whatever layer they are in. A full base
 *   such as `node:latest` ships gcc and make: that is exactly the defect (use a slim runtime stage).
 * - setuid/setgid binaries: a warning when the base image brought them or they are the stock set
 *   every Debian/Ubuntu/Alpine base ships (su, mount, umount, passwd, chsh, chfn, gpasswd, newgrp,
 *   chage, expiry, unix_chkpwd, wall…; node:*-bookworm-slim has exactly eleven of them, which
 *   `no-new-privileges` makes inert); an error when the app's own layers add another one.
 * - world-writable files and directories (no sticky bit) outside /tmp, /var/tmp and /dev: a
 *   warning from the base, an error from the app's layers. Symlinks and devices do not count.
 * - package-manager caches: a warning with their size (bloat, not danger).
 *
 * Which layers are the base's: `baseLayerCount`, or the prefix of the image's layers equal to
 * `baseDiffIds` (the final stage's base image, when the caller can inspect it: the most exact), or
 * a best guess from the history: base images end with `CMD`/`ENTRYPOINT` and were built well
 * before the app, so the base ends at the last such entry followed by more layers after a pause
 * of 10 minutes or more (else at the first such pause after one, else at the last such entry).
 */
import { once } from "node:events";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import {
  findSecretValue,
  isExampleSecret,
  isLocalUrlPassword,
  redact,
  redactLine,
  type SecretMatch,
  secretAssignment,
} from "../check/facts/secrets.js";
import {
  isAuthFileName,
  isTestPath,
  listNames,
  literalSecret,
  secretFileFromText,
  withArticle,
} from "../check/rules/secrets/shared.js";
import { ShipshapeError } from "../errors.js";

export type ContentKind =
  | "secret"
  | "git"
  | "compiler"
  | "package-cache"
  | "dev-dependency"
  | "world-writable"
  | "setuid";

export interface LayerInfo {
  /** 0-based position in the image's layers; -1 for the image config (ENV, LABEL), which is no layer. */
  index: number;
  diffId: string;
  /** Bytes of file content the layer adds (what `docker history` shows). */
  sizeBytes: number;
  /** The history's created_by, cleaned of `/bin/sh -c #(nop)` and BuildKit noise, secrets redacted. */
  instruction: string;
  /** The layer came with the final stage's base image (see the module comment for how that is known). */
  fromBase: boolean;
}

export interface ContentFinding {
  kind: ContentKind;
  /** Absolute path in the image (`/app/.env`), or `ENV NAME` / `LABEL key` for the image config. */
  path: string;
  /** Grouped findings (compilers, setuid binaries, devDependencies…): every path, `path` first. */
  paths?: string[];
  layer: LayerInfo;
  /** Present in the final filesystem, or deleted by a later layer (still shipped in the image!). */
  deletedInLayer?: number;
  severity: "error" | "warning";
  /** Redacted: never a secret value in full. */
  detail: string;
  /** The exact fix: a .dockerignore line, a multi-stage move, `RUN --mount=type=secret`, `npm ci --omit=dev`, chmod… */
  fix: string;
}

export interface ImageConfigSummary {
  user: string;
  exposedPorts: string[];
  /** The HEALTHCHECK test (`["CMD", …]`, `["NONE"]` when disabled); undefined without one. */
  healthcheck?: string[];
  labels: Record<string, string>;
  /** Names only: values can be secrets. */
  env: string[];
  entrypoint?: string[];
  cmd?: string[];
  workdir?: string;
}

export interface ImageContents {
  layers: LayerInfo[];
  findings: ContentFinding[];
  /** Sum of the layers' sizes. */
  totalBytes: number;
  config: ImageConfigSummary;
  /** How many of the first layers are the base image's. */
  baseLayerCount: number;
  /** Accounts of the final /etc/passwd (to name a non-root user in a fix). */
  users: Array<{ name: string; uid: number }>;
  /** What could not be read (a zstd layer, a second image in the archive…). */
  notes: string[];
}

export interface ContentOptions {
  /** The WORKDIR of the app, to find package.json + node_modules (default: the config's WorkingDir). */
  appDir?: string;
  /** Largest file whose content is read (default 512 KiB). */
  maxFileBytes?: number;
  /** How many of the first layers come from the final stage's base image. */
  baseLayerCount?: number;
  /** The base image's layer diff ids (`RootFS.Layers` of its inspect): the matching prefix is the base. */
  baseDiffIds?: string[];
}

const DEFAULT_MAX_FILE_BYTES = 512 * 1024;
const MAX_METADATA_BYTES = 16 * 1024 * 1024;
/** A pause this long after a CMD/ENTRYPOINT in the history marks where the base image ends. */
const BASE_PAUSE_MS = 10 * 60_000;
/** Listed paths per grouped finding before "and N more". */
const MAX_LISTED = 20;

// ---------------------------------------------------------------- reading the archive

type EntryType = "file" | "dir" | "symlink" | "link" | "other";

interface RawEntry {
  path: string;
  type: EntryType;
  mode: number;
  size: number;
}

interface FileSecret {
  path: string;
  /** "an OpenAI API key", "an env file (OPENAI_API_KEY)". */
  what: string;
  line: number;
  /** The line, redacted. */
  evidence: string;
  /** A named secret file (.env, .npmrc, a key) rather than a value found in a text file. */
  named: boolean;
  /** Found in a file, but no secret value in it (an `.env` of plain settings): a warning. */
  plain?: boolean;
}

interface LayerScan {
  entries: RawEntry[];
  whiteouts: string[];
  opaques: string[];
  bytes: number;
  secrets: FileSecret[];
  /** Contents kept for the analysis: package.json files outside node_modules, /etc/passwd. */
  texts: Map<string, string>;
}

/** `./usr/bin/` → `usr/bin`. */
function normalize(name: string): string {
  return name.replace(/^(?:\.\/+|\/+)+/, "").replace(/\/+$/, "");
}

function entryType(type: string | null | undefined): EntryType {
  switch (type) {
    case "file":
    case "contiguous-file":
      return "file";
    case "directory":
      return "dir";
    case "symlink":
      return "symlink";
    case "link":
      return "link";
    default:
      return "other";
  }
}

/** Reads a stream to its end without keeping it. */
async function drain(stream: Readable): Promise<void> {
  const done = once(stream, "end");
  stream.resume();
  await done;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The first bytes of a stream (at least `want`, unless it is shorter) and the rest of it. */
async function peek(
  stream: Readable,
  want: number,
): Promise<{ head: Buffer; rest: AsyncIterator<Buffer> | undefined }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < want) {
    const next = await iterator.next();
    if (next.done) return { head: Buffer.concat(chunks), rest: undefined };
    chunks.push(next.value);
    length += next.value.length;
  }
  return { head: Buffer.concat(chunks), rest: iterator };
}

async function* rejoin(head: Buffer, rest: AsyncIterator<Buffer> | undefined): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  if (!rest) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

type Sniffed = "gzip" | "zstd" | "tar" | "empty-tar" | "json" | "other";

function sniff(head: Buffer): Sniffed {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return "zstd";
  if (head.length >= 262 && head.toString("latin1", 257, 262) === "ustar") return "tar";
  if (head.length >= 512 && head.subarray(0, 512).every((byte) => byte === 0)) return "empty-tar";
  const first = head.toString("utf8", 0, Math.min(head.length, 64)).trimStart()[0];
  if (first === "{" || first === "[") return "json";
  return "other";
}

// ---------------------------------------------------------------- which files to read

/** Third-party package trees: their READMEs and test fixtures are not the app's secrets. */
const PACKAGE_DIR =
  /(?:^|\/)(?:node_modules|site-packages|dist-packages|bower_components|\.yarn\/cache)(?:\/|$)/;
const SYSTEM_DIR = /^(?:bin|boot|dev|etc|lib|lib32|lib64|libx32|proc|run|sbin|sys|usr|var)(?:\/|$)/;
const APP_UNDER_SYSTEM = /^(?:usr\/src|usr\/local\/src|var\/www|usr\/share\/nginx\/html)(?:\/|$)/;
const ENV_FILE = /^\.env(?:\..+)?$/;
const SSH_KEY = /^id_(?:rsa|dsa|ecdsa|ed25519)(?:[._-].*)?$/;
const HOME_CREDENTIALS = /(?:^|\/)(?:\.aws\/credentials|\.docker\/config\.json|\.config\/gcloud\/.+\.json)$/;
const SERVICE_ACCOUNT_JSON =
  /^(?:credentials|client_secrets?)\.json$|service[-_]?account[^/]*\.json$|firebase-adminsdk[^/]*\.json$/i;
const LOCKFILE =
  /^(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|poetry\.lock|uv\.lock|Pipfile\.lock|pdm\.lock)$/;
const CONFIG_EXT = /\.(?:json|ya?ml|toml|ini|conf|cfg|properties|env)$/i;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Files judged by name wherever they are (outside package trees): .env, .npmrc, keys, cloud credentials. */
function isSecretFileName(path: string): boolean {
  const name = baseName(path);
  return (
    ENV_FILE.test(name) ||
    isAuthFileName(name) ||
    name === ".yarnrc.yml" ||
    (SSH_KEY.test(name) && !name.endsWith(".pub")) ||
    SERVICE_ACCOUNT_JSON.test(name) ||
    HOME_CREDENTIALS.test(path)
  );
}

/** A file the app ships (not the OS's, not a dependency's): its text is scanned for secret values. */
function isAppFile(path: string): boolean {
  if (PACKAGE_DIR.test(path)) return false;
  if (SYSTEM_DIR.test(path) && !APP_UNDER_SYSTEM.test(path)) return false;
  if (/(?:^|\/)\.git\//.test(path)) return /(?:^|\/)\.git\/config$/.test(path);
  const name = baseName(path);
  if (LOCKFILE.test(name) || /\.(?:min\.[cm]?js|map)$/.test(name)) return false;
  return !isTestPath(path);
}

function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

/** Redacted evidence: the line with every secret masked, and the known value masked for sure. */
function evidenceOf(line: string, value?: string): string {
  let out = redactLine(line.trim());
  if (value && value.length > 0 && out.includes(value)) out = out.split(value).join(redact(value));
  return out.length > 160 ? `${out.slice(0, 157)}…` : out;
}

function describe(match: SecretMatch): string {
  return match.kind.startsWith("literal ") ? `a literal ${match.kind.slice(8)}` : withArticle(match.kind);
}

/** Values a scan of a text file reports: the first, and how many lines have one. */
function scanText(path: string, text: string): FileSecret | undefined {
  const lines = text.split("\n");
  const config = CONFIG_EXT.test(path);
  let first: { match: SecretMatch; line: number } | undefined;
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let match = findSecretValue(line);
    if (match && isExampleSecret(match.value)) match = undefined;
    if (match?.kind === "password in a URL" && isLocalUrlPassword(line, match.value)) match = undefined;
    if (!match && config) {
      const pair = /^\s*(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*(.+?)\s*,?\s*$/.exec(
        line,
      );
      const value = pair?.[2]?.replace(/^(["'])(.*)\1$/, "$2");
      if (pair?.[1] && value && !/^[[{]/.test(value)) match = literalSecret(pair[1], value);
    }
    if (!match) continue;
    count++;
    first ??= { match, line: i };
  }
  if (!first) return undefined;
  const more = count > 1 ? ` (and ${count - 1} more line${count > 2 ? "s" : ""})` : "";
  return {
    path,
    what: `${describe(first.match)} (\`${redact(first.match.value)}\`)${more}`,
    line: first.line + 1,
    evidence: evidenceOf(lines[first.line]!, first.match.value),
    named: false,
  };
}

/** A named secret file, judged by check's rules (secretFileFromText). */
function judgeNamedFile(path: string, text: string | undefined): FileSecret | undefined {
  const file = secretFileFromText(path, text);
  const lines = text?.split("\n");
  if (!file) {
    // An env file of plain settings is still configuration baked into the image.
    const name = baseName(path);
    if (ENV_FILE.test(name) && !/\.(?:example|sample|template|dist|defaults?)$/.test(name) && text?.trim())
      return {
        path,
        what: "an env file (no secret-looking values)",
        line: 1,
        evidence: "",
        named: true,
        plain: true,
      };
    return undefined;
  }
  const lineText = lines?.[file.line - 1] ?? "";
  const names = file.names.length > 0 ? ` (${listNames(file.names)})` : "";
  const pair = /^\s*(?:export\s+)?["']?([^\s=:"']+)["']?\s*[=:]\s*["']?([^\s"',]+)/.exec(lineText);
  const value =
    findSecretValue(lineText) ??
    (pair ? secretAssignment(pair[1]!.split(/[:/]/).pop() ?? "", pair[2]!) : undefined);
  const shown =
    value && !isExampleSecret(value.value) ? `, ${describe(value)} (\`${redact(value.value)}\`)` : "";
  return {
    path,
    what: `${withArticle(file.kind)}${names}${shown}`,
    line: file.line,
    evidence: /PRIVATE KEY/.test(lineText) ? lineText.trim() : evidenceOf(lineText, value?.value),
    named: true,
  };
}

interface ScanLimits {
  maxFileBytes: number;
}

/** A layer with nothing read yet (or nothing readable: a skipped zstd layer). */
function emptyScan(): LayerScan {
  return { entries: [], whiteouts: [], opaques: [], bytes: 0, secrets: [], texts: new Map() };
}

async function scanLayer(
  source: AsyncIterable<Buffer>,
  gzip: boolean,
  limits: ScanLimits,
): Promise<LayerScan> {
  const scan = emptyScan();
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    onEntry(header, stream as unknown as Readable).then(() => next(), next);
  });
  async function onEntry(header: tar.Header, stream: Readable): Promise<void> {
    const path = normalize(header.name);
    const name = baseName(path);
    if (path === "") return drain(stream);
    if (name.startsWith(".wh.")) {
      const dir = path.slice(0, path.length - name.length).replace(/\/$/, "");
      if (name === ".wh..wh..opq") scan.opaques.push(dir);
      else if (!name.startsWith(".wh..wh."))
        scan.whiteouts.push(dir ? `${dir}/${name.slice(4)}` : name.slice(4));
      return drain(stream);
    }
    const type = entryType(header.type);
    const size = type === "file" ? (header.size ?? 0) : 0;
    scan.entries.push({ path, type, mode: header.mode ?? 0, size });
    scan.bytes += size;
    if (type !== "file" || size === 0) return drain(stream);
    const inPackages = PACKAGE_DIR.test(path);
    const named = !inPackages && isSecretFileName(path);
    const keep = (name === "package.json" && !inPackages) || path === "etc/passwd";
    const app = isAppFile(path);
    if (!named && !keep && !app) return drain(stream);
    if (size > limits.maxFileBytes) {
      await drain(stream);
      if (named) {
        const secret = judgeNamedFile(path, undefined);
        if (secret) scan.secrets.push(secret);
      }
      return;
    }
    const content = await readAll(stream);
    const binary = isBinary(content);
    const text = binary ? undefined : content.toString("utf8");
    if (keep && text !== undefined) scan.texts.set(path, text);
    const secret = named ? judgeNamedFile(path, text) : text !== undefined ? scanText(path, text) : undefined;
    if (secret) scan.secrets.push(secret);
  }
  const input = Readable.from(source);
  if (gzip) await pipeline(input, createGunzip(), extract);
  else await pipeline(input, extract);
  return scan;
}

// ---------------------------------------------------------------- the archive

interface SaveManifest {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

interface ImageConfigJson {
  config?: {
    User?: string;
    ExposedPorts?: Record<string, unknown> | null;
    Env?: string[] | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    Healthcheck?: { Test?: string[] | null } | null;
  };
  rootfs?: { diff_ids?: string[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
}

/** Reads a `docker save` archive (Engine.exportImage) once, streaming. */
export async function inspectImageContents(
  archive: NodeJS.ReadableStream,
  options: ContentOptions = {},
): Promise<ImageContents> {
  const limits: ScanLimits = { maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES };
  const metadata = new Map<string, Buffer>();
  const scans = new Map<string, LayerScan>();
  const notes: string[] = [];

  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    onEntry(header, stream as unknown as Readable).then(() => next(), next);
  });
  async function onEntry(header: tar.Header, stream: Readable): Promise<void> {
    const path = normalize(header.name);
    if (entryType(header.type) !== "file") return drain(stream);
    const { head, rest } = await peek(stream, 512);
    const kind = sniff(head);
    if (kind === "gzip" || kind === "tar") {
      scans.set(path, await scanLayer(rejoin(head, rest), kind === "gzip", limits));
      return;
    }
    if (kind === "empty-tar") {
      scans.set(path, { entries: [], whiteouts: [], opaques: [], bytes: 0, secrets: [], texts: new Map() });
    } else if (kind === "zstd") {
      notes.push(
        `${path}: a zstd-compressed layer, which this Node.js cannot read; its files were not checked`,
      );
    } else if ((header.size ?? 0) <= MAX_METADATA_BYTES) {
      const chunks = [head];
      for await (const chunk of rejoin(Buffer.alloc(0), rest)) chunks.push(chunk);
      metadata.set(path, Buffer.concat(chunks));
      return;
    }
    if (rest) for await (const _ of rejoin(Buffer.alloc(0), rest));
  }

  try {
    await pipeline(archive as Readable, extract);
  } catch (error) {
    throw new ShipshapeError(`cannot read the image archive: ${(error as Error).message}`, {
      hint: "the archive must be what `docker save` (Engine.exportImage) writes",
      cause: error,
    });
  }
  return analyze(metadata, scans, notes, options);
}

function parseJson<T>(bytes: Buffer | undefined, what: string): T {
  if (!bytes) throw new ShipshapeError(`not a \`docker save\` archive: it has no ${what}`);
  try {
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch (error) {
    throw new ShipshapeError(
      `not a \`docker save\` archive: ${what} is not JSON (${(error as Error).message})`,
    );
  }
}

/** `RUN |1 NODE_VERSION=20 /bin/sh -c apt-get … # buildkit` → `RUN apt-get …`, secrets redacted. */
export function cleanInstruction(createdBy: string | undefined, comment?: string): string {
  let text = (createdBy ?? "").trim();
  if (text === "") return comment ? `(${comment})` : "(no instruction recorded)";
  text = text.replace(/\s+# buildkit$/, "");
  const nop = /^\/bin\/sh -c #\(nop\)\s*(.*)$/s.exec(text);
  if (nop) text = nop[1]!.trim();
  else {
    const shell =
      /^(?:RUN\s+)?(?:\|\d+(?:\s+[A-Za-z_][A-Za-z0-9_]*=\S*)*\s+)?\/bin\/(?:ba)?sh -c\s+(.*)$/s.exec(text);
    if (shell) text = `RUN ${shell[1]!.trim()}`;
  }
  return redactLine(text.replace(/\s+/g, " "));
}

// ---------------------------------------------------------------- the analysis

interface FsNode {
  children?: Map<string, FsNode>;
  layer: number;
  entry?: RawEntry;
}

interface FinalEntry {
  layer: number;
  entry: RawEntry;
}

function walk(root: FsNode, path: string, create: boolean): FsNode | undefined {
  let node = root;
  for (const part of path.split("/")) {
    if (!node.children) {
      if (!create) return undefined;
      node.children = new Map();
    }
    let child = node.children.get(part);
    if (!child) {
      if (!create) return undefined;
      child = { layer: -1 };
      node.children.set(part, child);
    }
    node = child;
  }
  return node;
}

/** The final filesystem: each layer's whiteouts and opaque dirs hide what is below, then its entries land. */
function finalFilesystem(layers: LayerScan[]): Map<string, FinalEntry> {
  const root: FsNode = { layer: -1, children: new Map() };
  layers.forEach((scan, index) => {
    for (const path of scan.whiteouts) {
      const slash = path.lastIndexOf("/");
      const parent = slash < 0 ? root : walk(root, path.slice(0, slash), false);
      parent?.children?.delete(path.slice(slash + 1));
    }
    for (const dir of scan.opaques) {
      const node = dir === "" ? root : walk(root, dir, false);
      if (node) node.children = new Map();
    }
    for (const entry of scan.entries) {
      const node = walk(root, entry.path, true)!;
      node.entry = entry;
      node.layer = index;
      if (entry.type !== "dir") node.children = undefined;
    }
  });
  const out = new Map<string, FinalEntry>();
  const visit = (node: FsNode, path: string) => {
    if (node.entry) out.set(path, { layer: node.layer, entry: node.entry });
    if (node.children)
      for (const [name, child] of node.children) visit(child, path ? `${path}/${name}` : name);
  };
  visit(root, "");
  return out;
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) out.push(path.slice(0, i));
  return out;
}

/** Per-layer lookups for "which later layer removed or replaced this path". */
class LayerIndex {
  private readonly types = new Map<number, Map<string, EntryType>>();
  private readonly whiteouts = new Map<number, Set<string>>();
  private readonly opaques = new Map<number, Set<string>>();
  constructor(private readonly scans: LayerScan[]) {}

  private typesOf(layer: number): Map<string, EntryType> {
    let map = this.types.get(layer);
    if (!map) {
      map = new Map(this.scans[layer]!.entries.map((entry) => [entry.path, entry.type]));
      this.types.set(layer, map);
    }
    return map;
  }

  private setOf(cache: Map<number, Set<string>>, layer: number, list: string[]): Set<string> {
    let set = cache.get(layer);
    if (!set) {
      set = new Set(list);
      cache.set(layer, set);
    }
    return set;
  }

  /** The first layer after `layer` that deletes, hides or replaces `path` (a directory is only deleted or hidden). */
  removedAfter(path: string, layer: number, isDir = false): number | undefined {
    const above = ancestors(path);
    for (let m = layer + 1; m < this.scans.length; m++) {
      const scan = this.scans[m]!;
      if (scan.whiteouts.length > 0) {
        const whiteouts = this.setOf(this.whiteouts, m, scan.whiteouts);
        if (whiteouts.has(path) || above.some((dir) => whiteouts.has(dir))) return m;
      }
      if (scan.opaques.length > 0) {
        const opaques = this.setOf(this.opaques, m, scan.opaques);
        if ((isDir && opaques.has(path)) || above.some((dir) => opaques.has(dir)) || opaques.has(""))
          return m;
      }
      const type = this.typesOf(m).get(path);
      if (type !== undefined && !(isDir && type === "dir")) return m;
    }
    return undefined;
  }
}

function baseCount(
  layerCount: number,
  diffIds: string[],
  history: NonNullable<ImageConfigJson["history"]>,
  options: ContentOptions,
): number {
  if (options.baseLayerCount !== undefined) return Math.max(0, Math.min(layerCount, options.baseLayerCount));
  if (options.baseDiffIds) {
    let n = 0;
    while (n < diffIds.length && n < options.baseDiffIds.length && diffIds[n] === options.baseDiffIds[n]) n++;
    return n;
  }
  // Best guess: base images end with CMD/ENTRYPOINT, and were built apart from the app (a base is
  // published before anyone builds on it: a pause follows its last entry). Candidates are the
  // CMD/ENTRYPOINT entries followed by more layers: the last one followed by a pause wins (an
  // app's own CMD written before its last RUN is a candidate without a pause); else the first
  // pause after a candidate (a base that ends with a RUN; later pauses are cached app layers);
  // else the last candidate.
  const candidates: Array<{ layers: number; pause: boolean }> = [];
  const pauses: number[] = [];
  let layers = 0;
  let pending: number | undefined;
  const pauseBefore = (i: number) =>
    i > 0 &&
    Date.parse(history[i]?.created ?? "") - Date.parse(history[i - 1]?.created ?? "") >= BASE_PAUSE_MS;
  history.forEach((entry, i) => {
    if (pauseBefore(i) && layers > 0) pauses.push(layers);
    if (entry.empty_layer) {
      if (/^(?:CMD|ENTRYPOINT)\b/.test(cleanInstruction(entry.created_by))) pending = i;
      return;
    }
    if (pending !== undefined) candidates.push({ layers, pause: pauseBefore(pending + 1) });
    pending = undefined;
    layers++;
  });
  const first = candidates[0]?.layers ?? Number.POSITIVE_INFINITY;
  const chosen =
    candidates.filter((c) => c.pause).at(-1)?.layers ??
    pauses.find((at) => at >= first) ??
    candidates.at(-1)?.layers ??
    0;
  return Math.min(chosen, layerCount);
}

/** `703 MB`, `5.8 kB`: decimal units, as `docker images` shows sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

function listed(paths: string[]): string {
  const shown = paths.slice(0, MAX_LISTED).map((path) => `/${path}`);
  return paths.length > MAX_LISTED
    ? `${shown.join(", ")} and ${paths.length - MAX_LISTED} more`
    : shown.join(", ");
}

const STOCK_SETUID = new Set([
  "su",
  "mount",
  "umount",
  "passwd",
  "chsh",
  "chfn",
  "gpasswd",
  "newgrp",
  "chage",
  "expiry",
  "unix_chkpwd",
  "wall",
  "write",
  "ping",
  "ping6",
  "bbsuid",
  "ssh-agent",
]);

const COMPILER =
  /^(?:usr\/(?:local\/)?bin|bin)\/(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+|make|gmake)(?:-\d+(?:\.\d+)*)?$/;

const CACHES: Array<{ pattern: RegExp; manager: string; fix: string }> = [
  {
    pattern: /^((?:root|home\/[^/]+)\/\.npm\/_cacache)\//,
    manager: "npm",
    fix: "install with a cache mount (`RUN --mount=type=cache,target=/root/.npm npm ci`) or end the same RUN with `&& npm cache clean --force`",
  },
  {
    pattern: /^((?:root|home\/[^/]+)\/\.cache\/yarn|usr\/local\/share\/\.cache\/yarn)\//,
    manager: "yarn",
    fix: "install with a cache mount (`RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install --frozen-lockfile`) or end the same RUN with `&& yarn cache clean`",
  },
  {
    pattern: /^((?:root|home\/[^/]+)\/(?:\.pnpm-store|\.local\/share\/pnpm\/store))\//,
    manager: "pnpm",
    fix: "install with a cache mount (`RUN --mount=type=cache,target=/root/.local/share/pnpm/store pnpm install --frozen-lockfile`) in a build stage",
  },
  {
    pattern: /^((?:root|home\/[^/]+)\/\.cache\/pip)\//,
    manager: "pip",
    fix: "`pip install --no-cache-dir …` (or `RUN --mount=type=cache,target=/root/.cache/pip pip install …`)",
  },
  {
    pattern: /^((?:root|home\/[^/]+)\/\.cache\/pypoetry)\//,
    manager: "Poetry",
    fix: "`poetry install --no-cache` (or a cache mount on /root/.cache/pypoetry) in a build stage",
  },
  {
    pattern: /^(var\/lib\/apt\/lists)\/(?!lock$|partial(?:\/|$)|auxfiles(?:\/|$))/,
    manager: "apt",
    fix: "end the same RUN as `apt-get install` with `&& rm -rf /var/lib/apt/lists/*`",
  },
  {
    pattern: /^(var\/cache\/apt\/archives)\/[^/]+\.deb$/,
    manager: "apt",
    fix: "end the same RUN as `apt-get install` with `&& apt-get clean`",
  },
];

function isCopy(layer: LayerInfo): boolean {
  return /^(?:COPY|ADD)\b/.test(layer.instruction);
}

function secretFix(secret: FileSecret, layer: LayerInfo, deleted: boolean): string {
  const name = baseName(secret.path);
  const gone = secret.plain
    ? ""
    : deleted
      ? "deleting it in a later layer does not remove it from the image (the layer that wrote it still ships it): rotate the secret and "
      : "rotate the secret and ";
  if (isCopy(layer)) {
    const line = /\/\.git\//.test(secret.path) ? ".git" : ENV_FILE.test(name) ? ".env*" : name;
    const more = ENV_FILE.test(name) ? " (and `!.env.example`)" : "";
    return `${gone}add \`${line}\` to .dockerignore${more} so \`${layer.instruction}\` cannot copy it; pass runtime secrets as environment variables or mounted files (\`docker run --env-file\`, compose \`secrets:\`)`;
  }
  if (/^RUN\b/.test(layer.instruction)) {
    return `${gone}give the build step the secret as a BuildKit secret mount, which never lands in a layer: \`RUN --mount=type=secret,id=${name.replace(/^\./, "") || "secret"},target=/${secret.path} …\` (built with \`--secret id=…,src=…\`); runtime secrets go in environment variables or mounted files, not the image`;
  }
  return `${gone}keep it out of the image: build from a base without it, or delete it in a build stage and copy only what the app needs into a fresh runtime stage`;
}

function gitFix(layer: LayerInfo): string {
  return isCopy(layer)
    ? `add \`.git\` to .dockerignore so \`${layer.instruction}\` cannot copy it (and copy only what the app needs)`
    : "clone in a build stage and copy only the build output into the runtime stage";
}

/** The analysis over the scanned layers, once the manifest and config are known. */
function analyze(
  metadata: Map<string, Buffer>,
  scans: Map<string, LayerScan>,
  notes: string[],
  options: ContentOptions,
): ImageContents {
  const manifests = parseJson<SaveManifest[]>(metadata.get("manifest.json"), "manifest.json");
  const manifest = manifests[0];
  if (!manifest || !Array.isArray(manifest.Layers) || typeof manifest.Config !== "string")
    throw new ShipshapeError("not a `docker save` archive: manifest.json lists no image");
  if (manifests.length > 1)
    notes.push(
      `the archive holds ${manifests.length} images; only the first (${manifest.RepoTags?.[0] ?? manifest.Config}) was checked`,
    );
  const config = parseJson<ImageConfigJson>(
    metadata.get(normalize(manifest.Config)),
    `its config ${manifest.Config}`,
  );
  const layerScans = manifest.Layers.map((path) => {
    const scan = scans.get(normalize(path));
    if (scan) return scan;
    if (notes.some((note) => note.startsWith(`${normalize(path)}:`))) return emptyScan();
    throw new ShipshapeError(
      `not a \`docker save\` archive: layer ${path} named by manifest.json is missing or not a tar`,
    );
  });

  // History entries with empty_layer have no layer; the others map to the layers in order.
  const history = config.history ?? [];
  const diffIds = config.rootfs?.diff_ids ?? [];
  const instructions: string[] = [];
  for (const entry of history)
    if (!entry.empty_layer) instructions.push(cleanInstruction(entry.created_by, entry.comment));
  const base = baseCount(layerScans.length, diffIds, history, options);
  const layers: LayerInfo[] = layerScans.map((scan, index) => ({
    index,
    diffId: diffIds[index] ?? "",
    sizeBytes: scan.bytes,
    instruction: instructions[index] ?? "(no instruction recorded)",
    fromBase: index < base,
  }));

  const c = config.config ?? {};
  const summary: ImageConfigSummary = {
    user: c.User ?? "",
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    labels: { ...(c.Labels ?? {}) },
    env: (c.Env ?? []).map((pair) => pair.split("=")[0] ?? pair),
  };
  if (c.Healthcheck?.Test && c.Healthcheck.Test.length > 0) summary.healthcheck = [...c.Healthcheck.Test];
  if (c.Entrypoint) summary.entrypoint = [...c.Entrypoint];
  if (c.Cmd) summary.cmd = [...c.Cmd];
  if (c.WorkingDir) summary.workdir = c.WorkingDir;

  const final = finalFilesystem(layerScans);
  const index = new LayerIndex(layerScans);
  const findings: ContentFinding[] = [];
  const finding = (f: ContentFinding) => {
    if (f.deletedInLayer === undefined) delete f.deletedInLayer;
    findings.push(f);
  };

  // Secrets in files, in every layer (also the ones a later layer deletes).
  layerScans.forEach((scan, i) => {
    for (const secret of scan.secrets) {
      const layer = layers[i]!;
      const deletedInLayer = index.removedAfter(secret.path, i);
      const where = secret.evidence ? ` at line ${secret.line}: ${secret.evidence}` : "";
      const gone =
        deletedInLayer !== undefined
          ? ` — deleted by layer ${deletedInLayer} (\`${layers[deletedInLayer]!.instruction}\`), but still shipped in layer ${i}`
          : "";
      finding({
        kind: "secret",
        path: `/${secret.path}`,
        layer,
        deletedInLayer,
        severity: secret.plain ? "warning" : "error",
        detail: `/${secret.path} holds ${secret.what}${where}${gone}`,
        fix: secretFix(secret, layer, deletedInLayer !== undefined),
      });
    }
  });

  // Build arguments a RUN used are recorded in its history (`RUN |1 NPM_TOKEN=… /bin/sh -c …`):
  // `docker history` shows them to anyone who pulls the image.
  const reportedArgs = new Set<string>();
  let layerOfEntry = 0;
  for (const entry of history) {
    const layer = entry.empty_layer ? undefined : layers[layerOfEntry];
    if (!entry.empty_layer) layerOfEntry++;
    const args = /^(?:RUN\s+)?\|\d+((?:\s+[A-Za-z_][A-Za-z0-9_]*=\S*)+)\s+\//.exec(
      entry.created_by ?? "",
    )?.[1];
    if (!args) continue;
    for (const pair of args.trim().split(/\s+/)) {
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const match = literalSecret(name, pair.slice(eq + 1));
      if (!match || isExampleSecret(match.value) || reportedArgs.has(name)) continue;
      reportedArgs.add(name);
      finding({
        kind: "secret",
        path: `ARG ${name}`,
        layer: layer ?? {
          index: -1,
          diffId: "",
          sizeBytes: 0,
          instruction: cleanInstruction(entry.created_by),
          fromBase: false,
        },
        severity: "error",
        detail: `build argument \`${name}\` holds ${describe(match)} (\`${redact(match.value)}\`): \`docker history\` shows the values of the build arguments a RUN used`,
        fix: `pass it as a BuildKit secret instead of a build argument: \`RUN --mount=type=secret,id=${name.toLowerCase()},env=${name} …\` built with \`--secret id=${name.toLowerCase()},env=${name}\`; rotate the secret`,
      });
    }
  }

  // ENV and LABEL values live in the image config: visible to every container and `docker inspect`.
  const configEntries: Array<{ what: "ENV" | "LABEL"; name: string; value: string }> = [
    ...(c.Env ?? []).map((pair) => {
      const eq = pair.indexOf("=");
      return {
        what: "ENV" as const,
        name: eq < 0 ? pair : pair.slice(0, eq),
        value: eq < 0 ? "" : pair.slice(eq + 1),
      };
    }),
    ...Object.entries(c.Labels ?? {}).map(([name, value]) => ({ what: "LABEL" as const, name, value })),
  ];
  for (const { what, name, value } of configEntries) {
    const match = literalSecret(name, value);
    if (!match || isExampleSecret(match.value)) continue;
    const set = [...history]
      .reverse()
      .map((entry) => cleanInstruction(entry.created_by))
      .find((instruction) => instruction.startsWith(what) && instruction.includes(`${name}=`));
    const instruction = set ?? `${what} ${name}=${redact(value)}`;
    finding({
      kind: "secret",
      path: `${what} ${name}`,
      layer: { index: -1, diffId: "", sizeBytes: 0, instruction, fromBase: false },
      severity: "error",
      detail: `\`${what} ${name}\` holds ${describe(match)} (\`${redact(match.value)}\`): it is in the image config, visible to every container and to \`docker inspect\``,
      fix:
        what === "ENV"
          ? `remove \`${instruction.split(/\s/)[0]} ${name}\` from the Dockerfile, rotate the secret, and pass it at run time (\`docker run -e ${name}\`, \`--env-file\`, compose \`environment:\`/\`secrets:\`); a build step that needs it uses \`RUN --mount=type=secret,id=${name.toLowerCase()},env=${name}\``
          : `remove the label \`${name}\` and rotate the secret`,
    });
  }

  // .git directories (outside dependencies), per layer that wrote into them.
  layerScans.forEach((scan, i) => {
    const roots = new Map<string, { bytes: number; files: number }>();
    for (const entry of scan.entries) {
      const match = /^(.*?(?:^|\/)\.git)(?:\/|$)/.exec(entry.path);
      if (!match || PACKAGE_DIR.test(match[1]!)) continue;
      const root = roots.get(match[1]!) ?? { bytes: 0, files: 0 };
      root.bytes += entry.size;
      if (entry.type === "file") root.files++;
      roots.set(match[1]!, root);
    }
    for (const [root, size] of roots) {
      if (size.files === 0) continue;
      const deletedInLayer = index.removedAfter(root, i, true);
      const gone = deletedInLayer !== undefined ? ` (deleted by layer ${deletedInLayer}, still shipped)` : "";
      finding({
        kind: "git",
        path: `/${root}`,
        layer: layers[i]!,
        deletedInLayer,
        severity: "error",
        detail: `a git repository /${root} (${size.files} files, ${formatBytes(size.bytes)}): the whole history, and any secret ever committed, ships with the image${gone}`,
        fix: gitFix(layers[i]!),
      });
    }
  });

  // Package-manager caches, per layer that filled them (shipped even when a later layer deletes them).
  layerScans.forEach((scan, i) => {
    const caches = new Map<string, { bytes: number; files: string[]; cache: (typeof CACHES)[number] }>();
    for (const entry of scan.entries) {
      if (entry.type !== "file") continue;
      for (const cache of CACHES) {
        const match = cache.pattern.exec(entry.path);
        if (!match) continue;
        const found = caches.get(match[1]!) ?? { bytes: 0, files: [], cache };
        found.bytes += entry.size;
        found.files.push(entry.path);
        caches.set(match[1]!, found);
        break;
      }
    }
    for (const [root, { bytes, files, cache }] of caches) {
      let deletedInLayer: number | undefined;
      if (files.every((file) => final.get(file)?.layer !== i)) {
        for (const file of files) {
          const removed = index.removedAfter(file, i);
          if (removed !== undefined && (deletedInLayer === undefined || removed < deletedInLayer))
            deletedInLayer = removed;
        }
      }
      const gone =
        deletedInLayer !== undefined
          ? `; deleted by layer ${deletedInLayer}, but still shipped in layer ${i}`
          : "";
      finding({
        kind: "package-cache",
        path: `/${root}`,
        layer: layers[i]!,
        deletedInLayer,
        severity: "warning",
        detail: `${cache.manager} cache /${root}: ${formatBytes(bytes)} in ${files.length} file${files.length === 1 ? "" : "s"}${gone}`,
        fix:
          deletedInLayer !== undefined
            ? `${cache.fix} (a later \`rm\` cannot shrink an earlier layer)`
            : cache.fix,
      });
    }
  });

  // Compilers and build tools in the final filesystem, per layer that installed them.
  const compilers = new Map<number, string[]>();
  const setuid = new Map<string, { layer: number; severity: "error" | "warning"; paths: string[] }>();
  const writable = new Map<string, { layer: number; severity: "error" | "warning"; paths: string[] }>();
  for (const [path, { layer, entry }] of final) {
    if (COMPILER.test(path) && entry.type !== "dir") {
      const list = compilers.get(layer) ?? [];
      list.push(path);
      compilers.set(layer, list);
    }
    if ((entry.type === "file" || entry.type === "link") && entry.mode & 0o6000) {
      const stock = STOCK_SETUID.has(baseName(path)) && /^(?:usr\/)?s?bin\//.test(path);
      const severity = stock || layers[layer]!.fromBase ? "warning" : "error";
      const key = `${layer}:${severity}`;
      const group = setuid.get(key) ?? { layer, severity, paths: [] };
      group.paths.push(path);
      setuid.set(key, group);
    }
    const worldWritable =
      entry.mode & 0o002 &&
      ((entry.type === "dir" && !(entry.mode & 0o1000)) || entry.type === "file" || entry.type === "link");
    if (worldWritable && !/^(?:tmp|var\/tmp|dev)(?:\/|$)/.test(path)) {
      const severity = layers[layer]!.fromBase ? "warning" : "error";
      const key = `${layer}:${severity}`;
      const group = writable.get(key) ?? { layer, severity, paths: [] };
      group.paths.push(path);
      writable.set(key, group);
    }
  }
  const buildEssential = [...final.keys()].some((path) =>
    /^usr\/share\/doc\/build-essential(?:\/|$)/.test(path),
  );
  for (const [layer, paths] of compilers) {
    const names = [...new Set(paths.map(baseName))];
    finding({
      kind: "compiler",
      path: `/${paths[0]}`,
      paths: paths.map((path) => `/${path}`),
      layer: layers[layer]!,
      severity: "error",
      detail: `compilers and build tools in the runtime image: ${names.join(", ")}${buildEssential ? " (build-essential is installed)" : ""}${layers[layer]!.fromBase ? " — they come with the base image" : ""}`,
      fix: layers[layer]!.fromBase
        ? "use a slim runtime stage (e.g. `FROM node:20-bookworm-slim AS runtime`) and build native modules in a separate build stage, copying only the result"
        : `install build tools only in a build stage (\`${layers[layer]!.instruction.slice(0, 80)}\` belongs there) and copy only the build output into a slim runtime stage`,
    });
  }
  for (const { layer, severity, paths } of setuid.values()) {
    const info = layers[layer]!;
    finding({
      kind: "setuid",
      path: `/${paths[0]}`,
      paths: paths.map((path) => `/${path}`),
      layer: info,
      severity,
      detail: `${paths.length} setuid/setgid binar${paths.length === 1 ? "y" : "ies"}: ${listed(paths)}${
        severity === "warning"
          ? info.fromBase
            ? " (from the base image; inert under `--security-opt no-new-privileges`)"
            : " (the distribution's stock set; inert under `--security-opt no-new-privileges`)"
          : " added by the app's own layer"
      }`,
      fix: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + (in the runtime stage), and run with \`--security-opt no-new-privileges\``,
    });
  }
  for (const { layer, severity, paths } of writable.values()) {
    const info = layers[layer]!;
    // A world-writable directory covers what is under it: list the top-most ones first.
    const tops = paths.filter((path) => !ancestors(path).some((dir) => paths.includes(dir)));
    const shown =
      tops.length === paths.length ? listed(paths) : `${listed(tops)} (${paths.length} entries in all)`;
    finding({
      kind: "world-writable",
      path: `/${tops[0]}`,
      paths: paths.map((path) => `/${path}`),
      layer: info,
      severity,
      detail: `world-writable without the sticky bit: ${shown}${info.fromBase ? " (from the base image)" : ""} — any process in the container can replace what is there`,
      fix: `\`chmod o-w\` them in the same step (e.g. \`RUN chmod -R o-w ${tops
        .slice(0, 3)
        .map((path) => `/${path}`)
        .join(
          " ",
        )}\`), give the app user ownership with \`COPY --chown=node:node\` instead of \`chmod 777\`, and write only to a tmpfs or volume`,
    });
  }

  // devDependencies installed in the runtime node_modules.
  const appDir = normalize(options.appDir ?? c.WorkingDir ?? "");
  const pkgPath = appDir ? `${appDir}/package.json` : "package.json";
  const pkgFinal = final.get(pkgPath);
  const pkgText = pkgFinal ? layerScans[pkgFinal.layer]!.texts.get(pkgPath) : undefined;
  if (pkgText !== undefined) {
    let devDependencies: Record<string, string> = {};
    try {
      const json = JSON.parse(pkgText) as { devDependencies?: Record<string, string> };
      if (json.devDependencies && typeof json.devDependencies === "object")
        devDependencies = json.devDependencies;
    } catch {
      notes.push(`/${pkgPath} is not valid JSON; devDependencies were not checked`);
    }
    const modules = appDir ? `${appDir}/node_modules` : "node_modules";
    const installed = Object.keys(devDependencies)
      .map((name) => ({ name, found: final.get(`${modules}/${name}/package.json`) }))
      .filter((dep): dep is { name: string; found: FinalEntry } => dep.found !== undefined);
    if (installed.length > 0) {
      const layerCounts = new Map<number, number>();
      for (const dep of installed)
        layerCounts.set(dep.found.layer, (layerCounts.get(dep.found.layer) ?? 0) + 1);
      const layer = [...layerCounts].sort((a, b) => b[1] - a[1])[0]![0];
      const info = layers[layer]!;
      const names = installed.map((dep) => dep.name);
      finding({
        kind: "dev-dependency",
        path: `/${modules}`,
        paths: installed.map((dep) => `/${modules}/${dep.name}`),
        layer: info,
        severity: "error",
        detail: `${names.length} devDependenc${names.length === 1 ? "y" : "ies"} of /${pkgPath} installed in the runtime node_modules: ${listNames(names, 12)}`,
        fix:
          /npm (?:install|i)\b/.test(info.instruction) || /npm ci\b/.test(info.instruction)
            ? "install production dependencies only: `RUN npm ci --omit=dev` in the runtime stage, or build in a stage that runs `npm ci && npm run build && npm prune --omit=dev` and `COPY --from=build /app/node_modules ./node_modules`"
            : "prune before copying: end the build stage's install with `npm prune --omit=dev` (or install with `npm ci --omit=dev`) so only production dependencies reach the runtime stage",
      });
    }
  }

  const passwd = final.get("etc/passwd");
  const passwdText = passwd ? layerScans[passwd.layer]!.texts.get("etc/passwd") : undefined;
  const users = (passwdText ?? "")
    .split("\n")
    .map((line) => line.split(":"))
    .filter((fields) => fields.length >= 3 && fields[0] && /^\d+$/.test(fields[2] ?? ""))
    .map((fields) => ({ name: fields[0]!, uid: Number(fields[2]) }));

  const order = { error: 0, warning: 1 };
  findings.sort((a, b) => order[a.severity] - order[b.severity] || a.layer.index - b.layer.index);
  return {
    layers,
    findings,
    totalBytes: layers.reduce((sum, layer) => sum + layer.sizeBytes, 0),
    config: summary,
    baseLayerCount: base,
    users,
    notes,
  };
}

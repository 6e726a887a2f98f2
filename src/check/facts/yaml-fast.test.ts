import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { fastYamlTree } from "./yaml-fast.js";
import { treeOfDocument, yamlTree } from "./yaml-tree.js";

/** What yaml's own path gives: its CST walk, else its Document (undefined on any YAML error). */
function yamlsTree(text: string) {
  const tree = yamlTree(text);
  if (tree) return tree;
  const doc = parseDocument(text, { merge: true, uniqueKeys: false, prettyErrors: false });
  return doc.errors.length > 0 ? undefined : treeOfDocument(doc);
}

/** Values and ranges as data: the `<<` key is a fresh symbol each time, compared by its name. */
const plainData = (tree: unknown) =>
  JSON.parse(
    JSON.stringify(tree, (_key, value: unknown) =>
      typeof value === "symbol" ? `symbol ${value.description}` : Number.isNaN(value) ? "NaN" : value,
    ),
  );

/** The fast tree must be exactly the tree yaml's path gives (values, kinds, anchors, every range). */
function expectSameAsYaml(text: string): void {
  const fast = fastYamlTree(text);
  expect(fast, "taken by the fast path").toBeDefined();
  expect(plainData(fast)).toEqual(plainData(yamlsTree(text)));
}

function composeFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "node_modules") composeFiles(path, out);
    } else if (/compose.*\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

describe("fastYamlTree", () => {
  const taken: Record<string, string> = {
    "block maps and sequences":
      "services:\n  app:\n    image: node:20\n    ports:\n      - 3000:3000\n      - '8080'\n",
    "one-line flow collections": 'a: [x, "y", 1]\nb: {c: d, e: f}\nc: []\nd: {}\n',
    "anchors, aliases and merges":
      "x: &base\n  restart: always\ns:\n  <<: *base\n  logging: *base\n  other: [*base]\n",
    "core schema scalars":
      "a: ~\nb: null\nc: true\nd: FALSE\ne: 0o17\nf: 0x1F\ng: -12\nh: 1.50\ni: 1e3\nj: .inf\nk: -.Inf\nl: .nan\nm: 010\nn: 1_000\no: nope\n",
    "quoted scalars with escapes": 'a: "x\\ty \\"q\\""\nb: \'it\'\'s\'\nc: "${PORT:-3000}:3000"\n',
    "empty values": "volumes:\n  db-data:\n  cache:   \nx:\n",
    "comments on lines and between keys":
      "# top\nservices: # all of them\n  app:\n    image: a # pinned later\n    # a note before a key\n    ports:\n      - 80\n  # a comment at the parent's depth\n  db:\n    image: b\n",
    CRLF: "a: 1\r\nb:\r\n  - x\r\n  - y: z\r\n",
    "a sequence of maps": "environment:\n  - A=1\n  - name: B\n    value: 2\n",
    "a # inside a plain value, and spaces before a key's colon": "a: b#c\nversion : '3.8'\n",
  };
  for (const [name, text] of Object.entries(taken)) {
    it(`reads ${name} exactly as yaml does`, () => expectSameAsYaml(text));
  }

  // Real inputs: the fixtures' compose files and the benchmark corpus's (generated for the test).
  let files: string[] = [];
  let corpus = "";
  beforeAll(async () => {
    // @ts-expect-error: the corpus generator is a plain script without types
    const { writeCorpus } = await import("../../../scripts/corpus.mjs");
    corpus = mkdtempSync(join(tmpdir(), "shipshape-yaml-fast-"));
    writeCorpus(corpus);
    files = [...composeFiles("test/fixtures"), ...composeFiles(corpus)];
  });
  afterAll(() => rmSync(corpus, { recursive: true, force: true }));

  it("reads every compose file of the fixtures and of the benchmark corpus exactly as yaml does", () => {
    expect(files.length).toBeGreaterThan(50);
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      if (!fastYamlTree(text)) continue;
      fast++;
      expect(plainData(fastYamlTree(text)), file).toEqual(plainData(yamlsTree(text)));
    }
    expect(fast).toBeGreaterThan(files.length * 0.9);
  });

  // Outside the subset, and wherever yaml would report an error: left to yaml's own path.
  const left: Record<string, string> = {
    "a tag": "a: !!str 1\n",
    "a tab": "a:\n\t- b\n",
    "a document start": "---\na: 1\n",
    "several documents": "a: 1\n---\nb: 2\n",
    "a directive": "%YAML 1.2\n---\na: 1\n",
    "an explicit key": "? a\n: 1\n",
    "a plain scalar over two lines": "a: one\n  two\n",
    "a quoted scalar over two lines": 'a: "one\n  two"\n',
    "a block scalar": "a: |\n  text\n",
    "a flow collection over two lines": "a: [x,\n  y]\n",
    "a nested mapping on one line (a yaml error)": "a: b: c\n",
    "text after a value (a yaml error)": 'a: "x" y\n',
    "a comment right after a quoted value (a yaml error)": "a: 'b'#c\nd: 1\n",
    "a trailing comment inside a nested map": "a:\n  b: 1\n  # end of a\nc: 2\n",
    "a lone carriage return": "a: 1\rb: 2\n",
    "a byte order mark": "\uFEFFa: 1\n",
    "not a mapping": "- a\n- b\n",
    "empty text": "",
    "an unclosed quote": 'a: "x\n',
    "an empty sequence item": "a:\n  -\n  - b\n",
  };
  for (const [name, text] of Object.entries(left)) {
    it(`leaves ${name} to yaml`, () => {
      expect(fastYamlTree(text)).toBeUndefined();
    });
  }

  it("whenever it takes a mutated compose file, it agrees with yaml (errors included)", () => {
    const bases = files.map((file) => readFileSync(file, "utf8"));
    const pieces = [":", " ", "\n", "- ", "&a ", "*a", "<<: *a\n", "[", "]", "{", "}", ",", " #x", "'", '"'];
    pieces.push("~", "0x1F", "1e3", "  ", "\r\n", "key: value\n", "a: [b, c]\n", "x: {y: z}\n", "#");
    let seed = 20261123;
    const next = (bound: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % bound;
    };
    let taken = 0;
    for (let i = 0; i < 3000; i++) {
      let text = bases[next(bases.length)] as string;
      for (let edits = 1 + next(3); edits > 0; edits--) {
        const at = next(text.length + 1);
        const kind = next(3);
        if (kind === 0) text = text.slice(0, at) + pieces[next(pieces.length)] + text.slice(at);
        else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1 + next(8));
        else {
          const from = next(text.length + 1);
          text = text.slice(0, at) + text.slice(from, from + next(40)) + text.slice(at);
        }
      }
      const fast = fastYamlTree(text);
      if (!fast) continue;
      taken++;
      // Where yaml composes nothing (an error), the fast path must not have taken the text.
      const reference = yamlsTree(text);
      expect(reference, `mutation ${i} is not valid for yaml`).toBeDefined();
      expect(plainData(fast), `mutation ${i}`).toEqual(plainData(reference));
    }
    expect(taken).toBeGreaterThan(300);
  });
});

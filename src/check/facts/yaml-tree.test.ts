import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { treeOfDocument, yamlTree } from "./yaml-tree.js";

const composed = (text: string) =>
  treeOfDocument(parseDocument(text, { merge: true, uniqueKeys: false, prettyErrors: false }));
/** Values and ranges as data: yaml's `<<` key is a fresh symbol each time, compared by its name. */
const plainData = (tree: unknown) =>
  JSON.parse(
    JSON.stringify(tree, (_key, value: unknown) =>
      typeof value === "symbol" ? `symbol ${value.description}` : Number.isNaN(value) ? "NaN" : value,
    ),
  );

describe("yamlTree", () => {
  // The CST walk must give what yaml's Composer gives: the same values, the same ranges.
  const plain: Record<string, string> = {
    "block maps and sequences":
      "services:\n  app:\n    image: node:20\n    ports:\n      - 3000:3000\n      - '8080'\n",
    "flow collections": 'a: [x, "y", 1]\nb: {c: d, e: , f}\nc: []\nd: {}\ne: [a, b, ]\n',
    "anchors, aliases and merges": "x: &base\n  restart: always\ns:\n  <<: *base\n  other: [*base]\n",
    "core schema scalars":
      "a: ~\nb: null\nc: true\nd: FALSE\ne: 0o17\nf: 0x1F\ng: -12\nh: 1.50\ni: 1e3\nj: .inf\nk: -.Inf\nl: .nan\nm: 010\nn: 1_000\no: nope\n",
    "empty values and comments": "# top\na:\nb: # note\n  - \n  -\nc: 'x' # trailing\n\n# end\n",
    "multi-line scalars": 'a: "one\n  two"\nb: plain\n  continued\nc: |\n  block\n  text\nd: >-\n  folded\n',
    "a document start": "---\na: 1\n",
    "an empty key": ": v\n",
    CRLF: "a: 1\r\nb:\r\n  - x\r\n",
  };
  for (const [name, text] of Object.entries(plain)) {
    it(`reads ${name} as yaml composes them`, () => {
      const tree = yamlTree(text);
      expect(tree).toBeDefined();
      expect(plainData(tree)).toEqual(plainData(composed(text)));
    });
  }

  // Anything outside the subset, and every YAML error, is left to yaml's own Composer.
  const left: Record<string, string> = {
    "a tag": "a: !!str 1\n",
    "a custom tag": "a: !reset []\n",
    "an explicit key": "? a\n: b\n",
    "a directive": "%YAML 1.2\n---\na: 1\n",
    "several documents": "a: 1\n---\nb: 2\n",
    "a pair in a flow sequence": "a: [b: c]\n",
    "an unclosed flow sequence": "a: [b, c\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "a tab as indentation": "a:\n\tb: 1\n",
    "a multi-line implicit key": "a\nb: 1\n",
    "a compact nested mapping": "a: b: c\n",
    "an unclosed quote": 'a: "b\n',
    "a comment without space": "a: b#c\nd: 'e'#f\n",
    "an empty alias": "a: *\n",
    "an empty document": "# only a comment\n",
  };
  for (const [name, text] of Object.entries(left)) {
    it(`leaves ${name} to yaml`, () => {
      expect(yamlTree(text)).toBeUndefined();
    });
  }

  it("gives up on nesting deeper than any compose file", () => {
    const deep = `${"[".repeat(100)}${"]".repeat(100)}\n`;
    expect(yamlTree(deep)).toBeUndefined();
  });
});

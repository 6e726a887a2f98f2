import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { detectApp } from "../app/detect.js";
import { treeFromFiles } from "../check/facts/tree.js";
import type { InitPlan, PlannedEdit, PlannedFile } from "./plan.js";
import { compare, unifiedDiff, writeChanges } from "./write.js";

const SOURCE =
  "const app = require('express')();\napp.listen(3000, 'localhost');\nconsole.log('localhost');\n";
const profile = detectApp(
  treeFromFiles({ "package.json": '{ "name": "svc", "main": "index.js" }\n', "index.js": SOURCE }),
);

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "shipshape-init-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function put(files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}
const read = (path: string) => readFileSync(join(root, path), "utf8");
const plan = (files: PlannedFile[], edits: PlannedEdit[] = []): InitPlan => ({
  profile,
  files,
  edits,
  image: "svc:local",
});
const file = (path: string, content: string, merge?: boolean): PlannedFile => ({
  path,
  content,
  why: `why ${path}`,
  ...(merge ? { merge } : {}),
});
const edit = (line: number, from = "'localhost'", to = "'0.0.0.0'"): PlannedEdit => ({
  path: "index.js",
  line,
  from,
  to,
  why: "listen on 0.0.0.0",
});

describe("compare", () => {
  it("create, unchanged and change, with what was there before", () => {
    put({ Dockerfile: "FROM a\n", "compose.yaml": "old\n", ".gitignore": "node_modules\n" });
    const changes = compare(
      root,
      plan([
        file("Dockerfile", "FROM a\n"),
        file("compose.yaml", "new\n"),
        file(".dockerignore", ".env\n"),
        file(".gitignore", "node_modules\n.env\n", true),
      ]),
    );
    expect(changes).toEqual([
      {
        path: "Dockerfile",
        status: "unchanged",
        why: "why Dockerfile",
        before: "FROM a\n",
        after: "FROM a\n",
        edit: false,
      },
      {
        path: "compose.yaml",
        status: "change",
        why: "why compose.yaml",
        before: "old\n",
        after: "new\n",
        edit: false,
      },
      { path: ".dockerignore", status: "create", why: "why .dockerignore", after: ".env\n", edit: false },
      {
        path: ".gitignore",
        status: "change",
        why: "why .gitignore",
        before: "node_modules\n",
        after: "node_modules\n.env\n",
        edit: true,
      },
    ]);
  });

  it("source edits apply to the line that still reads as detected, one change per file", () => {
    put({ "index.js": SOURCE });
    const changes = compare(root, plan([], [edit(2), edit(3, "'localhost'", "'all interfaces'")]));
    expect(changes).toEqual([
      {
        path: "index.js",
        status: "change",
        why: "listen on 0.0.0.0; listen on 0.0.0.0",
        before: SOURCE,
        after:
          "const app = require('express')();\napp.listen(3000, '0.0.0.0');\nconsole.log('all interfaces');\n",
        edit: true,
      },
    ]);
  });

  it.each([
    ["the line no longer has the text", 1],
    ["the line is past the end", 40],
  ])("an edit is skipped when %s", (_name, line) => {
    put({ "index.js": SOURCE });
    expect(compare(root, plan([], [edit(line)]))).toEqual([]);
  });

  it("an edit of a file that is gone is skipped", () => {
    expect(compare(root, plan([], [edit(2)]))).toEqual([]);
  });

  it("only the first occurrence on the line is replaced", () => {
    put({ "index.js": "listen('localhost', 'localhost');\n" });
    const [change] = compare(root, plan([], [edit(1)]));
    expect(change?.after).toBe("listen('0.0.0.0', 'localhost');\n");
  });
});

describe("unifiedDiff", () => {
  it("a new file is a diff from /dev/null", () => {
    const [change] = compare(root, plan([file("Dockerfile", "FROM a\nUSER node\n")]));
    expect(unifiedDiff(change!)).toBe(
      "--- /dev/null\n+++ b/Dockerfile\n@@ -0,0 +1,2 @@\n+FROM a\n+USER node\n",
    );
  });

  it("a changed file shows a/ and b/ headers, context and both sides", () => {
    put({ "compose.yaml": "services:\n  app:\n    image: old\n" });
    const [change] = compare(root, plan([file("compose.yaml", "services:\n  app:\n    image: new\n")]));
    const diff = unifiedDiff(change!);
    expect(diff.split("\n")).toEqual([
      "--- a/compose.yaml",
      "+++ b/compose.yaml",
      "@@ -1,3 +1,3 @@",
      " services:",
      "   app:",
      "-    image: old",
      "+    image: new",
      "",
    ]);
  });

  it("an edit's diff names the source file", () => {
    put({ "index.js": SOURCE });
    const [change] = compare(root, plan([], [edit(2)]));
    const diff = unifiedDiff(change!);
    expect(diff).toContain("--- a/index.js\n+++ b/index.js\n");
    expect(diff).toContain("-app.listen(3000, 'localhost');\n+app.listen(3000, '0.0.0.0');\n");
    expect(diff).not.toMatch(/^(?:Index: |={10,})/m);
  });
});

describe("writeChanges", () => {
  const setup = () => {
    put({
      Dockerfile: "FROM mine\n",
      "DOCKER.md": "same\n",
      ".gitignore": "node_modules\n",
      "index.js": SOURCE,
    });
    return compare(
      root,
      plan(
        [
          file("Dockerfile", "FROM init\n"),
          file("DOCKER.md", "same\n"),
          file("docker/serve-static.mjs", "// server\n"),
          file(".gitignore", "node_modules\n.env\n", true),
        ],
        [edit(2)],
      ),
    );
  };

  it("without force: new files, merges and edits are written; a differing file is kept", () => {
    const result = writeChanges(root, setup(), false);
    expect(result).toEqual({
      written: ["docker/serve-static.mjs", ".gitignore", "index.js"],
      kept: ["Dockerfile"],
    });
    expect(read("Dockerfile")).toBe("FROM mine\n");
    expect(read("docker/serve-static.mjs")).toBe("// server\n");
    expect(read(".gitignore")).toBe("node_modules\n.env\n");
    expect(read("index.js")).toContain("app.listen(3000, '0.0.0.0');");
    expect(read("DOCKER.md")).toBe("same\n");
  });

  it("with force: the differing file is replaced too", () => {
    const result = writeChanges(root, setup(), true);
    expect(result.written).toEqual(["Dockerfile", "docker/serve-static.mjs", ".gitignore", "index.js"]);
    expect(result.kept).toEqual([]);
    expect(read("Dockerfile")).toBe("FROM init\n");
  });

  it("a file that appeared after compare is not overwritten", () => {
    const changes = compare(root, plan([file(".dockerignore", ".env\n")]));
    put({ ".dockerignore": "mine\n" });
    expect(writeChanges(root, changes, true)).toEqual({ written: [], kept: [".dockerignore"] });
    expect(read(".dockerignore")).toBe("mine\n");
  });
});

import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { treeFromFiles } from "../check/facts/tree.js";
import { loadTree } from "../check/load.js";
import { detectApp } from "./detect.js";
import type { DetectOptions } from "./types.js";
import { writableOption } from "./writes.js";

const pkg = (json: object) => `${JSON.stringify(json, null, 2)}\n`;
/** A plain JavaScript Express app (runs where it is) with these extra files. */
const jsApp = (files: Record<string, string>, deps: Record<string, string> = {}) => ({
  "package.json": pkg({
    name: "api",
    scripts: { start: "node server.js" },
    dependencies: { express: "^4", ...deps },
  }),
  "server.js": 'const app = require("express")();\napp.listen(3000);\n',
  ...files,
});
/** A TypeScript app compiled by tsc from src/ to dist/. */
const tsApp = (files: Record<string, string>, tsconfig: object = { outDir: "./dist", rootDir: "./src" }) => ({
  "package.json": pkg({
    name: "api",
    scripts: { build: "tsc", start: "node dist/index.js" },
    dependencies: { express: "^4" },
    devDependencies: { typescript: "^5" },
  }),
  "tsconfig.json": pkg({ compilerOptions: tsconfig }),
  ...files,
});
const pyApp = (files: Record<string, string>, requirements = "") => ({
  "requirements.txt": requirements,
  ...files,
});
const writes = (files: Record<string, string>, options?: DetectOptions) =>
  detectApp(treeFromFiles(files), options).writablePaths;
const sure = (files: Record<string, string>) =>
  writes(files)
    .filter((path) => path.sure)
    .map((path) => path.value);

describe("writable paths: Node", () => {
  it.each([
    [
      "mkdirSync of a literal",
      'const fs = require("fs");\nfs.mkdirSync("uploads", { recursive: true });\n',
      "uploads",
    ],
    [
      "node:fs named import",
      'import { mkdirSync } from "node:fs";\nmkdirSync("./data/cache");\n',
      "data/cache",
    ],
    [
      "fs/promises mkdir",
      'const fsp = require("fs/promises");\nawait fsp.mkdir("logs", { recursive: true });\n',
      "logs",
    ],
    ["fs.promises namespace", 'const fs = require("fs");\nawait fs.promises.mkdir("exports");\n', "exports"],
    [
      "promises as alias",
      'import { promises as fsp } from "fs";\nawait fsp.writeFile("out/report.json", "{}");\n',
      "out",
    ],
    [
      "writeFileSync of a file: its directory",
      'const fs = require("fs");\nfs.writeFileSync("data/state.json", "{}");\n',
      "data",
    ],
    [
      "appendFile",
      'const { appendFile } = require("fs");\nappendFile("logs/app.log", "x", () => {});\n',
      "logs",
    ],
    [
      "createWriteStream",
      'const fs = require("fs");\nconst out = fs.createWriteStream("logs/access.log", { flags: "a" });\n',
      "logs",
    ],
    ["open with 'a'", 'const fs = require("fs");\nconst fd = fs.openSync("var/audit.log", "a");\n', "var"],
    ["require('fs').mkdirSync inline", 'require("fs").mkdirSync("media");\n', "media"],
    [
      "path.join(__dirname, 'uploads') in plain JS",
      'const fs = require("fs");\nconst path = require("path");\nfs.mkdirSync(path.join(__dirname, "uploads"));\n',
      "uploads",
    ],
    [
      "path.resolve(process.cwd(), 'storage')",
      'const fs = require("fs");\nconst path = require("path");\nfs.mkdirSync(path.resolve(process.cwd(), "storage"), { recursive: true });\n',
      "storage",
    ],
    [
      "env default: process.env.UPLOAD_DIR || 'uploads'",
      'const fs = require("fs");\nconst UPLOAD_DIR = process.env.UPLOAD_DIR || "uploads";\nfs.mkdirSync(UPLOAD_DIR, { recursive: true });\n',
      "uploads",
    ],
    [
      "env default with ??",
      'const fs = require("fs");\nfs.mkdirSync(process.env.DATA_DIR ?? "./data");\n',
      "data",
    ],
    [
      "a template literal",
      'const fs = require("fs");\nfs.mkdirSync(`${__dirname}/public/uploads`, { recursive: true });\n',
      "public/uploads",
    ],
    [
      "a dynamic file name under a known directory",
      'const fs = require("fs");\nconst path = require("path");\nconst DIR = path.join(__dirname, "avatars");\nfunction save(id, b) { fs.writeFileSync(path.join(DIR, `${id}.png`), b); }\n',
      "avatars",
    ],
    [
      "ESM __dirname from import.meta.url",
      'import { mkdirSync } from "node:fs";\nimport { dirname, join } from "node:path";\nimport { fileURLToPath } from "node:url";\nconst __dirname = dirname(fileURLToPath(import.meta.url));\nmkdirSync(join(__dirname, "cache"), { recursive: true });\n',
      "cache",
    ],
    [
      "fs-extra ensureDir",
      'const fse = require("fs-extra");\nawait fse.ensureDir("tmp-exports");\n',
      "tmp-exports",
    ],
  ])("%s", (_name, code, expected) => {
    expect(sure(jsApp({ "store.js": code }))).toEqual([expected]);
  });

  it("multer dest and diskStorage destination (string and callback)", () => {
    expect(
      sure(
        jsApp(
          {
            "src/upload.js":
              'const multer = require("multer");\nconst upload = multer({ dest: "uploads/" });\nconst storage = multer.diskStorage({\n  destination: (req, file, cb) => {\n    cb(null, "public/images");\n  },\n});\nconst other = multer.diskStorage({ destination: "attachments" });\n',
          },
          { multer: "^1" },
        ),
      ),
    ).toEqual(["attachments", "public/images", "uploads"]);
  });

  it("a SQLite database: its directory (better-sqlite3, sqlite3)", () => {
    const found = writes(
      jsApp(
        {
          "src/db.js":
            'const Database = require("better-sqlite3");\nconst db = new Database(process.env.DB_PATH || "data/app.db");\n',
          "src/legacy.js":
            'const sqlite3 = require("sqlite3");\nconst db = new sqlite3.Database("var/legacy.sqlite");\n',
          "src/mem.js":
            'const Database = require("better-sqlite3");\nconst test = new Database(":memory:");\n',
        },
        { "better-sqlite3": "^11", sqlite3: "^5" },
      ),
    );
    expect(found.map((p) => [p.value, p.sure])).toEqual([
      ["data", true],
      ["var", true],
    ]);
    expect(found[0]?.how).toContain("a SQLite database (the default of DB_PATH)");
    expect(found[0]?.evidence[0]).toEqual({
      file: "src/db.js",
      line: 2,
      text: 'const db = new Database(process.env.DB_PATH || "data/app.db");',
    });
  });

  it("the fixture: join(__dirname, '..', 'uploads') in src/index.ts is the app's uploads from src/ and from dist/", () => {
    const profile = detectApp(
      loadTree(fileURLToPath(new URL("../../test/fixtures/apps/ai-naive-express", import.meta.url))),
    );
    expect(profile.writablePaths).toEqual([
      {
        value: "uploads",
        sure: true,
        how: "mkdirSync(); resolved alike from src/index.ts and its compiled dist/index.js",
        evidence: [
          { file: "src/index.ts", line: 57, text: "if (!existsSync(UPLOADS_DIR)) mkdirSync(UPLOADS_DIR);" },
          {
            file: "src/index.ts",
            line: 55,
            text: "export const UPLOADS_DIR = join(__dirname, '..', 'uploads');",
          },
        ],
      },
    ]);
    expect(profile.unsure.map((u) => u.flag)).not.toContain("--writable");
  });

  it("TypeScript compiled to dist: __dirname is where the compiled file runs, and the source's location is said", () => {
    const found = writes(
      tsApp({
        "src/index.ts":
          'import { mkdirSync } from "fs";\nimport path from "path";\nmkdirSync(path.join(__dirname, "uploads"));\n',
      }),
    );
    expect(found).toMatchObject([
      {
        value: "dist/uploads",
        sure: true,
        how: "mkdirSync(); from the compiled dist/index.js (from src/index.ts itself: src/uploads)",
      },
    ]);
  });

  it("a file beside the compiled code is unsure: a volume on dist/ would hide the code", () => {
    const found = writes(
      tsApp({
        "src/index.ts": 'import fs from "fs";\nfs.writeFileSync(`${__dirname}/cache.json`, "{}");\n',
      }),
    );
    expect(found).toMatchObject([{ value: "dist", sure: false }]);
    expect(found[0]?.how).toContain("which holds the app's code");
  });

  it("without rootDir the compiled location is a guess: unsure unless source and output agree", () => {
    const code =
      'import fs from "fs";\nimport { join } from "path";\nfs.mkdirSync(join(__dirname, "uploads"));\nfs.mkdirSync(join(__dirname, "..", "data"));\n';
    const found = writes(tsApp({ "src/index.ts": code }, { outDir: "dist" }));
    expect(found.map((p) => [p.value, p.sure])).toEqual([
      ["data", true],
      ["dist/uploads", false],
    ]);
  });

  it("a constant imported from another module is resolved where it is defined", () => {
    expect(
      sure(
        tsApp({
          "src/config.ts":
            'import path from "path";\nexport const DATA_DIR = path.resolve(__dirname, "..", "data");\n',
          "src/index.ts":
            'import fs from "fs";\nimport { DATA_DIR } from "./config";\nfs.mkdirSync(DATA_DIR, { recursive: true });\n',
        }),
      ),
    ).toEqual(["data"]);
  });

  it("an object key (config.uploadDir)", () => {
    expect(
      sure(
        jsApp({
          "src/config.js":
            'module.exports = {\n  uploadDir: process.env.UPLOAD_DIR || "uploads",\n  port: 3000,\n};\n',
          "src/store.js":
            'const fs = require("fs");\nconst config = require("./config");\nfs.mkdirSync(config.uploadDir, { recursive: true });\n',
        }),
      ),
    ).toEqual(["uploads"]);
  });

  it.each([
    ["/tmp", 'const fs = require("fs");\nfs.mkdirSync("/tmp/work", { recursive: true });\n'],
    [
      "os.tmpdir()",
      'const fs = require("fs");\nconst os = require("os");\nconst path = require("path");\nfs.mkdirSync(path.join(os.tmpdir(), "x"));\n',
    ],
    ["an absolute system path", 'const fs = require("fs");\nfs.appendFileSync("/var/log/api.log", "x");\n'],
    [
      "node_modules",
      'const fs = require("fs");\nfs.mkdirSync("node_modules/.cache/api", { recursive: true });\n',
    ],
    [
      "reads only",
      'const fs = require("fs");\nconst text = fs.readFileSync("data/seed.json", "utf8");\nfs.existsSync("uploads");\nconst fd = fs.openSync("data/x", "r");\n',
    ],
    [
      "a commented-out write",
      'const fs = require("fs");\n// fs.mkdirSync("uploads");\n/*\n * fs.mkdirSync("cache");\n */\n',
    ],
    [
      "a mkdir that is not fs's",
      'const shell = require("shelljs");\nshell.mkdir("-p", "out");\nfunction mkdir(p) {}\nmkdir("build");\n',
    ],
    ["client code", 'import fs from "fs";\nexport default function Page() { fs.mkdirSync("x"); }\n'],
  ])("nothing for %s", (name, code) => {
    const file = name === "client code" ? "src/Page.tsx" : "src/store.js";
    expect(writes(jsApp({ [file]: code }))).toEqual([]);
  });

  it("a dynamic path is reported unsure with its evidence, never guessed, and --writable answers it", () => {
    const files = jsApp({
      "src/store.js":
        'const fs = require("fs");\nfunction save(dir, name) {\n  fs.mkdirSync(dir, { recursive: true });\n}\n',
    });
    const profile = detectApp(treeFromFiles(files));
    expect(profile.writablePaths).toEqual([
      {
        value: "",
        sure: false,
        how: "mkdirSync(): the path (`dir`) is only known at run time",
        evidence: [{ file: "src/store.js", line: 3, text: "fs.mkdirSync(dir, { recursive: true });" }],
      },
    ]);
    expect(profile.unsure).toContainEqual({
      flag: "--writable",
      why: "src/store.js:3 mkdirSync(): the path (`dir`) is only known at run time",
    });
    const told = detectApp(treeFromFiles(files), { writable: ["./exports/", "/app/cache"] });
    expect(told.writablePaths.filter((p) => p.sure).map((p) => [p.value, p.how])).toEqual([
      ["exports", "--writable"],
      ["cache", "--writable"],
    ]);
    expect(told.unsure.map((u) => u.flag)).not.toContain("--writable");
  });

  it("an env variable without a default is unsure, naming it", () => {
    const found = writes(
      jsApp({ "src/store.js": 'const fs = require("fs");\nfs.mkdirSync(process.env.UPLOAD_DIR);\n' }),
    );
    expect(found).toMatchObject([
      {
        value: "",
        sure: false,
        how: "mkdirSync(): the path comes from UPLOAD_DIR, which has no default in the code",
      },
    ]);
  });

  it("a file written in the app's own directory asks for a directory of its own", () => {
    const found = writes(
      jsApp({ "src/store.js": 'const fs = require("fs");\nfs.writeFileSync("state.json", "{}");\n' }),
    );
    expect(found).toMatchObject([{ value: ".", sure: false }]);
    expect(found[0]?.how).toContain("move the file into a directory of its own");
  });

  it("a static single-page app writes nothing at run time", () => {
    const files = {
      "package.json": pkg({ name: "spa", scripts: { build: "vite build" }, devDependencies: { vite: "^5" } }),
      "src/main.js": 'import fs from "fs";\nfs.mkdirSync("x");\n',
    };
    expect(writes(files)).toEqual([]);
  });
});

describe("writable paths: Python", () => {
  it.each([
    ["os.makedirs", 'import os\nos.makedirs("uploads", exist_ok=True)\n', "uploads"],
    ["os.mkdir", 'import os\nos.mkdir("data")\n', "data"],
    [
      "Path(...).mkdir",
      'from pathlib import Path\nPath("media/avatars").mkdir(parents=True, exist_ok=True)\n',
      "media/avatars",
    ],
    [
      "a Path constant from __file__",
      'from pathlib import Path\nBASE = Path(__file__).resolve().parent\nUPLOADS = BASE / "uploads"\nUPLOADS.mkdir(exist_ok=True)\n',
      "uploads",
    ],
    ["open(..., 'a')", 'with open("logs/app.log", "a") as f:\n    f.write("x")\n', "logs"],
    ["open(..., mode='w')", 'f = open("out/x.csv", mode="w")\n', "out"],
    ["sqlite3.connect", 'import sqlite3\nconn = sqlite3.connect("data/app.db")\n', "data"],
    [
      "os.path.join(os.path.dirname(__file__), ...) with an env default",
      'import os\nDATA = os.getenv("DATA_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "var"))\nos.makedirs(DATA, exist_ok=True)\n',
      "var",
    ],
    ["a logging file handler", 'import logging\nh = logging.FileHandler("logs/server.log")\n', "logs"],
  ])("%s", (_name, code, expected) => {
    expect(
      sure(pyApp({ "server.py": `${code}\nif __name__ == "__main__":\n    serve_forever()\n` })),
    ).toEqual([expected]);
  });

  it("Django's MEDIA_ROOT from BASE_DIR two levels up", () => {
    expect(
      sure(
        pyApp(
          {
            "manage.py": "import django\n",
            "mysite/settings.py":
              'from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSTATIC_ROOT = BASE_DIR / "staticfiles"\nMEDIA_ROOT = BASE_DIR / "media"\n',
            "mysite/wsgi.py": "application = None\n",
          },
          "django==5.1\ngunicorn==23.0\n",
        ),
      ),
    ).toEqual(["media"]);
  });

  it("Django's default SQLite database in the project root is unsure: it needs a directory of its own", () => {
    const found = writes(
      pyApp(
        {
          "manage.py": "import django\n",
          "mysite/settings.py":
            "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nDATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.sqlite3',\n        'NAME': BASE_DIR / 'db.sqlite3',\n    }\n}\n",
          "mysite/wsgi.py": "application = None\n",
        },
        "django==5.1\ngunicorn==23.0\n",
      ),
    );
    expect(found).toMatchObject([{ value: ".", sure: false }]);
  });

  it("Flask's UPLOAD_FOLDER", () => {
    expect(
      sure(
        pyApp(
          {
            "app.py":
              'import os\nfrom flask import Flask\napp = Flask(__name__)\napp.config["UPLOAD_FOLDER"] = os.path.join(app.root_path, "uploads") if False else "static/uploads"\n',
          },
          "flask==3.0\ngunicorn==23.0\n",
        ),
      ),
    ).toEqual([]);
    expect(
      sure(
        pyApp(
          {
            "app.py":
              'from flask import Flask\napp = Flask(__name__)\napp.config["UPLOAD_FOLDER"] = "instance/uploads"\n\ndef save(f):\n    f.save(os.path.join(app.config["UPLOAD_FOLDER"], f.filename))\n',
          },
          "flask==3.0\ngunicorn==23.0\n",
        ),
      ),
    ).toEqual(["instance/uploads"]);
  });

  it.each([
    [
      "tempfile",
      'import tempfile, os\nd = tempfile.mkdtemp()\nos.makedirs(os.path.join(tempfile.gettempdir(), "x"))\n',
    ],
    ["/tmp", 'import os\nos.makedirs("/tmp/cache", exist_ok=True)\n'],
    [
      "reads only",
      'with open("data/seed.json") as f:\n    pass\nwith open("data/seed.json", "rb") as f:\n    pass\n',
    ],
    ["a comment", '# os.makedirs("uploads")\n'],
  ])("nothing for %s", (_name, code) => {
    expect(writes(pyApp({ "server.py": `import os\n${code}` }))).toEqual([]);
  });
});

describe("--writable", () => {
  it.each([
    ["uploads", { path: "uploads" }],
    ["./data/", { path: "data" }],
    ["/app/media", { path: "media" }],
  ])("%s", (raw, expected) => {
    expect(writableOption(raw)).toEqual(expected);
  });
  it.each(["/var/lib/x", ".", "..", "../up", "node_modules/x"])("rejects %s", (raw) => {
    expect(writableOption(raw)).toHaveProperty("error");
  });
  it("a bad one is a usage error naming the flag", () => {
    expect(() => detectApp(treeFromFiles(jsApp({})), { writable: ["/etc"] })).toThrow(/--writable \/etc: /);
  });
});

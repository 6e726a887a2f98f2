import { describe, expect, it } from "vitest";
import { treeFromFiles } from "../check/facts/tree.js";
import { detectApp } from "./detect.js";

const detect = (files: Record<string, string>) => detectApp(treeFromFiles(files));
const FASTAPI_MAIN =
  'from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get("/health")\ndef health():\n    return {}\n';
const FLASK_APP =
  'from flask import Flask\n\napp = Flask(__name__)\n\n@app.route("/healthz")\ndef health():\n    return "ok"\n';

describe("python package manager", () => {
  it("pip requirements, all pinned", () => {
    const python = detect({
      "requirements.txt": "# pinned\nFlask==3.0.3\ngunicorn==23.0.0  # server\n-r base.txt\n",
      "app.py": FLASK_APP,
    }).python!;
    expect(python.manager).toEqual({
      value: "pip",
      evidence: [{ file: "requirements.txt", text: "requirements.txt" }],
      sure: true,
      how: "from requirements.txt",
    });
    expect(python).toMatchObject({
      manifest: "requirements.txt",
      pinned: true,
      dependencies: ["flask", "gunicorn"],
    });
    expect(python.lockfile).toBeUndefined();
  });

  it("pip requirements with a range are not pinned", () => {
    const python = detect({ "requirements.txt": "flask>=3\ngunicorn==23.0.0\n", "app.py": FLASK_APP })
      .python!;
    expect(python.pinned).toBe(false);
  });

  it("Poetry: [tool.poetry] and poetry.lock; only runtime dependencies", () => {
    const pyproject = [
      "[tool.poetry]",
      'name = "svc"',
      'description = "A service"',
      'readme = "README.md"',
      "",
      "[tool.poetry.dependencies]",
      'python = "^3.12"',
      'fastapi = "^0.115"',
      'uvicorn = { version = "^0.34", extras = ["standard"] }',
      "",
      "[tool.poetry.group.dev.dependencies]",
      'pytest = "^8"',
      "",
      "[build-system]",
      'requires = ["poetry-core"]',
      "",
    ].join("\n");
    const profile = detect({ "pyproject.toml": pyproject, "poetry.lock": "", "app/main.py": FASTAPI_MAIN });
    expect(profile.python?.manager).toEqual({
      value: "poetry",
      evidence: [{ file: "poetry.lock", text: "lockfile poetry.lock" }],
      sure: true,
      how: "from Poetry's files",
    });
    expect(profile.python).toMatchObject({
      manifest: "pyproject.toml",
      lockfile: "poetry.lock",
      pinned: true,
      dependencies: ["fastapi", "uvicorn"],
    });
    expect(profile.python?.version).toMatchObject({ value: "3.11.14", evidence: [] });
    expect(profile.framework.evidence).toEqual([{ file: "pyproject.toml", text: "fastapi" }]);
  });

  it("uv: uv.lock, PEP 621 dependencies", () => {
    const pyproject =
      '[project]\nname = "svc"\nrequires-python = ">=3.12"\ndependencies = [\n  "fastapi>=0.115",\n  "uvicorn[standard]>=0.30",  # server\n  \'psycopg[binary]\',\n]\n';
    const profile = detect({ "pyproject.toml": pyproject, "uv.lock": "", "app/main.py": FASTAPI_MAIN });
    expect(profile.python?.manager).toEqual({
      value: "uv",
      evidence: [{ file: "uv.lock", text: "lockfile uv.lock" }],
      sure: true,
      how: "from the lockfile",
    });
    expect(profile.python).toMatchObject({
      lockfile: "uv.lock",
      pinned: true,
      dependencies: ["fastapi", "psycopg", "uvicorn"],
    });
    expect(profile.services).toEqual([
      { kind: "postgres", evidence: [{ file: "pyproject.toml", text: "dependency psycopg" }] },
    ]);
  });

  it("Pipenv: Pipfile packages, not dev-packages", () => {
    const pipfile =
      '[[source]]\nurl = "https://pypi.org/simple"\n\n[packages]\nflask = "==3.0.3"\ngunicorn = "*"\n\n[dev-packages]\npytest = "*"\n';
    const profile = detect({ Pipfile: pipfile, "Pipfile.lock": "{}", "app.py": FLASK_APP });
    expect(profile.python?.manager).toEqual({
      value: "pipenv",
      evidence: [{ file: "Pipfile", text: "Pipfile" }],
      sure: true,
      how: "from the Pipfile",
    });
    expect(profile.python).toMatchObject({
      manifest: "Pipfile",
      lockfile: "Pipfile.lock",
      pinned: true,
      dependencies: ["flask", "gunicorn"],
    });
  });
});

describe("python version", () => {
  it.each([
    [".python-version", "3.12\n", "3.12.12", "3.12"],
    [".python-version", "3.13.9\n", "3.13.9", "3.13.9"],
    ["runtime.txt", "python-3.10.19\n", "3.10.19", "python-3.10.19"],
  ])("%s %j → %s", (file, content, version, text) => {
    const python = detect({ [file]: content, "server.py": "" }).python!;
    expect(python.version).toEqual({
      value: version,
      evidence: [{ file, text }],
      sure: true,
      how: `from ${file}`,
    });
  });

  it.each([
    [">=3.10", "3.11.14"],
    ["~=3.12", "3.12.12"],
    ["^3.13", "3.13.9"],
  ])("requires-python %s → %s", (range, version) => {
    const python = detect({
      "pyproject.toml": `[project]\nname = "x"\nrequires-python = "${range}"\ndependencies = []\n`,
      "server.py": "",
    }).python!;
    expect(python.version).toEqual({
      value: version,
      evidence: [{ file: "pyproject.toml", text: range }],
      sure: true,
      how: "from pyproject.toml",
    });
  });

  it("none asked for: the current release", () => {
    expect(detect({ "server.py": "" }).python?.version).toMatchObject({
      value: "3.11.14",
      evidence: [],
      sure: true,
    });
  });
});

describe("python frameworks and start commands", () => {
  it("FastAPI with uvicorn", () => {
    const profile = detect({
      "requirements.txt": "fastapi==0.115.6\nuvicorn==0.34.0\n",
      "app/__init__.py": "",
      "app/main.py": FASTAPI_MAIN,
    });
    expect(profile.framework).toEqual({
      value: "fastapi",
      evidence: [{ file: "requirements.txt", text: "fastapi" }],
      sure: true,
      how: "from dependencies",
    });
    expect(profile.python?.appModule).toBe("app.main:app");
    expect(profile.start).toEqual({
      value: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"],
      evidence: [{ file: "app/main.py", line: 3, text: "app = FastAPI()" }],
      sure: true,
      how: "uvicorn (a dependency)",
    });
    expect(profile.port).toMatchObject({ value: 8000, sure: true, how: "fastapi default" });
    expect(profile.health?.value).toBe("/health");
    expect(profile.unsure).toEqual([]);
  });

  it("FastAPI without uvicorn: the command is a guess", () => {
    const profile = detect({ "requirements.txt": "fastapi==0.115.6\n", "main.py": FASTAPI_MAIN });
    expect(profile.start).toMatchObject({
      value: ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"],
      sure: false,
      how: "uvicorn (not a dependency: add it)",
    });
    expect(profile.unsure.map((u) => u.flag)).toContain("--start");
  });

  it("FastAPI with gunicorn: gunicorn with uvicorn workers", () => {
    const profile = detect({
      "requirements.txt": "fastapi==0.115.6\nuvicorn==0.34.0\ngunicorn==23.0.0\n",
      "app/main.py": FASTAPI_MAIN,
    });
    expect(profile.start).toEqual({
      value: [
        "gunicorn",
        "app.main:app",
        "--worker-class",
        "uvicorn.workers.UvicornWorker",
        "--bind",
        "0.0.0.0:8000",
      ],
      evidence: [{ file: "app/main.py", line: 3, text: "app = FastAPI()" }],
      sure: true,
      how: "gunicorn with uvicorn workers (both are dependencies)",
    });
  });

  it("Flask with gunicorn", () => {
    const profile = detect({ "requirements.txt": "Flask==3.0.3\ngunicorn==23.0.0\n", "app.py": FLASK_APP });
    expect(profile.framework.value).toBe("flask");
    expect(profile.start).toEqual({
      value: ["gunicorn", "app:app", "--bind", "0.0.0.0:8000"],
      evidence: [{ file: "app.py", line: 3, text: "app = Flask(__name__)" }],
      sure: true,
      how: "gunicorn (a dependency)",
    });
    expect(profile.defects).toEqual([]);
    expect(profile.health).toMatchObject({ value: "/healthz", evidence: [{ file: "app.py", line: 5 }] });
  });

  it("Flask without gunicorn: a dev-server-start defect, and the command is not sure", () => {
    const profile = detect({ "requirements.txt": "Flask==3.0.3\n", "app.py": FLASK_APP });
    expect(profile.start).toMatchObject({
      value: ["gunicorn", "app:app", "--bind", "0.0.0.0:8000"],
      sure: false,
    });
    expect(profile.defects).toEqual([
      {
        id: "dev-server-start",
        message: expect.stringContaining("add `gunicorn`"),
        evidence: { file: "app.py", line: 3, text: "app = Flask(__name__)" },
      },
    ]);
  });

  it("Django: the wsgi module, gunicorn and manage.py migrate", () => {
    const profile = detect({
      "requirements.txt": "Django==5.1.4\ngunicorn==23.0.0\npsycopg2-binary==2.9.10\n",
      "manage.py": "#!/usr/bin/env python\nimport os, sys\n",
      "proj/__init__.py": "",
      "proj/settings.py": 'DATABASES = {"default": {"NAME": os.environ["POSTGRES_DB"]}}\n',
      "proj/wsgi.py":
        "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
    });
    expect(profile.framework.value).toBe("django");
    expect(profile.python?.appModule).toBe("proj.wsgi:application");
    expect(profile.start).toEqual({
      value: ["gunicorn", "proj.wsgi:application", "--bind", "0.0.0.0:8000"],
      evidence: [{ file: "proj/wsgi.py", text: "wsgi.py" }],
      sure: true,
      how: "gunicorn (a dependency)",
    });
    expect(profile.migrations).toEqual({
      tool: "django",
      command: ["python", "manage.py", "migrate", "--noinput"],
      files: [],
      evidence: [{ file: "manage.py", text: "manage.py" }],
    });
    expect(profile.services).toEqual([
      { kind: "postgres", evidence: [{ file: "requirements.txt", text: "dependency psycopg2-binary" }] },
    ]);
  });

  it("Alembic: alembic upgrade head", () => {
    const profile = detect({
      "requirements.txt": "fastapi==0.115.6\nuvicorn==0.34.0\nalembic==1.14.0\n",
      "alembic.ini": "[alembic]\nscript_location = migrations\n",
      "app/main.py": FASTAPI_MAIN,
    });
    expect(profile.migrations).toEqual({
      tool: "alembic",
      command: ["alembic", "upgrade", "head"],
      files: [],
      evidence: [{ file: "alembic.ini", text: "alembic.ini" }],
    });
  });

  it("a standard-library server script", () => {
    const server = [
      "import os",
      "from http.server import HTTPServer, BaseHTTPRequestHandler",
      'PORT = int(os.environ.get("PORT", "8000"))',
      "",
      'if __name__ == "__main__":',
      '    HTTPServer(("0.0.0.0", PORT), BaseHTTPRequestHandler).serve_forever()',
      "",
    ].join("\n");
    const profile = detect({ "server.py": server, "util.py": "def helper(): pass\n" });
    expect(profile.framework).toMatchObject({ value: "python-http", evidence: [], sure: true });
    expect(profile.start).toEqual({
      value: ["python", "server.py"],
      evidence: [{ file: "server.py", line: 5, text: 'if __name__ == "__main__":' }],
      sure: true,
      how: "the script that starts the server",
    });
    expect(profile.port).toMatchObject({ value: 8000, sure: true, how: "the default of PORT" });
    expect(profile.python).toMatchObject({ dependencies: [], pinned: true });
    expect(profile.python?.manifest).toBeUndefined();
    expect(profile.runtimeFiles).toEqual(["."]);
  });

  it("no server script: python main.py, not sure", () => {
    const profile = detect({ "util.py": "def helper(): pass\n" });
    expect(profile.start).toEqual({
      value: ["python", "main.py"],
      evidence: [],
      sure: false,
      how: "no server entry found",
    });
    expect(profile.port.sure).toBe(false);
    expect(profile.unsure.map((u) => u.flag)).toEqual(["--port", "--start", "--health-path"]);
  });
});

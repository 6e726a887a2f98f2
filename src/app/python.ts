/**
 * Python detection: package manager (pip requirements, Poetry, uv, Pipenv), Python version,
 * framework (FastAPI/Starlette, Flask, Django, the standard library's http.server), the
 * ASGI/WSGI module and the production server command (uvicorn, gunicorn), never a dev server.
 */
import { baseName, dirName, type ProjectTree } from "../check/facts/tree.js";
import { join } from "./node.js";
import type { AppDefect, Detected, Evidence, Framework, PythonManager, PythonProfile } from "./types.js";
import { exactVersion, KNOWN_IMAGES } from "./versions.js";

/** Requirement names (lower-case, `_` as `-`) of a requirements file, pyproject.toml or Pipfile. */
function requirementNames(text: string, kind: "requirements" | "pyproject" | "pipfile"): string[] {
  const names = new Set<string>();
  if (kind === "requirements") {
    for (const line of text.split("\n")) {
      const match = /^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)/.exec(line.replace(/#.*$/, ""));
      if (match?.[1] && !line.trim().startsWith("-")) names.add(normal(match[1]));
    }
    return [...names].sort();
  }
  // Only the tables that list runtime dependencies: not [build-system], the project's own
  // metadata (`description = "…"`), or dev groups.
  for (const [header, body] of tomlTables(text)) {
    if (header === "project") {
      // `dependencies = ["fastapi>=0.115", "uvicorn[standard]"]`, over lines, with comments.
      const open = /^dependencies\s*=\s*\[/m.exec(body);
      const rest = open ? body.slice(open.index + open[0].length) : "";
      const token = /\s*(?:#[^\n]*|,|"([^"]*)"|'([^']*)'|(\]))/y;
      for (let match = token.exec(rest); match && !match[3]; match = token.exec(rest)) {
        const name = /^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)/.exec(match[1] ?? match[2] ?? "")?.[1];
        if (name) names.add(normal(name));
      }
    } else if (
      (kind === "pyproject" && header === "tool.poetry.dependencies") ||
      (kind === "pipfile" && header === "packages")
    ) {
      // `fastapi = "^0.115"`, `uvicorn = { version = "*", extras = ["standard"] }`.
      for (const match of body.matchAll(/^["']?([A-Za-z0-9][A-Za-z0-9_.-]*)["']?\s*=/gm))
        if (match[1] && match[1] !== "python") names.add(normal(match[1]));
    }
  }
  return [...names].sort();
}

/** The tables of a TOML file, header (`tool.poetry.dependencies`) → body text. */
function tomlTables(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const headers = [...text.matchAll(/^\[([^[\]\n]+)\]\s*$/gm)];
  headers.forEach((match, i) => {
    const start = (match.index ?? 0) + match[0].length;
    const end = headers[i + 1]?.index ?? text.length;
    out.push([(match[1] ?? "").trim().replace(/["']/g, ""), text.slice(start, end)]);
  });
  return out;
}

function normal(name: string): string {
  return name.toLowerCase().replace(/_/g, "-");
}

export function isPythonApp(tree: ProjectTree, dir: string): boolean {
  for (const name of ["requirements.txt", "pyproject.toml", "Pipfile", "setup.py", "manage.py"])
    if (tree.entries.has(join(dir, name))) return true;
  return [...tree.texts.keys()].some((path) => dirName(path) === dir && path.endsWith(".py"));
}

function pythonManager(
  tree: ProjectTree,
  dir: string,
): Detected<PythonManager> & {
  manifest?: string;
  lockfile?: string;
} {
  const has = (name: string) => tree.entries.has(join(dir, name));
  const pyproject = tree.texts.get(join(dir, "pyproject.toml"))?.text ?? "";
  if (has("uv.lock"))
    return {
      value: "uv",
      manifest: join(dir, "pyproject.toml"),
      lockfile: join(dir, "uv.lock"),
      evidence: [{ file: join(dir, "uv.lock"), text: "lockfile uv.lock" }],
      sure: true,
      how: "from the lockfile",
    };
  if (has("poetry.lock") || /^\[tool\.poetry\]/m.test(pyproject)) {
    const out: Detected<PythonManager> & { manifest?: string; lockfile?: string } = {
      value: "poetry",
      manifest: join(dir, "pyproject.toml"),
      evidence: [
        {
          file: join(dir, has("poetry.lock") ? "poetry.lock" : "pyproject.toml"),
          text: has("poetry.lock") ? "lockfile poetry.lock" : "[tool.poetry]",
        },
      ],
      sure: true,
      how: "from Poetry's files",
    };
    if (has("poetry.lock")) out.lockfile = join(dir, "poetry.lock");
    return out;
  }
  if (has("Pipfile")) {
    const out: Detected<PythonManager> & { manifest?: string; lockfile?: string } = {
      value: "pipenv",
      manifest: join(dir, "Pipfile"),
      evidence: [{ file: join(dir, "Pipfile"), text: "Pipfile" }],
      sure: true,
      how: "from the Pipfile",
    };
    if (has("Pipfile.lock")) out.lockfile = join(dir, "Pipfile.lock");
    return out;
  }
  if (has("requirements.txt"))
    return {
      value: "pip",
      manifest: join(dir, "requirements.txt"),
      evidence: [{ file: join(dir, "requirements.txt"), text: "requirements.txt" }],
      sure: true,
      how: "from requirements.txt",
    };
  if (pyproject)
    return {
      value: "pip",
      manifest: join(dir, "pyproject.toml"),
      evidence: [{ file: join(dir, "pyproject.toml"), text: "pyproject.toml" }],
      sure: true,
      how: "pyproject.toml without a lockfile: pip",
    };
  return { value: "pip", evidence: [], sure: true, how: "no dependency manifest: the standard library only" };
}

function pythonVersion(tree: ProjectTree, dir: string): Detected<string> {
  const sources: Array<[string, string | undefined]> = [
    [join(dir, ".python-version"), tree.texts.get(join(dir, ".python-version"))?.text.trim()],
    [
      join(dir, "pyproject.toml"),
      /requires-python\s*=\s*["']([^"']+)["']/.exec(
        tree.texts.get(join(dir, "pyproject.toml"))?.text ?? "",
      )?.[1],
    ],
    [join(dir, "runtime.txt"), tree.texts.get(join(dir, "runtime.txt"))?.text.trim()],
  ];
  for (const [file, text] of sources) {
    if (!text) continue;
    const line = /(\d+\.\d+)(?:\.(\d+))?/.exec(text);
    if (!line?.[1]) continue;
    const requested = line[2] && !/[<>~^]/.test(text) ? `${line[1]}.${line[2]}` : line[1];
    // `>=3.10`: the current line satisfies it.
    const open = /^\s*>=/.test(text) && !/</.test(text);
    const exact = open ? KNOWN_IMAGES.python!.version : exactVersion("python", requested);
    if (exact) return { value: exact, evidence: [{ file, text }], sure: true, how: `from ${baseName(file)}` };
  }
  return {
    value: KNOWN_IMAGES.python!.version,
    evidence: [],
    sure: true,
    how: "no version asked for: the current release shipshape knows",
  };
}

export function pythonFramework(
  dependencies: string[],
  tree: ProjectTree,
  dir: string,
  manifest = join(dir, "requirements.txt"),
): Detected<Framework> {
  const deps = new Set(dependencies);
  for (const [framework, name] of [
    ["django", "django"],
    ["fastapi", "fastapi"],
    ["starlette", "starlette"],
    ["flask", "flask"],
  ] as const) {
    if (deps.has(name))
      return {
        value: framework,
        evidence: [{ file: manifest, text: name }],
        sure: true,
        how: "from dependencies",
      };
  }
  if (tree.entries.has(join(dir, "manage.py")))
    return {
      value: "django",
      evidence: [{ file: join(dir, "manage.py"), text: "manage.py" }],
      sure: true,
      how: "manage.py",
    };
  return {
    value: "python-http",
    evidence: [],
    sure: true,
    how: "no web framework dependency: the standard library",
  };
}

/** `module.path:variable` of the app object (`app = FastAPI()` in app/main.py → `app.main:app`). */
function appModule(
  tree: ProjectTree,
  dir: string,
  framework: Framework,
): { module: string; evidence: Evidence } | undefined {
  if (framework === "django") {
    for (const path of tree.texts.keys()) {
      if (!path.startsWith(dir === "" ? "" : `${dir}/`) || baseName(path) !== "wsgi.py") continue;
      const rel = dir === "" ? path : path.slice(dir.length + 1);
      return {
        module: `${rel.replace(/\.py$/, "").replace(/\//g, ".")}:application`,
        evidence: { file: path, text: "wsgi.py" },
      };
    }
    return undefined;
  }
  const appClass = framework === "flask" ? "Flask" : framework === "starlette" ? "Starlette" : "FastAPI";
  const pattern = new RegExp(`^([A-Za-z_]\\w*)\\s*(?::\\s*\\w+\\s*)?=\\s*${appClass}\\(`, "m");
  for (const [path, source] of tree.texts) {
    if (!path.endsWith(".py") || (dir !== "" && !path.startsWith(`${dir}/`))) continue;
    const match = pattern.exec(source.text);
    if (!match?.[1]) continue;
    const rel = dir === "" ? path : path.slice(dir.length + 1);
    const line = source.text.slice(0, match.index).split("\n").length;
    return {
      module: `${rel
        .replace(/\.py$/, "")
        .replace(/\//g, ".")
        .replace(/\.__init__$/, "")}:${match[1]}`,
      evidence: { file: path, line, text: source.line(line).trim() },
    };
  }
  return undefined;
}

/** The Python file that starts a server itself (`if __name__ == "__main__":`, `serve_forever()`). */
function scriptEntry(tree: ProjectTree, dir: string): { file: string; evidence: Evidence } | undefined {
  const candidates: Array<{ file: string; score: number; line: number }> = [];
  for (const [path, source] of tree.texts) {
    if (!path.endsWith(".py") || dirName(path) !== dir) continue;
    let score = 0;
    if (/serve_forever\(|\.run\(|web\.run_app\(|uvicorn\.run\(/.test(source.text)) score += 2;
    if (/if\s+__name__\s*==\s*["']__main__["']/.test(source.text)) score += 1;
    if (/^(?:server|app|main|run)\.py$/.test(baseName(path))) score += 1;
    if (score > 1) {
      const index = source.text.search(/^if\s+__name__/m);
      candidates.push({
        file: path,
        score,
        line: index < 0 ? 1 : source.text.slice(0, index).split("\n").length,
      });
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file));
  const best = candidates[0];
  if (!best) return undefined;
  return {
    file: best.file,
    evidence: {
      file: best.file,
      line: best.line,
      text: tree.texts.get(best.file)?.line(best.line).trim() ?? "",
    },
  };
}

export interface PythonDetection {
  profile: PythonProfile;
  framework: Detected<Framework>;
  start: Detected<string[]>;
  defaultPort: number;
  migrations?: { tool: "alembic" | "django"; command: string[]; files: string[]; evidence: Evidence[] };
  defects: AppDefect[];
}

export function detectPython(tree: ProjectTree, dir: string, port: () => number): PythonDetection {
  const manager = pythonManager(tree, dir);
  const manifestText = manager.manifest ? (tree.texts.get(manager.manifest)?.text ?? "") : "";
  const dependencies = manager.manifest
    ? requirementNames(
        manifestText,
        manager.value === "pipenv"
          ? "pipfile"
          : manager.manifest.endsWith(".txt")
            ? "requirements"
            : "pyproject",
      )
    : [];
  const pinned =
    manager.lockfile !== undefined ||
    (manager.value === "pip" &&
      manifestText
        .split("\n")
        .map((line) => line.replace(/#.*$/, "").trim())
        .filter((line) => line !== "" && !line.startsWith("-"))
        .every((line) => /==/.test(line)));
  const framework = pythonFramework(dependencies, tree, dir, manager.manifest);
  const module = appModule(tree, dir, framework.value);
  const deps = new Set(dependencies);
  const profile: PythonProfile = {
    manager: { value: manager.value, evidence: manager.evidence, sure: manager.sure, how: manager.how },
    pinned,
    version: pythonVersion(tree, dir),
    dependencies,
  };
  if (manager.manifest) profile.manifest = manager.manifest;
  if (manager.lockfile) profile.lockfile = manager.lockfile;
  if (module) profile.appModule = module.module;
  if (framework.value === "django")
    for (const [path, source] of tree.texts) {
      if (!path.endsWith(".py") || (dir !== "" && !path.startsWith(`${dir}/`))) continue;
      const index = source.text.search(/^STATIC_ROOT\s*=/m);
      if (index < 0) continue;
      const line = source.text.slice(0, index).split("\n").length;
      profile.collectstatic = { file: path, line, text: source.line(line).trim() };
      break;
    }
  const defects: AppDefect[] = [];
  const defaultPort = framework.value === "flask" ? 8000 : 8000;
  let start: Detected<string[]>;
  const bind = () => `0.0.0.0:${port()}`;
  if ((framework.value === "fastapi" || framework.value === "starlette") && module) {
    if (deps.has("gunicorn"))
      start = {
        value: [
          "gunicorn",
          module.module,
          "--worker-class",
          "uvicorn.workers.UvicornWorker",
          "--bind",
          bind(),
        ],
        evidence: [module.evidence],
        sure: true,
        how: "gunicorn with uvicorn workers (both are dependencies)",
      };
    else
      start = {
        value: ["uvicorn", module.module, "--host", "0.0.0.0", "--port", String(port())],
        evidence: [module.evidence],
        sure: deps.has("uvicorn") || deps.has("uvicorn[standard]"),
        how: deps.has("uvicorn") ? "uvicorn (a dependency)" : "uvicorn (not a dependency: add it)",
      };
  } else if ((framework.value === "flask" || framework.value === "django") && module) {
    start = {
      value: ["gunicorn", module.module, "--bind", bind()],
      evidence: [module.evidence],
      sure: deps.has("gunicorn"),
      how: deps.has("gunicorn")
        ? "gunicorn (a dependency)"
        : "gunicorn is not a dependency: add it (the built-in server is for development)",
    };
    if (!deps.has("gunicorn"))
      defects.push({
        id: "dev-server-start",
        message: `${framework.value === "flask" ? "Flask" : "Django"}'s built-in server is for development; add \`gunicorn\` to the dependencies for the image's command`,
        evidence: module.evidence,
      });
  } else {
    const entry = scriptEntry(tree, dir);
    const rel = entry ? (dir === "" ? entry.file : entry.file.slice(dir.length + 1)) : undefined;
    start = rel
      ? {
          value: ["python", rel],
          evidence: [entry!.evidence],
          sure: true,
          how: "the script that starts the server",
        }
      : { value: ["python", "main.py"], evidence: [], sure: false, how: "no server entry found" };
  }
  const detection: PythonDetection = { profile, framework, start, defaultPort, defects };
  if (framework.value === "django")
    detection.migrations = {
      tool: "django",
      command: ["python", "manage.py", "migrate", "--noinput"],
      files: [],
      evidence: [{ file: join(dir, "manage.py"), text: "manage.py" }],
    };
  else if (tree.entries.has(join(dir, "alembic.ini")))
    detection.migrations = {
      tool: "alembic",
      command: ["alembic", "upgrade", "head"],
      files: [],
      evidence: [{ file: join(dir, "alembic.ini"), text: "alembic.ini" }],
    };
  return detection;
}

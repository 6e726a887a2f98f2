import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1009-python-install-unpinned.js";

const PY = "FROM python:3.11.14-slim-bookworm\nWORKDIR /app\n";

describe("SS1009 python-install-unpinned", () => {
  it.each([
    [
      "pip install <pkg>",
      { Dockerfile: `${PY}RUN pip install --no-cache-dir flask gunicorn==23.0.0\n` },
      ["Dockerfile:3"],
    ],
    ["range", { Dockerfile: `${PY}RUN pip install --no-cache-dir "flask>=3"\n` }, ["Dockerfile:3"]],
    [
      "python -m pip",
      { Dockerfile: `${PY}RUN python -m pip install --no-cache-dir requests\n` },
      ["Dockerfile:3"],
    ],
    [
      "requirements with ranges",
      {
        Dockerfile: `${PY}COPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\n`,
        "requirements.txt": "# web\nflask==3.1.0\nrequests>=2\n",
      },
      ["Dockerfile:4"],
    ],
    [
      "included requirements file",
      {
        Dockerfile: `${PY}COPY requirements*.txt ./\nRUN pip install --no-cache-dir -r requirements-prod.txt\n`,
        "requirements-prod.txt": "-r requirements-base.txt\ngunicorn==23.0.0\n",
        "requirements-base.txt": "flask\n",
      },
      ["Dockerfile:4"],
    ],
    [
      "multi-line RUN",
      { Dockerfile: `${PY}RUN apt-get update \\\n && pip install --no-cache-dir \\\n    flask\n` },
      ["Dockerfile:4"],
    ],
    [
      "poetry without a lock",
      {
        Dockerfile: `${PY}COPY pyproject.toml ./\nRUN poetry install --no-root\n`,
        "pyproject.toml": "[tool.poetry]\n",
      },
      ["Dockerfile:4"],
    ],
    ["uv sync", { Dockerfile: `${PY}RUN uv sync\n`, "uv.lock": "\n" }, ["Dockerfile:3"]],
    ["pipenv", { Dockerfile: `${PY}RUN pipenv install --system\n` }, ["Dockerfile:3"]],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "pinned",
      { Dockerfile: `${PY}RUN pip install --no-cache-dir flask==3.1.0 "gunicorn[gevent]==23.0.0"\n` },
    ],
    [
      "pinned requirements",
      {
        Dockerfile: `${PY}COPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\n`,
        "requirements.txt": "flask==3.1.0 # web\n--index-url https://pypi.org/simple\n-e .\n",
      },
    ],
    [
      "hashes",
      {
        Dockerfile: `${PY}COPY requirements.txt ./\nRUN pip install --no-cache-dir --require-hashes -r requirements.txt\n`,
        "requirements.txt": "flask>=3 --hash=sha256:abc\n",
      },
    ],
    ["constraints", { Dockerfile: `${PY}RUN pip install --no-cache-dir -c constraints.txt flask\n` }],
    [
      "upgrading pip itself",
      { Dockerfile: `${PY}RUN pip install --no-cache-dir --upgrade pip setuptools wheel\n` },
    ],
    [
      "local path and wheel",
      { Dockerfile: `${PY}RUN pip install --no-cache-dir . /tmp/app-1.0-py3-none-any.whl\n` },
    ],
    [
      "requirements file not in the project",
      { Dockerfile: `${PY}RUN pip install --no-cache-dir -r /tmp/req.txt\n` },
    ],
    [
      "poetry with lock",
      {
        Dockerfile: `${PY}RUN poetry install --no-root\n`,
        "pyproject.toml": "[tool.poetry]\n",
        "poetry.lock": "\n",
      },
    ],
    ["uv sync --locked", { Dockerfile: `${PY}RUN uv sync --locked\n` }],
    ["uv sync --frozen", { Dockerfile: `${PY}RUN uv sync --frozen --no-dev\n` }],
    ["pipenv --deploy", { Dockerfile: `${PY}RUN pipenv install --deploy --system\n` }],
    ["variable", { Dockerfile: `${PY}ARG PKG\nRUN pip install --no-cache-dir $PKG\n` }],
    [
      "git URL is SS1017's",
      { Dockerfile: `${PY}RUN pip install --no-cache-dir git+https://github.com/a/b.git\n` },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the first unpinned requirement", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile: `${PY}COPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\n`,
      "requirements.txt": "flask==3.1.0\nrequests>=2\nrich\n",
    });
    expect(finding?.message).toBe(
      "`pip install -r requirements.txt` installs unpinned requirements (`requests>=2` at requirements.txt:2 and 1 more): pin each with `==` (`pip-compile` generates a locked file)",
    );
    expect(finding?.related?.map((r) => r.line)).toEqual([2, 3]);
  });
});

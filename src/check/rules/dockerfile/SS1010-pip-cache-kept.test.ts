import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1010-pip-cache-kept.js";

const PY = "FROM python:3.11.14-slim-bookworm\nWORKDIR /app\n";

describe("SS1010 pip-cache-kept", () => {
  it.each([
    ["pip install", { Dockerfile: `${PY}RUN pip install flask==3.1.0\n` }, ["Dockerfile:3"]],
    ["pip3 -r", { Dockerfile: `${PY}RUN pip3 install -r requirements.txt\n` }, ["Dockerfile:3"]],
    ["python -m pip", { Dockerfile: `${PY}RUN python3 -m pip install flask==3.1.0\n` }, ["Dockerfile:3"]],
    [
      "ENV set after the install does not count",
      { Dockerfile: `${PY}RUN pip install flask==3.1.0\nENV PIP_NO_CACHE_DIR=1\n` },
      ["Dockerfile:3"],
    ],
    [
      "multi-line",
      { Dockerfile: `${PY}RUN set -eux; \\\n  pip install \\\n    flask==3.1.0\n` },
      ["Dockerfile:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["--no-cache-dir", { Dockerfile: `${PY}RUN pip install --no-cache-dir flask==3.1.0\n` }],
    ["ENV PIP_NO_CACHE_DIR", { Dockerfile: `${PY}ENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.1.0\n` }],
    [
      "ENV in the parent stage",
      {
        Dockerfile: `${PY.replace("bookworm", "bookworm AS base")}ENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install flask==3.1.0\n`,
      },
    ],
    ["inline variable", { Dockerfile: `${PY}RUN PIP_NO_CACHE_DIR=1 pip install flask==3.1.0\n` }],
    [
      "cache mount",
      { Dockerfile: `${PY}RUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.1.0\n` },
    ],
    [
      "build stage is not shipped",
      {
        Dockerfile: `FROM python:3.11.14-slim-bookworm AS build\nRUN pip install --prefix=/install flask==3.1.0\nFROM python:3.11.14-slim-bookworm\nCOPY --from=build /install /usr/local\n`,
      },
    ],
    ["uv pip has its own cache flags", { Dockerfile: `${PY}RUN uv pip install --system flask==3.1.0\n` }],
    ["pip download is not install", { Dockerfile: `${PY}RUN pip download flask==3.1.0\n` }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("inserts --no-cache-dir after install", () => {
    const files = {
      Dockerfile: `${PY}RUN pip install --upgrade pip && \\\n    pip install -r requirements.txt\n`,
    };
    const fixed = fixedBy(rule, files);
    expect(fixed.Dockerfile).toBe(
      `${PY}RUN pip install --no-cache-dir --upgrade pip && \\\n    pip install --no-cache-dir -r requirements.txt\n`,
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
    expect(findingsOf(rule, files)[0]?.message).toBe(
      "`pip install` keeps downloaded packages in `/root/.cache/pip` inside the image: add `--no-cache-dir`",
    );
  });
});

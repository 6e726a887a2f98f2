import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS2003-database-published.js";

const db = (image: string, ports: string) => ({
  "compose.yaml": `services:\n  db:\n    image: ${image}\n    ports:\n${ports}`,
});

describe("SS2003 database-published", () => {
  it.each([
    ["postgres", db("postgres:16.4-bookworm", '      - "5432:5432"\n'), ["compose.yaml:5"]],
    ["redis plain", db("redis:7.4.1", "      - 6379:6379\n"), ["compose.yaml:5"]],
    ["bitnami", db("bitnami/postgresql:16.4.0", '      - "5432:5432"\n'), ["compose.yaml:5"]],
    ["registry", db("docker.io/library/mysql:8.4.3", '      - "3306:3306"\n'), ["compose.yaml:5"]],
    ["clickhouse", db("clickhouse/clickhouse-server:24.8", '      - "8123:8123"\n'), ["compose.yaml:5"]],
    [
      "mongo long syntax",
      db("mongo:8.0.3", "      - target: 27017\n        published: 27017\n"),
      ["compose.yaml:5"],
    ],
    ["image from .env default", db("postgres:${PG_TAG:-16.4}", '      - "5432:5432"\n'), ["compose.yaml:5"]],
    [
      "built from a database image",
      {
        "compose.yaml": 'services:\n  db:\n    build: ./db\n    ports:\n      - "5432:5432"\n',
        "db/Dockerfile": "FROM postgres:16.4-bookworm\nCOPY init.sql /docker-entrypoint-initdb.d/\n",
      },
      ["compose.yaml:5"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["loopback", db("postgres:16.4-bookworm", '      - "127.0.0.1:5432:5432"\n')],
    ["no ports", { "compose.yaml": "services:\n  db:\n    image: postgres:16.4-bookworm\n" }],
    ["not a database (SS2002)", db("nginx:1.27.3", '      - "80:80"\n')],
    ["an image named like one", db("myorg/postgres-exporter:0.15.0", '      - "9187:9187"\n')],
    ["unresolved image", db("${DB_IMAGE}", '      - "5432:5432"\n')],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("binds the port to loopback", () => {
    const fixed = fixedBy(rule, db("postgres:16.4-bookworm", '      - "5432:5432" # debug\n'));
    expect(fixed["compose.yaml"]).toBe(
      'services:\n  db:\n    image: postgres:16.4-bookworm\n    ports:\n      - "127.0.0.1:5432:5432" # debug\n',
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("binds a long-syntax port to loopback", () => {
    const fixed = fixedBy(rule, db("mongo:8.0.3", "      - target: 27017\n        published: 27017\n"));
    expect(fixed["compose.yaml"]).toBe(
      "services:\n  db:\n    image: mongo:8.0.3\n    ports:\n      - target: 27017\n        published: 27017\n        host_ip: 127.0.0.1\n",
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("names the database in the message", () => {
    expect(findingsOf(rule, db("postgres:16.4-bookworm", '      - "5432:5432"\n'))[0]?.message).toBe(
      "`5432:5432` publishes database `db` (postgres) on every interface of the host (0.0.0.0): drop the port or bind it to `127.0.0.1`",
    );
  });
});

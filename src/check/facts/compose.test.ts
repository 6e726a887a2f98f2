import { describe, expect, it } from "vitest";
import { parseCompose, parsePortText } from "./compose.js";
import { SourceText } from "./source.js";

const parse = (text: string, env: Record<string, string> = {}, path = "compose.yaml") =>
  parseCompose(new SourceText(path, text), new Map(Object.entries(env)));

const service = (text: string, name: string, env: Record<string, string> = {}) => {
  const found = parse(text, env).services.find((s) => s.name === name);
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

describe("parseCompose", () => {
  it("reads services with positions of the service and its keys", () => {
    const facts = parse("services:\n  app:\n    build: .\n    init: true\n");
    expect(facts.problems).toEqual([]);
    const app = facts.services[0];
    expect(app?.name).toBe("app");
    expect(app?.position).toMatchObject({ line: 2, column: 3 });
    expect(app?.keys.get("init")).toMatchObject({ line: 4, column: 5 });
    expect(app?.init).toBe(true);
    expect(app?.build).toMatchObject({ context: "", dockerfile: "Dockerfile" });
  });

  it("marks override files", () => {
    expect(parse("services: {}\n", {}, "compose.override.yaml").isOverride).toBe(true);
    expect(parse("services: {}\n", {}, "docker-compose.override.yml").isOverride).toBe(true);
    expect(parse("services: {}\n", {}, "compose.yaml").isOverride).toBe(false);
  });

  it("resolves anchors and `<<` merges, explicit keys winning", () => {
    const text = [
      "x-hardening: &hardening",
      "  read_only: true",
      "  cap_drop: [ALL]",
      "  init: false",
      "x-limits: &limits",
      "  mem_limit: 256m",
      "services:",
      "  app:",
      "    <<: [*hardening, *limits]",
      "    image: app:1.0.0",
      "    init: true",
      "    security_opt: &opts",
      "      - no-new-privileges:true",
      "  worker:",
      "    image: app:1.0.0",
      "    security_opt: *opts",
      "",
    ].join("\n");
    const app = service(text, "app");
    expect(app.readOnly).toBe(true);
    expect(app.capDrop).toEqual(["ALL"]);
    expect(app.init).toBe(true);
    expect(app.limits.memory).toBe("256m");
    expect(app.keys.get("read_only")?.line).toBe(2);
    expect(app.keys.has("<<")).toBe(false);
    expect(service(text, "worker").securityOpt).toEqual(["no-new-privileges:true"]);
  });

  it("interpolates `${VAR:-default}` in image references from the environment", () => {
    const text = "services:\n  db:\n    image: postgres:${PG_VERSION:-16.4}-bookworm\n";
    expect(service(text, "db").image?.ref).toMatchObject({ repository: "postgres", tag: "16.4-bookworm" });
    expect(service(text, "db", { PG_VERSION: "15.8" }).image?.ref.tag).toBe("15.8-bookworm");
    const unknown = service("services:\n  db:\n    image: ${DB_IMAGE}\n", "db");
    expect(unknown.image?.ref.unresolved).toBe(true);
  });

  it("interpolates defaults that hold variables, and `$$` as a literal dollar", () => {
    const text = "services:\n  db:\n    image: ${DB_IMAGE:-postgres:${PG_VERSION:-16.4}-bookworm}\n";
    expect(service(text, "db").image?.ref).toMatchObject({ repository: "postgres", tag: "16.4-bookworm" });
    expect(service(text, "db", { PG_VERSION: "15.8" }).image?.ref.tag).toBe("15.8-bookworm");
    expect(service(text, "db", { DB_IMAGE: "mariadb:11.4" }).image?.ref.repository).toBe("mariadb");
    const escaped = service("services:\n  db:\n    image: postgres:$$PG_VERSION\n", "db", {
      PG_VERSION: "15",
    });
    expect(escaped.image?.ref.tag).not.toBe("15");
  });

  it("inherits from `extends` in the same file, the service's own keys winning", () => {
    const text = [
      "services:",
      "  base:",
      "    image: app:1.0.0",
      "    read_only: true",
      "    environment:",
      "      LOG: info",
      "  web:",
      "    extends: base",
      "    ports:",
      '      - "127.0.0.1:8080:80"',
      "  worker:",
      "    extends:",
      "      service: base",
      "    read_only: false",
      "  remote:",
      "    extends:",
      "      file: other.yaml",
      "      service: base",
      "",
    ].join("\n");
    const web = service(text, "web");
    expect(web.image?.ref.text).toBe("app:1.0.0");
    expect(web.readOnly).toBe(true);
    expect(web.environment.map((e) => e.name)).toEqual(["LOG"]);
    expect(web.keys.has("read_only")).toBe(true);
    expect(web.position.line).toBe(7);
    expect(service(text, "worker").readOnly).toBe(false);
    expect(service(text, "remote").image).toBeUndefined();
  });

  it("reads short and long port syntax", () => {
    const text = [
      "services:",
      "  web:",
      "    image: nginx:1.27.3",
      "    ports:",
      '      - "8080:80"',
      "      - 127.0.0.1:8443:443/tcp",
      '      - "[::1]:9000:9000"',
      "      - 3000",
      "      - target: 5432",
      "        published: 5432",
      "        host_ip: 127.0.0.1",
      "        protocol: udp",
      "      - target: 6379",
      "",
    ].join("\n");
    const ports = service(text, "web").ports;
    expect(ports.map((p) => [p.hostIp, p.hostPort, p.containerPort, p.protocol, p.long])).toEqual([
      [undefined, "8080", 80, "tcp", false],
      ["127.0.0.1", "8443", 443, "tcp", false],
      ["::1", "9000", 9000, "tcp", false],
      [undefined, undefined, 3000, "tcp", false],
      ["127.0.0.1", "5432", 5432, "udp", true],
      [undefined, undefined, 6379, "tcp", true],
    ]);
    expect(ports[0]?.position).toMatchObject({ line: 5, column: 9 });
    expect(ports[4]?.position).toMatchObject({ line: 9, column: 9 });
  });

  it("splits port text on colons outside `${...}`", () => {
    expect(parsePortText("127.0.0.1:${PORT:?set PORT}:3000")).toMatchObject({
      hostIp: "127.0.0.1",
      hostPort: "${PORT:?set PORT}",
      containerPort: 3000,
    });
    expect(parsePortText("${PORT:?set PORT}:3000")).toMatchObject({
      hostPort: "${PORT:?set PORT}",
      containerPort: 3000,
    });
    expect(parsePortText("${PORT:?set PORT}:3000").hostIp).toBeUndefined();
  });

  it("reports an alias bomb as a problem instead of expanding it", () => {
    const lines = ["x0: &x0 {a: 1}"];
    for (let level = 1; level <= 9; level++) {
      const refs = Array.from({ length: 10 }, () => `*x${level - 1}`).join(", ");
      lines.push(`x${level}: &x${level} {<<: [${refs}]}`);
    }
    lines.push("services:", "  app:", "    <<: *x9", "    image: app:1.0.0", "");
    const facts = parse(lines.join("\n"));
    expect(facts.services).toEqual([]);
    expect(facts.problems).toEqual([{ line: 1, column: 1, message: expect.stringContaining("alias bomb") }]);
  });

  it("refuses a billion-laughs sequence bomb with a problem instead of expanding it", () => {
    const lines = ['l0: &l0 ["lol"]'];
    for (let level = 1; level <= 9; level++) {
      const refs = Array.from({ length: 10 }, () => `*l${level - 1}`).join(", ");
      lines.push(`l${level}: &l${level} [${refs}]`);
    }
    lines.push("services:", "  app:", "    image: app:1.0.0", "    command: *l9", "    environment: *l9", "");
    const facts = parse(lines.join("\n"));
    expect(facts.problems.map((p) => p.message)).toEqual([
      "expands too many YAML aliases (an alias bomb?): not checked",
    ]);
    expect(facts.services).toEqual([]);
  });

  it("reports invalid YAML with its line", () => {
    const facts = parse("services:\n  app:\n    image: [unclosed\n    build: .\n");
    expect(facts.services).toEqual([]);
    expect(facts.problems.length).toBeGreaterThan(0);
    expect(facts.problems[0]?.message).toMatch(/^is not valid YAML: /);
    expect(facts.problems[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it("reports a bad indentation on its line", () => {
    const facts = parse("services:\n  app:\n    image: x\n   build: .\n");
    expect(facts.problems[0]).toMatchObject({ line: 4 });
  });

  it("reports a top level that is not a mapping", () => {
    for (const text of ["- a\n- b\n", "just a string\n", "42\n"]) {
      const facts = parse(text);
      expect(facts.services).toEqual([]);
      expect(facts.problems).toEqual([
        { line: 1, column: 1, message: "is not a compose file: the top level must be a mapping" },
      ]);
    }
  });

  it("accepts an empty file", () => {
    expect(parse("").problems).toEqual([]);
    expect(parse("# nothing yet\n").services).toEqual([]);
  });

  it("reads the runtime profile", () => {
    const text = [
      "version: '3.8'",
      "services:",
      "  app:",
      "    build:",
      "      context: ./api",
      "      dockerfile: docker/Dockerfile",
      "    depends_on:",
      "      db:",
      "        condition: service_healthy",
      "      cache:",
      "        restart: true",
      "    healthcheck:",
      "      disable: true",
      "    networks: [back]",
      "    deploy:",
      "      resources:",
      "        limits:",
      "          memory: 256M",
      "          pids: 100",
      "    volumes:",
      "      - .:/app",
      "      - /app/node_modules",
      "      - type: bind",
      "        source: /var/run/docker.sock",
      "        target: /var/run/docker.sock",
      "networks:",
      "  back:",
      "    internal: true",
      "",
    ].join("\n");
    const facts = parse(text);
    expect(facts.version?.line).toBe(1);
    expect(facts.networks.get("back")?.internal).toBe(true);
    const app = facts.services[0];
    expect(app?.build).toMatchObject({ context: "api", dockerfile: "api/docker/Dockerfile" });
    expect(app?.dependsOn.map((d) => [d.service, d.condition, d.position.line])).toEqual([
      ["db", "service_healthy", 8],
      ["cache", undefined, 10],
    ]);
    expect(app?.healthcheck?.disabled).toBe(true);
    expect(app?.networks).toEqual(["back"]);
    expect(app?.limits).toEqual({ memory: "256M", pids: "100" });
    expect(app?.volumes.map((v) => [v.type, v.source, v.target])).toEqual([
      ["bind", ".", "/app"],
      ["volume", undefined, "/app/node_modules"],
      ["bind", "/var/run/docker.sock", "/var/run/docker.sock"],
    ]);
  });
});

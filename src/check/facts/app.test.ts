import { describe, expect, it } from "vitest";
import { appFacts } from "./app.js";
import { treeFromFiles } from "./tree.js";

const facts = (files: Record<string, string>) => appFacts(treeFromFiles(files));
const read = (code: string, file = "src/a.js") => facts({ [file]: code }).envReads[0];

describe("app facts: environment reads", () => {
  it.each([
    ["Number() || default", "const port = Number(process.env.PORT) || 3000;\n", "3000", false],
    ["parseInt(x, 10) || default", "const port = parseInt(process.env.PORT, 10) || 8080;\n", "8080", false],
    ["default inside the conversion", 'const port = Number(process.env.PORT ?? "3000");\n', "3000", false],
    ["conversion without a default", "listen(Number(process.env.PORT));\n", undefined, true],
    [
      "object property on its own line",
      "new Pool({\n  connectionString: process.env.DATABASE_URL,\n});\n",
      undefined,
      true,
    ],
    ["assignment", "const url = process.env.DATABASE_URL;\n", undefined, false],
  ])("%s", (_name, code, fallback, direct) => {
    const found = read(code);
    expect(found?.fallback).toBe(fallback);
    expect(found?.direct).toBe(direct);
  });

  it("Python int(os.environ.get(name, default)) has a fallback", () => {
    expect(read('PORT = int(os.environ.get("PORT", "8000"))\n', "server.py")).toMatchObject({
      name: "PORT",
      fallback: "8000",
      direct: false,
    });
  });

  it.each([
    ["if (process.env.X)", "if (process.env.API_KEY) enable();\n"],
    ["ternary", "const c = process.env.API_KEY ? client(process.env.API_KEY) : null;\n"],
    ["&&", "process.env.API_KEY && enable();\n"],
    ["in", 'if (!("API_KEY" in process.env)) exit();\n'],
    ["zod schema key", "  API_KEY: z.string().min(1),\n"],
    ["envalid", "  API_KEY: str(),\n"],
    ["python if not", 'if not os.getenv("API_KEY"):\n', "app.py"],
    ["python not in", 'if "API_KEY" not in os.environ:\n', "app.py"],
    [
      "a list checked in a loop",
      'const required = ["API_KEY", "DB_URL"];\nfor (const k of required) if (!process.env[k]) exit(k);\n',
    ],
  ])("checked: %s", (_name, code, file = "src/a.js") => {
    expect(facts({ [file]: code }).checkedEnv.has("API_KEY")).toBe(true);
  });
});

describe("app facts: listen calls", () => {
  it("resolves port and host constants", () => {
    const [listen] = facts({
      "server.mjs":
        'const PORT = Number(process.env.PORT) || 8080;\nconst HOST = process.env.HOST || "0.0.0.0";\nserver.listen(PORT, HOST, () => {});\n',
    }).listens;
    expect(listen).toMatchObject({ port: 8080, portEnv: "PORT", host: "0.0.0.0", hostEnv: "HOST" });
  });

  it("resolves a literal host constant", () => {
    const [listen] = facts({ "server.js": 'const HOST = "127.0.0.1";\napp.listen(3000, HOST);\n' }).listens;
    expect(listen).toMatchObject({ port: 3000, host: "127.0.0.1" });
  });

  it("reads a host from the environment with a default", () => {
    const [listen] = facts({ "server.js": 'app.listen(3000, process.env.HOST ?? "localhost");\n' }).listens;
    expect(listen).toMatchObject({ host: "localhost", hostEnv: "HOST" });
  });

  it.each([
    ["process.env.PORT ?? 3000", "app.listen(process.env.PORT ?? 3000);\n"],
    ["Number(process.env.PORT) || 3000", "app.listen(Number(process.env.PORT) || 3000, () => {});\n"],
  ])("reads the port from the environment inline: %s", (_name, code) => {
    expect(facts({ "server.js": code }).listens[0]).toMatchObject({ port: 3000, portEnv: "PORT" });
  });

  it("keeps a callback out of the host", () => {
    const [listen] = facts({ "server.js": "app.listen(3000, () => console.log('up'));\n" }).listens;
    expect(listen?.host).toBeUndefined();
  });
});

describe("app facts: signal handlers", () => {
  it.each([
    [
      "a loop over signal names",
      'for (const signal of ["SIGTERM", "SIGINT"]) {\n  process.on(signal, stop);\n}\n',
      "SIGTERM",
    ],
    ["forEach", '["SIGINT", "SIGTERM"].forEach((s) => process.on(s, stop));\n', "SIGTERM"],
    ["terminus", "createTerminus(server, { signals: ['SIGTERM'] });\n", "SIGTERM"],
    ["NestJS", "app.enableShutdownHooks();\n", "SIGTERM"],
    ["asyncio", "loop.add_signal_handler(signal.SIGTERM, stop)\n", "SIGTERM"],
  ])("%s", (_name, code, signal) => {
    const file = code.includes("add_signal_handler") ? "app.py" : "src/a.js";
    expect(facts({ [file]: code }).signalHandlers.map((handler) => handler.signal)).toEqual([signal]);
  });

  it("an unrelated process.on is not a signal handler", () => {
    expect(facts({ "src/a.js": "process.on(event, handler);\n" }).signalHandlers).toEqual([]);
  });
});

describe("app facts: health routes", () => {
  it("a Python route's body is its function", () => {
    const [route] = facts({
      "app/main.py":
        '@app.get("/health")\ndef health():\n    return {"status": "ok"}\n\n\n@app.get("/items")\ndef items():\n    pass\n',
    }).healthRoutes;
    expect(route?.body).toBe('@app.get("/health")\ndef health():\n    return {"status": "ok"}\n\n');
  });

  it("stacked decorators stay with the route", () => {
    const [route] = facts({
      "app/main.py":
        '@app.get("/health")\n@limiter.exempt\nasync def health():\n    await db.ping()\nx = 1\n',
    }).healthRoutes;
    expect(route?.body).toContain("await db.ping()");
    expect(route?.body).not.toContain("x = 1");
  });
});

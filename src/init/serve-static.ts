/** The static file server init writes for a single-page app with no server of its own. */
export const SERVE_STATIC = `// Written by shipshape init: serves the static build in /srv/www with no dependencies.
// /healthz answers 200; unknown paths get index.html (client-side routing); SIGTERM closes cleanly.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

const ROOT = resolve(process.env.STATIC_ROOT || "/srv/www");
const PORT = Number(process.env.PORT) || 8080;
const HOST = process.env.HOST || "0.0.0.0";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

async function send(res, file) {
  const body = await readFile(file);
  const hashed = file.startsWith(join(ROOT, "assets") + sep);
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  });
  res.end(body);
}

const server = createServer(async (req, res) => {
  try {
    const { pathname } = new URL(req.url ?? "/", "http://localhost");
    if (pathname === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end("ok");
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" });
      return res.end();
    }
    const file = resolve(ROOT, "." + decodeURIComponent(pathname));
    if (file !== ROOT && !file.startsWith(ROOT + sep)) {
      res.writeHead(400);
      return res.end();
    }
    try {
      await send(res, file === ROOT ? join(ROOT, "index.html") : file);
    } catch {
      await send(res, join(ROOT, "index.html"));
    }
  } catch (err) {
    console.error(err);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
});

server.listen(PORT, HOST, () => console.log(\`serving \${ROOT} on http://\${HOST}:\${PORT}\`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
`;

// Serves a directory of built assets (GraphiQL, Playground, the dashboard) under a URL prefix:
// GET/HEAD only, no path traversal, content types by extension, immutable caching for hashed
// file names. Pages must work offline, so every asset a page needs comes through here.
import { createReadStream, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import type { HttpRoute } from "../server.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

function fileIn(root: string, relative: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const path = normalize(join(root, decoded));
  if (path !== root && !path.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return fileIn(root, join(decoded, "index.html"));
    return stat.isFile() ? path : null;
  } catch {
    return null;
  }
}

export function sendFile(req: IncomingMessage, res: ServerResponse, path: string, cache = "no-cache") {
  res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": cache });
  if (req.method === "HEAD") return void res.end();
  createReadStream(path).on("error", () => res.destroy()).pipe(res);
}

/**
 * A route serving `root` at `prefix` (e.g. "/dashboard"). `prefix` itself redirects to `prefix/`;
 * `fallback` (e.g. "index.html") answers unknown paths, for single-page apps.
 */
export function staticRoute(prefix: string, root: string, options: { fallback?: string } = {}): HttpRoute {
  const absoluteRoot = normalize(root);
  return (req, res, path) => {
    if (path !== prefix && !path.startsWith(prefix + "/")) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" });
      res.end();
      return true;
    }
    if (path === prefix) {
      res.writeHead(301, { location: prefix + "/" });
      res.end();
      return true;
    }
    const file = fileIn(absoluteRoot, path.slice(prefix.length + 1)) ?? (options.fallback ? fileIn(absoluteRoot, options.fallback) : null);
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return true;
    }
    const hashed = /[.-][0-9a-zA-Z_-]{8,}\.(js|css|woff2?)$/.test(file);
    sendFile(req, res, file, hashed ? "public, max-age=31536000, immutable" : "no-cache");
    return true;
  };
}

// src/http/static.ts on a real HTTP server: files under the prefix with their content types and
// caching, the single-page fallback, and no way out of the directory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { staticRoute } from "../../src/http/static.ts";

let dir: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "static-test-"));
  mkdirSync(join(dir, "site", "assets"), { recursive: true });
  writeFileSync(join(dir, "site", "index.html"), "<h1>index</h1>");
  writeFileSync(join(dir, "site", "assets", "app-Abc123_x9.js"), "console.log(1)");
  writeFileSync(join(dir, "site", "assets", "style.css"), "body{}");
  writeFileSync(join(dir, "site", "logo.svg"), "<svg/>");
  writeFileSync(join(dir, "secret.txt"), "secret");
  const routes = [staticRoute("/app", join(dir, "site"), { fallback: "index.html" }), staticRoute("/plain", join(dir, "site"))];
  server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (!routes.some((route) => route(req, res, path))) res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A request with the path sent exactly as written (fetch would normalise "..") */
function get(path: string, method = "GET"): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

it.each([
  ["/app/", 200, "text/html; charset=utf-8", "no-cache", "<h1>index</h1>"],
  ["/app/index.html", 200, "text/html; charset=utf-8", "no-cache", "<h1>index</h1>"],
  ["/app/assets/app-Abc123_x9.js", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "console.log(1)"],
  ["/app/assets/style.css", 200, "text/css; charset=utf-8", "no-cache", "body{}"],
  ["/app/logo.svg", 200, "image/svg+xml", "no-cache", "<svg/>"],
  ["/app/some/client/route", 200, "text/html; charset=utf-8", "no-cache", "<h1>index</h1>"],
])("GET %s → %i %s", async (path, status, type, cache, body) => {
  const res = await get(path);
  expect([res.status, res.headers["content-type"], res.headers["cache-control"], res.body]).toEqual([status, type, cache, body]);
});

it.each(["/plain/../secret.txt", "/plain/%2e%2e/secret.txt", "/plain/..%2fsecret.txt", "/plain/assets/..%2f..%2fsecret.txt", "/plain/%00index.html", "/plain/%E0%A4%A", "/plain/missing.js"])(
  "refuses %s with 404 and never serves a file outside the directory",
  async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain("secret");
  },
);

it("answers traversal under a fallback route with the fallback, not the file", async () => {
  for (const path of ["/app/../secret.txt", "/app/%2e%2e/secret.txt", "/app/..%2f..%2fsecret.txt"]) {
    const res = await get(path);
    expect(res.body).toBe("<h1>index</h1>");
  }
});

it("redirects the bare prefix, refuses other methods, leaves other paths alone, answers HEAD without a body", async () => {
  expect((await get("/app")).status).toBe(301);
  expect((await get("/app")).headers.location).toBe("/app/");
  const post = await get("/app/index.html", "POST");
  expect([post.status, post.headers.allow]).toEqual([405, "GET, HEAD"]);
  expect((await get("/apple")).status).toBe(418);
  const head = await get("/app/assets/style.css", "HEAD");
  expect([head.status, head.headers["content-type"], head.body]).toEqual([200, "text/css; charset=utf-8", ""]);
});

// What a web page on another site could try against a local deploye (auth off, loopback): a
// form-style or multipart POST, a GET mutation, a WebSocket or an SSE stream from its origin, and a
// DNS-rebound Host. All are refused and change nothing; a listed origin and same-origin pages work.
import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CSRF_HEADER } from "../../src/server.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

const LISTED = "http://dashboard.example:8080";
const EVIL = "http://evil.example";
let app: TestApp;
let origin: string;

beforeAll(async () => {
  app = await startTestApp({ controllers: false, corsOrigins: [LISTED] });
  origin = new URL(app.url).origin;
  await app.data(`mutation { createDeployment(metadata: { name: "web" }, spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } }) { id } }`);
}, 60_000);
afterAll(() => app?.stop());

const paused = async () => (await app.data(`{ deployment(name: "web") { spec { paused } } }`)).deployment.spec.paused as boolean;
const PAUSE = `mutation { pauseRollout(name: "web") { id } }`;

/** A raw HTTP request (fetch cannot set Host), answered with status, headers and body. */
function raw(method: string, path: string, headers: Record<string, string>, body = ""): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { "content-length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function upgrade(headers: Record<string, string>): Promise<number | "open"> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(app.url.replace(/^http/, "ws"), "graphql-transport-ws", { headers });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode!));
    ws.on("open", () => {
      ws.close();
      resolve("open");
    });
    ws.on("error", reject);
  });
}

describe("a page on another site", () => {
  it("cannot pause a Deployment with a form-style or multipart POST", async () => {
    const form = await raw("POST", "/graphql", { "content-type": "application/x-www-form-urlencoded", origin: EVIL }, `query=${encodeURIComponent(PAUSE)}`);
    expect(form.status).toBe(403);
    const noOrigin = await raw("POST", "/graphql", { "content-type": "application/x-www-form-urlencoded" }, `query=${encodeURIComponent(PAUSE)}`);
    expect(noOrigin.status).toBe(415);
    const boundary = "x1";
    const multipart = `--${boundary}\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: PAUSE })}\r\n--${boundary}--\r\n`;
    expect((await raw("POST", "/graphql", { "content-type": `multipart/form-data; boundary=${boundary}` }, multipart)).status).toBe(415);
    expect((await raw("POST", "/graphql", { "content-type": "text/plain" }, JSON.stringify({ query: PAUSE }))).status).toBe(415);
    expect(JSON.parse(noOrigin.body).errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(await paused()).toBe(false);
  });

  it("cannot run a mutation over GET, nor a GET query without the CSRF header", async () => {
    const path = `/graphql?query=${encodeURIComponent(PAUSE)}`;
    expect((await raw("GET", path, { accept: "application/json" })).status).toBe(403);
    expect((await raw("GET", path, { accept: "application/json", [CSRF_HEADER]: "1" })).status).toBe(405);
    expect(await paused()).toBe(false);
    const query = `/graphql?query=${encodeURIComponent("{ namespaces }")}`;
    expect((await raw("GET", query, { accept: "application/json" })).status).toBe(403);
    const ok = await raw("GET", query, { accept: "application/json", [CSRF_HEADER]: "1" });
    expect([ok.status, JSON.parse(ok.body)]).toEqual([200, { data: { namespaces: ["default"] } }]);
  });

  it("gets no CORS grant, and its WebSocket and SSE streams are refused", async () => {
    const preflight = await raw("OPTIONS", "/graphql", { origin: EVIL, "access-control-request-method": "POST" });
    expect(preflight.status).toBe(403);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    expect(await upgrade({ origin: EVIL })).toBe(403);
    const sse = await raw("POST", "/graphql/stream", { origin: EVIL, "content-type": "application/json", accept: "text/event-stream" }, JSON.stringify({ query: "subscription { events { reason } }" }));
    expect(sse.status).toBe(403);
    expect((await raw("PUT", "/graphql/stream", { origin: EVIL })).status).toBe(403);
  });

  it("cannot reach the API through a DNS-rebound Host name", async () => {
    const res = await raw("POST", "/graphql", { host: "attacker.example:4000", "content-type": "application/json" }, JSON.stringify({ query: PAUSE }));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).errors[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    expect(await upgrade({ host: "attacker.example" })).toBe(403);
    expect(await paused()).toBe(false);
  });
});

describe("allowed callers", () => {
  it("a listed origin gets CORS with credentials, and its WebSocket opens", async () => {
    const preflight = await raw("OPTIONS", "/graphql", { origin: LISTED, "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" });
    expect(preflight.headers["access-control-allow-origin"]).toBe(LISTED);
    expect(preflight.headers["access-control-allow-credentials"]).toBe("true");
    const res = await raw("POST", "/graphql", { origin: LISTED, "content-type": "application/json" }, JSON.stringify({ query: "{ namespaces }" }));
    expect([res.status, res.headers["access-control-allow-origin"]]).toEqual([200, LISTED]);
    expect(await upgrade({ origin: LISTED })).toBe("open");
  });

  it("same-origin pages: GraphiQL loads, and its requests and WebSocket work", async () => {
    const page = await raw("GET", "/graphql", { accept: "text/html" });
    expect([page.status, page.body.includes("graphiql")]).toEqual([200, true]);
    const res = await raw("POST", "/graphql", { origin, "content-type": "application/json" }, JSON.stringify({ query: "{ namespaces }" }));
    expect(res.status).toBe(200);
    expect(await upgrade({ origin })).toBe("open");
  });
});

describe("start-up", () => {
  it("refuses AUTH=off on a non-loopback HOST: exit 2 with one line", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: new URL("../..", import.meta.url).pathname,
      env: { ...process.env, HOST: "0.0.0.0", AUTH: "off" },
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      "deploye: AUTH=off needs a loopback HOST (127.0.0.1, ::1, localhost), got HOST=0.0.0.0: anyone who can reach it could use the API",
    ]);
  });
});

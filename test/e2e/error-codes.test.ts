// The same mistake gets the same contract code on every transport (issue 10 §5): yoga's HTTP (POST
// and GET), graphql-ws, yoga's SSE on /graphql and graphql-sse on /graphql/stream. No answer holds
// a stack, a file path, or a code outside the contract (GRAPHQL_PARSE_FAILED, BAD_REQUEST,
// OPERATION_RESOLUTION_FAILURE, a code-less error).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from "graphql-ws";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { CSRF_HEADER } from "../../src/server.ts";
import { MAX_BODY_BYTES } from "../../src/http/respond.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ controllers: false, kubelet: false } as never);
});
afterAll(async () => {
  await app?.stop();
});

interface Answer {
  /** HTTP status, or 0 on a WebSocket */
  status: number;
  errors: { message: string; extensions?: Record<string, unknown> }[];
  /** the raw text the client received */
  raw: string;
}

/** The GraphQL errors in an event stream's `next` events (or a JSON body). */
function errorsOf(text: string): Answer["errors"] {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return JSON.parse(trimmed).errors ?? [];
  const errors: Answer["errors"] = [];
  for (const block of text.split("\n\n")) {
    const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5)).join("");
    if (!data.trim()) continue;
    const payload = JSON.parse(data);
    errors.push(...(payload.payload?.errors ?? payload.errors ?? []));
  }
  return errors;
}

async function http(path: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(`${app.url.replace(/\/graphql$/, "")}${path}`, init);
  const raw = await res.text();
  return { status: res.status, errors: errorsOf(raw), raw };
}

const jsonHeaders = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
const sseHeaders = { "content-type": "application/json", accept: "text/event-stream" };

type Send = (body: string) => Promise<Answer>;
type SendQuery = (query: string) => Promise<Answer>;

/** Transports that take a JSON body. */
const posting: Record<string, Send> = {
  "HTTP POST": (body) => http("/graphql", { method: "POST", headers: jsonHeaders, body }),
  "yoga SSE": (body) => http("/graphql", { method: "POST", headers: sseHeaders, body }),
  "graphql-sse": (body) => http("/graphql/stream", { method: "POST", headers: sseHeaders, body }),
};

/** Transports that take the query in the URL. */
const getting: Record<string, SendQuery> = {
  "HTTP GET": (query) => http(`/graphql?query=${encodeURIComponent(query)}`, { headers: { accept: "application/json", [CSRF_HEADER]: "1" } }),
  "yoga SSE GET": (query) => http(`/graphql?query=${encodeURIComponent(query)}`, { headers: { accept: "text/event-stream", [CSRF_HEADER]: "1" } }),
  "graphql-sse GET": (query) => http(`/graphql/stream?query=${encodeURIComponent(query)}`, { headers: { accept: "text/event-stream", [CSRF_HEADER]: "1" } }),
};

/** One graphql-ws operation: the errors of its `error` message or its first `next`. */
function overWebSocket(query: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(app.url.replace(/^http/, "ws"), GRAPHQL_TRANSPORT_WS_PROTOCOL);
    const timer = setTimeout(() => (socket.terminate(), reject(new Error("no answer over graphql-ws"))), 20_000);
    const done = (answer: Answer) => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
    socket.on("message", (data) => {
      const message = JSON.parse(String(data));
      if (message.type === "connection_ack") socket.send(JSON.stringify({ type: "subscribe", id: "1", payload: { query } }));
      else if (message.type === "error") done({ status: 0, errors: message.payload, raw: String(data) });
      else if (message.type === "next") done({ status: 0, errors: message.payload.errors ?? [], raw: String(data) });
    });
    socket.on("close", (code, reason) => done({ status: 0, errors: [{ message: `closed ${code} ${reason}` }], raw: `closed ${code}` }));
    socket.on("error", reject);
  });
}

const querying: Record<string, SendQuery> = {
  ...Object.fromEntries(Object.entries(posting).map(([name, send]) => [name, (query: string) => send(JSON.stringify({ query }))])),
  ...getting,
  "graphql-ws": overWebSocket,
};

/** what no answer may hold */
function expectClean(answer: Answer) {
  expect(answer.raw).not.toMatch(/\bat \S+ \(|\.ts:\d+|\.js:\d+|node_modules|\/work\//);
  expect(answer.raw).not.toMatch(/GRAPHQL_PARSE_FAILED|BAD_REQUEST|OPERATION_RESOLUTION_FAILURE|GRAPHQL_VALIDATION_FAILED/);
}

function expectCode(answer: Answer, code: string) {
  expectClean(answer);
  expect(answer.errors.length, answer.raw.slice(0, 500)).toBeGreaterThan(0);
  expect(answer.errors.map((e) => e.extensions?.code), answer.raw.slice(0, 500)).toEqual(answer.errors.map(() => code));
}

const base64 = (s: string) => Buffer.from(s).toString("base64");
/** 50,000 levels in a body; a URL holds fewer (Node refuses request heads over 16 KB with 431) */
const depth = (transport: string) => (transport in getting ? 1_500 : 50_000);

const queryCases = (transport: string): [string, string, string][] => [
  ["a syntax error", "BAD_USER_INPUT", "{ deployments("],
  ["an unknown field", "BAD_USER_INPUT", "{ nope }"],
  ["node(id:) of a type that has no nodes", "BAD_USER_INPUT", `{ node(id: "${base64("Container:abc")}") { id } }`],
  ["node(id: \"!!!\")", "BAD_USER_INPUT", `{ node(id: "!!!") { id } }`],
  ["node(id:) of no object", "NOT_FOUND", `{ node(id: "${base64("Deployment:00000000-0000-0000-0000-000000000000")}") { id } }`],
  [`${depth(transport)} nested \`{a\``, "BAD_USER_INPUT", "{a".repeat(depth(transport))],
  [`${depth(transport)} nested \`[\` in a literal`, "BAD_USER_INPUT", `{ deployments(namespace: "x", labelSelector: ${"[".repeat(depth(transport))}) { totalCount } }`],
];

describe.each(Object.entries(querying))("%s", (transport, send) => {
  it.each(queryCases(transport))("%s is %s", async (_what, code, query) => {
    expectCode(await send(query), code);
  });
});

describe.each(Object.entries(posting))("%s", (_transport, send) => {
  it.each([
    ["invalid JSON", "{ nope"],
    ["a body that is not an object", "[1"],
    ["variables that are not an object", JSON.stringify({ query: "{ deployments { totalCount } }", variables: 3 })],
    ["no query", JSON.stringify({})],
  ])("%s is BAD_USER_INPUT", async (_what, body) => {
    expectCode(await send(body), "BAD_USER_INPUT");
  });
});

describe.each(Object.entries(getting))("%s", (_transport, send) => {
  it("a mutation is BAD_USER_INPUT", async () => {
    const answer = await send(`mutation { deleteDeployment(namespace: "x", name: "y") { metadata { name } } }`);
    expectCode(answer, "BAD_USER_INPUT");
    expect(answer.raw).toMatch(/POST/);
  });
  it("`{` is BAD_USER_INPUT", async () => {
    expectCode(await send("{"), "BAD_USER_INPUT");
  });
});

it("an error message quotes at most a bounded part of its input", async () => {
  const namespace = "n".repeat(3 * 1024 * 1024);
  const answer = await posting["HTTP POST"](JSON.stringify({ query: "mutation($ns: String!) { deleteDeployment(namespace: $ns, name: \"a\") { metadata { name } } }", variables: { ns: namespace } }));
  expect(answer.raw.length).toBeLessThan(4096);
  expect(answer.errors.length).toBe(1);
  expect(answer.raw.length).toBeLessThan(MAX_BODY_BYTES);
});

it("a WebSocket message over the body cap closes the socket with 1009", async () => {
  const socket = new WebSocket(app.url.replace(/^http/, "ws"), GRAPHQL_TRANSPORT_WS_PROTOCOL);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  const closed = new Promise<number>((resolve) => socket.once("close", resolve));
  socket.send("x".repeat(MAX_BODY_BYTES + 1));
  expect(await closed).toBe(1009);
});

// The legacy subscriptions-transport-ws protocol as src/graphql/websocket.ts speaks it, frame by
// frame on a raw socket (subprotocol `graphql-ws`), against a small schema: keep-alives, starts sent
// before the ack, stop and restart of an id, a refused connection_init, connection_terminate.
import type { AddressInfo } from "node:net";
import { buildSchema } from "graphql";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { serveWebSockets } from "../../src/graphql/websocket.ts";
import { createLogger } from "../../src/log.ts";

const schema = buildSchema(`type Query { hello: String } type Subscription { count(to: Int!): Int, forever: Int, idle: Int }`);
const rootValue = {
  hello: () => "world",
  count: async function* ({ to }: { to: number }) {
    for (let i = 1; i <= to; i++) yield { count: i };
  },
  forever: async function* () {
    yield { forever: 1 };
    await new Promise(() => {});
  },
  /** one value, then nothing until it is stopped, when it ends at once (as the server's subscribers do) */
  idle: () => {
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let sent = false;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        if (!sent) return (sent = true), { value: { idle: 1 }, done: false };
        await stopped;
        return { value: undefined, done: true };
      },
      async return() {
        stop();
        return { value: undefined, done: true };
      },
    };
  },
};

const INIT_WAIT_MS = 500;

let wss: WebSocketServer;
let url: string;
let server: { dispose(): Promise<void> };

beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise((resolve) => wss.once("listening", resolve));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  server = serveWebSockets(
    { schema, roots: { query: rootValue, subscription: rootValue }, onConnect: (ctx) => ctx.connectionParams?.authorization === "Bearer ok" },
    wss,
    createLogger("silent"),
    { keepAliveMs: 300, operationsPerSocket: 3, initWaitMs: INIT_WAIT_MS },
  );
});
afterAll(async () => {
  await server.dispose();
});

/** A raw legacy-protocol socket that records every frame and waits on them. */
async function connect() {
  const socket = new WebSocket(url, ["graphql-ws"]);
  const frames: any[] = [];
  let closed: { code: number; reason: string } | null = null;
  const waiters = new Set<() => void>();
  const changed = () => waiters.forEach((w) => w());
  socket.on("message", (data) => (frames.push(JSON.parse(String(data))), changed()));
  socket.on("close", (code, reason) => ((closed = { code, reason: String(reason) }), changed()));
  await new Promise((resolve) => socket.once("open", resolve));
  const until = <T>(probe: () => T | undefined | false, what: string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined || value === false) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`${what}; frames ${JSON.stringify(frames)}`))), 5000);
      waiters.add(check);
      check();
    });
  return {
    socket,
    frames,
    send: (message: object) => socket.send(JSON.stringify(message)),
    until,
    closed: () => until(() => closed ?? undefined, "no close"),
    of: (id: string) => frames.filter((f) => f.id === id).map((f) => [f.type, f.payload]),
  };
}

it("answers connection_init with connection_ack and keep-alives, and runs starts sent before the ack", async () => {
  const c = await connect();
  expect(c.socket.protocol).toBe("graphql-ws");
  c.send({ type: "connection_init", payload: { authorization: "Bearer ok" } });
  c.send({ id: "1", type: "start", payload: { query: "{ hello }" } });
  c.send({ id: "2", type: "start", payload: { query: "subscription { count(to: 2) }" } });
  await c.until(() => c.of("2").some(([t]) => t === "complete"), "no complete");
  expect(c.frames.slice(0, 2).map((f) => f.type)).toEqual(["connection_ack", "ka"]);
  expect(c.of("1")).toEqual([["data", { data: { hello: "world" } }], ["complete", undefined]]);
  expect(c.of("2")).toEqual([["data", { data: { count: 1 } }], ["data", { data: { count: 2 } }], ["complete", undefined]]);
  await c.until(() => c.frames.filter((f) => f.type === "ka").length >= 3, "keep-alives stopped");

  // an invalid document: `error` for that operation, the socket stays
  c.send({ id: "3", type: "start", payload: { query: "{ nope }" } });
  await c.until(() => c.of("3").length > 0, "no error");
  expect(c.of("3")).toEqual([["error", [expect.objectContaining({ message: expect.stringContaining("nope") })]]]);

  c.send({ type: "connection_terminate" });
  expect(await c.closed()).toEqual({ code: 1000, reason: "Normal Closure" });
});

it("stops an operation on stop (no complete follows), and restarts an id that is still running without reporting the earlier operation's end as the new one's", async () => {
  const c = await connect();
  c.send({ type: "connection_init", payload: { authorization: "Bearer ok" } });
  c.send({ id: "a", type: "start", payload: { query: "subscription { idle }" } });
  await c.until(() => c.of("a").length === 1, "no first value");
  c.send({ id: "a", type: "start", payload: { query: "subscription { count(to: 1) }" } }); // the legacy server restarts it
  await c.until(() => c.of("a").some(([t]) => t === "complete"), "no complete of the restart");
  expect(c.of("a")).toEqual([["data", { data: { idle: 1 } }], ["data", { data: { count: 1 } }], ["complete", undefined]]);

  c.send({ id: "b", type: "start", payload: { query: "subscription { forever }" } });
  await c.until(() => c.of("b").length === 1, "no value of b");
  c.send({ id: "b", type: "stop" });
  c.send({ id: "c", type: "start", payload: { query: "{ hello }" } });
  await c.until(() => c.of("c").length === 2, "no answer after stop");
  expect(c.of("b")).toEqual([["data", { data: { forever: 1 } }]]);
  c.socket.close();
});

it("answers a refused connection_init with connection_error, then closes", async () => {
  const c = await connect();
  c.send({ type: "connection_init", payload: { authorization: "Bearer wrong" } });
  c.send({ id: "1", type: "start", payload: { query: "{ hello }" } });
  expect(await c.closed()).toEqual({ code: 4403, reason: "Forbidden" });
  expect(c.frames).toEqual([{ type: "connection_error", payload: { message: "Forbidden" } }]);
});

it("still speaks graphql-transport-ws to clients that ask for it", async () => {
  const socket = new WebSocket(url, ["graphql-transport-ws", "graphql-ws"]);
  const frames: any[] = [];
  socket.on("message", (data) => frames.push(JSON.parse(String(data))));
  await new Promise((resolve) => socket.once("open", resolve));
  expect(socket.protocol).toBe("graphql-transport-ws");
  socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: "Bearer ok" } }));
  await expect.poll(() => frames.map((f) => f.type)).toEqual(["connection_ack"]);
  socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: "{ hello }" } }));
  await expect.poll(() => frames.map((f) => f.type)).toEqual(["connection_ack", "next", "complete"]);
  socket.close();
});

it("runs at most operationsPerSocket operations on one socket: one more is refused with RATE_LIMITED, and runs once another ends", async () => {
  const c = await connect();
  c.send({ type: "connection_init", payload: { authorization: "Bearer ok" } });
  for (const id of ["1", "2", "3"]) c.send({ id, type: "start", payload: { query: "subscription { idle }" } });
  await c.until(() => ["1", "2", "3"].every((id) => c.of(id).length === 1), "no first values");
  c.send({ id: "4", type: "start", payload: { query: "{ hello }" } });
  await c.until(() => c.of("4").length > 0, "no answer to the fourth");
  expect(c.of("4")).toEqual([["error", [expect.objectContaining({ extensions: { code: "RATE_LIMITED", limit: "operationsPerSocket" } })]]]);
  c.send({ id: "2", type: "stop" });
  // the slot is free once the stopped operation has ended on the server: ask until it is
  for (let i = 5; ; i++) {
    c.send({ id: String(i), type: "start", payload: { query: "{ hello }" } });
    await c.until(() => c.of(String(i)).length > 0, `no answer to ${i}`);
    if (c.of(String(i))[0][0] === "error") continue;
    await c.until(() => c.of(String(i)).length === 2, `no complete of ${i}`);
    expect(c.of(String(i))).toEqual([["data", { data: { hello: "world" } }], ["complete", undefined]]);
    break;
  }
  c.socket.close();
});

it("closes a socket that sends no connection_init within initWaitMs with 4408", async () => {
  const socket = new WebSocket(url, ["graphql-transport-ws"]);
  const opened = performance.now();
  const closed = await new Promise<[number, string]>((resolve) => socket.once("close", (code, reason) => resolve([code, String(reason)])));
  expect(closed).toEqual([4408, "Connection initialisation timeout"]);
  expect(performance.now() - opened).toBeGreaterThanOrEqual(INIT_WAIT_MS - 50);
});

it("serves a connection_init that arrived in time even when the server's event loop was busy past the deadline", async () => {
  const socket = new WebSocket(url, ["graphql-transport-ws"]);
  const frames: string[] = [];
  let closed: number | null = null;
  socket.on("message", (data) => frames.push(JSON.parse(String(data)).type));
  socket.on("close", (code) => (closed = code));
  await new Promise((resolve) => socket.once("open", resolve));
  socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: "Bearer ok" } }));
  // the init is on its way; this process (the server's too) then does nothing else past the deadline,
  // as a server busy with thousands of handshakes does
  const busyUntil = performance.now() + 2 * INIT_WAIT_MS;
  while (performance.now() < busyUntil);
  await expect.poll(() => frames).toEqual(["connection_ack"]);
  expect(closed).toBeNull();
  socket.close();
});

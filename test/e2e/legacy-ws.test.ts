// The legacy subscriptions-transport-ws protocol (subprotocol `graphql-ws`, GraphQL Playground's)
// beside graphql-ws on /graphql, driven by the real subscriptions-transport-ws client: one server
// runs both, with the same context, limits and errors.
import { SubscriptionClient } from "subscriptions-transport-ws";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { CREATE_DEPLOYMENT, deploymentInput, Stream, type SubscribeClient } from "./subscriptions-helpers.ts";

let app: TestApp;
const clients: SubscriptionClient[] = [];

beforeAll(async () => {
  app = await startTestApp({ podStartupMs: 50, maxGraceSeconds: 0 });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await app?.stop();
});

function legacyClient(connectionParams: Record<string, unknown> = {}): SubscribeClient & { raw: SubscriptionClient } {
  const raw = new SubscriptionClient(app.url.replace(/^http/, "ws"), { reconnect: false, connectionParams }, WebSocket);
  clients.push(raw);
  return {
    raw,
    subscribe(payload, sink) {
      const subscription = raw.request(payload).subscribe({ next: (v) => sink.next(v), error: (e) => sink.error([e]) /* the client hands over the first error */, complete: () => sink.complete() });
      return () => subscription.unsubscribe();
    },
  };
}

/** The subprotocol the server accepts for an upgrade offering `protocols`. */
function accepted(protocols: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(app.url.replace(/^http/, "ws"), protocols);
    socket.once("open", () => {
      resolve(socket.protocol);
      socket.close();
    });
    socket.once("error", reject);
  });
}

it("chooses the protocol by subprotocol, graphql-transport-ws first", async () => {
  expect(await accepted(["graphql-ws"])).toBe("graphql-ws");
  expect(await accepted(["graphql-transport-ws"])).toBe("graphql-transport-ws");
  expect(await accepted(["graphql-ws", "graphql-transport-ws"])).toBe("graphql-transport-ws");
});

it("runs a mutation and a query, and refuses a bad document on that operation only", async () => {
  const client = legacyClient();
  const created = new Stream(client, CREATE_DEPLOYMENT, deploymentInput("legacy", "q", {}, { replicas: 1 }));
  await created.ended();
  expect(created.values).toEqual([{ metadata: { name: "q", resourceVersion: expect.any(String) } }]);

  const bad = new Stream(client, `{ deployment(namespace: "legacy", name: "q") { nope } }`);
  await bad.ended();
  expect(bad.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("nope"), extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) })]);

  const read = new Stream(client, `query($name: String!) { deployment(namespace: "legacy", name: $name) { metadata { name } spec { replicas } } }`, { name: "q" });
  await read.ended();
  expect(read.values).toEqual([{ metadata: { name: "q" }, spec: { replicas: 1 } }]);
  expect(read.completed).toBe(true);
});

it("follows rolloutStatus(untilDone: true) to done, then completes; unsubscribing frees the subscriber", async () => {
  await app.data(CREATE_DEPLOYMENT, deploymentInput("legacy", "web", {}, { replicas: 2 }));
  const client = legacyClient();
  const rollout = new Stream(client, `subscription { rolloutStatus(namespace: "legacy", name: "web", untilDone: true) { done phase message updatedReplicas availableReplicas } }`);
  await rollout.ended(20_000);
  expect(rollout.errors).toEqual([]);
  expect(rollout.completed).toBe(true);
  expect(rollout.values.at(-1)).toEqual({ done: true, phase: "Complete", message: `deployment "web" successfully rolled out`, updatedReplicas: 2, availableReplicas: 2 });
  expect(rollout.values.slice(0, -1).every((v) => !v.done)).toBe(true);

  // without untilDone the stream stays open until the client stops it
  const open = new Stream(client, `subscription { rolloutStatus(namespace: "legacy", name: "web") { done } }`);
  await open.take(1);
  expect(app.hub.stats().subscribers).toBe(1);
  open.unsubscribe();
  await expect.poll(() => app.hub.stats().subscribers).toBe(0);
  expect(open.completed).toBe(false);
});

// Subscriptions over real sockets, with the real graphql-ws and graphql-sse clients, on two server
// instances sharing one database. The controllers are off here, so the only writes are the ones
// a test makes and every count is exact (the rollout, with controllers, is in
// subscriptions-rollout.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client as WsClient } from "graphql-ws";
import { get as httpGet, type IncomingMessage } from "node:http";
import pg from "pg";
import WebSocket from "ws";
import { compactChangeLog } from "../../src/db/compaction.ts";
import { createDb, type Db } from "../../src/db/client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import {
  CREATE_DEPLOYMENT,
  DELETE_DEPLOYMENT,
  deploymentInput,
  eventually,
  ROLLOUT_STATUS,
  SCALE_DEPLOYMENT,
  sseClient,
  Stream,
  type SubscribeClient,
  WATCH,
  wsClient,
} from "./subscriptions-helpers.ts";

/** instance B's per-subscriber buffer: small, so a slow consumer is cut off quickly */
const B_BUFFER = 20;

let a: TestApp;
let b: TestApp;
let db: Db;
const clients: { dispose(): void | Promise<void> }[] = [];

beforeAll(async () => {
  a = await startTestApp({ controllers: false, simulator: false });
  b = await startTestApp({ controllers: false, simulator: false, subscriptionBuffer: B_BUFFER }, a.database);
  db = createDb(a.databaseUrl);
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await db?.$disconnect();
  await b?.stop();
  await a?.stop();
});

function ws(app: TestApp, options?: Parameters<typeof wsClient>[1]): WsClient {
  const client = wsClient(app.url, options);
  clients.push(client);
  return client;
}
function sse(app: TestApp, singleConnection: boolean) {
  const client = sseClient(app.url, singleConnection);
  clients.push(client);
  return client;
}

async function createDeployment(app: TestApp, namespace: string, name: string, labels: Record<string, string> = {}): Promise<string> {
  const data = await app.data(CREATE_DEPLOYMENT, deploymentInput(namespace, name, labels));
  return data.createDeployment.metadata.resourceVersion;
}
async function scale(app: TestApp, namespace: string, name: string, replicas: number): Promise<string> {
  const data = await app.data(SCALE_DEPLOYMENT, { namespace, name, replicas });
  return data.scaleDeployment.metadata.resourceVersion;
}
async function relabel(app: TestApp, namespace: string, name: string, labels: Record<string, string>) {
  const { spec } = deploymentInput(namespace, name);
  await app.data(`mutation($namespace: String!, $name: String!, $spec: DeploymentSpecInput!, $labels: StringMap) {
    updateDeployment(namespace: $namespace, name: $name, spec: $spec, labels: $labels) { metadata { name } } }`, { namespace, name, spec, labels: { app: name, ...labels } });
}

const summary = (e: any) => `${e.type} ${e.object.metadata.name}`;

describe("watch", () => {
  it("sends one ADDED per existing object, then every later change, over graphql-ws", async () => {
    await createDeployment(a, "snap", "one");
    await createDeployment(a, "snap", "two");
    await createDeployment(a, "other", "three");
    const stream = new Stream(ws(a), WATCH, { kind: "Deployment", namespace: "snap" });
    const initial = await stream.take(2);
    expect(initial.map(summary).sort()).toEqual(["ADDED one", "ADDED two"]); // a listing comes in pages by uid, not by name
    expect(initial[0].object.__typename).toBe("Deployment");
    expect(initial[0].resourceVersion).toBe(initial[0].object.metadata.resourceVersion);

    const rv = await scale(a, "snap", "one", 3);
    await a.data(DELETE_DEPLOYMENT, { namespace: "snap", name: "two" });
    await createDeployment(a, "other", "four");
    await createDeployment(a, "snap", "five");
    const all = await stream.take(5);
    expect(all.slice(2).map(summary)).toEqual(["MODIFIED one", "DELETED two", "ADDED five"]);
    expect(all[2]).toMatchObject({ resourceVersion: rv, object: { spec: { replicas: 3 }, metadata: { resourceVersion: rv } } });
    const versions = all.slice(2).map((e) => BigInt(e.resourceVersion));
    expect([...versions].sort((x, y) => (x < y ? -1 : 1))).toEqual(versions);
    stream.unsubscribe();
  });

  it("resumes from a resourceVersion with exactly the changes missed, in order, on another instance and transport", async () => {
    await createDeployment(a, "resume", "web");
    const first = new Stream(ws(a), WATCH, { kind: "Deployment", namespace: "resume" });
    await first.take(1);
    for (const replicas of [2, 3, 4]) await scale(a, "resume", "web", replicas);
    const seen = await first.take(4);
    const last = seen.at(-1).resourceVersion;
    first.unsubscribe();

    const missed: string[] = [];
    for (let i = 0; i < 50; i++) missed.push(await scale(b, "resume", "web", 10 + i));

    // instance B over graphql-sse (single connection), instance A over yoga's own SSE
    for (const client of [sse(b, true), sse(a, false)]) {
      const resumed = new Stream(client, WATCH, { kind: "Deployment", namespace: "resume", resourceVersion: last });
      const events = await resumed.take(missed.length);
      expect(events.map((e) => e.resourceVersion)).toEqual(missed);
      expect(events.slice(0, 50).map((e) => e.object.spec.replicas)).toEqual(Array.from({ length: 50 }, (_, i) => 10 + i));
      expect(events.every((e) => e.type === "MODIFIED")).toBe(true);
      // and nothing else: the next event is the next change
      const marker = await scale(a, "resume", "web", 100 + missed.length);
      const next = await resumed.take(missed.length + 1);
      expect(next.slice(missed.length).map((e) => e.resourceVersion)).toEqual([marker]);
      missed.push(marker);
      resumed.unsubscribe();
    }
  });

  it("sends ADDED and DELETED when a label change makes an object start or stop matching the selector", async () => {
    await createDeployment(a, "labels", "d1", { tier: "web" });
    await createDeployment(a, "labels", "d2", { tier: "db" });
    const stream = new Stream(ws(b), WATCH, { kind: "Deployment", namespace: "labels", labelSelector: "tier=web" });
    expect((await stream.take(1)).map(summary)).toEqual(["ADDED d1"]);
    const from = stream.values[0].resourceVersion;

    await relabel(a, "labels", "d2", { tier: "web" }); // starts matching
    await relabel(a, "labels", "d1", { tier: "db" }); // stops matching
    await relabel(a, "labels", "d1", { tier: "db", extra: "x" }); // still not matching: nothing
    await relabel(a, "labels", "d2", { tier: "web", extra: "y" }); // still matching
    await a.data(DELETE_DEPLOYMENT, { namespace: "labels", name: "d1" }); // not matching: nothing
    await a.data(DELETE_DEPLOYMENT, { namespace: "labels", name: "d2" });
    const expected = ["ADDED d2", "DELETED d1", "MODIFIED d2", "DELETED d2"];
    const live = await stream.take(1 + expected.length);
    expect(live.slice(1).map(summary)).toEqual(expected);
    expect(live[2].object.metadata.labels).toEqual({ app: "d1", tier: "db" });

    // the same transitions when read back from the change log
    const resumed = new Stream(ws(a), WATCH, { kind: "Deployment", namespace: "labels", labelSelector: "tier=web", resourceVersion: from });
    const replayed = await resumed.take(expected.length);
    expect(replayed.map((e) => [e.type, e.resourceVersion])).toEqual(live.slice(1).map((e) => [e.type, e.resourceVersion]));
    stream.unsubscribe();
    resumed.unsubscribe();
  });

  it("rejects a malformed selector or resourceVersion with BAD_USER_INPUT", async () => {
    for (const variables of [{ labelSelector: "tier in (a" }, { resourceVersion: "abc" }]) {
      const stream = new Stream(ws(a), WATCH, { kind: "Pod", ...variables });
      await stream.ended();
      expect(stream.errors.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    }
  });
});

describe("events", () => {
  it("sends new and updated Event objects of the namespace and object asked for", async () => {
    await eventually(() => a.hub.stats().subscribers === 0, 5000, "earlier subscribers gone");
    const stream = new Stream(ws(a), `subscription { events(namespace: "ev", involvedObjectName: "web") { reason message count involvedObject { name } } }`);
    const event = (name: string, involved: string, message: string) =>
      db.event.create({ data: { namespace: "ev", name, type: "Normal", reason: "Test", message, involvedKind: "Deployment", involvedName: involved, involvedUid: crypto.randomUUID() } });
    // events has no initial value: the subscription is live once the hub counts it
    await eventually(() => a.hub.stats().subscribers === 1, 5000, "the subscription");
    const e1 = await event("e1", "web", "first");
    await event("e2", "api", "not this one");
    await db.event.update({ where: { uid: e1.uid }, data: { count: 2 } });
    await db.event.delete({ where: { uid: e1.uid } });
    await event("e3", "web", "third");
    const values = await stream.take(3);
    expect(values.map((e) => [e.message, e.count])).toEqual([["first", 1], ["first", 2], ["third", 1]]);
    stream.unsubscribe();
  });
});

describe("rolloutStatus", () => {
  it("ends with NOT_FOUND for a missing Deployment, and completes when the Deployment is deleted", async () => {
    const missing = new Stream(ws(a), ROLLOUT_STATUS, { namespace: "rs", name: "nope" });
    await missing.ended();
    expect(missing.errors.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);

    await createDeployment(a, "rs", "gone");
    const stream = new Stream(sse(b, true), ROLLOUT_STATUS, { namespace: "rs", name: "gone" });
    const [first] = await stream.take(1);
    expect(first).toMatchObject({ done: false, message: "Waiting for deployment spec update to be observed..." });
    await scale(a, "rs", "gone", 5);
    expect((await stream.take(2))[1]).toMatchObject({ desiredReplicas: 5, generation: 2 });
    await a.data(DELETE_DEPLOYMENT, { namespace: "rs", name: "gone" });
    await stream.ended();
    expect(stream.completed).toBe(true);
    expect(stream.errors).toEqual([]);
  });
});

describe("rolloutStatus subscribe storm", () => {
  // Phase 1's fan-out benchmark: with the pool busy, a Deployment's first status read waited more
  // than Prisma's 2 s for a transaction to start and every subscriber of it got
  // INTERNAL_SERVER_ERROR. Here the database is held up on purpose: a lock on replica_sets blocks
  // the first reads for longer than those 2 s, while 12 Deployments' subscribers arrive.
  it("gives every one of 120 subscribers (12 Deployments) its first status and none an error while the first reads are held up", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `storm-${i}`);
    for (const name of names) await createDeployment(a, "storm", name);
    const locker = new pg.Client({ connectionString: a.databaseUrl });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE replica_sets IN ACCESS EXCLUSIVE MODE");
      const streams = names.flatMap((name) => {
        const client = ws(a); // a connection per Deployment
        return Array.from({ length: 10 }, () => new Stream(client, ROLLOUT_STATUS, { namespace: "storm", name }));
      });
      await eventually(async () => {
        const { rows } = await locker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`);
        return rows[0].n >= 1;
      }, 15_000, "a first read blocked by the lock");
      // the fault's duration, not a synchronisation: longer than Prisma's wait for a transaction start
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await locker.query("COMMIT");
      for (const stream of streams) await stream.until((s) => s.values.length > 0 || s.errors.length > 0 || s.completed, 15_000, "a first status or an error");
      expect(streams.flatMap((s) => s.errors.map((e) => e.extensions?.code ?? e.message))).toEqual([]);
      expect(streams.map((s) => s.values[0]?.message)).toEqual(streams.map(() => "Waiting for deployment spec update to be observed..."));
      for (const stream of streams) stream.unsubscribe();
    } finally {
      await locker.end();
    }
  });
});

describe("slow consumers", () => {
  /** WATCH, asking for the pods' annotations too: with floodUntilCutOff's pods, every message is big */
  const BIG_POD_WATCH = WATCH.replace("... on Pod { metadata { name resourceVersion } }", "... on Pod { metadata { name resourceVersion annotations } }");

  /**
   * Inserts pods of 8 kB into `namespace` (p0001, p0002, …), 10 per transaction (each batch well
   * within B's buffer), until B has no subscriber left: its slow subscriber was cut off. Returns
   * how many pods it inserted and the most events B held buffered on the way.
   */
  async function floodUntilCutOff(namespace: string): Promise<{ pods: number; maxBuffered: number }> {
    let pods = 0;
    let maxBuffered = 0;
    await eventually(
      async () => {
        maxBuffered = Math.max(maxBuffered, b.hub.stats().buffered);
        if (b.hub.stats().subscribers === 0) return true;
        if (pods >= 3000) throw new Error("the slow subscriber was never cut off");
        await db.$executeRawUnsafe(
          `INSERT INTO pods (namespace, name, spec, annotations)
           SELECT $3::text, 'p' || lpad(i::text, 4, '0'), '{"containers": []}', jsonb_build_object('big', repeat('x', 8000)) FROM generate_series($1::int, $2::int) i`,
          pods + 1,
          pods + 10,
          namespace,
        );
        pods += 10;
        return false;
      },
      30_000,
      "the cut-off",
    );
    return { pods, maxBuffered };
  }

  it("cuts off a subscriber that falls too far behind, with the resourceVersion to resume from; memory stays bounded", async () => {
    // a graphql-ws client whose socket stops reading: once the kernel's buffers are full, the
    // server cannot send it anything more
    const sockets: WebSocket[] = [];
    class PausableWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    }
    const socketOf = (w: WebSocket) => (w as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    const start = await createDeployment(a, "slow", "marker");
    await eventually(() => b.hub.stats().subscribers === 0, 5000, "earlier subscribers gone");
    // it asks for the pods' 8 kB annotation: its messages are big
    const slow = new Stream(ws(b, { webSocketImpl: PausableWebSocket }), BIG_POD_WATCH, { kind: "Pod", namespace: "slow", resourceVersion: start });
    const healthy = new Stream(ws(a), WATCH, { kind: "Pod", namespace: "slow", resourceVersion: start });
    await eventually(() => b.hub.stats().subscribers === 1, 5000, "the slow subscription");
    socketOf(sockets[0]).pause();

    // big pods until the slow subscriber is cut off; B never holds more than its buffer
    const { pods, maxBuffered } = await floodUntilCutOff("slow");
    expect(maxBuffered).toBeLessThanOrEqual(B_BUFFER);
    expect(b.hub.stats()).toEqual({ subscribers: 0, rolloutTopics: 0, buffered: 0 });

    // every other subscriber got everything, in commit order
    const all = await healthy.take(pods);
    expect(all.map((e) => e.object.metadata.name)).toEqual(Array.from({ length: pods }, (_, i) => `p${String(i + 1).padStart(4, "0")}`));
    const versions = all.map((e) => BigInt(e.resourceVersion));
    expect(versions).toEqual(versions.map((_, i) => versions[0] + BigInt(i)));

    // the slow client reads what reached its socket, then the error naming the last of it
    socketOf(sockets[0]).resume();
    await slow.ended();
    const received = slow.values;
    expect(received.map((e) => e.resourceVersion)).toEqual(all.slice(0, received.length).map((e) => e.resourceVersion));
    expect(slow.errors).toHaveLength(1);
    const [error] = slow.errors;
    expect(error.extensions).toMatchObject({ code: "RESUBSCRIBE", resourceVersion: received.at(-1)?.resourceVersion ?? start });
    expect(error.message).toContain(`fell more than ${B_BUFFER} events behind`);

    // resuming where it was told to gets the rest, exactly once, in order
    const resumed = new Stream(ws(b), WATCH, { kind: "Pod", namespace: "slow", resourceVersion: error.extensions!.resourceVersion });
    const rest = await resumed.take(pods - received.length);
    expect([...received, ...rest].map((e) => e.resourceVersion)).toEqual(all.map((e) => e.resourceVersion));
    healthy.unsubscribe();
    resumed.unsubscribe();
  });

  it("holds back graphql-sse when its event stream stops draining, so the same cut-off applies", async () => {
    await eventually(() => b.hub.stats().subscribers === 0, 5000, "earlier subscribers gone");
    const start = await createDeployment(a, "slow-sse", "marker");
    // graphql-sse's single-connection protocol by hand, to stop reading the event stream
    const streamUrl = `${b.url}/stream`;
    const token = await (await fetch(streamUrl, { method: "PUT" })).text();
    const events = await new Promise<IncomingMessage>((resolve, reject) =>
      httpGet(streamUrl, { headers: { accept: "text/event-stream", "x-graphql-event-stream-token": token } }, resolve).on("error", reject),
    );
    let text = "";
    events.setEncoding("utf8").on("data", (chunk) => (text += chunk));
    const accepted = await fetch(streamUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-graphql-event-stream-token": token },
      body: JSON.stringify({ query: BIG_POD_WATCH, variables: { kind: "Pod", namespace: "slow-sse", resourceVersion: start }, extensions: { operationId: "1" } }),
    });
    expect(accepted.status).toBe(202);
    await eventually(() => b.hub.stats().subscribers === 1, 5000, "the subscription");
    events.pause();

    // big pods until the stalled stream's subscriber is cut off; B never holds more than its buffer
    const { maxBuffered } = await floodUntilCutOff("slow-sse");
    expect(maxBuffered).toBeLessThanOrEqual(B_BUFFER);
    events.resume();
    await eventually(() => text.includes('"code":"RESUBSCRIBE"'), 10_000, "the RESUBSCRIBE error");
    events.destroy();
  });
});

describe("compaction", () => {
  it("ends a watch from a compacted resourceVersion with GONE, also when the log is empty", async () => {
    const old = await createDeployment(a, "gone", "g1");
    for (let i = 2; i <= 5; i++) await scale(a, "gone", "g1", i);
    const [{ max }] = await db.$queryRawUnsafe<{ max: bigint }[]>(`SELECT max(id) AS max FROM change_log`);

    await compactChangeLog(db, { retentionMs: null, maxRows: 2 });
    const [{ count }] = await db.$queryRawUnsafe<{ count: bigint }[]>(`SELECT count(*) AS count FROM change_log`);
    expect(Number(count)).toBeLessThanOrEqual(2);
    const gone = new Stream(ws(a), WATCH, { kind: "Deployment", namespace: "gone", resourceVersion: old });
    await gone.ended();
    expect(gone.errors.map((e) => e.extensions?.code)).toEqual(["GONE"]);

    // everything compacted: the horizon still says what is gone and what is not
    await compactChangeLog(db, { retentionMs: 0, maxRows: null });
    expect(await db.changeLog.count()).toBe(0);
    const stillGone = new Stream(sse(b, true), WATCH, { kind: "Deployment", namespace: "gone", resourceVersion: String(max - 1n) });
    await stillGone.ended();
    expect(stillGone.errors.map((e) => e.extensions?.code)).toEqual(["GONE"]);
    const current = new Stream(ws(b), WATCH, { kind: "Deployment", namespace: "gone", resourceVersion: String(max) });
    const fresh = new Stream(ws(a), WATCH, { kind: "Deployment", namespace: "gone" });
    expect((await fresh.take(1)).map(summary)).toEqual(["ADDED g1"]);
    const rv = await scale(a, "gone", "g1", 9);
    expect((await current.take(1)).map((e) => e.resourceVersion)).toEqual([rv]);
    expect((await fresh.take(2))[1].resourceVersion).toBe(rv);
    current.unsubscribe();
    fresh.unsubscribe();
  });

  it("never waits for writers: it compacts while a writer holds the change-log lock", async () => {
    await scale(a, "gone", "g1", 10);
    const writer = new pg.Client({ connectionString: a.databaseUrl });
    await writer.connect();
    try {
      await writer.query("BEGIN");
      await writer.query(`UPDATE deployments SET replicas = 11 WHERE namespace = 'gone' AND name = 'g1'`);
      const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("compaction waited for the writer")), 5000).unref());
      expect(await Promise.race([compactChangeLog(db, { retentionMs: 0, maxRows: null }), deadline])).toBeGreaterThan(0);
      await writer.query("COMMIT");
    } finally {
      await writer.end();
    }
    expect(await db.changeLog.count()).toBe(1);
  });
});

describe("change feed reconnect", () => {
  it("ends watches with RESUBSCRIBE when the feed lost its connection; resuming from it loses nothing", async () => {
    await createDeployment(a, "relist", "r");
    const stream = new Stream(ws(a), WATCH, { kind: "Deployment", namespace: "relist" });
    await stream.take(1);
    const reconnects = a.feed.stats().reconnects;
    await db.$queryRawUnsafe(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'deploye-change-feed' AND datname = current_database()`);
    await stream.ended();
    const [error] = stream.errors;
    expect(error.extensions).toMatchObject({ code: "RESUBSCRIBE", reason: "the server lost its change feed connection" });
    expect(a.feed.stats().reconnects).toBe(reconnects + 1);

    const rv = await scale(a, "relist", "r", 7);
    const resumed = new Stream(ws(a), WATCH, { kind: "Deployment", namespace: "relist", resourceVersion: error.extensions!.resourceVersion });
    expect((await resumed.take(1)).map((e) => e.resourceVersion)).toEqual([rv]);
    resumed.unsubscribe();
  });
});

describe("cleanup", () => {
  it("frees every subscriber after 1,000 subscribe/unsubscribe cycles and dropped connections", async () => {
    await createDeployment(a, "leak", "d");
    await eventually(() => a.hub.stats().subscribers === 0, 5000, "earlier subscribers gone");
    const baseline = { hub: a.hub.stats(), listeners: a.feed.stats().listeners };
    expect(baseline.hub).toEqual({ subscribers: 0, rolloutTopics: 0, buffered: 0 });
    const client = ws(a);
    const operations: [string, Record<string, unknown>][] = [
      [WATCH, { kind: "Deployment", namespace: "leak" }],
      [ROLLOUT_STATUS, { namespace: "leak", name: "d" }],
    ];
    const open = (client: SubscribeClient, i: number) => new Stream(client, ...operations[i % 2]);
    let peak = 0;
    for (let round = 0; round < 20; round++) {
      // 50 at a time, each live (it delivered its first value) before it is unsubscribed
      const streams = Array.from({ length: 50 }, (_, i) => open(client, i));
      await Promise.all(streams.map((s) => s.take(1)));
      peak = Math.max(peak, a.hub.stats().subscribers);
      for (const s of streams) s.unsubscribe();
    }
    expect(peak).toBe(50);
    // connections that just go away: graphql-ws sockets and SSE streams
    for (const connect of [() => wsClient(a.url), () => sseClient(a.url, true), () => sseClient(a.url, false)]) {
      const c = connect();
      const streams = Array.from({ length: 10 }, (_, i) => open(c, i));
      await Promise.all(streams.map((s) => s.take(1)));
      await c.dispose();
    }
    await eventually(() => a.hub.stats().subscribers === 0, 5000, "all subscribers freed");
    expect(a.hub.stats()).toEqual(baseline.hub);
    expect(a.feed.stats().listeners).toBe(baseline.listeners);
  });
});

// What one request can make the server hold (issue 10 §2): nested lists are bounded by `limit`,
// and a document whose lists multiply out beyond the cost budget is refused before execution.
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src/db/client.ts";
import { createLogger } from "../../src/log.ts";
import { startServer } from "../../src/server.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { insertDeployment, insertPods, insertReplicaSet } from "../helpers/fixtures.ts";
import { waitFor } from "../helpers/wait.ts";
import { MAX_NESTED_LIMIT } from "../../src/graphql/nested-lists.ts";
import { MAX_DOCUMENT_BYTES } from "../../src/graphql/document-limits.ts";
import { SubscriptionHub, type WatchItem } from "../../src/graphql/subscription-hub.ts";

let app: TestApp;
let db: Db;
beforeAll(async () => {
  app = await startTestApp({ controllers: false, simulator: false }); // no writer but the tests
  db = createDb(app.databaseUrl, { max: 2 });
  const d = await insertDeployment(db, "bounds", "big");
  const old = await insertReplicaSet(db, d, "old", 1);
  const rs = await insertReplicaSet(db, d, "new", 2);
  await insertPods(db, old, 3);
  await insertPods(db, rs, 2000);
});
afterAll(async () => {
  await db?.$disconnect();
  await app?.stop();
});

const codes = (body: { errors?: any[] }) => body.errors?.map((e) => e.extensions?.code);

describe("nested lists take a bounded limit", () => {
  it("ReplicaSet.pods: the first `limit` by name, 100 by default", async () => {
    const two = await app.data(`{ replicaSet(namespace: "bounds", name: "big-old") { pods(limit: 2) { metadata { name } } } }`);
    expect(two.replicaSet.pods.map((p: any) => p.metadata.name)).toEqual(["big-old-p0", "big-old-p1"]);
    const dflt = await app.data(`{ replicaSet(namespace: "bounds", name: "big-new") { pods { metadata { name } } } }`);
    expect(dflt.replicaSet.pods).toHaveLength(100);
  });

  it("Deployment.replicaSets: the `limit` newest, beside rolloutStatus and history that read them all", async () => {
    const body = await app.data(`{ deployment(namespace: "bounds", name: "big") {
      replicaSets(limit: 1) { metadata { name } pods(limit: 1) { metadata { name } } } history { revision } rolloutStatus { desiredReplicas } } }`);
    expect(body.deployment.replicaSets).toEqual([{ metadata: { name: "big-new" }, pods: [{ metadata: { name: "big-new-p0" } }] }]);
    expect(body.deployment.history.map((h: any) => h.revision)).toEqual([1, 2]);
  });

  it.each([-1, MAX_NESTED_LIMIT + 1])("refuses limit %i with BAD_USER_INPUT", async (limit) => {
    for (const query of [
      `query($n: Int) { replicaSet(namespace: "bounds", name: "big-old") { pods(limit: $n) { id } } }`,
      `query($n: Int) { deployment(namespace: "bounds", name: "big") { replicaSets(limit: $n) { id } } }`,
    ]) {
      const body = await app.gql(query, { n: limit });
      expect(codes(body), query).toEqual(["BAD_USER_INPUT"]);
      expect(body.errors![0].extensions.fieldErrors).toEqual([{ field: "limit", message: `must be between 0 and ${MAX_NESTED_LIMIT}` }]);
    }
  });
});

describe("a watch's initial listing (issue 10 §3): read in pages that count against the subscriber's buffer", () => {
  /** `count` pods in `namespace`, and a watch of them on a hub of its own with a buffer of 8 */
  async function watchOfPods(namespace: string, count: number) {
    const d = await insertDeployment(db, namespace, namespace.slice(0, 1));
    await insertPods(db, await insertReplicaSet(db, d, "h", 1), count);
    // the fixtures' changes reach the feed before the watch begins (else they would be live events)
    const [{ last }] = await db.$queryRawUnsafe<{ last: bigint }[]>("SELECT max(id) AS last FROM change_log");
    await waitFor(async () => app.feed.lastId, (id) => id >= last, { what: "the feed to read the fixtures" });
    const hub = new SubscriptionHub({ db, feed: app.feed, limit: 8, log: createLogger("silent") });
    return { hub, watch: hub.watch({ kind: "Pod", namespace, requirements: null }, null) };
  }

  it("30 pods with a buffer of 8: never more than 8 held; changes during the listing arrive once, none lost, none twice", async () => {
    const { hub, watch } = await watchOfPods("listing", 30);
    try {
      const byUid = await db.pod.findMany({ where: { namespace: "listing" }, orderBy: { uid: "asc" }, select: { uid: true, name: true } });
      const events: string[] = [];
      const positions: (bigint | null)[] = [];
      const take = async () => {
        const { value } = await watch.next();
        expect(hub.stats().buffered).toBeLessThanOrEqual(8);
        if (value instanceof Error) throw value;
        const item = value as WatchItem;
        events.push(`${item.type} ${String(item.object.name)} ${JSON.stringify(item.object.annotations)}`);
        positions.push(item.position);
      };
      await take(); // the first page (by uid) is read: byUid[0] is listed
      const touched = { annotations: { touched: "1" } };
      await db.pod.update({ where: { uid: byUid[0].uid }, data: touched }); // listed already: its MODIFIED follows the listing
      await db.pod.update({ where: { uid: byUid[29].uid }, data: touched }); // not read yet: listed as changed, no MODIFIED
      await db.pod.delete({ where: { uid: byUid[28].uid } }); // not read yet: never seen at all
      await db.pod.create({ data: { namespace: "listing", name: "l-new", spec: {} } }); // listed or a live ADDED: once
      for (let i = 1; i < 31; i++) await take();
      await db.pod.update({ where: { uid: byUid[5].uid }, data: touched }); // the next event: nothing else was pending
      await take();
      const expected = [
        ...byUid.filter((_, i) => i !== 28).map((p, i) => `ADDED ${p.name} ${i === 28 ? '{"touched":"1"}' : "{}"}`),
        `ADDED l-new {}`,
        `MODIFIED ${byUid[0].name} {"touched":"1"}`,
        `MODIFIED ${byUid[5].name} {"touched":"1"}`,
      ];
      expect(events.toSorted()).toEqual(expected.toSorted());
      // the live events follow the listing, in commit order (l-new is listed or live, by its uid)
      expect(events.at(-1)).toBe(expected.at(-1));
      expect(events.indexOf(expected.at(-2)!)).toBeGreaterThan(events.findLastIndex((e) => e.startsWith("ADDED l-h-")));
      // the pods changed while they were listed: no listed item claims a position to resume from
      expect(positions.filter((_, i) => events[i].startsWith("ADDED") && !events[i].startsWith("ADDED l-new"))).toEqual(Array(29).fill(null));
    } finally {
      await watch.return();
      hub.stop();
    }
  });

  it("a listing whose pages were read at different positions, with no change of its own between them, ends at the last page's position: resuming from it replays nothing", async () => {
    const { hub, watch } = await watchOfPods("quiet", 12);
    try {
      const take = async () => {
        const { value } = await watch.next();
        if (value instanceof Error) throw value;
        return value as WatchItem;
      };
      const items: WatchItem[] = [await take()];
      await insertDeployment(db, "elsewhere", "moved-the-log"); // the log moves on, not in this watch's scope
      while (items.length < 12) items.push(await take());
      const resumeFrom = items.at(-1)!.position;
      expect(resumeFrom).not.toBeNull();
      expect(items.slice(0, -1).map((i) => i.position)).toEqual(Array(11).fill(null));
      const resumed = hub.watch({ kind: "Pod", namespace: "quiet", requirements: null }, resumeFrom);
      try {
        const pod = await db.pod.findFirstOrThrow({ where: { namespace: "quiet" } });
        await db.pod.update({ where: { uid: pod.uid }, data: { annotations: { after: "1" } } });
        const { value: next } = await resumed.next();
        if (next instanceof Error) throw next;
        expect([next!.type, next!.object.name]).toEqual(["MODIFIED", pod.name]); // nothing before it
      } finally {
        await resumed.return();
      }
    } finally {
      await watch.return();
      hub.stop();
    }
  });
});

describe("the query cost limit", () => {
  it("refuses 300 aliases of deployment.replicaSets.pods before execution, and memory stays flat", async () => {
    const query = `{ ${Array.from({ length: 300 }, (_, i) => `a${i}: deployment(namespace: "bounds", name: "big") { replicaSets { pods { metadata { name } } } }`).join(" ")} }`;
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    const body = await app.gql(query);
    const ms = performance.now() - started;
    expect(codes(body)).toEqual(["BAD_USER_INPUT"]);
    expect(body.errors![0].message).toMatch(/^the operation may resolve 1206600 field values .* at most 100000 are allowed/);
    expect(body.data ?? null).toBeNull();
    expect(ms).toBeLessThan(3000); // tens of ms on an idle machine; executing it took the process down
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });
});

describe("probes that answered INTERNAL_SERVER_ERROR (issue 10 §5) are the client's input errors", () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  it.each([
    ["a cursor holding NUL", `{ deployments(after: "${b64(["\u0000", "a"])}") { totalCount } }`],
    ["a cursor of a 300-character name", `{ deployments(after: "${b64(["a", "a".repeat(300)])}") { totalCount } }`],
    ["an event cursor above bigint", `{ events(after: "${b64(["9".repeat(19)])}") { totalCount } }`],
    ["an event cursor of 40 digits", `{ events(after: "${b64(["9".repeat(40)])}") { totalCount } }`],
  ])("%s: BAD_USER_INPUT", async (_what, query) => {
    const body = await app.gql(query);
    expect(codes(body)).toEqual(["BAD_USER_INPUT"]);
    expect(body.errors![0].extensions.fieldErrors).toEqual([{ field: "after", message: "is not a cursor returned by this connection" }]);
  });

  it("watch(resourceVersion:) above bigint: BAD_USER_INPUT (over SSE, as an HTTP subscription)", async () => {
    const res = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: `subscription { watch(kind: Pod, resourceVersion: "9999999999999999999") { type } }` }),
    });
    const text = await res.text();
    expect(text).toContain('"code":"BAD_USER_INPUT"');
    expect(text).toContain("must be a resourceVersion the server returned");
  });
});

describe("documents (issue 10 §3): a size cap, and parse caches that keep only small documents", () => {
  v8.setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };

  it(`refuses a document over ${MAX_DOCUMENT_BYTES} bytes with BAD_USER_INPUT before parsing it`, async () => {
    const res = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ namespaces } #${"a".repeat(MAX_DOCUMENT_BYTES)}` }),
    });
    const body = await res.json();
    expect(res.status).toBe(400);
    expect(codes(body)).toEqual(["BAD_USER_INPUT"]);
    expect(body.errors[0].message).toBe(`the document is ${MAX_DOCUMENT_BYTES + 16} bytes: at most ${MAX_DOCUMENT_BYTES} are allowed`);
  });

  it("100 distinct 90 KB documents that fail to parse leave the heap within 4 MB of where it was", async () => {
    const send = (i: number) => app.gql(`{ namespaces } ${i} #${"a".repeat(90 * 1024)}`);
    await send(-1); // warm up
    const before = heap();
    for (let i = 0; i < 100; i++) expect(codes(await send(i))).toHaveLength(1);
    const grown = heap() - before;
    expect(grown).toBeLessThan(4 * 1024 * 1024); // keeping them held ≥ 9 MB of source alone
  });
});

describe("slow requests (issue 10 §3) are closed by the header and request timeouts", () => {
  it("a client trickling headers, and one stalling in a declared 4 MB body, are disconnected; a normal query is answered meanwhile", { timeout: 30_000 }, async () => {
    const server = await startServer({ db, feed: app.feed }, { host: "127.0.0.1", port: 0, log: createLogger("silent"), requestTimeouts: { headersMs: 400, requestMs: 800 } });
    try {
      const { port } = new URL(server.url);
      const open = (first: string) =>
        new Promise<{ closedAfterMs: Promise<number> }>((resolve, reject) => {
          const socket = connect(Number(port), "127.0.0.1", () => {
            const started = performance.now();
            socket.write(first);
            resolve({ closedAfterMs: new Promise((done) => socket.on("close", () => done(performance.now() - started))) });
          });
          socket.resume(); // read the 408, so that the close is seen
          socket.on("error", () => {}); // a reset is a close too
          socket.once("error", reject);
        });
      const trickle = await open("POST /graphql HTTP/1.1\r\nHost: x\r\n");
      const stall = await open(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${4_000_000}\r\n\r\n{"query":"`);
      const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ namespaces }" }) });
      expect((await res.json()).data.namespaces).toContain("bounds");
      expect(await trickle.closedAfterMs).toBeLessThan(5_000);
      expect(await stall.closedAfterMs).toBeLessThan(5_000);
    } finally {
      await server.close();
    }
  });
});

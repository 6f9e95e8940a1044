// The ReplicaSet controller, the simulated kubelet and the garbage collector on a real server and
// a real Postgres: scale up and down, the deletion ranking, adoption and release, self-healing,
// deletion propagation, and a lost LISTEN connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createDb, type Db } from "../../src/db/client.ts";
import { json } from "../../src/db/rows.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { insertStandaloneReplicaSet, template } from "../helpers/fixtures.ts";
import { waitFor } from "../helpers/wait.ts";

let app: TestApp;
let db: Db;
beforeAll(async () => {
  app = await startTestApp({ podStartupMs: 20, maxGraceSeconds: 0 });
  db = createDb(app.databaseUrl);
});
afterAll(async () => {
  await db.$disconnect();
  await app.stop();
});

const podsOf = (rsUid: string) => db.pod.findMany({ where: { ownerUid: rsUid }, orderBy: { name: "asc" } });
const activePods = async (rsUid: string) => (await podsOf(rsUid)).filter((p) => p.deletionTimestamp === null);

describe("ReplicaSet controller", () => {
  it("creates pods named <rs>-<5 chars>, which the kubelet runs, and reports status", async () => {
    const rs = await insertStandaloneReplicaSet(db, "rs1", "web", 5);
    const rsRow = await waitFor(() => db.replicaSet.findUniqueOrThrow({ where: { uid: rs.uid } }), (r) => r.availableReplicas === 5, { what: "5 available" });
    expect(rsRow).toMatchObject({ statusReplicas: 5, readyReplicas: 5, fullyLabeledReplicas: 5, observedGeneration: 1 });
    const pods = await podsOf(rs.uid);
    expect(pods).toHaveLength(5);
    for (const p of pods) {
      expect(p.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.ownerReferences).toEqual([{ kind: "ReplicaSet", name: "web", uid: rs.uid, controller: true }]);
      expect(p.phase).toBe("Running");
      expect(p.ready).toBe(true);
      expect(["node-1", "node-2", "node-3"]).toContain(p.nodeName);
    }
  });

  it("scales down, and the removed pods terminate and disappear", async () => {
    const rs = await db.replicaSet.findUniqueOrThrow({ where: { namespace_name: { namespace: "rs1", name: "web" } } });
    await db.replicaSet.update({ where: { uid: rs.uid }, data: { replicas: 2 } });
    await waitFor(() => podsOf(rs.uid), (p) => p.length === 2, { what: "2 pods left" });
    await waitFor(() => db.replicaSet.findUniqueOrThrow({ where: { uid: rs.uid } }), (r) => r.statusReplicas === 2 && r.availableReplicas === 2);
  });

  it("at 4→2 deletes the unscheduled and not-ready pods first", async () => {
    const rs = await insertStandaloneReplicaSet(db, "rs2", "rank", 4, "manual");
    const pods = await waitFor(() => podsOf(rs.uid), (p) => p.length === 4, { what: "4 manual pods" });
    const now = new Date();
    const keep = pods.slice(0, 2);
    for (const [i, p] of keep.entries()) {
      await db.pod.update({
        where: { uid: p.uid },
        data: {
          nodeName: `node-${i + 1}`,
          phase: "Running",
          ready: true,
          podConditions: json([{ type: "Ready", status: "True", reason: null, message: null, lastUpdateTime: now, lastTransitionTime: now }]),
        },
      });
    }
    await waitFor(() => db.replicaSet.findUniqueOrThrow({ where: { uid: rs.uid } }), (r) => r.readyReplicas === 2, { what: "2 ready" });
    await db.replicaSet.update({ where: { uid: rs.uid }, data: { replicas: 2 } });
    const after = await waitFor(() => podsOf(rs.uid), (p) => p.length === 2, { what: "2 pods after scale-down" });
    expect(after.map((p) => p.uid).sort()).toEqual(keep.map((p) => p.uid).sort());
  });

  it("adopts a matching orphan pod and releases a pod whose labels stop matching", async () => {
    const rs = await insertStandaloneReplicaSet(db, "rs3", "adopt", 2, "manual");
    await waitFor(() => podsOf(rs.uid), (p) => p.length === 2);
    // an orphan that matches: adopted, and then one pod too many is removed — one of the
    // unscheduled pending ones, since the stray pod runs and is ready
    const now = new Date();
    await db.pod.create({
      data: {
        namespace: "rs3",
        name: "stray",
        labels: { app: "adopt" },
        spec: json(template({}).spec),
        nodeName: "node-1",
        phase: "Running",
        ready: true,
        podConditions: json([{ type: "Ready", status: "True", reason: null, message: null, lastUpdateTime: now, lastTransitionTime: now }]),
      },
    });
    const active = await waitFor(() => activePods(rs.uid), (p) => p.length === 2 && p.some((x) => x.name === "stray"), { what: "stray adopted, back to 2 active" });
    expect(active.find((p) => p.name === "stray")!.ownerReferences).toEqual([{ kind: "ReplicaSet", name: "adopt", uid: rs.uid, controller: true }]);
    // a pod relabelled out of the selector: released (ownerRef removed) and replaced
    const [victim] = await activePods(rs.uid);
    await db.pod.update({ where: { uid: victim.uid }, data: { labels: { app: "something-else" } } });
    const released = await waitFor(() => db.pod.findUniqueOrThrow({ where: { uid: victim.uid } }), (p) => p.ownerUid === null, { what: "release" });
    expect(released.ownerReferences).toEqual([]);
    const replaced = await waitFor(() => activePods(rs.uid), (p) => p.length === 2 && !p.some((x) => x.uid === victim.uid), { what: "replacement" });
    expect(replaced).toHaveLength(2);
  });

  it("replaces a deleted pod (self-healing)", async () => {
    const rs = await insertStandaloneReplicaSet(db, "rs4", "heal", 3);
    const pods = await waitFor(() => activePods(rs.uid), (p) => p.length === 3);
    await db.pod.update({ where: { uid: pods[0].uid }, data: { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 0 } });
    const healed = await waitFor(() => podsOf(rs.uid), (p) => p.length === 3 && !p.some((x) => x.uid === pods[0].uid) && p.every((x) => x.ready), { what: "replacement ready" });
    expect(healed.map((p) => p.uid)).not.toContain(pods[0].uid);
  });
});

describe("garbage collector", () => {
  it("collects the pods of a ReplicaSet deleted in the background", async () => {
    const rs = await insertStandaloneReplicaSet(db, "gc1", "bg", 3);
    await waitFor(() => podsOf(rs.uid), (p) => p.length === 3);
    await db.$executeRaw`DELETE FROM replica_sets WHERE uid = ${rs.uid}::uuid`;
    await waitFor(() => db.pod.count({ where: { namespace: "gc1" } }), (n) => n === 0, { what: "pods collected" });
  });

  it("deletes a foreground-deleting ReplicaSet only after its pods", async () => {
    const rs = await insertStandaloneReplicaSet(db, "gc2", "fg", 3, "manual");
    await waitFor(() => podsOf(rs.uid), (p) => p.length === 3);
    await db.replicaSet.update({ where: { uid: rs.uid }, data: { deletionTimestamp: new Date(), finalizers: ["foregroundDeletion"] } });
    await waitFor(() => db.replicaSet.findUnique({ where: { uid: rs.uid } }), (r) => r === null, { what: "RS gone" });
    expect(await db.pod.count({ where: { namespace: "gc2" } })).toBe(0);
  });

  it("orphans the pods of a ReplicaSet deleted with the orphan policy", async () => {
    const rs = await insertStandaloneReplicaSet(db, "gc3", "orph", 2, "manual");
    await waitFor(() => podsOf(rs.uid), (p) => p.length === 2);
    await db.replicaSet.update({ where: { uid: rs.uid }, data: { deletionTimestamp: new Date(), finalizers: ["orphan"] } });
    await waitFor(() => db.replicaSet.findUnique({ where: { uid: rs.uid } }), (r) => r === null, { what: "RS gone" });
    const pods = await db.pod.findMany({ where: { namespace: "gc3" } });
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.ownerUid === null && p.deletionTimestamp === null)).toBe(true);
  });
});

describe("change feed", () => {
  it("recovers a lost LISTEN connection and misses nothing", async () => {
    const before = app.feed.stats().reconnects;
    const admin = new pg.Client({ connectionString: app.databaseUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'deploye-change-feed' AND datname = current_database()`);
      expect(rows.length).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.end();
    }
    // a change made while the feed is down is still seen
    const rs = await insertStandaloneReplicaSet(db, "feed", "lost", 2);
    await waitFor(async () => app.feed.stats().reconnects, (n) => n > before, { what: "reconnect" });
    await waitFor(() => activePods(rs.uid), (p) => p.length === 2, { what: "pods after reconnect" });
    await waitFor(async () => app.feed.lastId, (id) => id >= (rs.resourceVersion as bigint), { what: "feed caught up" });
  });
});

describe("without the simulated kubelet (SIMULATOR=off)", () => {
  it("the garbage collector removes a terminating pod when its grace period ends, not before", async () => {
    const bare = await startTestApp({ simulator: false });
    const bareDb = createDb(bare.databaseUrl);
    try {
      const rs = await insertStandaloneReplicaSet(bareDb, "nokubelet", "agent", 1, "manual");
      const [pod] = await waitFor(() => bareDb.pod.findMany({ where: { ownerUid: rs.uid } }), (p) => p.length === 1, { what: "a pod" });
      const deletedAt = Date.now();
      await bareDb.pod.update({ where: { uid: pod.uid }, data: { deletionTimestamp: new Date(deletedAt), deletionGracePeriodSeconds: 1 } });
      await waitFor(() => bareDb.pod.findUnique({ where: { uid: pod.uid } }), (p) => p === null, { what: "the pod removed" });
      expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(1000);
      await waitFor(() => bareDb.pod.count({ where: { ownerUid: rs.uid, deletionTimestamp: null } }), (n) => n === 1, { what: "a replacement" });
    } finally {
      await bareDb.$disconnect();
      await bare.stop();
    }
  });
});

// The node agent and the controllers are independent parts of a process: CONTROLLERS=off
// SIMULATOR=on is a pure node agent, CONTROLLERS=on SIMULATOR=off leaves pod status to an
// external agent (here: the updatePodStatus mutation).
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { startTestApp } from "../helpers/app.ts";
import { insertPods, insertStandaloneReplicaSet } from "../helpers/fixtures.ts";
import { waitFor } from "../helpers/wait.ts";

describe("CONTROLLERS=off SIMULATOR=on: a pure node agent", () => {
  it("runs the pods it finds and removes them when their grace period ends, and reconciles nothing", async () => {
    const app = await startTestApp({ controllers: false, simulator: true, podStartupMs: 10, maxGraceSeconds: 0 });
    const db = createDb(app.databaseUrl);
    try {
      expect(app.controllers).toBeNull();
      expect(app.nodeAgent).not.toBeNull();
      const rs = await insertStandaloneReplicaSet(db, "agent", "web", 3);
      await insertPods(db, rs, 2);
      const pods = await waitFor(() => db.pod.findMany({ where: { ownerUid: rs.uid } }), (p) => p.length === 2 && p.every((x) => x.ready), { what: "2 ready pods" });
      for (const p of pods) {
        expect(p.phase).toBe("Running");
        expect(["node-1", "node-2", "node-3"]).toContain(p.nodeName);
      }
      // no ReplicaSet controller here: the third replica is never created, the status never written
      expect(await db.pod.count({ where: { ownerUid: rs.uid } })).toBe(2);
      expect((await db.replicaSet.findUniqueOrThrow({ where: { uid: rs.uid } })).statusReplicas).toBe(0);
      // and no garbage collector: the agent itself removes a pod whose grace period is over
      await db.pod.update({ where: { uid: pods[0].uid }, data: { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 0 } });
      await waitFor(() => db.pod.findUnique({ where: { uid: pods[0].uid } }), (p) => p === null, { what: "the terminated pod removed" });
    } finally {
      await db.$disconnect();
      await app.stop();
    }
  });
});

describe("the node agent batches a tick's pods", () => {
  // Pods written by one statement share its transaction id (xmin); one transaction per pod would
  // leave one xmin per pod.
  const transactions = async (db: ReturnType<typeof createDb>, sql: string) => Number((await db.$queryRawUnsafe<{ n: bigint }[]>(sql))[0].n);

  it("reports 60 pods' status and removes them in a handful of statements, not one per pod", async () => {
    const app = await startTestApp({ controllers: false, simulator: true, podStartupMs: 0, maxGraceSeconds: 0 });
    const db = createDb(app.databaseUrl);
    try {
      const rs = await insertStandaloneReplicaSet(db, "batch", "web", 60);
      await insertPods(db, rs, 60);
      await waitFor(() => db.pod.findMany({ where: { ownerUid: rs.uid } }), (p) => p.length === 60 && p.every((x) => x.ready && x.nodeName !== null), { what: "60 ready pods" });
      expect(await transactions(db, `SELECT count(DISTINCT xmin::text) AS n FROM pods`)).toBeLessThanOrEqual(6);
      await db.pod.updateMany({ where: { ownerUid: rs.uid }, data: { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 0 } });
      await waitFor(() => db.pod.count({ where: { ownerUid: rs.uid } }), (n) => n === 0, { what: "every terminated pod removed" });
      expect(await transactions(db, `SELECT count(DISTINCT xmin::text) AS n FROM change_log WHERE kind = 'Pod' AND type = 'DELETED'`)).toBeLessThanOrEqual(6);
    } finally {
      await db.$disconnect();
      await app.stop();
    }
  });
});

describe("CONTROLLERS=on SIMULATOR=off: pod status from an external agent", () => {
  it("creates pods that stay unscheduled until an agent reports them, then counts them ready", async () => {
    const app = await startTestApp({ controllers: true, simulator: false });
    const db = createDb(app.databaseUrl);
    try {
      expect(app.controllers).not.toBeNull();
      expect(app.nodeAgent).toBeNull();
      const rs = await insertStandaloneReplicaSet(db, "external", "web", 2);
      await waitFor(() => db.replicaSet.findUniqueOrThrow({ where: { uid: rs.uid } }), (r) => r.statusReplicas === 2, { what: "the controller's status" });
      const pods = await db.pod.findMany({ where: { ownerUid: rs.uid } });
      expect(pods.map((p) => [p.phase, p.nodeName, p.ready])).toEqual([
        ["Pending", null, false],
        ["Pending", null, false],
      ]);
      for (const p of pods) {
        await app.data(`mutation($ns: String!, $name: String!) { updatePodStatus(namespace: $ns, name: $name, status: { phase: Running, ready: true }) { id } }`, { ns: "external", name: p.name });
      }
      await waitFor(() => db.replicaSet.findUniqueOrThrow({ where: { uid: rs.uid } }), (r) => r.readyReplicas === 2 && r.availableReplicas === 2, { what: "2 ready replicas" });
      expect((await db.pod.findMany({ where: { ownerUid: rs.uid } })).map((p) => p.nodeName)).toEqual([null, null]);
    } finally {
      await db.$disconnect();
      await app.stop();
    }
  });
});

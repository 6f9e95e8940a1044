// The ReplicaSet sync counts its pods in SQL (countOwnedPods) instead of reading them: the counts
// must be the ones the pure rule (countPods, src/domain/replicaset.ts) gives over the same rows, at
// the minReadySeconds boundaries too; and a sync that deletes nothing costs the same statements
// whatever the ReplicaSet's size. No controllers run: the rows are inserted directly.
import { describe, expect, it } from "vitest";
import { syncReplicaSet } from "../../src/controller/replicaset-controller.ts";
import { countOwnedPods, readDeletionCandidates } from "../../src/db/claims.ts";
import { createDb } from "../../src/db/client.ts";
import { json, podOf, replicaSetOf } from "../../src/db/rows.ts";
import { countPods, podsToDelete } from "../../src/domain/replicaset.ts";
import type { ReplicaSet } from "../../src/domain/types.ts";
import { fileDatabase } from "../helpers/db.ts";
import { insertStandaloneReplicaSet, template } from "../helpers/fixtures.ts";

const file = fileDatabase({ max: 2 });

const T0 = Date.parse("2026-12-01T12:00:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000);
const ready = (since: number | null, status = "True") => ({ type: "Ready", status, reason: null, message: null, lastUpdateTime: null, lastTransitionTime: since === null ? null : at(since).toISOString() });
const other = { type: "PodScheduled", status: "True", reason: null, message: null, lastUpdateTime: null, lastTransitionTime: at(0).toISOString() };

describe("countOwnedPods (SQL) against countPods (the rule)", () => {
  it("agrees on every kind of pod, for minReadySeconds 0 and 10, around the availability boundary", async () => {
    const row = await insertStandaloneReplicaSet(file.db, "counts", "web", 3);
    const owned = (name: string, o: { labels?: Record<string, string>; phase?: string; deleting?: boolean; conditions?: unknown[]; owner?: string | null } = {}) => ({
      namespace: "counts",
      name,
      labels: o.labels ?? { app: "web" },
      ownerReferences: json(o.owner === null ? [] : [{ kind: "ReplicaSet", name: "web", uid: o.owner ?? row.uid, controller: true }]),
      spec: json(template({}).spec),
      phase: o.phase ?? "Running",
      podConditions: json(o.conditions ?? []),
      deletionTimestamp: o.deleting ? at(0) : null,
    });
    await file.db.pod.createMany({
      data: [
        owned("available", { conditions: [other, ready(0)] }),
        owned("pending-95", { conditions: [ready(95)] }),
        owned("pending-92", { conditions: [ready(92)] }),
        owned("ready-no-time", { conditions: [ready(null)] }),
        owned("not-ready", { conditions: [ready(0, "False")] }),
        owned("no-conditions"),
        owned("first-ready-wins", { conditions: [ready(0, "False"), ready(0)] }),
        owned("extra-labels", { labels: { app: "web", extra: "x" }, conditions: [ready(50)] }),
        owned("pending-phase", { phase: "Pending" }),
        owned("terminating", { deleting: true, conditions: [ready(91)] }),
        owned("failed", { phase: "Failed", conditions: [ready(0)] }),
        owned("succeeded", { phase: "Succeeded", conditions: [ready(0)] }),
        owned("not-selected", { labels: { app: "other" }, conditions: [ready(0)] }),
        owned("orphan", { owner: null, conditions: [ready(0)] }),
        owned("someone-elses", { owner: "00000000-0000-0000-0000-000000000001", conditions: [ready(0)] }),
      ],
    });
    // the rule's input: what the ReplicaSet owns and selects (the rule leaves out inactive pods itself)
    const pods = (await file.db.pod.findMany({ where: { ownerUid: row.uid } })).map(podOf).filter((p) => p.metadata.labels.app === "web");
    expect(pods).toHaveLength(12);
    const times = [at(100), at(101), new Date(at(101).getTime() + 1), at(102), new Date(at(102).getTime() + 1), at(105), at(200)];
    for (const minReadySeconds of [0, 10]) {
      await file.db.replicaSet.update({ where: { uid: row.uid }, data: { minReadySeconds } });
      const rs: ReplicaSet = replicaSetOf(await file.db.replicaSet.findUniqueOrThrow({ where: { uid: row.uid } }));
      for (const now of times) {
        const counted = await file.db.$transaction((tx) => countOwnedPods(tx, rs, now));
        expect({ minReadySeconds, now, counted }).toEqual({ minReadySeconds, now, counted: countPods(rs, pods, now) });
      }
    }
    const counts = countPods(replicaSetOf(await file.db.replicaSet.findUniqueOrThrow({ where: { uid: row.uid } })), pods, at(101));
    // the table exercises every branch: some pending, some available, some ready without a time
    expect(counts).toMatchObject({ active: 9, fullyLabeled: 9, ready: 5, available: 2, earliestPendingReadySince: at(92) });
  });

  it("the template's labels decide fullyLabeled (a pod the selector picks may lack one)", async () => {
    const row = await insertStandaloneReplicaSet(file.db, "labels", "api", 2);
    const t = template({ app: "api", tier: "back" });
    await file.db.replicaSet.update({ where: { uid: row.uid }, data: { template: json(t) } });
    const rs = replicaSetOf(await file.db.replicaSet.findUniqueOrThrow({ where: { uid: row.uid } }));
    await file.db.pod.createMany({
      data: [{ app: "api", tier: "back" }, { app: "api" }].map((labels, i) => ({
        namespace: "labels",
        name: `api-${i}`,
        labels,
        ownerReferences: json([{ kind: "ReplicaSet", name: "api", uid: row.uid, controller: true }]),
        spec: json(t.spec),
      })),
    });
    const counted = await file.db.$transaction((tx) => countOwnedPods(tx, rs, at(0)));
    expect(counted).toMatchObject({ active: 2, fullyLabeled: 1 });
    const pods = (await file.db.pod.findMany({ where: { ownerUid: row.uid } })).map(podOf);
    expect(counted).toEqual(countPods(rs, pods, at(0)));
  });
});

describe("readDeletionCandidates: the narrow rows a scale-down ranks", () => {
  it("rank as the whole pods do, for every number of pods to delete", async () => {
    const row = await insertStandaloneReplicaSet(file.db, "ranking", "web", 0);
    const rs = replicaSetOf(row);
    const restarts = (n: number) => json([{ name: "a", image: "x", ready: false, restartCount: 0, state: {} }, { name: "b", image: "x", ready: false, restartCount: n, state: {} }]);
    const variants = [
      { nodeName: null, phase: "Pending" },
      { nodeName: "node-1", phase: "Pending" },
      { nodeName: "node-1", phase: "Unknown" },
      { nodeName: "node-1", podConditions: json([other, ready(10)]) },
      { nodeName: "node-1", podConditions: json([ready(20)]) },
      { nodeName: "node-2", podConditions: json([ready(20)]) },
      { nodeName: "node-2", podConditions: json([ready(5)]), annotations: { "controller.kubernetes.io/pod-deletion-cost": "-5" } },
      { nodeName: "node-2", podConditions: json([ready(5)]), annotations: { "controller.kubernetes.io/pod-deletion-cost": "7", other: "x" } },
      { nodeName: "node-2", podConditions: json([ready(5)]), annotations: { "controller.kubernetes.io/pod-deletion-cost": "not a number" } },
      { nodeName: "node-3", containerStatuses: restarts(3) },
      { nodeName: "node-3", containerStatuses: restarts(1) },
      { nodeName: "node-3", podConditions: json([ready(0, "False")]) },
      { nodeName: "node-3", deletionTimestamp: at(0) },
      { nodeName: "node-3", phase: "Failed" },
    ];
    await file.db.pod.createMany({
      data: variants.map((v, i) => ({
        namespace: "ranking",
        name: `web-${i}`,
        labels: { app: "web" },
        ownerReferences: json([{ kind: "ReplicaSet", name: "web", uid: row.uid, controller: true }]),
        spec: json(template({}).spec),
        phase: "Running",
        // distinct creation times: no two pods tie on every key, so the order is one
        creationTimestamp: at(i),
        ...v,
      })),
    });
    const whole = (await file.db.pod.findMany({ where: { ownerUid: row.uid } })).map(podOf);
    const narrow = await file.db.$transaction((tx) => readDeletionCandidates(tx, rs));
    expect(narrow).toHaveLength(12);
    const uids = (pods: { metadata: { uid: string } }[]) => pods.map((p) => p.metadata.uid);
    for (let k = 1; k <= 12; k++) expect(uids(podsToDelete(narrow, k))).toEqual(uids(podsToDelete(whole, k)));
  });
});

describe("a ReplicaSet sync that deletes nothing", () => {
  it("runs the same statements for 5 and for 60 pods, none of which reads pod rows", async () => {
    const statements: string[] = [];
    const counting = createDb(file.database.url, { max: 2, onQuery: (sql) => statements.push(sql) });
    try {
      const runs: string[][] = [];
      for (const n of [5, 60]) {
        const row = await insertStandaloneReplicaSet(file.db, `size-${n}`, "web", n);
        await file.db.pod.createMany({
          data: Array.from({ length: n }, (_, i) => ({
            namespace: `size-${n}`,
            name: `web-${i}`,
            labels: { app: "web" },
            ownerReferences: json([{ kind: "ReplicaSet", name: "web", uid: row.uid, controller: true }]),
            spec: json(template({}).spec),
            nodeName: "node-1",
            podConditions: json([ready(0)]),
          })),
        });
        statements.length = 0;
        expect(await syncReplicaSet(counting, `size-${n}/web`, () => at(100))).toEqual({ requeueAfterMs: null });
        runs.push([...statements]);
        expect(await file.db.replicaSet.findUniqueOrThrow({ where: { uid: row.uid } })).toMatchObject({ statusReplicas: n, readyReplicas: n, availableReplicas: n });
        expect(await file.db.pod.count({ where: { namespace: `size-${n}`, deletionTimestamp: null } })).toBe(n);
      }
      expect(runs[0].length).toBeGreaterThan(0);
      expect(runs[1]).toEqual(runs[0]);
      // pod rows are read only as counts, or as the (here empty) set whose claim would change
      expect(runs[1].filter((sql) => /\bpods\b/.test(sql) && !/count\(\*\)|NOT \(/.test(sql))).toEqual([]);
    } finally {
      await counting.$disconnect();
    }
  });
});

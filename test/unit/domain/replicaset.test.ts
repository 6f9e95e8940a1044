import { describe, it, expect } from "vitest";
import {
  addPodCounts,
  BURST_REPLICAS,
  countPods,
  isPodActive,
  isPodAvailable,
  isPodReady,
  newPodFromTemplate,
  planReplicaSetSync,
  podsToDelete,
  rankPodsForDeletion,
  replicaSetStatus,
  type ReplicaFailure,
  slowStartBatches,
} from "../../../src/domain/replicaset.ts";
import type { Condition, Pod, PodPhase, ReplicaSet } from "../../../src/domain/types.ts";
import { at, container, podMeta, T0 } from "./deployment-fixtures.ts";


interface PodOptions {
  node?: string | null;
  phase?: PodPhase;
  /** Ready=True since this time; null = Ready=True without a transition time; undefined = not ready */
  readySince?: Date | null;
  created?: Date;
  restarts?: number;
  cost?: string;
  deleting?: boolean;
  labels?: Record<string, string>;
}

function pod(name: string, o: PodOptions = {}): Pod {
  const ready = o.readySince !== undefined;
  const conditions: Condition[] = [
    {
      type: "Ready",
      status: ready ? "True" : "False",
      reason: null,
      message: null,
      lastUpdateTime: null,
      lastTransitionTime: ready ? o.readySince! : at(0),
    },
  ];
  return {
    metadata: podMeta(name, {
      deleting: o.deleting,
      creationTimestamp: o.created ?? at(0),
      labels: o.labels ?? { app: "web", "pod-template-hash": "abc" },
      annotations: o.cost === undefined ? {} : { "controller.kubernetes.io/pod-deletion-cost": o.cost },
      ownerReferences: [{ kind: "ReplicaSet", name: "web-abc", uid: "rs-uid", controller: true }],
    }),
    spec: { containers: [], terminationGracePeriodSeconds: 30, nodeName: o.node === undefined ? "node-a" : o.node },
    status: {
      phase: o.phase ?? "Running",
      ready,
      conditions,
      containerStatuses: [
        {
          name: "app",
          image: "nginx",
          ready,
          restartCount: o.restarts ?? 0,
          state: { waiting: null, running: { startedAt: at(0) }, terminated: null },
        },
      ],
      startTime: at(0),
      podIP: null,
    },
  };
}

function replicaSet(replicas: number, o: { minReadySeconds?: number; conditions?: Condition[]; deleting?: boolean } = {}): ReplicaSet {
  return {
    metadata: {
      name: "web-abc",
      namespace: "default",
      uid: "rs-uid",
      resourceVersion: "7",
      generation: 4,
      creationTimestamp: at(0),
      deletionTimestamp: o.deleting ? at(0) : null,
      labels: { app: "web", "pod-template-hash": "abc" },
      annotations: {},
      ownerReferences: [],
      finalizers: [],
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web", "pod-template-hash": "abc" }, matchExpressions: [] },
      template: {
        metadata: {
          labels: { app: "web", "pod-template-hash": "abc" },
          annotations: { "sim.deploye.dev/behavior": "ready" },
        },
        spec: {
          containers: [container("app", "nginx:1.25", { env: [{ name: "A", value: "1" }] })],
          terminationGracePeriodSeconds: 30,
        },
      },
      minReadySeconds: o.minReadySeconds ?? 0,
    },
    status: {
      replicas: 0,
      fullyLabeledReplicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      observedGeneration: 3,
      conditions: o.conditions ?? [],
    },
  };
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);
const many = (n: number, o: PodOptions = {}) => Array.from({ length: n }, (_, i) => pod(`p${i}`, o));

/** A sync over whole pods, composed as the controller does: the counts, then the ranking for deletes. */
function sync(input: { rs: ReplicaSet; pods: Pod[]; now: Date }) {
  const plan = planReplicaSetSync({ rs: input.rs, counts: countPods(input.rs, input.pods, input.now), now: input.now });
  return { ...plan, delete: podsToDelete(input.pods, plan.deleteCount) };
}
const statusOver = (rs: ReplicaSet, pods: Pod[], now: Date, failure?: ReplicaFailure) => replicaSetStatus(rs, countPods(rs, pods, now), now, failure);

describe("pod predicates", () => {
  it.each<[string, Pod, boolean]>([
    ["Running", pod("a"), true],
    ["Pending", pod("a", { phase: "Pending" }), true],
    ["Unknown", pod("a", { phase: "Unknown" }), true],
    ["Failed", pod("a", { phase: "Failed" }), false],
    ["Succeeded", pod("a", { phase: "Succeeded" }), false],
    ["terminating", pod("a", { deleting: true }), false],
  ])("isPodActive: %s → %s", (_, p, expected) => {
    expect(isPodActive(p)).toBe(expected);
  });

  it("isPodReady reads the Ready condition", () => {
    expect(isPodReady(pod("a", { readySince: at(0) }))).toBe(true);
    expect(isPodReady(pod("a"))).toBe(false);
    const noConditions = pod("a", { readySince: at(0) });
    noConditions.status.conditions = [];
    expect(isPodReady(noConditions)).toBe(false);
  });

  it("isPodAvailable: ready and ready for strictly more than minReadySeconds", () => {
    const p = pod("a", { readySince: at(100) });
    expect(isPodAvailable(p, 0, at(100))).toBe(true);
    expect(isPodAvailable(p, 10, at(105))).toBe(false);
    expect(isPodAvailable(p, 10, at(110))).toBe(false);
    expect(isPodAvailable(p, 10, new Date(at(110).getTime() + 1))).toBe(true);
    expect(isPodAvailable(pod("b"), 0, at(500))).toBe(false);
    expect(isPodAvailable(pod("c", { readySince: null }), 10, at(500))).toBe(false);
    expect(isPodAvailable(pod("c", { readySince: null }), 0, at(500))).toBe(true);
  });
});

describe("planReplicaSetSync: how many to create or delete", () => {
  it("scales up by the missing active pods; terminating and finished pods do not count", () => {
    const pods = [pod("a"), pod("b", { deleting: true }), pod("c", { phase: "Failed" }), pod("d", { phase: "Succeeded" })];
    const plan = sync({ rs: replicaSet(3), pods, now: at(10) });
    expect(plan.create).toBe(2);
    expect(plan.delete).toEqual([]);
  });

  it("does nothing when the count is right", () => {
    const plan = sync({ rs: replicaSet(2), pods: [pod("a"), pod("b")], now: at(10) });
    expect(plan.create).toBe(0);
    expect(plan.delete).toEqual([]);
  });

  it("scales 4→2 deleting the unscheduled and the not-ready pod first", () => {
    const pods = [
      pod("ready-old", { readySince: at(10), created: at(0) }),
      pod("unscheduled", { node: null, phase: "Pending", created: at(1) }),
      pod("not-ready", { created: at(2) }),
      pod("ready-new", { readySince: at(20), created: at(3), node: "node-b" }),
    ];
    const plan = sync({ rs: replicaSet(2), pods, now: at(60) });
    expect(plan.create).toBe(0);
    expect(names(plan.delete)).toEqual(["unscheduled", "not-ready"]);
  });

  it("never deletes a terminating pod again", () => {
    const pods = [pod("gone", { deleting: true }), pod("a", { readySince: at(0) }), pod("b", { readySince: at(0) })];
    expect(names(sync({ rs: replicaSet(1), pods, now: at(60) }).delete)).toHaveLength(1);
    expect(names(sync({ rs: replicaSet(1), pods, now: at(60) }).delete)).not.toContain("gone");
  });

  it(`creates and deletes at most ${BURST_REPLICAS} per sync`, () => {
    expect(BURST_REPLICAS).toBe(500);
    expect(sync({ rs: replicaSet(1200), pods: [], now: at(0) }).create).toBe(500);
    expect(sync({ rs: replicaSet(0), pods: many(600), now: at(0) }).delete).toHaveLength(500);
    expect(sync({ rs: replicaSet(100), pods: many(600), now: at(0) }).delete).toHaveLength(500);
    expect(sync({ rs: replicaSet(200), pods: many(600), now: at(0) }).delete).toHaveLength(400);
  });

  it("a ReplicaSet being deleted creates and deletes nothing but still reports status", () => {
    const up = sync({ rs: replicaSet(5, { deleting: true }), pods: [pod("a")], now: at(0) });
    expect(up.create).toBe(0);
    expect(up.status.replicas).toBe(1);
    const down = sync({ rs: replicaSet(0, { deleting: true }), pods: [pod("a")], now: at(0) });
    expect(down.delete).toEqual([]);
  });
});

describe("rankPodsForDeletion", () => {
  // Each row: two pods identical except for one criterion; `first` must be deleted first whatever the input order.
  const cases: [string, Pod, Pod][] = [
    ["unassigned before assigned", pod("first", { node: null }), pod("second")],
    ["Pending before Unknown", pod("first", { phase: "Pending" }), pod("second", { phase: "Unknown" })],
    ["Unknown before Running", pod("first", { phase: "Unknown" }), pod("second", { phase: "Running" })],
    ["not ready before ready", pod("first"), pod("second", { readySince: at(0) })],
    ["lower deletion cost first", pod("first", { cost: "-5" }), pod("second")],
    ["deletion cost 0 before a higher one", pod("first"), pod("second", { cost: "10" })],
    ["an invalid deletion cost counts as 0", pod("first", { cost: "abc" }), pod("second", { cost: "1" })],
    ["ready for a shorter time first", pod("first", { readySince: at(50) }), pod("second", { readySince: at(10) })],
    ["ready without a transition time first", pod("first", { readySince: null }), pod("second", { readySince: at(10) })],
    ["more restarts first", pod("first", { restarts: 3 }), pod("second", { restarts: 1 })],
    ["newer first", pod("first", { created: at(9) }), pod("second", { created: at(1) })],
  ];
  it.each(cases)("%s", (_, first, second) => {
    expect(names(rankPodsForDeletion([first, second]))).toEqual(["first", "second"]);
    expect(names(rankPodsForDeletion([second, first]))).toEqual(["first", "second"]);
  });

  it("more pods of the owner on the same node first", () => {
    const pods = [pod("b1", { node: "node-b" }), pod("a1"), pod("a2"), pod("c1", { node: "node-c" }), pod("a3")];
    expect(names(rankPodsForDeletion(pods)).slice(0, 3).sort()).toEqual(["a1", "a2", "a3"]);
  });

  // Precedence: an earlier criterion wins over every later one.
  const precedence: [string, Pod, Pod][] = [
    ["unassigned beats phase", pod("first", { node: null, phase: "Running" }), pod("second", { phase: "Pending" })],
    ["phase beats readiness", pod("first", { phase: "Pending", readySince: at(0) }), pod("second")],
    ["readiness beats deletion cost", pod("first", { cost: "100" }), pod("second", { readySince: at(0) })],
    ["deletion cost beats ready time", pod("first", { readySince: at(0) }), pod("second", { readySince: at(50), cost: "1" })],
    ["ready time beats restarts", pod("first", { readySince: at(50) }), pod("second", { readySince: at(10), restarts: 9 })],
    ["restarts beat age", pod("first", { restarts: 2, created: at(0) }), pod("second", { created: at(9) })],
  ];
  it.each(precedence)("%s", (_, first, second) => {
    expect(names(rankPodsForDeletion([second, first]))).toEqual(["first", "second"]);
    expect(names(rankPodsForDeletion([first, second]))).toEqual(["first", "second"]);
  });

  it("colocation beats ready time", () => {
    const pods = [
      pod("lonely-new-ready", { node: "node-b", readySince: at(90) }),
      pod("crowded-1", { readySince: at(10) }),
      pod("crowded-2", { readySince: at(5) }),
    ];
    expect(names(rankPodsForDeletion(pods))).toEqual(["crowded-1", "crowded-2", "lonely-new-ready"]);
  });

  it("does not reorder its input", () => {
    const pods = [pod("old", { created: at(0) }), pod("new", { created: at(5) })];
    rankPodsForDeletion(pods);
    expect(names(pods)).toEqual(["old", "new"]);
  });
});

describe("slowStartBatches", () => {
  it.each<[number, number, number[]]>([
    [0, 1, []],
    [1, 1, [1]],
    [2, 1, [1, 1]],
    [3, 1, [1, 2]],
    [7, 1, [1, 2, 4]],
    [10, 1, [1, 2, 4, 3]],
    [500, 1, [1, 2, 4, 8, 16, 32, 64, 128, 245]],
    [10, 3, [3, 6, 1]],
  ])("total %i from %i → %j", (total, initial, expected) => {
    expect(slowStartBatches(total, initial)).toEqual(expected);
  });

  it("defaults the first batch to 1 and always sums to the total", () => {
    for (let total = 0; total <= 100; total++) {
      const batches = slowStartBatches(total);
      expect(batches.reduce((a, b) => a + b, 0)).toBe(total);
      if (total > 0) expect(batches[0]).toBe(1);
    }
  });
});

describe("replicaSetStatus", () => {
  it("counts active pods only: replicas, fully labeled, ready, available; observedGeneration = generation", () => {
    const pods = [
      pod("available", { readySince: at(0) }),
      pod("ready-not-yet-available", { readySince: at(95) }),
      pod("not-ready"),
      pod("missing-template-label", { labels: { app: "web" }, readySince: at(0) }),
      pod("terminating", { readySince: at(0), deleting: true }),
      pod("failed", { phase: "Failed" }),
    ];
    const status = statusOver(replicaSet(4, { minReadySeconds: 10 }), pods, at(100));
    expect(status).toEqual({
      replicas: 4,
      fullyLabeledReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 2,
      observedGeneration: 4,
      conditions: [],
    });
  });

  it("availability follows now: a pod ready at 100s with minReadySeconds 30 is available after 130s", () => {
    const rs = replicaSet(1, { minReadySeconds: 30 });
    const pods = [pod("a", { readySince: at(100) })];
    expect(statusOver(rs, pods, at(129)).availableReplicas).toBe(0);
    expect(statusOver(rs, pods, at(130)).availableReplicas).toBe(0);
    expect(statusOver(rs, pods, at(131)).availableReplicas).toBe(1);
  });

  it("sets ReplicaFailure on failure with timestamps from now, and clears it on success", () => {
    const failed = statusOver(replicaSet(3), [], at(50), { reason: "FailedCreate", message: "quota exceeded" });
    expect(failed.conditions).toEqual([
      {
        type: "ReplicaFailure",
        status: "True",
        reason: "FailedCreate",
        message: "quota exceeded",
        lastUpdateTime: at(50),
        lastTransitionTime: at(50),
      },
    ]);
    const rs = replicaSet(3, { conditions: failed.conditions });
    expect(statusOver(rs, [], at(60)).conditions).toEqual([]);
  });

  it("keeps an unchanged ReplicaFailure as it is, and updates a changed one without a new transition time", () => {
    const first = statusOver(replicaSet(3), [], at(50), { reason: "FailedCreate", message: "quota" }).conditions;
    const rs = replicaSet(3, { conditions: first });
    expect(statusOver(rs, [], at(70), { reason: "FailedCreate", message: "quota" }).conditions).toEqual(first);
    const changed = statusOver(rs, [], at(80), { reason: "FailedDelete", message: "boom" }).conditions;
    expect(changed).toEqual([
      {
        type: "ReplicaFailure",
        status: "True",
        reason: "FailedDelete",
        message: "boom",
        lastUpdateTime: at(80),
        lastTransitionTime: at(50),
      },
    ]);
  });

  it("leaves other conditions alone", () => {
    const other: Condition = {
      type: "Other",
      status: "True",
      reason: "X",
      message: null,
      lastUpdateTime: null,
      lastTransitionTime: at(1),
    };
    const rs = replicaSet(1, { conditions: [other] });
    expect(statusOver(rs, [], at(9)).conditions).toEqual([other]);
    expect(statusOver(rs, [], at(9), { reason: "FailedCreate", message: "m" }).conditions.map((c) => c.type)).toEqual([
      "Other",
      "ReplicaFailure",
    ]);
  });

  it("the plan's status is the status over the given pods without a failure", () => {
    const rs = replicaSet(2, { conditions: statusOver(replicaSet(2), [], at(0), { reason: "FailedCreate", message: "m" }).conditions });
    const pods = [pod("a", { readySince: at(0) })];
    expect(sync({ rs, pods, now: at(5) }).status).toEqual(statusOver(rs, pods, at(5)));
    expect(sync({ rs, pods, now: at(5) }).status.conditions).toEqual([]);
  });
});

describe("requeue for availability", () => {
  it("is minReadySeconds + 1s after the earliest pod turned Ready that is not yet available", () => {
    const rs = replicaSet(3, { minReadySeconds: 10 });
    const pods = [pod("a", { readySince: at(0) }), pod("b", { readySince: at(5) }), pod("c")];
    expect(sync({ rs, pods, now: at(3) }).requeueAfterMs).toBe(8000);
    // a is available at 10.5s; b waits until 5 + 10 + 1 = 16s
    expect(sync({ rs, pods, now: new Date(T0 + 10_500) }).requeueAfterMs).toBe(5500);
    expect(sync({ rs, pods, now: at(20) }).requeueAfterMs).toBeNull();
  });

  it("is never negative, and null without minReadySeconds or without ready pods", () => {
    const pods = [pod("a", { readySince: at(0) })];
    expect(sync({ rs: replicaSet(1, { minReadySeconds: 10 }), pods, now: new Date(T0 + 10_000) }).requeueAfterMs).toBe(1000);
    expect(sync({ rs: replicaSet(1, { minReadySeconds: 10 }), pods, now: new Date(T0 + 10_000) }).status.availableReplicas).toBe(0);
    expect(sync({ rs: replicaSet(1), pods, now: at(0) }).requeueAfterMs).toBeNull();
    expect(sync({ rs: replicaSet(1, { minReadySeconds: 10 }), pods: [pod("x")], now: at(0) }).requeueAfterMs).toBeNull();
  });

  it("ignores terminating pods", () => {
    const pods = [pod("a", { readySince: at(0), deleting: true })];
    expect(sync({ rs: replicaSet(1, { minReadySeconds: 10 }), pods, now: at(1) }).requeueAfterMs).toBeNull();
  });
});

describe("countPods and addPodCounts", () => {
  it("counts the active pods, and the earliest Ready transition of those not yet available", () => {
    const rs = replicaSet(5, { minReadySeconds: 10 });
    const pods = [
      pod("available", { readySince: at(0) }),
      pod("pending-late", { readySince: at(95) }),
      pod("pending-early", { readySince: at(92) }),
      pod("ready-no-time", { readySince: null }),
      pod("not-ready"),
      pod("terminating-pending", { readySince: at(91), deleting: true }),
      pod("succeeded", { phase: "Succeeded", readySince: at(0) }),
    ];
    expect(countPods(rs, pods, at(100))).toEqual({ active: 5, fullyLabeled: 5, ready: 4, available: 1, earliestPendingReadySince: at(92) });
    expect(countPods(replicaSet(5), pods, at(100))).toEqual({ active: 5, fullyLabeled: 5, ready: 4, available: 4, earliestPendingReadySince: null });
  });

  it("adds two disjoint counts: sums, and the earlier pending time", () => {
    const rs = replicaSet(5, { minReadySeconds: 10 });
    const a = [pod("a", { readySince: at(95) }), pod("b")];
    const b = [pod("c", { readySince: at(93), labels: { app: "web" } })];
    expect(addPodCounts(countPods(rs, a, at(100)), countPods(rs, b, at(100)))).toEqual(countPods(rs, [...a, ...b], at(100)));
    expect(addPodCounts(countPods(rs, b, at(100)), countPods(rs, a, at(100)))).toEqual(countPods(rs, [...a, ...b], at(100)));
    expect(addPodCounts(countPods(rs, [], at(100)), countPods(rs, a, at(100)))).toEqual(countPods(rs, a, at(100)));
  });
});

describe("podsToDelete", () => {
  it("ranks the active pods only and takes the first count", () => {
    const pods = [pod("ready", { readySince: at(0) }), pod("gone", { deleting: true }), pod("not-ready"), pod("done", { phase: "Failed" })];
    expect(names(podsToDelete(pods, 1))).toEqual(["not-ready"]);
    expect(names(podsToDelete(pods, 5))).toEqual(["not-ready", "ready"]);
    expect(podsToDelete(pods, 0)).toEqual([]);
  });
});

describe("newPodFromTemplate", () => {
  it("copies labels, annotations and spec from the template, owned by the ReplicaSet, Pending and unscheduled", () => {
    const rs = replicaSet(1);
    const p = newPodFromTemplate(rs, "web-abc-x7k2q", at(42));
    expect(p).toEqual({
      metadata: {
        name: "web-abc-x7k2q",
        namespace: "default",
        uid: "",
        resourceVersion: "",
        generation: 1,
        creationTimestamp: at(42),
        deletionTimestamp: null,
        deletionGracePeriodSeconds: null,
        labels: { app: "web", "pod-template-hash": "abc" },
        annotations: { "sim.deploye.dev/behavior": "ready" },
        ownerReferences: [{ kind: "ReplicaSet", name: "web-abc", uid: "rs-uid", controller: true }],
        finalizers: [],
      },
      spec: { ...rs.spec.template.spec, nodeName: null },
      status: { phase: "Pending", ready: false, conditions: [], containerStatuses: [], startTime: null, podIP: null },
    });
  });

  it("shares nothing with the ReplicaSet", () => {
    const rs = replicaSet(1);
    const p = newPodFromTemplate(rs, "web-abc-x7k2q", at(42));
    p.metadata.labels.extra = "1";
    p.metadata.annotations.extra = "1";
    p.spec.containers[0].env.push({ name: "B", value: "2" });
    expect(rs.spec.template.metadata.labels).not.toHaveProperty("extra");
    expect(rs.spec.template.metadata.annotations).not.toHaveProperty("extra");
    expect(rs.spec.template.spec.containers[0].env).toHaveLength(1);
  });
});

import { describe, it, expect } from "vitest";
import {
  AVAILABLE,
  availableCondition,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getCondition,
  NEW_REPLICA_SET_AVAILABLE,
  newCondition,
  pausedConditions,
  PROGRESS_DEADLINE_EXCEEDED,
  progressDeadlineRequeueMs,
  PROGRESSING,
  removeCondition,
  replicaFailureConditions,
  REPLICA_SET_UPDATED,
  setCondition,
} from "../../../src/domain/conditions.ts";
import { statusAfterRolloutStep } from "../../../src/domain/deployment-status.ts";
import { rolloutStatus } from "../../../src/domain/rollout-status.ts";
import type { Condition, ConditionStatus, Deployment, DeploymentStatus, ReplicaSet } from "../../../src/domain/types.ts";
import { at, Cluster, deployment, replicaSet, settledCluster, template } from "./deployment-fixtures.ts";

const NO_DEADLINE = 2147483647;

function cond(type: string, status: ConditionStatus, reason: string, time: Date | null = at(0)): Condition {
  return { type, status, reason, message: null, lastUpdateTime: time, lastTransitionTime: time };
}

function counts(replicas: number, updated: number, ready: number, available: number): DeploymentStatus {
  return { observedGeneration: 1, replicas, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available, unavailableReplicas: 0, collisionCount: 0, conditions: [] };
}

describe("setCondition / removeCondition (upstream TestSetCondition, TestRemoveCondition)", () => {
  const progressing = cond(PROGRESSING, "False", "ForSomeReason");
  const progressing2 = cond(PROGRESSING, "True", "BecauseItIs");
  const available = cond(AVAILABLE, "True", "AwesomeController");

  it("sets for the first time, adds beside others, overwrites the same type", () => {
    expect(setCondition([], available)).toEqual([available]);
    expect(setCondition([progressing], available)).toEqual([progressing, available]);
    expect(setCondition([progressing], progressing2)).toEqual([progressing2]);
  });

  it("same type, status and reason: a no-op that keeps the original timestamps and message", () => {
    const current = { ...cond(PROGRESSING, "True", REPLICA_SET_UPDATED, at(0)), message: "old" };
    const next = { ...cond(PROGRESSING, "True", REPLICA_SET_UPDATED, at(50)), message: "new" };
    const list = [current];
    expect(setCondition(list, next)).toBe(list);
  });

  it("lastTransitionTime moves only when the status changes", () => {
    const current = cond(PROGRESSING, "True", "NewReplicaSetCreated", at(0));
    expect(setCondition([current], cond(PROGRESSING, "True", NEW_REPLICA_SET_AVAILABLE, at(50)))[0]).toMatchObject({
      lastUpdateTime: at(50),
      lastTransitionTime: at(0),
    });
    expect(setCondition([current], cond(PROGRESSING, "False", PROGRESS_DEADLINE_EXCEEDED, at(50)))[0]).toMatchObject({
      lastUpdateTime: at(50),
      lastTransitionTime: at(50),
    });
  });

  it("removes a type, and nothing else", () => {
    expect(removeCondition([progressing, available], PROGRESSING)).toEqual([available]);
    expect(removeCondition([], PROGRESSING)).toEqual([]);
    expect(removeCondition([progressing, available], "ReplicaFailure")).toEqual([progressing, available]);
  });
});

describe("availableCondition", () => {
  it.each<[number, number, ConditionStatus, string]>([
    // replicas 10, unavailable 2 → needs 8
    [8, 10, "True", "MinimumReplicasAvailable"],
    [7, 10, "False", "MinimumReplicasUnavailable"],
    [0, 0, "True", "MinimumReplicasAvailable"],
  ])("%i available of %i → %s", (availableReplicas, replicas, status, reason) => {
    const d = deployment({ replicas, maxSurge: 0, maxUnavailable: 2 });
    const c = availableCondition(d, availableReplicas, at(1));
    expect(c).toMatchObject({ type: AVAILABLE, status, reason });
    expect(c.message).toBe(status === "True" ? "Deployment has minimum availability." : "Deployment does not have minimum availability.");
  });
});

describe("deploymentComplete (upstream TestDeploymentComplete)", () => {
  it.each<[string, number, number, number, number, number, number, boolean]>([
    // name, desired, current, updated, available, maxUnavailable, maxSurge, expected
    ["not complete: min but not all pods become available", 5, 5, 5, 4, 1, 0, false],
    ["not complete: min availability is not honored", 5, 5, 5, 3, 1, 0, false],
    ["complete", 5, 5, 5, 5, 0, 0, true],
    ["not complete: all pods are available but not updated", 5, 5, 4, 5, 0, 0, false],
    ["not complete: still running old pods", 1, 2, 1, 1, 0, 1, false],
    ["not complete: one replica deployment never comes up", 1, 1, 1, 0, 1, 1, false],
  ])("%s", (_name, desired, current, updated, available, unavailable, surge, expected) => {
    const d = deployment({ replicas: desired, maxUnavailable: unavailable, maxSurge: surge });
    expect(deploymentComplete(d, counts(current, updated, available, available))).toBe(expected);
  });

  it("not complete while the latest generation is not observed", () => {
    const d = deployment({ replicas: 1, generation: 2 });
    expect(deploymentComplete(d, { ...counts(1, 1, 1, 1), observedGeneration: 1 })).toBe(false);
  });
});

describe("deploymentProgressing (upstream TestDeploymentProgressing)", () => {
  it.each<[string, number[], number[], boolean]>([
    ["progressing: updated pods", [10, 4, 4, 4], [10, 6, 4, 4], true],
    ["not progressing", [10, 4, 4, 4], [10, 4, 4, 4], false],
    ["progressing: old pods removed", [10, 4, 6, 6], [8, 4, 6, 6], true],
    ["not progressing: less new pods", [10, 7, 3, 3], [10, 6, 3, 3], false],
    ["progressing: less overall but more new pods", [10, 4, 7, 7], [8, 8, 5, 5], true],
    ["progressing: more ready pods", [10, 10, 9, 8], [10, 10, 10, 8], true],
    ["progressing: more available pods", [10, 10, 10, 9], [10, 10, 10, 10], true],
  ])("%s", (_name, before, after, expected) => {
    const [r1, u1, rd1, a1] = before;
    const [r2, u2, rd2, a2] = after;
    expect(deploymentProgressing(counts(r1, u1, rd1, a1), counts(r2, u2, rd2, a2))).toBe(expected);
  });
});

describe("deploymentTimedOut (upstream TestDeploymentTimedOut)", () => {
  const time = (min: number, sec: number) => new Date(Date.UTC(2016, 0, 1, 0, min, sec));
  it.each<[string, number, string, Date, Date, boolean]>([
    ["no progressDeadlineSeconds specified - no timeout", NO_DEADLINE, "", time(1, 9), time(1, 20), false],
    ["progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:09 => 11s", 10, "", time(1, 9), time(1, 20), true],
    ["progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:11 => 9s", 10, "", time(1, 11), time(1, 20), false],
    ["exactly at the deadline: not yet", 10, "", time(1, 10), time(1, 20), false],
    ["previous status was a successful rollout", 10, NEW_REPLICA_SET_AVAILABLE, time(1, 9), time(1, 20), false],
    ["already timed out", 10, PROGRESS_DEADLINE_EXCEEDED, time(1, 19), time(1, 20), true],
  ])("%s", (_name, pds, reason, from, now, expected) => {
    const d = deployment({ progressDeadlineSeconds: pds });
    const status = { ...counts(1, 1, 1, 1), conditions: [cond(PROGRESSING, "True", reason, from)] };
    expect(deploymentTimedOut(d, status, now)).toBe(expected);
  });
});

describe("statusAfterRolloutStep: the Progressing condition (upstream TestSyncRolloutStatus)", () => {
  const testTime = at(0);
  const now = at(86400);
  const failedTimedOut = cond(PROGRESSING, "False", PROGRESS_DEADLINE_EXCEEDED, null);
  const newRSAvailable = cond(PROGRESSING, "True", NEW_REPLICA_SET_AVAILABLE, testTime);
  const replicaSetUpdated = cond(PROGRESSING, "True", REPLICA_SET_UPDATED, testTime);

  /** upstream currentDeployment: a Recreate Deployment with the given status counts */
  const current = (pds: number, replicas: number, statusReplicas: number, updated: number, available: number, conditions: Condition[]): Deployment => {
    const d = deployment({ recreate: true, replicas, progressDeadlineSeconds: pds });
    d.status = { ...counts(statusReplicas, updated, available, available), conditions };
    return d;
  };
  const rsWith = (name: string, spec: number, statusReplicas: number, available: number) =>
    replicaSet(name, { replicas: spec, current: statusReplicas, available });

  it.each<[string, Deployment, ReplicaSet[], ReplicaSet | null, string | null, ConditionStatus | null, Date | null, Date | null]>([
    // name, deployment, other RSs, new RS, expected reason (null: no condition), status, lastUpdate, lastTransition
    ["no Progress Deadline: the condition is removed", current(NO_DEADLINE, 3, 2, 2, 2, [replicaSetUpdated]), [rsWith("bar", 0, 1, 1)], rsWith("foo", 3, 2, 2), null, null, null, null],
    ["only one active ReplicaSet: no estimate", current(60, 3, 3, 3, 3, [newRSAvailable]), [rsWith("bar", 3, 3, 3)], null, NEW_REPLICA_SET_AVAILABLE, "True", testTime, testTime],
    ["progressing: keeps lastTransitionTime of Progressing=True", current(60, 3, 2, 2, 2, [replicaSetUpdated]), [rsWith("bar", 0, 1, 1)], rsWith("foo", 3, 2, 2), REPLICA_SET_UPDATED, "True", now, testTime],
    ["progressing: updates everything after Progressing=False", current(60, 3, 2, 2, 2, [failedTimedOut]), [rsWith("bar", 0, 1, 1)], rsWith("foo", 3, 2, 2), REPLICA_SET_UPDATED, "True", now, now],
    ["progressing: creates the condition", current(60, 3, 2, 2, 2, []), [rsWith("bar", 0, 1, 1)], rsWith("foo", 3, 2, 2), REPLICA_SET_UPDATED, "True", now, now],
    ["complete: keeps lastTransitionTime of Progressing=True", current(60, 3, 3, 3, 3, [replicaSetUpdated]), [], rsWith("foo", 3, 3, 3), NEW_REPLICA_SET_AVAILABLE, "True", now, testTime],
    ["complete: updates everything after Progressing=False", current(60, 3, 3, 3, 3, [failedTimedOut]), [], rsWith("foo", 3, 3, 3), NEW_REPLICA_SET_AVAILABLE, "True", now, now],
    ["complete: creates the condition", current(60, 3, 3, 3, 3, []), [], rsWith("foo", 3, 3, 3), NEW_REPLICA_SET_AVAILABLE, "True", now, now],
    ["complete without a new RS", current(60, 0, 3, 3, 3, [replicaSetUpdated]), [rsWith("foo", 0, 0, 0)], null, NEW_REPLICA_SET_AVAILABLE, "True", now, testTime],
    ["timed out past the deadline", current(60, 3, 2, 2, 2, [replicaSetUpdated]), [], rsWith("foo", 3, 2, 2), PROGRESS_DEADLINE_EXCEEDED, "False", now, now],
    ["already timed out: unchanged", current(60, 3, 2, 2, 2, [{ ...failedTimedOut, lastUpdateTime: testTime, lastTransitionTime: testTime }]), [], rsWith("foo", 3, 2, 2), PROGRESS_DEADLINE_EXCEEDED, "False", testTime, testTime],
  ])("%s", (_name, d, others, newRS, reason, status, lastUpdate, lastTransition) => {
    const all = newRS ? [...others, newRS] : others;
    const c = getCondition(statusAfterRolloutStep(d, d.status, all, newRS, now).conditions, PROGRESSING);
    if (reason === null) return expect(c).toBeNull();
    expect(c).toMatchObject({ reason, status, lastUpdateTime: lastUpdate, lastTransitionTime: lastTransition });
  });

  it("messages name the new ReplicaSet, or the Deployment without one", () => {
    const d = current(60, 3, 3, 3, 3, []);
    const withRS = getCondition(statusAfterRolloutStep(d, d.status, [rsWith("foo", 3, 3, 3)], rsWith("foo", 3, 3, 3), now).conditions, PROGRESSING);
    expect(withRS?.message).toBe(`ReplicaSet "foo" has successfully progressed.`);
    const empty = current(60, 0, 3, 3, 3, [replicaSetUpdated]);
    expect(getCondition(statusAfterRolloutStep(empty, empty.status, [], null, now).conditions, PROGRESSING)?.message).toBe(
      `Deployment "web" has successfully progressed.`,
    );
  });
});

describe("replicaFailureConditions", () => {
  const failure = (message: string): Condition => ({ type: "ReplicaFailure", status: "True", reason: "FailedCreate", message, lastUpdateTime: null, lastTransitionTime: at(5) });
  it("copies the new RS's failure first, with lastTransitionTime as both timestamps", () => {
    const oldRS = replicaSet("web-old", { conditions: [failure("old")] });
    const newRS = replicaSet("web-new", { conditions: [failure("new")] });
    expect(replicaFailureConditions([], [oldRS, newRS], newRS)).toEqual([{ ...failure("new"), lastUpdateTime: at(5) }]);
  });
  it("else an old RS's, else none", () => {
    const oldRS = replicaSet("web-old", { conditions: [failure("old")] });
    expect(replicaFailureConditions([], [oldRS], null)[0].message).toBe("old");
    expect(replicaFailureConditions([failure("gone")], [replicaSet("web-ok")], null)).toEqual([]);
  });
});

describe("pausedConditions", () => {
  it.each<[string, boolean, Condition[], string | null]>([
    ["pausing", true, [], "DeploymentPaused"],
    ["still paused: unchanged", true, [cond(PROGRESSING, "Unknown", "DeploymentPaused")], "DeploymentPaused"],
    ["resuming", false, [cond(PROGRESSING, "Unknown", "DeploymentPaused")], "DeploymentResumed"],
    ["not paused, never was", false, [cond(PROGRESSING, "True", REPLICA_SET_UPDATED)], REPLICA_SET_UPDATED],
    ["a timeout is never overwritten", true, [cond(PROGRESSING, "False", PROGRESS_DEADLINE_EXCEEDED)], PROGRESS_DEADLINE_EXCEEDED],
  ])("%s", (_name, paused, conditions, reason) => {
    const c = getCondition(pausedConditions(deployment({ paused }), conditions, at(9)), PROGRESSING);
    expect(c?.reason ?? null).toBe(reason);
  });

  it("uses status Unknown and the upstream messages; nothing without a deadline", () => {
    expect(getCondition(pausedConditions(deployment({ paused: true }), [], at(9)), PROGRESSING)).toMatchObject({
      status: "Unknown",
      message: "Deployment is paused",
      lastUpdateTime: at(9),
    });
    expect(pausedConditions(deployment({ paused: true, progressDeadlineSeconds: NO_DEADLINE }), [], at(9))).toEqual([]);
  });
});

describe("progressDeadlineRequeueMs (upstream TestRequeueStuckDeployment, +1s skew)", () => {
  const stuck = [cond(PROGRESSING, "True", REPLICA_SET_UPDATED, at(0))];
  it.each<[string, number, number, number[], Condition[], number, number | null]>([
    // name, pds, replicas, status counts [replicas, updated, available], conditions, now (s), expected ms
    ["no progressDeadlineSeconds", NO_DEADLINE, 4, [3, 3, 2], stuck, 0, null],
    ["no Progressing condition", 60, 4, [3, 3, 2], [], 0, null],
    ["complete", 60, 3, [3, 3, 3], stuck, 0, null],
    ["already failed", 60, 3, [3, 3, 0], [cond(PROGRESSING, "False", PROGRESS_DEADLINE_EXCEEDED, at(0))], 0, null],
    ["stuck - 30s left", 60, 3, [3, 3, 1], stuck, 30, 31_000],
    ["stuck - 1s left", 60, 3, [3, 3, 1], stuck, 59, 2_000],
    ["at the deadline", 60, 3, [3, 3, 1], stuck, 60, 1_000],
    ["past the deadline", 60, 3, [3, 3, 1], stuck, 120, 1_000],
  ])("%s", (_name, pds, replicas, [r, u, a], conditions, now, expected) => {
    const d = deployment({ replicas, progressDeadlineSeconds: pds });
    expect(progressDeadlineRequeueMs(d, { ...counts(r, u, a, a), conditions }, at(now))).toBe(expected);
  });
});

describe("progress deadline with an injected clock", () => {
  it("times out when no progress is seen for progressDeadlineSeconds, and recovers on progress", () => {
    const cluster = settledCluster(deployment({ replicas: 2, maxSurge: 1, maxUnavailable: 0, progressDeadlineSeconds: 60 }));
    cluster.edit((d) => (d.spec.template = template("nginx:broken")));
    cluster.settle();
    const newName = cluster.newRS!.metadata.name;
    const progressing = getCondition(cluster.deployment.status.conditions, PROGRESSING)!;
    expect(progressing.status).toBe("True");
    const since = progressing.lastUpdateTime!.getTime();

    // nothing changes for 59s: requeued for the deadline + 1s, still progressing
    cluster.tick(59);
    let result = cluster.sync();
    expect(result.requeueAfterMs).toBe(since + 60_000 - cluster.now.getTime() + 1000);
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)?.status).toBe("True");

    // past the deadline: ProgressDeadlineExceeded, no more requeue for it
    cluster.tick(2);
    result = cluster.sync();
    expect(result.requeueAfterMs).toBeNull();
    const failed = getCondition(cluster.deployment.status.conditions, PROGRESSING);
    expect(failed).toMatchObject({ status: "False", reason: PROGRESS_DEADLINE_EXCEEDED, message: `ReplicaSet "${newName}" has timed out progressing.`, lastTransitionTime: cluster.now });
    expect(rolloutStatus(cluster.deployment, cluster.replicaSets)).toMatchObject({ phase: "Failed", done: false, message: `deployment "web" exceeded its progress deadline` });

    // later progress flips it back
    cluster.tick(30);
    cluster.podBecomesAvailable();
    cluster.sync();
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)).toMatchObject({
      status: "True",
      reason: REPLICA_SET_UPDATED,
      message: `ReplicaSet "${newName}" is progressing.`,
      lastUpdateTime: cluster.now,
      lastTransitionTime: cluster.now,
    });
  });

  it("a paused Deployment never times out: resuming restarts the clock", () => {
    const cluster = settledCluster(deployment({ replicas: 2, maxSurge: 1, maxUnavailable: 0, progressDeadlineSeconds: 60 }));
    cluster.edit((d) => (d.spec.paused = true));
    cluster.sync();
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)).toMatchObject({ status: "Unknown", reason: "DeploymentPaused" });
    cluster.edit((d) => (d.spec.template = template("nginx:2")));
    cluster.tick(3600);
    cluster.edit((d) => (d.spec.paused = false));
    cluster.sync();
    const c = getCondition(cluster.deployment.status.conditions, PROGRESSING);
    expect(c?.reason).not.toBe(PROGRESS_DEADLINE_EXCEEDED);
    expect(c?.lastUpdateTime).toEqual(cluster.now);
  });

  it("a fresh Deployment has Progressing True NewReplicaSetCreated, then ReplicaSetUpdated, then NewReplicaSetAvailable", () => {
    const cluster = new Cluster(deployment({ replicas: 2 }));
    cluster.sync();
    const name = cluster.newRS!.metadata.name;
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)).toMatchObject({ reason: "NewReplicaSetCreated", message: `Created new replica set "${name}"` });
    cluster.sync();
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)?.reason).toBe(REPLICA_SET_UPDATED);
    cluster.allAvailable();
    cluster.sync();
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)).toMatchObject({ reason: NEW_REPLICA_SET_AVAILABLE, message: `ReplicaSet "${name}" has successfully progressed.` });
  });
});

describe("newCondition", () => {
  it("stamps both times with now", () => {
    expect(newCondition(AVAILABLE, "True", "R", "m", at(3))).toEqual({ type: AVAILABLE, status: "True", reason: "R", message: "m", lastUpdateTime: at(3), lastTransitionTime: at(3) });
  });
});

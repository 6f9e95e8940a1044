import { describe, it, expect } from "vitest";
import { oldPodsRunning } from "../../../src/domain/recreate.ts";
import { AVAILABLE, getCondition } from "../../../src/domain/conditions.ts";
import { revisionOf } from "../../../src/domain/deployment-util.ts";
import { rolloutStatus } from "../../../src/domain/rollout-status.ts";
import type { Pod, ReplicaSet } from "../../../src/domain/types.ts";
import { actionsOf, deployment, events, pod, replicaSet, settledCluster, template } from "./deployment-fixtures.ts";

describe("oldPodsRunning (upstream TestOldPodsRunning)", () => {
  const rsA = replicaSet("web-a", { uid: "uid-a" });
  const rsB = replicaSet("web-b", { uid: "uid-b" });
  const newRS = replicaSet("web-new", { uid: "uid-new", replicas: 3 });
  it.each<[string, ReplicaSet | null, ReplicaSet[], Pod[], boolean]>([
    ["no old RSs", null, [], [], false],
    ["old RSs with running pods", null, [rsA, rsB], [pod("a1", "uid-a"), pod("b1", "uid-b")], true],
    ["old RS without pods but with status.replicas > 0", null, [replicaSet("web-c", { replicas: 0, current: 1 })], [], true],
    ["old RS without pods, status.replicas 0", null, [replicaSet("web-c", { replicas: 0, current: 0 })], [], false],
    ["only terminal pods", null, [rsA], [pod("a1", "uid-a", "Failed"), pod("a2", "uid-a", "Succeeded")], false],
    ["a pod in Unknown phase", null, [rsA], [pod("a1", "uid-a", "Unknown")], true],
    ["a pending pod", null, [rsA], [pod("a1", "uid-a", "Pending")], true],
    ["a terminating pod still counts", null, [rsA], [pod("a1", "uid-a", "Running", true)], true],
    ["terminal pods of one RS, a pending pod of another", null, [rsA, rsB], [pod("a1", "uid-a", "Failed"), pod("b1", "uid-b", "Pending")], true],
    ["pods of the new RS do not count", newRS, [rsA], [pod("n1", "uid-new"), pod("n2", "uid-new")], false],
  ])("%s → %s", (_name, newReplicaSet, oldRSs, pods, expected) => {
    expect(oldPodsRunning(newReplicaSet, oldRSs, pods)).toBe(expected);
  });
});

describe("Recreate (controller-semantics §3, §10)", () => {
  it("scales every old RS to 0 first, waits for the last old pod, then creates the new RS at full size", () => {
    const cluster = settledCluster(deployment({ replicas: 3, recreate: true }));
    const oldName = cluster.replicaSets[0].metadata.name;
    cluster.lingeringTermination = true;
    cluster.edit((d) => (d.spec.template = template("nginx:2")));

    // 1. old → 0, nothing created
    const first = cluster.sync();
    expect(events(first)).toEqual([`Normal ScalingReplicaSet: Scaled down replica set ${oldName} to 0 from 3`]);
    expect(actionsOf(first, "createReplicaSet")).toEqual([]);
    expect(cluster.sizes).toBe("(-,0)");

    // 2. old pods still terminating: wait, and the Deployment is no longer available
    const waiting = cluster.sync();
    expect(actionsOf(waiting, "createReplicaSet")).toEqual([]);
    expect(getCondition(cluster.deployment.status.conditions, AVAILABLE)).toMatchObject({ status: "False", reason: "MinimumReplicasUnavailable" });
    expect(rolloutStatus(cluster.deployment, cluster.replicaSets).message).toBe(
      `Waiting for deployment "web" rollout to finish: 0 out of 3 new replicas have been updated...`,
    );

    // 3. the last old pod is gone: the new RS (revision 2) is created at 3
    cluster.finishTermination();
    const created = cluster.sync();
    const [create] = actionsOf(created, "createReplicaSet");
    expect(create.replicaSet.spec.replicas).toBe(3);
    expect(revisionOf(cluster.newRS!)).toBe(2);
    expect(events(created)).toEqual([`Normal ScalingReplicaSet: Scaled up replica set ${create.replicaSet.metadata.name} to 3`]);

    cluster.allAvailable();
    cluster.settle();
    expect(rolloutStatus(cluster.deployment, cluster.replicaSets).phase).toBe("Complete");
    expect(cluster.sizes).toBe("(3,0)");
  });

  it("scales an existing new RS (rollback in Recreate) to replicas once the old pods are gone", () => {
    const cluster = settledCluster(deployment({ replicas: 2, recreate: true, image: "nginx:1" }));
    cluster.edit((d) => (d.spec.template = template("nginx:2")));
    cluster.allAvailable();
    cluster.settle();
    cluster.allAvailable();
    cluster.settle();
    expect(cluster.sizes).toBe("(2,0)");
    cluster.edit((d) => (d.spec.template = template("nginx:1")));
    expect(cluster.rollout().join(" ")).toBe("(0,0) (2,0)");
    expect(cluster.newRS!.metadata.annotations["deployment.kubernetes.io/revision-history"]).toBe("1");
  });
});

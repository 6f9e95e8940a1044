import { describe, it, expect } from "vitest";
import {
  cleanupUnhealthyReplicas,
  newReplicaSetTarget,
  reconcileOldReplicaSets,
  scaleDownOldReplicaSetsForRollingUpdate,
} from "../../../src/domain/rolling.ts";
import { REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, revisionOf } from "../../../src/domain/deployment-util.ts";
import { AVAILABLE, getCondition, NEW_REPLICA_SET_AVAILABLE, PROGRESSING } from "../../../src/domain/conditions.ts";
import { rolloutStatus } from "../../../src/domain/rollout-status.ts";
import type { IntOrString } from "../../../src/domain/types.ts";
import { Cluster, deployment, events, replicaSet, settledCluster, template } from "./deployment-fixtures.ts";

describe("newReplicaSetTarget (upstream TestDeploymentController_reconcileNewReplicaSet)", () => {
  it.each<[number, number, number, number, number]>([
    // replicas, maxSurge, old size, new size, expected new size
    [10, 0, 10, 0, 0], // should not scale up
    [10, 2, 10, 0, 2],
    [10, 2, 5, 0, 7],
    [10, 2, 10, 2, 2],
    [10, 2, 2, 11, 10], // above replicas: scale down
    [10, 2, 0, 10, 10],
  ])("replicas %i surge %i old %i new %i → %i", (replicas, surge, oldSize, newSize, expected) => {
    const d = deployment({ replicas, maxSurge: surge, maxUnavailable: 0 });
    const newRS = replicaSet("web-new", { replicas: newSize });
    const oldRS = replicaSet("web-old", { replicas: oldSize });
    expect(newReplicaSetTarget(d, [newRS, oldRS], newRS)).toBe(expected);
  });
});

describe("reconcileOldReplicaSets (upstream TestDeploymentController_reconcileOldReplicaSets)", () => {
  it.each<[string, number, IntOrString, number, number, number, number, number | null]>([
    // name, replicas, maxUnavailable, old size, new size, old available, new available, expected old size (null: no scaling)
    ["0/0 resolves to unavailable 1", 10, 0, 10, 0, 10, 0, 9],
    ["scale down by maxUnavailable", 10, 2, 10, 0, 10, 0, 8],
    ["unhealthy old replicas cleaned up", 10, 2, 10, 0, 8, 0, 8],
    ["1 unhealthy cleaned up, 1 available scaled down", 10, 2, 10, 0, 9, 0, 8],
    ["unavailable new pods block further scale-down", 10, 2, 8, 2, 8, 0, null],
  ])("%s", (_name, replicas, unavailable, oldSize, newSize, oldAvailable, newAvailable, expected) => {
    const d = deployment({ replicas, maxSurge: 0, maxUnavailable: unavailable });
    const newRS = replicaSet("web-new", { replicas: newSize, available: newAvailable });
    const oldRS = replicaSet("web-old", { replicas: oldSize, available: oldAvailable });
    const steps = reconcileOldReplicaSets(d, [oldRS, newRS], [oldRS], newRS);
    if (expected === null) expect(steps).toEqual([]);
    else expect(steps.at(-1)).toEqual({ rs: oldRS, replicas: expected });
  });

  it("nothing when no old RS has replicas", () => {
    const d = deployment({ replicas: 3 });
    const newRS = replicaSet("web-new", { replicas: 3 });
    expect(reconcileOldReplicaSets(d, [newRS], [], newRS)).toEqual([]);
  });

  it("gives up when an old RS reports more available pods than its size (status behind spec)", () => {
    const d = deployment({ replicas: 10, maxSurge: 0, maxUnavailable: 2 });
    const newRS = replicaSet("web-new", { replicas: 0 });
    const oldRS = replicaSet("web-old", { replicas: 5, current: 10, available: 10 });
    expect(reconcileOldReplicaSets(d, [oldRS, newRS], [oldRS], newRS)).toEqual([]);
  });

  it("an RS both cleaned up and scaled down appears twice, in order", () => {
    const d = deployment({ replicas: 10, maxSurge: 0, maxUnavailable: 2 });
    const newRS = replicaSet("web-new", { replicas: 0 });
    const oldRS = replicaSet("web-old", { replicas: 10, available: 9 });
    expect(reconcileOldReplicaSets(d, [oldRS, newRS], [oldRS], newRS)).toEqual([
      { rs: oldRS, replicas: 9 },
      { rs: oldRS, replicas: 8 },
    ]);
  });
});

describe("cleanupUnhealthyReplicas (upstream TestDeploymentController_cleanupUnhealthyReplicas)", () => {
  it.each<[number, number, number, number]>([
    // old size, available, maxCleanupCount, cleaned up
    [10, 8, 1, 1],
    [10, 8, 3, 2],
    [10, 8, 0, 0],
    [10, 10, 3, 0],
  ])("size %i available %i max %i → %i", (size, available, max, expected) => {
    const oldRS = replicaSet("web-old", { replicas: size, available });
    const steps = cleanupUnhealthyReplicas([oldRS], max)!;
    expect(steps.reduce((sum, s) => sum + (size - s.replicas), 0)).toBe(expected);
  });

  it("oldest first", () => {
    const older = replicaSet("web-1", { replicas: 3, available: 1, created: 0 });
    const newer = replicaSet("web-2", { replicas: 3, available: 1, created: 10 });
    expect(cleanupUnhealthyReplicas([newer, older], 3)).toEqual([
      { rs: older, replicas: 1 },
      { rs: newer, replicas: 2 },
    ]);
  });
});

describe("scaleDownOldReplicaSetsForRollingUpdate (upstream TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate)", () => {
  it.each<[number, IntOrString, number, number, number | null]>([
    // replicas, maxUnavailable, available, old size, expected old size
    [10, 0, 10, 10, 9],
    [10, 2, 10, 10, 8],
    [10, 2, 8, 10, null],
    [10, 2, 10, 0, null],
    [10, 2, 1, 10, null],
  ])("replicas %i unavailable %j available %i old %i → %s", (replicas, unavailable, available, oldSize, expected) => {
    const d = deployment({ replicas, maxSurge: 0, maxUnavailable: unavailable });
    const oldRS = replicaSet("web-old", { replicas: oldSize, current: available, available });
    const steps = scaleDownOldReplicaSetsForRollingUpdate(d, [oldRS], [oldRS]);
    expect(steps).toEqual(expected === null ? [] : [{ rs: oldRS, replicas: expected }]);
  });

  it("removes from the oldest RS first, min(size, left) each", () => {
    const d = deployment({ replicas: 4, maxSurge: 0, maxUnavailable: 1 });
    const older = replicaSet("web-1", { replicas: 1, created: 0 });
    const newer = replicaSet("web-2", { replicas: 4, created: 10 });
    const newRS = replicaSet("web-3", { replicas: 1, created: 20 });
    // available 6, min available 3: remove 3 — 1 from the older, 2 from the newer
    expect(scaleDownOldReplicaSetsForRollingUpdate(d, [older, newer, newRS], [newer, older])).toEqual([
      { rs: older, replicas: 0 },
      { rs: newer, replicas: 2 },
    ]);
  });
});

describe("worked sequences (controller-semantics §10): RS sizes (new,old) after each sync, R = one new pod available", () => {
  it.each<[string, number, IntOrString, IntOrString, string]>([
    ["replicas 3, surge 1, unavailable 0", 3, 1, 0, "(1,3) R (1,2) (2,2) R (2,1) (3,1) R (3,0)"],
    ["replicas 4, surge 1, unavailable 1", 4, 1, 1, "(1,3) (2,3) R (2,2) (3,2) R (3,1) (4,1) R (4,0)"],
    [
      "replicas 10, 25%/25% (3/2)",
      10,
      "25%",
      "25%",
      "(3,8) (5,8) R (5,7) (6,7) R (6,6) (7,6) R (7,5) (8,5) R (8,4) (9,4) R (9,3) (10,3) R (10,2) R (10,1) R (10,0)",
    ],
    ["replicas 3, surge 0, unavailable 1", 3, 0, 1, "(0,2) (1,2) R (1,1) (2,1) R (2,0) (3,0)"],
    ["replicas 3, surge 3, unavailable 0", 3, 3, 0, "(3,3) R (3,2) R (3,1) R (3,0)"],
  ])("%s", (_name, replicas, surge, unavailable, expected) => {
    const cluster = settledCluster(deployment({ replicas, maxSurge: surge, maxUnavailable: unavailable, image: "nginx:1" }));
    expect(cluster.sizes).toBe(`(${replicas},0)`);
    cluster.edit((d) => (d.spec.template = template("nginx:2")));
    expect(cluster.rollout().join(" ")).toBe(expected);

    // then the rest of the new pods come up and the rollout completes
    cluster.allAvailable();
    cluster.settle();
    const d = cluster.deployment;
    expect(getCondition(d.status.conditions, PROGRESSING)?.reason).toBe(NEW_REPLICA_SET_AVAILABLE);
    expect(getCondition(d.status.conditions, AVAILABLE)?.status).toBe("True");
    expect(d.metadata.annotations[REVISION_ANNOTATION]).toBe("2");
    expect(rolloutStatus(d, cluster.replicaSets).message).toBe(`deployment "web" successfully rolled out`);
  });

  it("the first sync of a rollout creates the new RS and reports it", () => {
    const cluster = settledCluster(deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 0 }));
    const oldName = cluster.replicaSets[0].metadata.name;
    cluster.edit((d) => (d.spec.template = template("nginx:2")));
    const first = cluster.sync();
    const newName = cluster.newRS!.metadata.name;
    expect(events(first)).toEqual([`Normal ScalingReplicaSet: Scaled up replica set ${newName} to 1`]);
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)).toMatchObject({
      status: "True",
      reason: "NewReplicaSetCreated",
      message: `Created new replica set "${newName}"`,
    });
    cluster.podBecomesAvailable();
    expect(events(cluster.sync())).toEqual([`Normal ScalingReplicaSet: Scaled down replica set ${oldName} to 2 from 3`]);
    expect(events(cluster.sync())).toEqual([`Normal ScalingReplicaSet: Scaled up replica set ${newName} to 2 from 1`]);
  });

  it("scale to 0, then change the template: the new RS is created at 0 and the rollout is complete", () => {
    const cluster = settledCluster(deployment({ replicas: 3 }));
    cluster.edit((d) => (d.spec.replicas = 0));
    cluster.settle();
    expect(cluster.sizes).toBe("(0,0)");
    cluster.edit((d) => (d.spec.template = template("nginx:2")));
    cluster.sync();
    expect(cluster.replicaSets).toHaveLength(2);
    expect(cluster.sizes).toBe("(0,0)");
    expect(revisionOf(cluster.newRS!)).toBe(2);
    const status = rolloutStatus(cluster.deployment, cluster.replicaSets);
    expect(status).toMatchObject({ phase: "Complete", done: true, message: `deployment "web" successfully rolled out`, revision: 2, progress: 1 });
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)?.reason).toBe(NEW_REPLICA_SET_AVAILABLE);
  });

  /**
   * upstream rolling.go's scene: 10 replicas, surge 3, unavailable 2; revision 2 (nginx:2) stuck at
   * 5 crashlooping pods beside revision 1 (nginx:1) at 8, `available1` of them available; the
   * Deployment's template (generation 3) is now `image`.
   */
  function stuckRollout(image: string, available1: number): Cluster {
    const cluster = new Cluster(deployment({ replicas: 10, maxSurge: 3, maxUnavailable: 2, image, generation: 3 }));
    cluster.replicaSets = [
      replicaSet("web-1", { replicas: 8, available: available1, created: 0, revision: 1, image: "nginx:1", desired: 10, max: 13 }),
      replicaSet("web-2", { replicas: 5, available: 0, created: 10, revision: 2, image: "nginx:2", desired: 10, max: 13 }),
    ];
    return cluster;
  }

  it("roll over (upstream rolling.go, case 2): a template pushed mid-rollout starts at 0 and old RSs lose their unhealthy pods first", () => {
    const cluster = stuckRollout("nginx:3", 8);
    const result = cluster.sync();
    expect(cluster.newRS!.spec.replicas).toBe(0);
    expect(revisionOf(cluster.newRS!)).toBe(3);
    expect(cluster.replicaSets.map((rs) => rs.spec.replicas)).toEqual([8, 0, 0]);
    expect(events(result)).toEqual(["Normal ScalingReplicaSet: Scaled down replica set web-2 to 0 from 5"]);
    cluster.sync();
    expect(cluster.sizes).toBe("(5,8)");
  });

  it("rollback to the good RS (upstream rolling.go, case 1): it becomes new with revision max+1 and the bad pods go", () => {
    // back to revision 1's template, one of its 8 pods unavailable
    const cluster = stuckRollout("nginx:1", 7);
    const result = cluster.sync();
    const good = cluster.newRS!;
    expect(good.metadata.name).toBe("web-1");
    expect(good.metadata.annotations[REVISION_ANNOTATION]).toBe("3");
    expect(good.metadata.annotations[REVISION_HISTORY_ANNOTATION]).toBe("1");
    expect(cluster.deployment.metadata.annotations[REVISION_ANNOTATION]).toBe("3");
    // 13 - 8 - 1 = 4 unhealthy pods of revision 2 removed
    expect(events(result)).toEqual(["Normal ScalingReplicaSet: Scaled down replica set web-2 to 1 from 5"]);
    cluster.sync();
    expect(cluster.sizes).toBe("(10,1)");
  });
});

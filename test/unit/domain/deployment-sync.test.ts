import { describe, it, expect } from "vitest";
import { syncDeployment, type DeploymentSnapshot } from "../../../src/domain/deployment-sync.ts";
import { getCondition, PROGRESSING } from "../../../src/domain/conditions.ts";
import {
  CHANGE_CAUSE_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  LAST_APPLIED_CONFIG_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
} from "../../../src/domain/deployment-util.ts";
import { computePodTemplateHash, POD_TEMPLATE_HASH_LABEL } from "../../../src/domain/hash.ts";
import type { Deployment, ReplicaSet } from "../../../src/domain/types.ts";
import { actionsOf, at, Cluster, deployment, events, replicaSet, settledCluster, template } from "./deployment-fixtures.ts";

const snapshot = (d: Deployment, replicaSets: ReplicaSet[] = [], extra: Partial<DeploymentSnapshot> = {}): DeploymentSnapshot => ({
  deployment: d,
  replicaSets,
  pods: [],
  now: at(100),
  ...extra,
});

describe("a new Deployment", () => {
  it("creates its RS at full size in one plan, with the status and revision that follow from it", () => {
    const d = deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 0, annotations: { [CHANGE_CAUSE_ANNOTATION]: "created", [LAST_APPLIED_CONFIG_ANNOTATION]: "{}" } });
    d.status.observedGeneration = 0;
    const result = syncDeployment(snapshot(d));
    const hash = computePodTemplateHash(d.spec.template, 0);
    expect(result.actions.map((a) => a.type)).toEqual(["createReplicaSet", "updateDeployment", "event"]);

    const [{ replicaSet: rs }] = actionsOf(result, "createReplicaSet");
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.labels).toEqual({ app: "web", [POD_TEMPLATE_HASH_LABEL]: hash });
    expect(rs.metadata.annotations).toEqual({
      [CHANGE_CAUSE_ANNOTATION]: "created",
      [REVISION_ANNOTATION]: "1",
      [DESIRED_REPLICAS_ANNOTATION]: "3",
      [MAX_REPLICAS_ANNOTATION]: "4",
    });
    expect(rs.metadata.ownerReferences).toEqual([{ kind: "Deployment", name: "web", uid: "d-uid", controller: true }]);
    expect(rs.spec.replicas).toBe(3);

    const [update] = actionsOf(result, "updateDeployment");
    expect(update.annotations).toEqual({ ...d.metadata.annotations, [REVISION_ANNOTATION]: "1" });
    expect(update.status).toMatchObject({ observedGeneration: 1, replicas: 0, updatedReplicas: 0, availableReplicas: 0, unavailableReplicas: 3 });
    expect(getCondition(update.status!.conditions, "Available")?.status).toBe("False");
    expect(getCondition(update.status!.conditions, PROGRESSING)).toMatchObject({ reason: "NewReplicaSetCreated", message: `Created new replica set "web-${hash}"`, lastUpdateTime: at(100) });
    expect(events(result)).toEqual([`Normal ScalingReplicaSet: Scaled up replica set web-${hash} to 3`]);
    expect(result.requeueAfterMs).toBe(601_000);
  });

  it("is idempotent once settled: a sync of a settled Deployment plans nothing", () => {
    const cluster = settledCluster(deployment({ replicas: 2 }));
    expect(cluster.sync()).toEqual({ actions: [], requeueAfterMs: null });
  });

  it("writes no Progressing condition without a progress deadline", () => {
    const result = syncDeployment(snapshot(deployment({ progressDeadlineSeconds: 2147483647 })));
    const [update] = actionsOf(result, "updateDeployment");
    expect(getCondition(update.status!.conditions, PROGRESSING)).toBeNull();
    expect(result.requeueAfterMs).toBeNull();
  });
});

describe("sync order", () => {
  it("empty selector: a Warning event and observedGeneration, nothing else", () => {
    const d = deployment({ generation: 4 });
    d.status.observedGeneration = 3;
    d.spec.selector = { matchLabels: {}, matchExpressions: [] };
    const result = syncDeployment(snapshot(d, [replicaSet("web-a", { replicas: 1 })]));
    expect(result.actions).toEqual([
      { type: "updateDeployment", status: { ...d.status, observedGeneration: 4 } },
      { type: "event", eventType: "Warning", reason: "SelectingAll", message: "This deployment is selecting all pods. A non-empty selector is required." },
    ]);
  });

  it("being deleted: status only, no RS created or scaled", () => {
    const d = deployment({ deleting: true, replicas: 5, image: "nginx:2", generation: 2 });
    const old = replicaSet("web-old", { replicas: 3, image: "nginx:1", revision: 1, desired: 3, max: 4 });
    const result = syncDeployment(snapshot(d, [old]));
    expect(result.actions.map((a) => a.type)).toEqual(["updateDeployment"]);
    expect(actionsOf(result, "updateDeployment")[0].status).toMatchObject({ observedGeneration: 2, replicas: 3, availableReplicas: 3 });
  });

  it("paused: a template edit waits (no RS created), DeploymentPaused is reported", () => {
    const cluster = settledCluster(deployment({ replicas: 2 }));
    cluster.edit((d) => {
      d.spec.paused = true;
      d.spec.template = template("nginx:2");
    });
    const result = cluster.sync();
    expect(actionsOf(result, "createReplicaSet")).toEqual([]);
    expect(cluster.replicaSets).toHaveLength(1);
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)).toMatchObject({ status: "Unknown", reason: "DeploymentPaused" });
    expect(cluster.deployment.status.observedGeneration).toBe(cluster.deployment.metadata.generation);

    cluster.edit((d) => (d.spec.paused = false));
    const resumed = cluster.sync();
    expect(actionsOf(resumed, "createReplicaSet")).toHaveLength(1);
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)?.reason).toBe("NewReplicaSetCreated");
  });

  it("resumed: DeploymentResumed is stored first, in a status write of its own, before the new RS replaces it", () => {
    const cluster = settledCluster(deployment({ replicas: 2 }));
    cluster.edit((d) => {
      d.spec.paused = true;
      d.spec.template = template("nginx:2");
    });
    cluster.sync();
    const before = cluster.deployment.status;
    cluster.edit((d) => (d.spec.paused = false));
    const result = cluster.sync();
    const [first, ...rest] = result.actions;
    expect(first.type).toBe("updateDeployment");
    const firstStatus = (first as Extract<typeof first, { type: "updateDeployment" }>).status!;
    // the stored status, with only the condition changed
    expect({ ...firstStatus, conditions: before.conditions }).toEqual(before);
    expect(getCondition(firstStatus.conditions, PROGRESSING)).toMatchObject({ status: "Unknown", reason: "DeploymentResumed", message: "Deployment is resumed" });
    expect(rest.map((a) => a.type)).toEqual(["createReplicaSet", "updateDeployment", "event"]);
    expect(getCondition(cluster.deployment.status.conditions, PROGRESSING)?.reason).toBe("NewReplicaSetCreated");
  });

  it("a sync that does not flip paused makes a single status write", () => {
    const cluster = settledCluster(deployment({ replicas: 2 }));
    cluster.edit((d) => (d.spec.template = template("nginx:2")));
    expect(actionsOf(cluster.sync(), "updateDeployment")).toHaveLength(1);
  });

  it("paused: scaling still applies, proportionally, and history is cleaned up", () => {
    const d = deployment({ replicas: 10, maxSurge: 0, maxUnavailable: 2, paused: true, image: "nginx:3", revisionHistoryLimit: 0, generation: 5 });
    const rss = [
      replicaSet("web-1", { replicas: 0, revision: 1, image: "nginx:1", created: 0 }),
      replicaSet("web-2", { replicas: 3, revision: 2, image: "nginx:2", created: 10, desired: 5, max: 5 }),
      replicaSet("web-3", { replicas: 2, revision: 3, image: "nginx:3", created: 20, desired: 5, max: 5, available: 0 }),
    ];
    const result = syncDeployment(snapshot(d, rss));
    expect(actionsOf(result, "updateReplicaSet").map((u) => [u.name, u.replicas])).toEqual([
      ["web-2", 6],
      ["web-3", 4],
    ]);
    expect(actionsOf(result, "deleteReplicaSet")).toEqual([{ type: "deleteReplicaSet", uid: "uid-web-1", name: "web-1" }]);
  });

  it("a scaling event goes through scale(), even when the template changed too: no new RS yet", () => {
    const d = deployment({ replicas: 14, maxSurge: 0, maxUnavailable: 1, image: "nginx:3", generation: 4 });
    const rss = [
      replicaSet("web-2", { replicas: 7, revision: 2, image: "nginx:2", created: 10, desired: 10, max: 10 }),
      replicaSet("web-1", { replicas: 3, revision: 1, image: "nginx:1", created: 0, desired: 10, max: 10 }),
    ];
    const result = syncDeployment(snapshot(d, rss));
    expect(actionsOf(result, "createReplicaSet")).toEqual([]);
    expect(actionsOf(result, "updateReplicaSet").map((u) => [u.name, u.replicas])).toEqual([
      ["web-2", 10],
      ["web-1", 4],
    ]);
  });
});

describe("hash collisions", () => {
  it("an RS of someone else holding the name: collisionCount + 1 and an immediate requeue; the next sync uses the new hash", () => {
    const d = deployment({ replicas: 1 });
    const name = `web-${computePodTemplateHash(d.spec.template, 0)}`;
    const cluster = new Cluster(d);
    cluster.foreign = [{ ...replicaSet(name, { ownerUid: "someone-else", image: "other" }) }];
    const first = cluster.sync();
    expect(actionsOf(first, "createReplicaSet")).toEqual([]);
    expect(first.requeueAfterMs).toBe(0);
    expect(cluster.deployment.status.collisionCount).toBe(1);

    cluster.sync();
    expect(cluster.replicaSets.map((rs) => rs.metadata.name)).toEqual([`web-${computePodTemplateHash(d.spec.template, 1)}`]);
    expect(cluster.deployment.status.collisionCount).toBe(1);
  });

  it("our own RS of another template under that name collides too", () => {
    const d = deployment({ replicas: 1, image: "nginx:2" });
    const name = `web-${computePodTemplateHash(d.spec.template, 0)}`;
    const result = syncDeployment(snapshot(d, [replicaSet(name, { image: "nginx:1", replicas: 1, revision: 1 })]));
    expect(actionsOf(result, "createReplicaSet")).toEqual([]);
    expect(actionsOf(result, "updateDeployment")[0].status?.collisionCount).toBe(1);
  });

  it("our own RS with this template, being deleted, under that name: wait for it, no collision", () => {
    const d = deployment({ replicas: 1, image: "nginx:1" });
    const name = `web-${computePodTemplateHash(d.spec.template, 0)}`;
    const terminating = replicaSet(name, { image: "nginx:1", deleting: true });
    const result = syncDeployment(snapshot(d, [], { existingReplicaSetNamed: (n) => (n === name ? terminating : undefined) }));
    expect(actionsOf(result, "createReplicaSet")).toEqual([]);
    expect(result.requeueAfterMs).toBe(1000);
    expect(actionsOf(result, "updateDeployment")[0]?.status?.collisionCount ?? 0).toBe(0);
  });
});

describe("new RS bookkeeping", () => {
  it("an existing new RS found without a Progressing condition: FoundNewReplicaSet, revision synced", () => {
    const d = deployment({ replicas: 2, image: "nginx:1" });
    const rs = replicaSet("web-abc", { replicas: 2, image: "nginx:1", desired: 2, max: 3 });
    const result = syncDeployment(snapshot(d, [rs]));
    const [rsUpdate] = actionsOf(result, "updateReplicaSet");
    expect(rsUpdate.annotations?.[REVISION_ANNOTATION]).toBe("1");
    const [update] = actionsOf(result, "updateDeployment");
    expect(update.annotations?.[REVISION_ANNOTATION]).toBe("1");
    // FoundNewReplicaSet, then complete in the same step
    expect(getCondition(update.status!.conditions, PROGRESSING)?.reason).toBe("NewReplicaSetAvailable");
  });

  it("minReadySeconds and copied annotations are re-synced onto the new RS", () => {
    const cluster = settledCluster(deployment({ replicas: 1 }));
    cluster.edit((d) => {
      d.spec.minReadySeconds = 7;
      d.metadata.annotations[CHANGE_CAUSE_ANNOTATION] = "tuning";
    });
    const result = cluster.sync();
    const [update] = actionsOf(result, "updateReplicaSet");
    expect(update.minReadySeconds).toBe(7);
    expect(update.annotations?.[CHANGE_CAUSE_ANNOTATION]).toBe("tuning");
  });

  it("kubectl rollout restart (restartedAt in the template) starts a new rollout", () => {
    const cluster = settledCluster(deployment({ replicas: 2 }));
    cluster.edit((d) => (d.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] = "2024-01-01T00:00:00Z"));
    cluster.sync();
    expect(cluster.replicaSets).toHaveLength(2);
    expect(cluster.deployment.metadata.annotations[REVISION_ANNOTATION]).toBe("2");
  });

  it("one RS update carries the final size even when the step scales it twice; both events are kept", () => {
    const d = deployment({ replicas: 10, maxSurge: 0, maxUnavailable: 2, image: "nginx:2", generation: 2 });
    const rss = [
      replicaSet("web-old", { replicas: 10, available: 9, image: "nginx:1", revision: 1, desired: 10, max: 10 }),
      replicaSet("web-new", { replicas: 0, image: "nginx:2", revision: 2, desired: 10, max: 10, created: 10 }),
    ];
    const result = syncDeployment(snapshot(d, rss));
    expect(actionsOf(result, "updateReplicaSet").map((u) => [u.name, u.replicas])).toEqual([["web-old", 8]]);
    expect(events(result)).toEqual([
      "Normal ScalingReplicaSet: Scaled down replica set web-old to 9 from 10",
      "Normal ScalingReplicaSet: Scaled down replica set web-old to 8 from 9",
    ]);
  });
});

describe("requeue", () => {
  it("minReadySeconds + 1s while some pods are ready but not yet available", () => {
    const d = deployment({ replicas: 2, minReadySeconds: 10, progressDeadlineSeconds: 2147483647 });
    const rs = replicaSet("web-abc", { replicas: 2, ready: 2, available: 0, image: "nginx:1", revision: 1, desired: 2, max: 3 });
    d.spec.template = structuredClone(rs.spec.template);
    delete d.spec.template.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    rs.spec.minReadySeconds = 10;
    expect(syncDeployment(snapshot(d, [rs])).requeueAfterMs).toBe(11_000);
  });
});

import { describe, it, expect } from "vitest";
import { findRollbackTarget, replicaSetsToCleanUp, rolloutHistory } from "../../../src/domain/history.ts";
import { CHANGE_CAUSE_ANNOTATION, REVISION_ANNOTATION, revisionOf } from "../../../src/domain/deployment-util.ts";
import { POD_TEMPLATE_HASH_LABEL } from "../../../src/domain/hash.ts";
import type { ReplicaSet } from "../../../src/domain/types.ts";
import { actionsOf, deployment, replicaSet, settledCluster, template } from "./deployment-fixtures.ts";

/** upstream newRSWithStatus: spec and status replicas, no revision, all created at the same time */
const rsWithStatus = (name: string, spec: number, current: number, extra: { deleting?: boolean; revision?: number; generation?: number } = {}) =>
  replicaSet(name, { replicas: spec, current, ...extra, observedGeneration: 1 });

describe("replicaSetsToCleanUp (upstream TestDeploymentController_cleanupDeployment)", () => {
  it.each<[string, ReplicaSet[], number, string[]]>([
    ["keep 1 of 3 empty", [rsWithStatus("foo-1", 0, 0), rsWithStatus("foo-2", 0, 0), rsWithStatus("foo-3", 0, 0)], 1, ["foo-1", "foo-2"]],
    [
      "only spec = status.replicas = 0 is deleted",
      [rsWithStatus("foo-1", 0, 0), rsWithStatus("foo-2", 0, 1), rsWithStatus("foo-3", 1, 0), rsWithStatus("foo-4", 1, 1)],
      0,
      ["foo-1"],
    ],
    ["limit 0 deletes every empty one", [rsWithStatus("foo-1", 0, 0), rsWithStatus("foo-2", 0, 0)], 0, ["foo-1", "foo-2"]],
    ["non-empty ones stay", [rsWithStatus("foo-1", 1, 1), rsWithStatus("foo-2", 1, 1)], 0, []],
    ["already being deleted", [rsWithStatus("foo-1", 0, 0, { deleting: true })], 0, []],
    ["unlimited history", [rsWithStatus("foo-1", 0, 0), rsWithStatus("foo-2", 0, 0), rsWithStatus("foo-3", 0, 0)], 2147483647, []],
    ["lowest revisions first", [rsWithStatus("b", 0, 0, { revision: 3 }), rsWithStatus("c", 0, 0, { revision: 1 }), rsWithStatus("a", 0, 0, { revision: 2 })], 1, ["c", "a"]],
    [
      "a busy RS among the oldest is skipped, not replaced by a newer one",
      [rsWithStatus("r1", 1, 1, { revision: 1 }), rsWithStatus("r2", 0, 0, { revision: 2 }), rsWithStatus("r3", 0, 0, { revision: 3 })],
      1,
      ["r2"],
    ],
    ["an RS whose latest spec is not observed yet is skipped", [rsWithStatus("r1", 0, 0, { revision: 1, generation: 2 }), rsWithStatus("r2", 0, 0, { revision: 2 })], 0, ["r2"]],
  ])("%s", (_name, oldRSs, limit, expected) => {
    const d = deployment({ revisionHistoryLimit: limit });
    expect(replicaSetsToCleanUp(d, oldRSs).map((rs) => rs.metadata.name)).toEqual(expected);
  });

  it("syncDeployment cleans up only once the Deployment was complete before the sync", () => {
    const cluster = settledCluster(deployment({ replicas: 1, revisionHistoryLimit: 1, maxSurge: 1, maxUnavailable: 0 }));
    for (const image of ["nginx:2", "nginx:3", "nginx:4"]) {
      cluster.edit((d) => (d.spec.template = template(image)));
      cluster.rollout();
      cluster.allAvailable();
      cluster.settle();
    }
    expect(cluster.replicaSets.map(revisionOf).sort()).toEqual([3, 4]);
    const deletions = cluster.history.flatMap((r) => actionsOf(r, "deleteReplicaSet"));
    expect(deletions).toHaveLength(2);
  });
});

describe("rolloutHistory", () => {
  it("lists revisions lowest first with their change cause", () => {
    const rss = [
      replicaSet("web-b", { revision: 2, annotations: { [CHANGE_CAUSE_ANNOTATION]: "set image nginx:2" } }),
      replicaSet("web-a", { revision: 1 }),
      replicaSet("web-orphan"),
    ];
    expect(rolloutHistory(rss).map((r) => [r.revision, r.replicaSet.metadata.name, r.changeCause])).toEqual([
      [1, "web-a", null],
      [2, "web-b", "set image nginx:2"],
    ]);
  });
});

describe("findRollbackTarget", () => {
  const owned = [
    replicaSet("web-1", { revision: 1, image: "nginx:1", created: 0, annotations: { [CHANGE_CAUSE_ANNOTATION]: "v1", team: "red" } }),
    replicaSet("web-3", { revision: 3, image: "nginx:3", created: 20, annotations: { [CHANGE_CAUSE_ANNOTATION]: "v3" } }),
    replicaSet("web-2", { revision: 2, image: "nginx:2", created: 10, annotations: { [CHANGE_CAUSE_ANNOTATION]: "v2" } }),
  ];
  const current = () =>
    deployment({ image: "nginx:3", annotations: { [REVISION_ANNOTATION]: "3", [CHANGE_CAUSE_ANNOTATION]: "v3", team: "blue" } });

  it("0 means the previous revision (the second highest)", () => {
    const target = findRollbackTarget(current(), owned, 0);
    expect(target.ok && target.revision).toBe(2);
  });

  it("copies the RS template without the hash label, and the RS's annotations beside the Deployment's bookkeeping", () => {
    const target = findRollbackTarget(current(), owned, 1);
    if (!target.ok) throw new Error(target.error.message);
    expect(target.replicaSet.metadata.name).toBe("web-1");
    expect(target.template.spec.containers[0].image).toBe("nginx:1");
    expect(target.template.metadata.labels).toEqual({ app: "web" });
    expect(owned[0].spec.template.metadata.labels[POD_TEMPLATE_HASH_LABEL]).toBe("1"); // the RS itself is untouched
    expect(target.annotations).toEqual({ [REVISION_ANNOTATION]: "3", [CHANGE_CAUSE_ANNOTATION]: "v1", team: "red" });
  });

  it.each<[string, () => ReturnType<typeof current>, ReplicaSet[], number, string, string]>([
    ["paused", () => ({ ...current(), spec: { ...current().spec, paused: true } }), owned, 0, "Paused", "cannot rollback a paused deployment"],
    ["unknown revision", current, owned, 7, "RevisionNotFound", "unable to find specified revision 7 in history"],
    ["negative revision", current, owned, -1, "RevisionNotFound", "unable to find specified revision -1 in history"],
    ["no history", current, [owned[1]], 0, "NoHistory", `no rollout history found for deployment "web"`],
    ["already current", current, owned, 3, "AlreadyCurrent", "skipped rollback (current template already matches revision 3)"],
  ])("%s", (_name, d, rss, toRevision, reason, message) => {
    const target = findRollbackTarget(d(), rss, toRevision);
    expect(target.ok).toBe(false);
    if (!target.ok) expect(target.error).toMatchObject({ reason, message });
  });

  it("after a rollback the rolled-back RS carries the highest revision, so 0 goes to the one before it", () => {
    const cluster = settledCluster(deployment({ replicas: 1, image: "nginx:1" }));
    cluster.edit((d) => (d.spec.template = template("nginx:2")));
    cluster.rollout();
    cluster.allAvailable();
    cluster.settle();
    const back = findRollbackTarget(cluster.deployment, cluster.replicaSets, 0);
    if (!back.ok) throw new Error(back.error.message);
    expect(back.revision).toBe(1);
    cluster.edit((d) => {
      d.spec.template = back.template;
      d.metadata.annotations = back.annotations;
    });
    cluster.rollout();
    cluster.allAvailable();
    cluster.settle();
    expect(cluster.deployment.metadata.annotations[REVISION_ANNOTATION]).toBe("3");
    expect(cluster.newRS!.metadata.annotations["deployment.kubernetes.io/revision-history"]).toBe("1");
    const again = findRollbackTarget(cluster.deployment, cluster.replicaSets, 0);
    expect(again.ok && again.revision).toBe(2);
  });
});

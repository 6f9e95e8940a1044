import { describe, it, expect } from "vitest";
import {
  buildNewReplicaSet,
  CHANGE_CAUSE_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  findNewReplicaSet,
  isHashCollision,
  isSaturated,
  LAST_APPLIED_CONFIG_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  maxRevision,
  newReplicaSetAnnotations,
  replicasAnnotationsNeedUpdate,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  revisionOf,
} from "../../../src/domain/deployment-util.ts";
import { POD_TEMPLATE_HASH_LABEL } from "../../../src/domain/hash.ts";
import type { ReplicaSet } from "../../../src/domain/types.ts";
import { deployment, replicaSet } from "./deployment-fixtures.ts";

describe("revisions", () => {
  it.each<[Record<string, string>, number]>([
    [{}, 0],
    [{ [REVISION_ANNOTATION]: "7" }, 7],
    [{ [REVISION_ANNOTATION]: "x" }, 0],
  ])("revisionOf %j = %i", (annotations, expected) => {
    expect(revisionOf(replicaSet("web-a", { annotations }))).toBe(expected);
  });

  it("maxRevision looks at every RS, even those at 0 replicas", () => {
    const rss = [replicaSet("web-a", { revision: 3, replicas: 0 }), replicaSet("web-b", { revision: 5, replicas: 0 }), replicaSet("web-c", { replicas: 2 })];
    expect(maxRevision(rss)).toBe(5);
    expect(maxRevision([])).toBe(0);
  });
});

describe("findNewReplicaSet (upstream TestFindNewReplicaSet)", () => {
  const d = deployment({ image: "nginx:2" });
  const newRS = replicaSet("web-new", { image: "nginx:2", created: 10, replicas: 3 });
  const newRSDup = replicaSet("web-dup", { image: "nginx:2", created: 20, replicas: 0 });
  const oldRS = replicaSet("web-old", { image: "nginx:1", created: 0, replicas: 0 });

  it.each<[string, ReplicaSet[], ReplicaSet | null]>([
    ["new and old", [newRS, oldRS], newRS],
    ["no new RS", [oldRS], null],
    ["two with the template: the OLDEST is new", [oldRS, newRSDup, newRS], newRS],
    ["only the new RS", [newRS], newRS],
  ])("%s", (_name, rss, expectedNew) => {
    expect(findNewReplicaSet(d, rss)).toBe(expectedNew);
  });

  it("never identifies by hash: a hash label that matches nothing does not matter", () => {
    const rs = replicaSet("web-zzz", { image: "nginx:2" });
    rs.spec.template.metadata.labels[POD_TEMPLATE_HASH_LABEL] = "not-the-hash";
    expect(findNewReplicaSet(d, [rs])).toBe(rs);
  });

  it("equal creation timestamps are ordered by name", () => {
    const b = replicaSet("web-b", { image: "nginx:2", created: 5 });
    const a = replicaSet("web-a", { image: "nginx:2", created: 5 });
    expect(findNewReplicaSet(d, [b, a])).toBe(a);
  });
});

describe("newReplicaSetAnnotations", () => {
  const d = deployment({
    replicas: 10,
    maxSurge: 3,
    maxUnavailable: 2,
    annotations: {
      [CHANGE_CAUSE_ANNOTATION]: "kubectl set image deployment/web app=nginx:2",
      team: "blue",
      [LAST_APPLIED_CONFIG_ANNOTATION]: "{...}",
      [REVISION_ANNOTATION]: "4",
      [DESIRED_REPLICAS_ANNOTATION]: "99",
    },
  });

  it("for a new RS: the Deployment's annotations minus bookkeeping, revision, desired and max replicas", () => {
    expect(newReplicaSetAnnotations(d, {}, 5, false)).toEqual({
      [CHANGE_CAUSE_ANNOTATION]: "kubectl set image deployment/web app=nginx:2",
      team: "blue",
      [REVISION_ANNOTATION]: "5",
      [DESIRED_REPLICAS_ANNOTATION]: "10",
      [MAX_REPLICAS_ANNOTATION]: "13",
    });
  });

  it("for an existing RS becoming new again: the old revision goes to revision-history", () => {
    const current = { [REVISION_ANNOTATION]: "1", [DESIRED_REPLICAS_ANNOTATION]: "3", other: "kept" };
    expect(newReplicaSetAnnotations(d, current, 3, true)).toEqual({
      [CHANGE_CAUSE_ANNOTATION]: "kubectl set image deployment/web app=nginx:2",
      team: "blue",
      other: "kept",
      [REVISION_ANNOTATION]: "3",
      [REVISION_HISTORY_ANNOTATION]: "1",
      [DESIRED_REPLICAS_ANNOTATION]: "3",
    });
    expect(newReplicaSetAnnotations(d, { [REVISION_ANNOTATION]: "3", [REVISION_HISTORY_ANNOTATION]: "1" }, 5, true)[REVISION_HISTORY_ANNOTATION]).toBe("1,3");
  });

  it("never lowers a revision", () => {
    expect(newReplicaSetAnnotations(d, { [REVISION_ANNOTATION]: "9" }, 5, true)[REVISION_ANNOTATION]).toBe("9");
  });

  it("keeps revision-history within 2000 characters, dropping the oldest", () => {
    const long = Array.from({ length: 400 }, (_, i) => String(1000 + i)).join(",");
    const out = newReplicaSetAnnotations(d, { [REVISION_ANNOTATION]: "9999", [REVISION_HISTORY_ANNOTATION]: long }, 10000, true);
    const history = out[REVISION_HISTORY_ANNOTATION];
    expect(history.length).toBeLessThanOrEqual(2000);
    expect(history.endsWith(",1399,9999")).toBe(true);
    expect(history.startsWith("1000,")).toBe(false);
  });
});

describe("buildNewReplicaSet", () => {
  it("names it <deployment>-<hash> and adds the hash to labels, selector and template", () => {
    const d = deployment({ minReadySeconds: 5 });
    const rs = buildNewReplicaSet(d, "5d45fb8598", 2, { a: "b" });
    expect(rs.metadata).toEqual({
      name: "web-5d45fb8598",
      namespace: "default",
      labels: { app: "web", [POD_TEMPLATE_HASH_LABEL]: "5d45fb8598" },
      annotations: { a: "b" },
      ownerReferences: [{ kind: "Deployment", name: "web", uid: "d-uid", controller: true }],
    });
    expect(rs.spec.replicas).toBe(2);
    expect(rs.spec.minReadySeconds).toBe(5);
    expect(rs.spec.selector).toEqual({ matchLabels: { app: "web", [POD_TEMPLATE_HASH_LABEL]: "5d45fb8598" }, matchExpressions: [] });
    expect(rs.spec.template.metadata.labels).toEqual({ app: "web", [POD_TEMPLATE_HASH_LABEL]: "5d45fb8598" });
    expect(d.spec.template.metadata.labels).toEqual({ app: "web" });
  });
});

describe("isHashCollision", () => {
  const d = deployment({ image: "nginx:2" });
  it.each<[string, ReplicaSet, boolean]>([
    ["ours with this template", replicaSet("web-x", { image: "nginx:2" }), false],
    ["ours with another template", replicaSet("web-x", { image: "nginx:1" }), true],
    ["someone else's with this template", replicaSet("web-x", { image: "nginx:2", ownerUid: "other" }), true],
  ])("%s → %s", (_name, rs, expected) => {
    expect(isHashCollision(rs, d)).toBe(expected);
  });
});

describe("isSaturated / replicasAnnotationsNeedUpdate", () => {
  const d = deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 0 });
  it.each<[string, ReplicaSet | null, boolean]>([
    ["no RS", null, false],
    ["size, annotation and availability equal replicas", replicaSet("web-a", { replicas: 3, desired: 3 }), true],
    ["not all available", replicaSet("web-a", { replicas: 3, desired: 3, available: 2 }), false],
    ["annotation differs", replicaSet("web-a", { replicas: 3, desired: 2 }), false],
    ["no annotation", replicaSet("web-a", { replicas: 3 }), false],
  ])("%s → %s", (_name, rs, expected) => {
    expect(isSaturated(d, rs)).toBe(expected);
  });

  it("replicas annotations are desired = replicas and max = replicas + maxSurge", () => {
    expect(replicasAnnotationsNeedUpdate(replicaSet("web-a", { desired: 3, max: 4 }), d)).toBe(false);
    expect(replicasAnnotationsNeedUpdate(replicaSet("web-a", { desired: 3, max: 3 }), d)).toBe(true);
    expect(replicasAnnotationsNeedUpdate(replicaSet("web-a"), d)).toBe(true);
  });
});

import { describe, it, expect } from "vitest";
import { findActiveOrLatest, isScalingEvent, roundHalfAwayFromZero, scalePlan } from "../../../src/domain/scale.ts";
import { syncDeployment } from "../../../src/domain/deployment-sync.ts";
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION } from "../../../src/domain/deployment-util.ts";
import type { ReplicaSet } from "../../../src/domain/types.ts";
import { actionsOf, at, deployment, events, replicaSet } from "./deployment-fixtures.ts";

const NEW = 200; // creation times: new, old, older
const OLD = 100;
const OLDER = 0;

type RSSpec = [name: string, size: number, created: number];

interface ScaleCase {
  name: string;
  replicas: number;
  surge?: number;
  unavailable?: number;
  /** the spec.replicas / surge the annotations were written for */
  before: number;
  beforeSurge?: number;
  newRS: RSSpec | null;
  oldRSs: RSSpec[];
  expectedNew: number | null;
  expectedOld: number[];
  newAvailable?: number;
}

// upstream sync_test.go TestScale; its newDeployment defaults to surge 0 / unavailable 0
const cases: ScaleCase[] = [
  { name: "normal scaling event: 10 -> 12", replicas: 12, before: 10, newRS: ["web-v1", 10, NEW], oldRSs: [], expectedNew: 12, expectedOld: [] },
  { name: "normal scaling event: 10 -> 5", replicas: 5, before: 10, newRS: ["web-v1", 10, NEW], oldRSs: [], expectedNew: 5, expectedOld: [] },
  { name: "proportional scaling: 5 -> 10", replicas: 10, before: 5, newRS: ["web-v2", 2, NEW], oldRSs: [["web-v1", 3, OLD]], expectedNew: 4, expectedOld: [6] },
  { name: "proportional scaling: 5 -> 3", replicas: 3, before: 5, newRS: ["web-v2", 2, NEW], oldRSs: [["web-v1", 3, OLD]], expectedNew: 1, expectedOld: [2] },
  { name: "proportional scaling: 9 -> 4", replicas: 4, before: 9, newRS: ["web-v2", 8, NEW], oldRSs: [["web-v1", 1, OLD]], expectedNew: 4, expectedOld: [0] },
  { name: "proportional scaling: 7 -> 10", replicas: 10, before: 7, newRS: ["web-v3", 2, NEW], oldRSs: [["web-v2", 3, OLD], ["web-v1", 2, OLDER]], expectedNew: 3, expectedOld: [4, 3] },
  { name: "proportional scaling: 13 -> 8", replicas: 8, before: 13, newRS: ["web-v3", 2, NEW], oldRSs: [["web-v2", 8, OLD], ["web-v1", 3, OLDER]], expectedNew: 1, expectedOld: [5, 2] },
  { name: "leftover distribution: 3 -> 4 (to the newest of equals)", replicas: 4, before: 3, newRS: ["web-v3", 1, NEW], oldRSs: [["web-v2", 1, OLD], ["web-v1", 1, OLDER]], expectedNew: 2, expectedOld: [1, 1] },
  { name: "leftover distribution: 3 -> 2 (from the oldest of equals)", replicas: 2, before: 3, newRS: ["web-v3", 1, NEW], oldRSs: [["web-v2", 1, OLD], ["web-v1", 1, OLDER]], expectedNew: 1, expectedOld: [1, 0] },
  { name: "proportional scaling (no new rs): 4 -> 5", replicas: 5, before: 4, newRS: null, oldRSs: [["web-v2", 2, OLD], ["web-v1", 2, OLDER]], expectedNew: null, expectedOld: [3, 2] },
  { name: "proportional scaling: 6 -> 0", replicas: 0, before: 6, newRS: ["web-v3", 3, NEW], oldRSs: [["web-v2", 2, OLD], ["web-v1", 1, OLDER]], expectedNew: 0, expectedOld: [0, 0] },
  { name: "proportional scaling: 0 -> 6 (nothing active: the new RS)", replicas: 6, before: 6, newRS: ["web-v3", 0, NEW], oldRSs: [["web-v2", 0, OLD], ["web-v1", 0, OLDER]], expectedNew: 6, expectedOld: [0, 0] },
  { name: "deployment with surge pods", replicas: 20, surge: 2, before: 10, beforeSurge: 2, newRS: ["web-v2", 6, NEW], oldRSs: [["web-v1", 6, OLD]], expectedNew: 11, expectedOld: [11] },
  { name: "change both surge and size", replicas: 50, surge: 6, before: 10, beforeSurge: 3, newRS: ["web-v2", 5, NEW], oldRSs: [["web-v1", 8, OLD]], expectedNew: 22, expectedOld: [34] },
  { name: "change both size and template", replicas: 14, before: 10, newRS: null, oldRSs: [["web-v2", 7, NEW], ["web-v1", 3, OLD]], expectedNew: null, expectedOld: [10, 4] },
  { name: "saturated but broken new replica set does not affect old pods", replicas: 2, surge: 1, unavailable: 1, before: 2, beforeSurge: 1, newRS: ["web-v2", 2, NEW], oldRSs: [["web-v1", 1, OLD]], expectedNew: 2, expectedOld: [1] },
  { name: "saturated new replica set: old RSs go to 0", replicas: 3, before: 3, newRS: ["web-v2", 3, NEW], newAvailable: 3, oldRSs: [["web-v1", 1, OLD]], expectedNew: 3, expectedOld: [0] },
];

function build(c: ScaleCase) {
  const d = deployment({ replicas: c.replicas, maxSurge: c.surge ?? 0, maxUnavailable: c.unavailable ?? 0 });
  const annotate = (spec: RSSpec, available: number): ReplicaSet =>
    replicaSet(spec[0], { replicas: spec[1], created: spec[2], available, desired: c.before, max: c.before + (c.beforeSurge ?? 0) });
  const newRS = c.newRS ? annotate(c.newRS, c.newAvailable ?? 0) : null;
  const oldRSs = c.oldRSs.map((spec) => annotate(spec, 0));
  return { d, newRS, oldRSs };
}

describe("scalePlan (upstream TestScale)", () => {
  it.each(cases)("$name", (c) => {
    const { d, newRS, oldRSs } = build(c);
    const sizes = new Map([...oldRSs, ...(newRS ? [newRS] : [])].map((rs) => [rs, rs.spec.replicas]));
    for (const step of scalePlan(d, newRS, oldRSs)) sizes.set(step.rs, step.replicas);
    if (newRS) expect(sizes.get(newRS)).toBe(c.expectedNew);
    expect(oldRSs.map((rs) => sizes.get(rs))).toEqual(c.expectedOld);
  });

  it("the proportional path rewrites the annotations of every active RS, even one whose size stays", () => {
    const { d, newRS, oldRSs } = build(cases.find((c) => c.name.startsWith("leftover distribution: 3 -> 4"))!);
    const steps = scalePlan(d, newRS, oldRSs);
    expect(steps).toHaveLength(3);
    expect(steps.every((s) => s.refreshAnnotations)).toBe(true);
  });
});

describe("the proportional-scaling example of controller-semantics §6", () => {
  it("stuck at (new 5, old 8), max-replicas 13, scaled 10 → 15 with surge 3: old 11, new 7", () => {
    const d = deployment({ replicas: 15, maxSurge: 3, maxUnavailable: 2, image: "nginx:2", generation: 3 });
    d.status.observedGeneration = 2;
    const oldRS = replicaSet("web-old", { replicas: 8, created: OLD, image: "nginx:1", revision: 1, desired: 10, max: 13 });
    const newRS = replicaSet("web-new", { replicas: 5, available: 0, created: NEW, image: "nginx:2", revision: 2, desired: 10, max: 13 });
    const result = syncDeployment({ deployment: d, replicaSets: [oldRS, newRS], pods: [], now: at(1000) });
    const updates = actionsOf(result, "updateReplicaSet");
    expect(updates.map((u) => [u.name, u.replicas, u.annotations?.[DESIRED_REPLICAS_ANNOTATION], u.annotations?.[MAX_REPLICAS_ANNOTATION]])).toEqual([
      ["web-old", 11, "15", "18"],
      ["web-new", 7, "15", "18"],
    ]);
    expect(events(result)).toEqual([
      "Normal ScalingReplicaSet: Scaled up replica set web-old to 11 from 8",
      "Normal ScalingReplicaSet: Scaled up replica set web-new to 7 from 5",
    ]);
    expect(actionsOf(result, "createReplicaSet")).toEqual([]);
  });
});

describe("isScalingEvent", () => {
  const d = deployment({ replicas: 5 });
  it.each<[string, ReplicaSet[], boolean]>([
    ["desired-replicas differs on an active RS", [replicaSet("web-a", { replicas: 3, desired: 3 })], true],
    ["desired-replicas equal", [replicaSet("web-a", { replicas: 5, desired: 5 })], false],
    ["only inactive RSs differ", [replicaSet("web-a", { replicas: 0, desired: 3 })], false],
    ["no annotation", [replicaSet("web-a", { replicas: 3 })], false],
  ])("%s → %s", (_name, rss, expected) => {
    expect(isScalingEvent(d, null, rss)).toBe(expected);
  });
});

describe("findActiveOrLatest", () => {
  const older = replicaSet("web-1", { created: OLDER });
  const old = replicaSet("web-2", { created: OLD });
  const newest = replicaSet("web-3", { created: NEW });
  const active = replicaSet("web-4", { created: OLDER, replicas: 2 });
  const alsoActive = replicaSet("web-5", { created: OLD, replicas: 1 });
  it.each<[string, ReplicaSet | null, ReplicaSet[], ReplicaSet | null]>([
    ["nothing", null, [], null],
    ["nothing active: the new RS", newest, [older, old], newest],
    ["nothing active, no new RS: the newest old", null, [old, older], old],
    ["exactly one active", newest, [active, older], active],
    ["several active", newest, [active, alsoActive], null],
  ])("%s", (_name, newRS, oldRSs, expected) => {
    expect(findActiveOrLatest(newRS, oldRSs)).toBe(expected);
  });
});

describe("roundHalfAwayFromZero", () => {
  it.each([
    [2.5, 3],
    [-2.5, -3],
    [2.4, 2],
    [-0.5, -1],
    [11.077, 11],
    [6.923, 7],
    [0, 0],
  ])("%f → %i", (x, expected) => {
    expect(roundHalfAwayFromZero(x)).toBe(expected);
  });
});

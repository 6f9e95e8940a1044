import { describe, expect, it } from "vitest";
import { quotaOf, quotaRoom } from "../../../src/domain/quota.ts";

describe("quotaRoom", () => {
  it.each([
    // kind, limit, used, adding → room, message
    ["Pod", 10, 0, 3, 3, null],
    ["Pod", 10, 7, 3, 3, null],
    ["Pod", 10, 8, 3, 2, "exceeded quota: count/pods, requested: 3, used: 8, limited: 10"],
    ["Pod", 10, 10, 1, 0, "exceeded quota: count/pods, requested: 1, used: 10, limited: 10"],
    ["Pod", 10, 12, 1, 0, "exceeded quota: count/pods, requested: 1, used: 12, limited: 10"],
    ["ReplicaSet", 2, 2, 1, 0, "exceeded quota: count/replicasets.apps, requested: 1, used: 2, limited: 2"],
    ["Deployment", 2, 1, 1, 1, null],
    ["Deployment", 2, 2, 0, 0, null],
  ] as const)("%s: limit %i, used %i, adding %i → room %i", (kind, limit, used, adding, room, message) => {
    expect(quotaRoom(kind, limit, used, adding)).toEqual({ room, message });
  });

  it("quotaOf reads the kind's quota", () => {
    const quotas = { pods: 1, replicaSets: 2, deployments: 3 };
    expect([quotaOf(quotas, "Pod"), quotaOf(quotas, "ReplicaSet"), quotaOf(quotas, "Deployment")]).toEqual([1, 2, 3]);
  });
});

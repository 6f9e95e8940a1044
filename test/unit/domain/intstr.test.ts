import { describe, it, expect } from "vitest";
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValue } from "../../../src/domain/intstr.ts";
import { newRSNewReplicas } from "../../../src/domain/deployment-util.ts";
import type { IntOrString } from "../../../src/domain/types.ts";
import { deployment, replicaSet } from "./deployment-fixtures.ts";

describe("scaledValue", () => {
  it.each<[IntOrString, number, boolean, number]>([
    [3, 10, true, 3],
    [3, 10, false, 3],
    ["25%", 10, true, 3],
    ["25%", 10, false, 2],
    ["25%", 4, true, 1],
    ["25%", 4, false, 1],
    ["1%", 3, true, 1],
    ["1%", 3, false, 0],
    ["100%", 7, false, 7],
    ["0%", 7, true, 0],
    ["50%", 0, true, 0],
  ])("%j of %i (round up %s) = %i", (value, total, roundUp, expected) => {
    expect(scaledValue(value, total, roundUp)).toBe(expected);
  });

  it.each(["oops", "5", "-5%", "5.5%", ""])("rejects %j", (value) => {
    expect(() => scaledValue(value, 10, true)).toThrow(/invalid value for IntOrString/);
  });
});

describe("resolveFenceposts (upstream TestResolveFenceposts and the rounding rules)", () => {
  it.each<[IntOrString, IntOrString, number, number, number]>([
    ["0%", "0%", 0, 0, 1],
    ["39%", "39%", 10, 4, 3],
    ["25%", "25%", 10, 3, 2],
    ["25%", "25%", 1, 1, 0],
    ["0%", "1%", 2, 0, 1], // unavailable rounds down to 0, surge 0: unavailable becomes 1
    ["1%", "0%", 2, 1, 0],
    [0, 0, 5, 0, 1],
    [2, 0, 5, 2, 0],
  ])("surge %j unavailable %j of %i → %i / %i", (surge, unavailable, desired, expectSurge, expectUnavailable) => {
    expect(resolveFenceposts(surge, unavailable, desired)).toEqual({ maxSurge: expectSurge, maxUnavailable: expectUnavailable });
  });

  it("fails on a malformed value", () => {
    expect(() => resolveFenceposts("oops", "39%", 10)).toThrow();
    expect(() => resolveFenceposts("55%", "urg", 10)).toThrow();
  });
});

describe("maxUnavailable (upstream TestMaxUnavailable)", () => {
  it.each<[string, number, IntOrString, boolean, number]>([
    ["less than replicas", 10, 5, false, 5],
    ["equal to replicas", 10, 10, false, 10],
    ["greater than replicas: clamped", 5, 10, false, 5],
    ["replicas 0", 0, 10, false, 0],
    ["Recreate", 10, 5, true, 0],
    ["less than replicas, percent", 10, "50%", false, 5],
    ["equal to replicas, percent", 10, "100%", false, 10],
    ["greater than replicas, percent", 5, "100%", false, 5],
  ])("%s", (_name, replicas, unavailable, recreate, expected) => {
    expect(maxUnavailable(deployment({ replicas, maxSurge: 1, maxUnavailable: unavailable, recreate }))).toBe(expected);
  });
});

describe("maxSurge", () => {
  it.each<[number, IntOrString, IntOrString, boolean, number]>([
    [10, "25%", "25%", false, 3],
    [10, 4, 0, false, 4],
    [0, 3, 0, false, 3],
    [0, "25%", "25%", false, 0],
    [10, "25%", "25%", true, 0],
  ])("replicas %i surge %j unavailable %j recreate %s → %i", (replicas, surge, unavailable, recreate, expected) => {
    expect(maxSurge(deployment({ replicas, maxSurge: surge, maxUnavailable: unavailable, recreate }))).toBe(expected);
  });
});

describe("newRSNewReplicas (upstream TestNewRSNewReplicas plus the §2 formula)", () => {
  it.each<[string, boolean, number, number, number, number[], number]>([
    // name, recreate, replicas, surge, new RS size, other RS sizes, expected
    ["cannot scale up: stays at its size", false, 1, 1, 5, [5], 5],
    ["scale up to replicas", false, 6, 10, 2, [5], 6],
    ["recreate: replicas", true, 3, 1, 1, [5], 3],
    ["room left by the surge", false, 10, 3, 3, [8], 5],
    ["never past replicas", false, 3, 3, 0, [3], 3],
    ["no room", false, 3, 0, 0, [3], 0],
    ["first rollout", false, 3, 1, 0, [], 3],
  ])("%s", (_name, recreate, replicas, surge, newSize, others, expected) => {
    const d = deployment({ replicas, maxSurge: surge, maxUnavailable: 1, recreate });
    const newRS = replicaSet("web-new", { replicas: newSize });
    const all = [newRS, ...others.map((size, i) => replicaSet(`web-old${i}`, { replicas: size }))];
    expect(newRSNewReplicas(d, all, newRS)).toBe(expected);
  });
});

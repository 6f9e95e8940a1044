import { describe, expect, it } from "vitest";
import { placePods, type NodeLoad } from "../../../src/domain/scheduling.ts";

const nodes = (loads: Record<string, number>): NodeLoad[] => Object.entries(loads).map(([name, pods]) => ({ name, pods }));

describe("placePods: each new pod on the least-loaded live node", () => {
  it.each<[string, NodeLoad[], number, (string | null)[]]>([
    ["no node: every pod stays unbound", [], 3, [null, null, null]],
    ["no pod", nodes({ a: 0 }), 0, []],
    ["one node takes every pod", nodes({ a: 7 }), 3, ["a", "a", "a"]],
    ["empty nodes in turn, ties by name", nodes({ c: 0, a: 0, b: 0 }), 5, ["a", "b", "c", "a", "b"]],
    ["the emptiest first, until it catches up", nodes({ a: 5, b: 2, c: 4 }), 6, ["b", "b", "b", "c", "a", "b"]],
    ["a new node fills up to the others' load", nodes({ a: 3, b: 3, new: 0 }), 4, ["new", "new", "new", "a"]],
  ])("%s", (_what, live, count, expected) => {
    expect(placePods(live, count)).toEqual(expected);
  });

  it("spreads a large batch evenly, whatever the order the nodes come in", () => {
    const placed = placePods(nodes({ "node-c1": 0, "node-a1": 1, "node-b1": 0 }), 1000);
    const per = new Map<string | null, number>();
    for (const n of placed) per.set(n, (per.get(n) ?? 0) + 1);
    expect(Object.fromEntries(per)).toEqual({ "node-a1": 333, "node-b1": 334, "node-c1": 333 });
  });

  it("leaves its argument as it was", () => {
    const live = nodes({ a: 1, b: 0 });
    placePods(live, 4);
    expect(live).toEqual(nodes({ a: 1, b: 0 }));
  });
});

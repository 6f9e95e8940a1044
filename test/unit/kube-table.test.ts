import { describe, expect, it } from "vitest";
import { COLUMNS, humanDuration, podCells } from "../../src/kube/table.ts";

describe("column definitions", () => {
  it("upstream's columns, with the descriptions of the fields they show taken from the kinds' description", () => {
    expect(COLUMNS.ReplicaSet.map((c) => [c.name, c.type, c.priority ?? 0])).toEqual([
      ["Name", "string", 0], ["Desired", "integer", 0], ["Current", "integer", 0], ["Ready", "integer", 0], ["Age", "string", 0],
      ["Containers", "string", 1], ["Images", "string", 1], ["Selector", "string", 1],
    ]);
    expect(COLUMNS.ReplicaSet[0]).toEqual({ name: "Name", type: "string", format: "name", description: expect.stringMatching(/^Name must be unique within a namespace/) });
    expect(COLUMNS.ReplicaSet[1].description).toMatch(/^Replicas is the number of desired pods/);
    for (const column of Object.values(COLUMNS).flat()) expect(column.description).not.toMatch(/^io\.k8s\./);
  });
});

describe("humanDuration (upstream's duration.HumanDuration)", () => {
  it.each<[number, string]>([
    [-5_000, "<invalid>"],
    [-500, "0s"],
    [0, "0s"],
    [119_000, "119s"],
    [120_000, "2m"],
    [125_000, "2m5s"],
    [15 * 60_000, "15m"],
    [3 * 3600_000 + 20 * 60_000, "3h20m"],
    [10 * 3600_000, "10h"],
    [2 * 86400_000 + 3 * 3600_000, "2d3h"],
    [30 * 86400_000, "30d"],
    [(365 * 2 + 20) * 86400_000, "2y20d"],
    [(365 * 9) * 86400_000, "9y"],
  ])("%d ms is %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe("the pod Status column (upstream's printPod)", () => {
  const pod = (statuses: object[], extra: object = {}) => ({ metadata: { name: "p", ...extra }, spec: { containers: statuses.map(() => ({})) }, status: { phase: "Running", containerStatuses: statuses } });
  it.each<[string, object, { ready: string; status: string; restarts: string }]>([
    ["running and ready", pod([{ ready: true, restartCount: 0, state: { running: {} } }]), { ready: "1/1", status: "Running", restarts: "0" }],
    ["a waiting reason wins", pod([{ ready: false, restartCount: 2, state: { waiting: { reason: "CrashLoopBackOff" } } }]), { ready: "0/1", status: "CrashLoopBackOff", restarts: "2" }],
    ["terminated without a reason", pod([{ ready: false, restartCount: 0, state: { terminated: { exitCode: 3 } } }]), { ready: "0/1", status: "ExitCode:3", restarts: "0" }],
    ["terminating", pod([{ ready: true, restartCount: 1, state: { running: {} } }], { deletionTimestamp: "2026-01-01T00:00:00Z" }), { ready: "1/1", status: "Terminating", restarts: "1" }],
  ])("%s", (_name, o, expected) => {
    expect(podCells(o)).toEqual(expected);
  });
});

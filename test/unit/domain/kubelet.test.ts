import { describe, it, expect } from "vitest";
import {
  crashLoop,
  fakePodIP,
  pickNodeByName,
  podBehavior,
  servesPod,
  takenOverNodes,
  type NodeState,
  simulatePod,
  type KubeletOptions,
  type KubeletResult,
} from "../../../src/domain/kubelet.ts";
import type { Pod } from "../../../src/domain/types.ts";
import { container, podMeta, T0 } from "./deployment-fixtures.ts";

const ms = (offset: number) => new Date(T0 + offset);
const s = (seconds: number) => ms(seconds * 1000);
const NODES = ["node-a", "node-b", "node-c"];
const STARTUP = 2000;

function pod(annotations: Record<string, string> = {}, containers = ["app"]): Pod {
  return {
    metadata: podMeta("web-abc-x7k2q", { uid: "4f9c1d2e-0000-4000-8000-000000000001", annotations }),
    spec: { containers: containers.map((name) => container(name, `${name}:1.0`)), terminationGracePeriodSeconds: 30, nodeName: null },
    status: { phase: "Pending", ready: false, conditions: [], containerStatuses: [], startTime: null, podIP: null },
  };
}

const options = (now: Date, extra: Partial<KubeletOptions> = {}): KubeletOptions => ({
  now,
  nodes: NODES,
  defaultStartupMs: STARTUP,
  ...extra,
});

/** What the kubelet runner does with a result: write status and node into the row. */
function apply(p: Pod, r: KubeletResult): Pod {
  return {
    ...p,
    spec: { ...p.spec, nodeName: r.nodeName ?? p.spec.nodeName },
    status: r.status ?? p.status,
  };
}

/** One kubelet step at `now`; also checks that a second step at the same `now` changes nothing. */
function step(p: Pod, now: Date, extra: Partial<KubeletOptions> = {}): { pod: Pod; result: KubeletResult } {
  const result = simulatePod(p, options(now, extra));
  const next = apply(p, result);
  expect(simulatePod(next, options(now, extra))).toEqual({ nextWakeAt: result.nextWakeAt });
  return { pod: next, result };
}

function readyCondition(p: Pod) {
  return p.status.conditions.find((c) => c.type === "Ready");
}

describe("behavior annotation", () => {
  it.each([
    [{}, "ready"],
    [{ "sim.deploye.dev/behavior": "unready" }, "unready"],
    [{ "sim.deploye.dev/behavior": "crashloop" }, "crashloop"],
    [{ "sim.deploye.dev/behavior": "imagepull" }, "imagepull"],
    [{ "sim.deploye.dev/behavior": "manual" }, "manual"],
    [{ "sim.deploye.dev/behavior": "bogus" }, "ready"],
  ])("%j → %s", (annotations, expected) => {
    expect(podBehavior(pod(annotations))).toBe(expected);
  });
});

describe("ready (default)", () => {
  it("binds at once and stays Pending until creation + startup", () => {
    const { pod: p, result } = step(pod(), s(0));
    expect(result.nodeName).toBe(pickNodeByName("web-abc-x7k2q", NODES));
    expect(result.nextWakeAt).toEqual(ms(STARTUP));
    expect(p.status).toEqual({
      phase: "Pending",
      ready: false,
      conditions: [
        { type: "PodScheduled", status: "True", reason: null, message: null, lastUpdateTime: null, lastTransitionTime: ms(0) },
        {
          type: "Ready",
          status: "False",
          reason: "ContainersNotReady",
          message: "containers with unready status: [app]",
          lastUpdateTime: null,
          lastTransitionTime: ms(0),
        },
      ],
      containerStatuses: [
        {
          name: "app",
          image: "app:1.0",
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: "ContainerCreating", message: null }, running: null, terminated: null },
        },
      ],
      startTime: ms(0),
      podIP: null,
    });
    // still Pending one millisecond before the startup time
    expect(step(p, ms(STARTUP - 1)).result).toEqual({ nextWakeAt: ms(STARTUP) });
  });

  it("is Running and Ready from creation + startup, Ready since exactly then", () => {
    const pending = step(pod(), s(0)).pod;
    const { pod: p, result } = step(pending, ms(STARTUP));
    expect(result.nextWakeAt).toBeNull();
    expect(result.nodeName).toBeUndefined();
    expect(p.status.phase).toBe("Running");
    expect(p.status.ready).toBe(true);
    expect(readyCondition(p)).toEqual({
      type: "Ready",
      status: "True",
      reason: null,
      message: null,
      lastUpdateTime: null,
      lastTransitionTime: ms(STARTUP),
    });
    expect(p.status.containerStatuses).toEqual([
      {
        name: "app",
        image: "app:1.0",
        ready: true,
        restartCount: 0,
        state: { waiting: null, running: { startedAt: ms(STARTUP) }, terminated: null },
      },
    ]);
    expect(p.status.podIP).toBe(fakePodIP(p));
    expect(p.status.startTime).toEqual(ms(0));
  });

  it("a pod first seen long after creation (kubelet restart) gets the timestamps it would have had", () => {
    const { pod: p } = step(pod(), s(3600));
    expect(p.status.phase).toBe("Running");
    expect(readyCondition(p)?.lastTransitionTime).toEqual(ms(STARTUP));
    expect(p.status.containerStatuses[0].state.running?.startedAt).toEqual(ms(STARTUP));
  });

  it("honours the startup-ms annotation; an invalid one falls back to the default", () => {
    const slow = pod({ "sim.deploye.dev/startup-ms": "15000" });
    expect(step(slow, s(0)).result.nextWakeAt).toEqual(s(15));
    expect(step(slow, s(14)).pod.status.phase).toBe("Pending");
    expect(readyCondition(step(slow, s(15)).pod)?.lastTransitionTime).toEqual(s(15));
    const instant = pod({ "sim.deploye.dev/startup-ms": "0" });
    expect(step(instant, s(0)).pod.status.phase).toBe("Running");
    const bad = pod({ "sim.deploye.dev/startup-ms": "-5" });
    expect(step(bad, s(0)).result.nextWakeAt).toEqual(ms(STARTUP));
  });

  it("reports every container", () => {
    const { pod: p } = step(pod({}, ["app", "sidecar"]), s(10));
    expect(p.status.containerStatuses.map((c) => [c.name, c.image, c.ready])).toEqual([
      ["app", "app:1.0", true],
      ["sidecar", "sidecar:1.0", true],
    ]);
  });

  it("keeps a node it already has and uses the pickNode option otherwise", () => {
    const bound = { ...pod(), spec: { ...pod().spec, nodeName: "node-b" } };
    expect(step(bound, s(0)).result.nodeName).toBeUndefined();
    expect(step(bound, s(0)).result.status?.phase).toBe("Pending");
    expect(step(pod(), s(0), { pickNode: (_name, nodes) => nodes[2] }).result.nodeName).toBe("node-c");
  });
});

describe("unready", () => {
  const unready = pod({ "sim.deploye.dev/behavior": "unready" });

  it("is Pending until startup, then Running but never Ready", () => {
    expect(step(unready, s(1)).pod.status.phase).toBe("Pending");
    for (const t of [2, 60, 86_400]) {
      const { pod: p, result } = step(unready, s(t));
      expect(p.status.phase).toBe("Running");
      expect(p.status.ready).toBe(false);
      expect(readyCondition(p)).toMatchObject({ status: "False", reason: "ContainersNotReady", lastTransitionTime: ms(0) });
      expect(p.status.containerStatuses[0]).toMatchObject({ ready: false, restartCount: 0 });
      expect(p.status.containerStatuses[0].state.running).toEqual({ startedAt: ms(STARTUP) });
      expect(p.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
      expect(result.nextWakeAt).toBeNull();
    }
  });
});

describe("crashloop", () => {
  it.each<[number, number, number, number]>([
    // elapsed since first start (s), restarts, back-off in effect (s), next restart (s after first start)
    [0, 0, 10, 10],
    [9.999, 0, 10, 10],
    [10, 1, 20, 30],
    [29, 1, 20, 30],
    [30, 2, 40, 70],
    [70, 3, 80, 150],
    [150, 4, 160, 310],
    [310, 5, 300, 610],
    [609, 5, 300, 610],
    [610, 6, 300, 910],
    [910, 7, 300, 1210],
    [86_400, 291, 300, 86_410],
  ])("after %is: %i restarts, back-off %is, next restart at %is", (elapsed, restarts, backOff, next) => {
    expect(crashLoop(elapsed * 1000)).toEqual({
      restartCount: restarts,
      backOffMs: backOff * 1000,
      nextRestartMs: next * 1000,
    });
  });

  it("restarts with back-off 10s, 20s, 40s … capped at 5 min, derived from timestamps alone", () => {
    let p = pod({ "sim.deploye.dev/behavior": "crashloop" });
    let now = s(0);
    const gaps: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 9; i++) {
      const { pod: next, result } = step(p, now);
      p = next;
      counts.push(p.status.containerStatuses[0].restartCount);
      gaps.push((result.nextWakeAt!.getTime() - now.getTime()) / 1000);
      now = result.nextWakeAt!;
    }
    expect(gaps).toEqual([2, 10, 20, 40, 80, 160, 300, 300, 300]);
    expect(counts).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("is Running, waiting in CrashLoopBackOff, never Ready", () => {
    const { pod: p, result } = step(pod({ "sim.deploye.dev/behavior": "crashloop" }, ["app", "sidecar"]), ms(STARTUP + 45_000));
    expect(p.status.phase).toBe("Running");
    expect(p.status.ready).toBe(false);
    expect(readyCondition(p)?.status).toBe("False");
    expect(p.status.containerStatuses).toHaveLength(2);
    for (const c of p.status.containerStatuses) {
      expect(c.ready).toBe(false);
      expect(c.restartCount).toBe(2);
      expect(c.state.running).toBeNull();
      expect(c.state.waiting).toEqual({
        reason: "CrashLoopBackOff",
        message: "back-off 40s restarting failed container pod=web-abc-x7k2q",
      });
    }
    expect(result.nextWakeAt).toEqual(ms(STARTUP + 70_000));
  });

  it("formats long back-offs like Go durations", () => {
    const message = (elapsedMs: number) =>
      step(pod({ "sim.deploye.dev/behavior": "crashloop" }), ms(STARTUP + elapsedMs)).pod.status.containerStatuses[0].state
        .waiting?.message;
    expect(message(100_000)).toMatch(/^back-off 1m20s /);
    expect(message(200_000)).toMatch(/^back-off 2m40s /);
    expect(message(400_000)).toMatch(/^back-off 5m0s /);
  });
});

describe("imagepull", () => {
  const pulling = pod({ "sim.deploye.dev/behavior": "imagepull" });

  it("fails with ErrImagePull first, then ImagePullBackOff after the first back-off step, Pending forever", () => {
    const first = step(pulling, s(0));
    expect(first.result.nodeName).toBeDefined();
    expect(first.result.nextWakeAt).toEqual(s(10));
    expect(first.pod.status.containerStatuses[0].state.waiting).toEqual({
      reason: "ErrImagePull",
      message: 'failed to pull image "app:1.0"',
    });
    expect(step(first.pod, ms(9_999)).result).toEqual({ nextWakeAt: s(10) });
    for (const t of [10, 300, 86_400]) {
      const { pod: p, result } = step(first.pod, s(t));
      expect(p.status.phase).toBe("Pending");
      expect(p.status.ready).toBe(false);
      expect(p.status.podIP).toBeNull();
      expect(p.status.containerStatuses[0].state.waiting).toEqual({
        reason: "ImagePullBackOff",
        message: 'Back-off pulling image "app:1.0"',
      });
      expect(result.nextWakeAt).toBeNull();
    }
  });
});

describe("manual", () => {
  it("is never touched: no node, no status, no wake-up", () => {
    const manual = pod({ "sim.deploye.dev/behavior": "manual" });
    for (const t of [0, 2, 3600]) expect(simulatePod(manual, options(s(t)))).toEqual({ nextWakeAt: null });
  });
});

describe("deletion", () => {
  function terminating(p: Pod, deletedAt: Date, graceSeconds: number | null): Pod {
    return { ...p, metadata: { ...p.metadata, deletionTimestamp: deletedAt, deletionGracePeriodSeconds: graceSeconds } };
  }

  it("removes the pod once deletionTimestamp + deletionGracePeriodSeconds has passed", () => {
    const p = terminating(step(pod(), s(100)).pod, s(100), 30);
    expect(simulatePod(p, options(s(100)))).toEqual({ nextWakeAt: s(130) });
    expect(simulatePod(p, options(ms(129_999)))).toEqual({ nextWakeAt: s(130) });
    expect(simulatePod(p, options(s(130)))).toEqual({ deleteRow: true, nextWakeAt: null });
    expect(simulatePod(p, options(s(500)))).toEqual({ deleteRow: true, nextWakeAt: null });
  });

  it("falls back to spec.terminationGracePeriodSeconds", () => {
    const p = terminating(pod(), s(100), null);
    p.spec.terminationGracePeriodSeconds = 60;
    expect(simulatePod(p, options(s(100)))).toEqual({ nextWakeAt: s(160) });
  });

  it("maxGraceSeconds shortens the grace period but never lengthens it", () => {
    const p = terminating(pod(), s(100), 30);
    expect(simulatePod(p, options(s(100), { maxGraceSeconds: 5 }))).toEqual({ nextWakeAt: s(105) });
    expect(simulatePod(p, options(s(105), { maxGraceSeconds: 5 }))).toEqual({ deleteRow: true, nextWakeAt: null });
    expect(simulatePod(p, options(s(100), { maxGraceSeconds: 600 }))).toEqual({ nextWakeAt: s(130) });
    expect(simulatePod(p, options(s(100), { maxGraceSeconds: null }))).toEqual({ nextWakeAt: s(130) });
  });

  it("grace 0 removes at once", () => {
    expect(simulatePod(terminating(pod(), s(100), 0), options(s(100)))).toEqual({ deleteRow: true, nextWakeAt: null });
  });

  it("a terminating pod's status is frozen, whatever its behavior", () => {
    const pendingReady = terminating(step(pod(), s(0)).pod, s(1), 30);
    expect(simulatePod(pendingReady, options(s(10)))).toEqual({ nextWakeAt: s(31) });
    const manual = terminating(pod({ "sim.deploye.dev/behavior": "manual" }), s(1), 30);
    expect(simulatePod(manual, options(s(31)))).toEqual({ deleteRow: true, nextWakeAt: null });
  });
});

describe("pods of other agents' nodes", () => {
  it.each<[string | null, string[], boolean]>([
    [null, NODES, true],
    ["node-b", NODES, true],
    ["node-z", NODES, false],
    ["node-z", ["node-z"], true],
    [null, ["node-z"], true],
  ])("node %s, agent nodes %j: served %s", (nodeName, nodes, served) => {
    expect(servesPod(nodeName, nodes)).toBe(served);
  });

  it.each<[string | null, string[], boolean]>([
    ["node-z", ["node-z"], true],
    ["node-z", ["node-y"], false],
    ["node-a", ["node-z"], true],
    [null, ["node-z"], true],
  ])("node %s, taken over %j: served %s", (nodeName, takenOver, served) => {
    expect(servesPod(nodeName, NODES, takenOver)).toBe(served);
  });

  it.each<[string, NodeState[], string[]]>([
    ["no other node", [{ name: "node-a", pods: 3, live: true }], []],
    ["a live node is its agent's", [{ name: "node-z", pods: 3, live: true }], []],
    ["a dead node with pods is taken over", [{ name: "node-z", pods: 3, live: false }], ["node-z"]],
    ["a dead node without pods is not", [{ name: "node-z", pods: 0, live: false }], []],
    ["its own nodes are never taken over, live or not", [{ name: "node-b", pods: 2, live: false }], []],
    [
      "several, sorted",
      [
        { name: "node-z", pods: 1, live: false },
        { name: "node-y", pods: 5, live: false },
        { name: "node-x", pods: 5, live: true },
      ],
      ["node-y", "node-z"],
    ],
  ])("taken over: %s", (_what, states, takenOver) => {
    expect(takenOverNodes(NODES, states)).toEqual(takenOver);
  });

  it("are left alone: no status, no removal after the grace period, no wake-up", () => {
    const elsewhere: Pod = { ...pod(), spec: { ...pod().spec, nodeName: "node-z" } };
    expect(simulatePod(elsewhere, options(s(100)))).toEqual({ nextWakeAt: null });
    const terminating: Pod = { ...elsewhere, metadata: { ...elsewhere.metadata, deletionTimestamp: s(1), deletionGracePeriodSeconds: 0 } };
    expect(simulatePod(terminating, options(s(100)))).toEqual({ nextWakeAt: null });
    expect(simulatePod(terminating, options(s(100), { nodes: ["node-z"] }))).toEqual({ deleteRow: true, nextWakeAt: null });
    expect(simulatePod(terminating, options(s(100), { takenOver: ["node-z"] }))).toEqual({ deleteRow: true, nextWakeAt: null });
  });

  it("of a taken-over node are run, and an unbound pod is bound to its own nodes only", () => {
    const elsewhere: Pod = { ...pod(), spec: { ...pod().spec, nodeName: "node-z" } };
    expect(simulatePod(elsewhere, options(s(100), { takenOver: ["node-z"] })).status?.phase).toBe("Running");
    const unbound = simulatePod(pod(), options(s(100), { nodes: ["node-a"], takenOver: ["node-z"] }));
    expect(unbound.nodeName).toBe("node-a");
  });
});

describe("scheduling and pod IPs", () => {
  it("picks nodes deterministically by pod name, spreading names over the nodes", () => {
    const names = Array.from({ length: 30 }, (_, i) => `web-abc-${i}`);
    const picks = names.map((n) => pickNodeByName(n, NODES));
    expect(names.map((n) => pickNodeByName(n, NODES))).toEqual(picks);
    expect(new Set(picks)).toEqual(new Set(NODES));
    expect(() => pickNodeByName("x", [])).toThrow();
  });

  it("derives a stable 10.244.x.y address from the uid", () => {
    const a = pod();
    const b = { ...a, metadata: { ...a.metadata, uid: "4f9c1d2e-0000-4000-8000-000000000002" } };
    expect(fakePodIP(a)).toMatch(/^10\.244\.(\d{1,3})\.(\d{1,3})$/);
    expect(fakePodIP(a)).toBe(fakePodIP(structuredClone(a)));
    expect(fakePodIP(a)).not.toBe(fakePodIP(b));
    const [, x, y] = fakePodIP(a).match(/^10\.244\.(\d+)\.(\d+)$/)!;
    expect(Number(x)).toBeLessThan(256);
    expect(Number(y)).toBeGreaterThan(0);
    expect(Number(y)).toBeLessThan(255);
  });
});

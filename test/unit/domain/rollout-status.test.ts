import { describe, it, expect } from "vitest";
import { rolloutStatus, type RolloutPhase } from "../../../src/domain/rollout-status.ts";
import { PROGRESS_DEADLINE_EXCEEDED, PROGRESSING, REPLICA_SET_UPDATED } from "../../../src/domain/conditions.ts";
import { REVISION_ANNOTATION } from "../../../src/domain/deployment-util.ts";
import type { Condition, Deployment } from "../../../src/domain/types.ts";
import { at, deployment, replicaSet } from "./deployment-fixtures.ts";

const progressing = (reason: string): Condition => ({
  type: PROGRESSING,
  status: reason === PROGRESS_DEADLINE_EXCEEDED ? "False" : "True",
  reason,
  message: null,
  lastUpdateTime: at(0),
  lastTransitionTime: at(0),
});

interface Case {
  name: string;
  generation?: number;
  observed?: number;
  replicas?: number;
  counts: [replicas: number, updated: number, available: number];
  conditions?: Condition[];
  paused?: boolean;
  message: string;
  phase: RolloutPhase;
  done: boolean;
}

// kubectl rollout status, checked in its order (controller-semantics §9)
const cases: Case[] = [
  {
    name: "1. spec change not observed yet",
    generation: 3,
    observed: 2,
    counts: [3, 3, 3],
    message: "Waiting for deployment spec update to be observed...",
    phase: "Progressing",
    done: false,
  },
  {
    name: "2. progress deadline exceeded",
    counts: [3, 1, 0],
    conditions: [progressing(PROGRESS_DEADLINE_EXCEEDED)],
    message: `deployment "web" exceeded its progress deadline`,
    phase: "Failed",
    done: false,
  },
  {
    name: "3. new replicas not all updated",
    counts: [4, 1, 3],
    conditions: [progressing(REPLICA_SET_UPDATED)],
    message: `Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...`,
    phase: "Progressing",
    done: false,
  },
  {
    name: "4. old replicas pending termination",
    counts: [5, 3, 3],
    message: `Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...`,
    phase: "Progressing",
    done: false,
  },
  {
    name: "5. updated replicas not all available",
    counts: [3, 3, 1],
    message: `Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...`,
    phase: "Progressing",
    done: false,
  },
  {
    name: "6. done",
    counts: [3, 3, 3],
    message: `deployment "web" successfully rolled out`,
    phase: "Complete",
    done: true,
  },
  {
    name: "paused mid-rollout",
    counts: [4, 1, 3],
    paused: true,
    message: `Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...`,
    phase: "Paused",
    done: false,
  },
  {
    name: "paused but complete",
    counts: [3, 3, 3],
    paused: true,
    message: `deployment "web" successfully rolled out`,
    phase: "Complete",
    done: true,
  },
  {
    name: "a timeout reported for an older generation is not shown before the new one is observed",
    generation: 3,
    observed: 2,
    counts: [3, 1, 0],
    conditions: [progressing(PROGRESS_DEADLINE_EXCEEDED)],
    message: "Waiting for deployment spec update to be observed...",
    phase: "Progressing",
    done: false,
  },
];

function build(c: Case): Deployment {
  const d = deployment({ replicas: c.replicas ?? 3, generation: c.generation ?? 2, paused: c.paused, annotations: { [REVISION_ANNOTATION]: "4" } });
  const [replicas, updated, available] = c.counts;
  d.status = {
    ...d.status,
    observedGeneration: c.observed ?? d.metadata.generation,
    replicas,
    updatedReplicas: updated,
    readyReplicas: available,
    availableReplicas: available,
    conditions: c.conditions ?? [],
  };
  return d;
}

describe("rolloutStatus: the kubectl rollout status line", () => {
  it.each(cases)("$name", (c) => {
    const status = rolloutStatus(build(c), []);
    expect(status.message).toBe(c.message);
    expect(status.phase).toBe(c.phase);
    expect(status.done).toBe(c.done);
  });
});

describe("rolloutStatus: the numbers", () => {
  it("copies the counts, reads the revision annotation, counts old pods, and measures available new pods over desired", () => {
    const d = deployment({ replicas: 4, generation: 5, image: "nginx:2", annotations: { [REVISION_ANNOTATION]: "7" } });
    d.status = { ...d.status, observedGeneration: 4, replicas: 6, updatedReplicas: 3, readyReplicas: 5, availableReplicas: 4 };
    const newRS = replicaSet("web-new", { image: "nginx:2", replicas: 3, available: 1 });
    const oldRS = replicaSet("web-old", { image: "nginx:1", replicas: 3 });
    expect(rolloutStatus(d, [oldRS, newRS])).toEqual({
      phase: "Progressing",
      done: false,
      message: "Waiting for deployment spec update to be observed...",
      revision: 7,
      observedGeneration: 4,
      generation: 5,
      desiredReplicas: 4,
      updatedReplicas: 3,
      readyReplicas: 5,
      availableReplicas: 4,
      oldReplicas: 3,
      progress: 0.25,
    });
  });

  it.each<[string, number, number | null, number]>([
    ["no new RS yet", 3, null, 0],
    ["all new pods available", 3, 3, 1],
    ["desired 0", 0, null, 1],
    ["more new pods available than desired (scaling down)", 2, 4, 1],
  ])("progress: %s", (_name, replicas, newAvailable, expected) => {
    const d = deployment({ replicas, image: "nginx:2" });
    const rss = newAvailable === null ? [] : [replicaSet("web-new", { image: "nginx:2", replicas: newAvailable })];
    expect(rolloutStatus(d, rss).progress).toBe(expected);
  });

  it("revision 0 without the annotation", () => {
    expect(rolloutStatus(deployment(), []).revision).toBe(0);
  });
});

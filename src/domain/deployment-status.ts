// Deployment status from its ReplicaSets (upstream sync.go calculateStatus and progress.go
// syncRolloutStatus).

import { availableCondition, progressingConditions, replicaFailureConditions, setCondition } from "./conditions.ts";
import { sumSpecReplicas, sumStatus } from "./deployment-util.ts";
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from "./types.ts";

/**
 * Counts over all the Deployment's ReplicaSets, updatedReplicas from the new one, collisionCount and
 * conditions carried over from `current`, and the Available condition refreshed.
 */
export function calculateStatus(
  d: Deployment,
  current: DeploymentStatus,
  allReplicaSets: ReplicaSet[],
  newRS: ReplicaSet | null,
  now: Date,
): DeploymentStatus {
  const availableReplicas = sumStatus(allReplicaSets, "availableReplicas");
  return {
    observedGeneration: d.metadata.generation,
    replicas: sumStatus(allReplicaSets, "replicas"),
    updatedReplicas: newRS ? newRS.status.replicas : 0,
    readyReplicas: sumStatus(allReplicaSets, "readyReplicas"),
    availableReplicas,
    unavailableReplicas: Math.max(0, sumSpecReplicas(allReplicaSets) - availableReplicas),
    collisionCount: current.collisionCount,
    conditions: setCondition(current.conditions, availableCondition(d, availableReplicas, now)),
  };
}

/** The status written after a rollout step: calculateStatus plus the Progressing and ReplicaFailure conditions. */
export function statusAfterRolloutStep(
  d: Deployment,
  current: DeploymentStatus,
  allReplicaSets: ReplicaSet[],
  newRS: ReplicaSet | null,
  now: Date,
): DeploymentStatus {
  const status = calculateStatus(d, current, allReplicaSets, newRS, now);
  const conditions = progressingConditions(d, current, status, newRS, now);
  return { ...status, conditions: replicaFailureConditions(conditions, allReplicaSets, newRS) };
}

function time(date: Date | null): number | null {
  return date ? date.getTime() : null;
}

function sameCondition(a: Condition, b: Condition): boolean {
  return (
    a.type === b.type &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    time(a.lastUpdateTime) === time(b.lastUpdateTime) &&
    time(a.lastTransitionTime) === time(b.lastTransitionTime)
  );
}

/** Whether two statuses are the same, condition times compared to the millisecond. */
export function sameStatus(a: DeploymentStatus, b: DeploymentStatus): boolean {
  return (
    a.observedGeneration === b.observedGeneration &&
    a.replicas === b.replicas &&
    a.updatedReplicas === b.updatedReplicas &&
    a.readyReplicas === b.readyReplicas &&
    a.availableReplicas === b.availableReplicas &&
    a.unavailableReplicas === b.unavailableReplicas &&
    a.collisionCount === b.collisionCount &&
    a.conditions.length === b.conditions.length &&
    a.conditions.every((c, i) => sameCondition(c, b.conditions[i]))
  );
}

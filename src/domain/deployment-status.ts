// Deployment status from its ReplicaSets (upstream sync.go calculateStatus and progress.go
// syncRolloutStatus).

import { availableCondition, progressingConditions, replicaFailureConditions, setCondition } from "./conditions.ts";
import { sumSpecReplicas, sumStatus } from "./deployment-util.ts";
import type { Deployment, DeploymentStatus, ReplicaSet } from "./types.ts";

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

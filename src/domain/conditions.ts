// Deployment conditions (upstream deployment_util condition helpers, progress.go, sync.go
// checkPausedConditions): Available, Progressing (with the progress deadline) and ReplicaFailure.

import { maxUnavailable } from "./intstr.ts";
import { REPLICA_FAILURE } from "./replicaset.ts";
import type { Condition, ConditionStatus, Deployment, DeploymentStatus, ReplicaSet } from "./types.ts";

export const AVAILABLE = "Available";
export const PROGRESSING = "Progressing";

export const MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable";
export const MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable";
export const NEW_REPLICA_SET_CREATED = "NewReplicaSetCreated";
export const FOUND_NEW_REPLICA_SET = "FoundNewReplicaSet";
export const REPLICA_SET_UPDATED = "ReplicaSetUpdated";
export const NEW_REPLICA_SET_AVAILABLE = "NewReplicaSetAvailable";
export const PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
export const DEPLOYMENT_PAUSED = "DeploymentPaused";
export const DEPLOYMENT_RESUMED = "DeploymentResumed";

/** progressDeadlineSeconds of 2^31-1 means "no deadline" (upstream HasProgressDeadline). */
const NO_PROGRESS_DEADLINE = 2147483647;

export function hasProgressDeadline(d: Deployment): boolean {
  return d.spec.progressDeadlineSeconds !== NO_PROGRESS_DEADLINE;
}

export function newCondition(type: string, status: ConditionStatus, reason: string, message: string, now: Date): Condition {
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now };
}

export function getCondition(conditions: Condition[], type: string): Condition | null {
  return conditions.find((c) => c.type === type) ?? null;
}

export function removeCondition(conditions: Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

/**
 * Sets `condition`, returning the new list. Same status and reason as the current one: no-op (the
 * original is kept, timestamps included). Same status, other reason: lastTransitionTime is kept.
 */
export function setCondition(conditions: Condition[], condition: Condition): Condition[] {
  const current = getCondition(conditions, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return conditions;
  const next = current && current.status === condition.status ? { ...condition, lastTransitionTime: current.lastTransitionTime } : condition;
  return [...removeCondition(conditions, condition.type), next];
}

/** Available is True once available pods reach spec.replicas - maxUnavailable. */
export function availableCondition(d: Deployment, availableReplicas: number, now: Date): Condition {
  return availableReplicas >= d.spec.replicas - maxUnavailable(d)
    ? newCondition(AVAILABLE, "True", MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", now)
    : newCondition(AVAILABLE, "False", MINIMUM_REPLICAS_UNAVAILABLE, "Deployment does not have minimum availability.", now);
}

/**
 * Progressing Unknown DeploymentPaused / DeploymentResumed when spec.paused flips, so that time spent
 * paused never counts against the deadline. A reported ProgressDeadlineExceeded is never overwritten.
 */
export function pausedConditions(d: Deployment, conditions: Condition[], now: Date): Condition[] {
  if (!hasProgressDeadline(d)) return conditions;
  const current = getCondition(conditions, PROGRESSING);
  if (current?.reason === PROGRESS_DEADLINE_EXCEEDED) return conditions;
  const pausedReported = current?.reason === DEPLOYMENT_PAUSED;
  if (d.spec.paused && !pausedReported) {
    return setCondition(conditions, newCondition(PROGRESSING, "Unknown", DEPLOYMENT_PAUSED, "Deployment is paused", now));
  }
  if (!d.spec.paused && pausedReported) {
    return setCondition(conditions, newCondition(PROGRESSING, "Unknown", DEPLOYMENT_RESUMED, "Deployment is resumed", now));
  }
  return conditions;
}

/** All desired replicas updated and available, no old pods left, and the latest spec observed. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = d.spec.replicas;
  return (
    status.updatedReplicas === replicas &&
    status.replicas === replicas &&
    status.availableReplicas === replicas &&
    status.observedGeneration >= d.metadata.generation
  );
}

/** Progress between two statuses: more updated pods, fewer old pods, more ready or more available pods. */
export function deploymentProgressing(before: DeploymentStatus, after: DeploymentStatus): boolean {
  return (
    after.updatedReplicas > before.updatedReplicas ||
    after.replicas - after.updatedReplicas < before.replicas - before.updatedReplicas ||
    after.readyReplicas > before.readyReplicas ||
    after.availableReplicas > before.availableReplicas
  );
}

/**
 * Timed out: the Progressing condition already says so, or its lastUpdateTime plus
 * progressDeadlineSeconds is before `now`. Never after NewReplicaSetAvailable.
 */
export function deploymentTimedOut(d: Deployment, status: DeploymentStatus, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(status.conditions, PROGRESSING);
  if (!condition || condition.reason === NEW_REPLICA_SET_AVAILABLE) return false;
  if (condition.reason === PROGRESS_DEADLINE_EXCEEDED) return true;
  if (!condition.lastUpdateTime) return false;
  return condition.lastUpdateTime.getTime() + d.spec.progressDeadlineSeconds * 1000 < now.getTime();
}

function subject(d: Deployment, newRS: ReplicaSet | null): string {
  return newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
}

/**
 * The Progressing condition after a rollout step (upstream syncRolloutStatus), from the status before
 * the step (`before`, whose conditions are the current ones) and the conditions of the new status.
 * Not estimated without a deadline (the condition is removed) nor once NewReplicaSetAvailable was
 * reported and no old pods are left.
 */
export function progressingConditions(
  d: Deployment,
  before: DeploymentStatus,
  after: DeploymentStatus,
  newRS: ReplicaSet | null,
  now: Date,
): Condition[] {
  if (!hasProgressDeadline(d)) return removeCondition(after.conditions, PROGRESSING);
  const current = getCondition(before.conditions, PROGRESSING);
  if (after.replicas === after.updatedReplicas && current?.reason === NEW_REPLICA_SET_AVAILABLE) return after.conditions;
  if (deploymentComplete(d, after)) {
    const message = `${subject(d, newRS)} has successfully progressed.`;
    return setCondition(after.conditions, newCondition(PROGRESSING, "True", NEW_REPLICA_SET_AVAILABLE, message, now));
  }
  if (deploymentProgressing(before, after)) {
    // Replaced even with the same reason, so lastUpdateTime moves on; lastTransitionTime only if it was not True.
    const message = `${subject(d, newRS)} is progressing.`;
    const condition = newCondition(PROGRESSING, "True", REPLICA_SET_UPDATED, message, now);
    if (current?.status === "True") condition.lastTransitionTime = current.lastTransitionTime;
    return [...removeCondition(after.conditions, PROGRESSING), condition];
  }
  if (deploymentTimedOut(d, after, now)) {
    const message = `${subject(d, newRS)} has timed out progressing.`;
    return setCondition(after.conditions, newCondition(PROGRESSING, "False", PROGRESS_DEADLINE_EXCEEDED, message, now));
  }
  return after.conditions;
}

/**
 * ReplicaFailure copied from the ReplicaSets (the new RS's first), or removed when none has one.
 * The RS condition's lastTransitionTime becomes both timestamps.
 */
export function replicaFailureConditions(conditions: Condition[], allReplicaSets: ReplicaSet[], newRS: ReplicaSet | null): Condition[] {
  const candidates = newRS ? [newRS, ...allReplicaSets.filter((rs) => rs !== newRS)] : allReplicaSets;
  for (const rs of candidates) {
    const failure = getCondition(rs.status.conditions, REPLICA_FAILURE);
    if (failure) return setCondition(conditions, { ...failure, lastUpdateTime: failure.lastTransitionTime });
  }
  return removeCondition(conditions, REPLICA_FAILURE);
}

/**
 * When to look again for a stuck rollout: 1s past the moment the Progressing condition's
 * lastUpdateTime + progressDeadlineSeconds is reached, or null (no deadline, complete, already
 * timed out or successfully progressed).
 */
export function progressDeadlineRequeueMs(d: Deployment, status: DeploymentStatus, now: Date): number | null {
  const condition = getCondition(status.conditions, PROGRESSING);
  if (!hasProgressDeadline(d) || !condition?.lastUpdateTime) return null;
  if (deploymentComplete(d, status)) return null;
  if (condition.reason === PROGRESS_DEADLINE_EXCEEDED || condition.reason === NEW_REPLICA_SET_AVAILABLE) return null;
  const remaining = condition.lastUpdateTime.getTime() + d.spec.progressDeadlineSeconds * 1000 - now.getTime();
  return Math.max(remaining, 0) + 1000;
}

// Sizes a RollingUpdate step gives the ReplicaSets (upstream rolling.go). These functions only
// decide; deployment-sync.ts applies the decisions and writes status.

import { compareByCreation, newRSNewReplicas, sumSpecReplicas, sumStatus } from "./deployment-util.ts";
import { maxUnavailable } from "./intstr.ts";
import type { Deployment, ReplicaSet } from "./types.ts";

export interface ScaleTo {
  rs: ReplicaSet;
  replicas: number;
}

/** The size of the new RS after this step: spec.replicas when at or above it, else NewRSNewReplicas. */
export function newReplicaSetTarget(d: Deployment, allReplicaSets: ReplicaSet[], newRS: ReplicaSet): number {
  if (newRS.spec.replicas >= d.spec.replicas) return d.spec.replicas;
  return newRSNewReplicas(d, allReplicaSets, newRS);
}

/**
 * Scale old RSs (oldest first) down by their unavailable pods, at most `maxCleanupCount` in all:
 * removing pods that are not available never lowers availability. null when an RS reports more
 * available pods than its size (its status is behind its spec): upstream gives up on old RSs then.
 */
export function cleanupUnhealthyReplicas(oldReplicaSets: ReplicaSet[], maxCleanupCount: number): ScaleTo[] | null {
  const steps: ScaleTo[] = [];
  let cleaned = 0;
  for (const rs of [...oldReplicaSets].sort(compareByCreation)) {
    if (cleaned >= maxCleanupCount) break;
    const { replicas } = rs.spec;
    const available = rs.status.availableReplicas;
    if (replicas === 0 || replicas === available) continue;
    if (replicas < available) return null;
    const count = Math.min(maxCleanupCount - cleaned, replicas - available);
    steps.push({ rs, replicas: replicas - count });
    cleaned += count;
  }
  return steps;
}

/**
 * Scale old RSs (oldest first) down by the available pods above spec.replicas - maxUnavailable.
 * `sizeOf` gives each old RS's size as left by an earlier decision of the same step.
 */
export function scaleDownOldReplicaSetsForRollingUpdate(
  d: Deployment,
  allReplicaSets: ReplicaSet[],
  oldReplicaSets: ReplicaSet[],
  sizeOf: (rs: ReplicaSet) => number = (rs) => rs.spec.replicas,
): ScaleTo[] {
  const minAvailable = d.spec.replicas - maxUnavailable(d);
  const available = sumStatus(allReplicaSets, "availableReplicas");
  if (available <= minAvailable) return [];
  const toScaleDown = available - minAvailable;
  const steps: ScaleTo[] = [];
  let scaledDown = 0;
  for (const rs of [...oldReplicaSets].sort(compareByCreation)) {
    if (scaledDown >= toScaleDown) break;
    const size = sizeOf(rs);
    if (size === 0) continue;
    const count = Math.min(size, toScaleDown - scaledDown);
    steps.push({ rs, replicas: size - count });
    scaledDown += count;
  }
  return steps;
}

/**
 * The scale-downs of old RSs in this step, in order (an RS may appear twice). Nothing unless
 * `Σ all spec - (replicas - maxUnavailable) - unavailable pods of the new RS` is positive; then
 * unhealthy replicas go first (bounded by that number), then available ones down to the minimum.
 * `activeOldReplicaSets` are the old RSs with spec.replicas > 0.
 */
export function reconcileOldReplicaSets(
  d: Deployment,
  allReplicaSets: ReplicaSet[],
  activeOldReplicaSets: ReplicaSet[],
  newRS: ReplicaSet,
): ScaleTo[] {
  if (sumSpecReplicas(activeOldReplicaSets) === 0) return [];
  const minAvailable = d.spec.replicas - maxUnavailable(d);
  const newRSUnavailable = newRS.spec.replicas - newRS.status.availableReplicas;
  const maxScaledDown = sumSpecReplicas(allReplicaSets) - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return [];

  const cleanup = cleanupUnhealthyReplicas(activeOldReplicaSets, maxScaledDown);
  if (cleanup === null) return [];
  const sizes = new Map(activeOldReplicaSets.map((rs) => [rs, rs.spec.replicas]));
  for (const step of cleanup) sizes.set(step.rs, step.replicas);
  const scaleDown = scaleDownOldReplicaSetsForRollingUpdate(
    d,
    [...activeOldReplicaSets, newRS],
    activeOldReplicaSets,
    (rs) => sizes.get(rs) ?? rs.spec.replicas,
  );
  return [...cleanup, ...scaleDown];
}

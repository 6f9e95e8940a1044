// Scaling a Deployment whose ReplicaSets are mid-rollout or paused (upstream sync.go scale() and
// deployment_util GetProportion / FindActiveOrLatest / IsSaturated): new sizes spread over the active
// RSs in proportion to their share, so a scaling event never hastens a rollout.

import {
  compareByCreation,
  desiredReplicasAnnotation,
  isActive,
  isSaturated,
  maxReplicasAnnotation,
  sumSpecReplicas,
} from "./deployment-util.ts";
import { isRollingUpdate, maxSurge } from "./intstr.ts";
import type { Deployment, ReplicaSet } from "./types.ts";

export interface ScaleStep {
  rs: ReplicaSet;
  replicas: number;
  /** rewrite desired/max-replicas annotations even when the size does not change */
  refreshAnnotations: boolean;
}

/** The only active RS; with none active the new RS, else the newest old one; null when several are active. */
export function findActiveOrLatest(newRS: ReplicaSet | null, oldReplicaSets: ReplicaSet[]): ReplicaSet | null {
  const newestFirst = [...oldReplicaSets].sort(compareByCreation).reverse();
  const active = [...newestFirst, ...(newRS ? [newRS] : [])].filter(isActive);
  if (active.length === 0) return newRS ?? newestFirst[0] ?? null;
  return active.length === 1 ? active[0] : null;
}

/** Go's math.Round: halves go away from zero. */
export function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * How many replicas this RS would gain (or lose) if every RS kept its share of the old
 * max-replicas annotation (else the old status.replicas) in the new spec.replicas + maxSurge.
 */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (d.spec.replicas === 0) return -rs.spec.replicas;
  const annotatedReplicas = maxReplicasAnnotation(rs) ?? d.status.replicas;
  if (annotatedReplicas === 0) return 0;
  const deploymentReplicas = d.spec.replicas + maxSurge(d);
  return roundHalfAwayFromZero((rs.spec.replicas * deploymentReplicas) / annotatedReplicas) - rs.spec.replicas;
}

/** This RS's part of `toAdd` (negative when removing), bounded by what is left after `added`. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (rs.spec.replicas === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const left = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
}

/** Larger first; equal sizes newer first (scaling up) or older first (scaling down). */
function bySize(newerFirst: boolean) {
  return (a: ReplicaSet, b: ReplicaSet): number =>
    b.spec.replicas - a.spec.replicas || (newerFirst ? compareByCreation(b, a) : compareByCreation(a, b));
}

/**
 * The sizes a scaling event (or a sync of a paused Deployment) gives the RSs:
 * - at most one active RS: it (or the new RS, or the newest old) gets spec.replicas;
 * - a saturated new RS: every active old RS goes to 0;
 * - RollingUpdate: allowed = replicas + maxSurge (0 when replicas is 0) is spread over the active RSs,
 *   largest first, each getting its proportion and the leftover going to the first (never below 0);
 *   every one of them gets its annotations rewritten.
 */
export function scalePlan(d: Deployment, newRS: ReplicaSet | null, oldReplicaSets: ReplicaSet[]): ScaleStep[] {
  const activeOrLatest = findActiveOrLatest(newRS, oldReplicaSets);
  if (activeOrLatest) {
    if (activeOrLatest.spec.replicas === d.spec.replicas) return [];
    return [{ rs: activeOrLatest, replicas: d.spec.replicas, refreshAnnotations: false }];
  }
  if (isSaturated(d, newRS)) {
    return oldReplicaSets.filter(isActive).map((rs) => ({ rs, replicas: 0, refreshAnnotations: false }));
  }
  if (!isRollingUpdate(d)) return [];

  const active = [...oldReplicaSets, ...(newRS ? [newRS] : [])].filter(isActive);
  const allowed = d.spec.replicas > 0 ? d.spec.replicas + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(active);
  if (toAdd !== 0) active.sort(bySize(toAdd > 0));

  let added = 0;
  const sizes = active.map((rs) => {
    const part = proportion(rs, d, toAdd, added);
    added += part;
    return rs.spec.replicas + part;
  });
  if (sizes.length > 0) sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  return active.map((rs, i) => ({ rs, replicas: sizes[i], refreshAnnotations: true }));
}

/** A scaling event: an active RS's desired-replicas annotation differs from spec.replicas. */
export function isScalingEvent(d: Deployment, newRS: ReplicaSet | null, oldReplicaSets: ReplicaSet[]): boolean {
  return [...oldReplicaSets, ...(newRS ? [newRS] : [])].filter(isActive).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== null && desired !== d.spec.replicas;
  });
}

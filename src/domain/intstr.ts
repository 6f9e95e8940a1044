// maxSurge / maxUnavailable: an int or "N%" of spec.replicas (upstream intstr + deployment_util
// ResolveFenceposts, MaxSurge, MaxUnavailable).

import type { Deployment, IntOrString } from "./types.ts";

export function isRollingUpdate(d: Deployment): boolean {
  return d.spec.strategy.type === "RollingUpdate";
}

/** An int as is, or "N%" of `total` rounded up (`roundUp`) or down. Anything else throws. */
export function scaledValue(value: IntOrString, total: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) throw new Error(`invalid value for IntOrString: ${JSON.stringify(value)} is neither an int nor a percentage`);
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export interface Fenceposts {
  maxSurge: number;
  maxUnavailable: number;
}

/**
 * Surge rounds up, unavailable rounds down; when both come out 0, unavailable becomes 1 (a rollout
 * must be able to move even where surge is impossible).
 */
export function resolveFenceposts(maxSurge: IntOrString, maxUnavailable: IntOrString, desired: number): Fenceposts {
  const surge = scaledValue(maxSurge, desired, true);
  const unavailable = scaledValue(maxUnavailable, desired, false);
  return { maxSurge: surge, maxUnavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
}

function fenceposts(d: Deployment): Fenceposts {
  // A RollingUpdate Deployment always has rollingUpdate once defaulted; a missing one counts as 0/0 like upstream.
  const ru = d.spec.strategy.rollingUpdate ?? { maxSurge: 0, maxUnavailable: 0 };
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, d.spec.replicas);
}

/** Pods allowed above spec.replicas; 0 unless RollingUpdate. */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).maxSurge : 0;
}

/** Pods allowed to be unavailable; 0 unless RollingUpdate or when replicas is 0; never above replicas. */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || d.spec.replicas === 0) return 0;
  return Math.min(fenceposts(d).maxUnavailable, d.spec.replicas);
}

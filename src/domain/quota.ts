// Namespace quotas, like Kubernetes' ResourceQuota object counts (count/pods,
// count/replicasets.apps, count/deployments.apps): a namespace holds at most so many objects of a
// kind. Upstream's admission refuses a create past the quota with "exceeded quota"; a ReplicaSet's
// pods past it fail admission one by one, and the ReplicaSet reports FailedCreate.
import type { Kind } from "./types.ts";

export interface NamespaceQuotas {
  pods: number;
  replicaSets: number;
  deployments: number;
}

const FIELD: Record<Kind, keyof NamespaceQuotas> = { Pod: "pods", ReplicaSet: "replicaSets", Deployment: "deployments" };
const RESOURCE: Record<Kind, string> = { Pod: "count/pods", ReplicaSet: "count/replicasets.apps", Deployment: "count/deployments.apps" };

export function quotaOf(quotas: NamespaceQuotas, kind: Kind): number {
  return quotas[FIELD[kind]];
}

/**
 * How many of `adding` new objects the namespace takes (0…adding), and upstream's message for the
 * rest: `exceeded quota: count/pods, requested: 3, used: 9, limited: 10`.
 */
export function quotaRoom(kind: Kind, limit: number, used: number, adding: number): { room: number; message: string | null } {
  const room = Math.max(0, Math.min(adding, limit - used));
  if (room === adding) return { room, message: null };
  return { room, message: `exceeded quota: ${RESOURCE[kind]}, requested: ${adding}, used: ${used}, limited: ${limit}` };
}

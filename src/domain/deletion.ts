// Deletion rules: what deleting a Deployment or ReplicaSet (with a propagation policy) or a pod
// (gracefully) does to the stored object. src/db/rows.ts's TERMINATE_POD_COLUMNS is the SQL form
// of podDeletion for pods the controllers delete (tested against it).
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from "./ownership.ts";
import type { Pod } from "./types.ts";

export type DeletionPropagation = "Background" | "Foreground" | "Orphan";

export type OwnerDeletion =
  /** remove the row now; the garbage collector collects the dependents */
  | { type: "remove" }
  /** set deletionTimestamp and these finalizers; the garbage collector finishes */
  | { type: "finalize"; finalizers: string[] }
  /** already being deleted: deleting again changes nothing */
  | { type: "none" };

/** Deleting a Deployment or ReplicaSet with a propagation policy. */
export function ownerDeletion(meta: { deletionTimestamp: Date | null; finalizers: string[] }, policy: DeletionPropagation): OwnerDeletion {
  if (meta.deletionTimestamp !== null) return { type: "none" };
  if (policy === "Background") return { type: "remove" };
  const finalizer = policy === "Foreground" ? FOREGROUND_FINALIZER : ORPHAN_FINALIZER;
  return { type: "finalize", finalizers: [...meta.finalizers.filter((f) => f !== finalizer), finalizer] };
}

export type PodDeletion =
  | { type: "remove" }
  | { type: "terminate"; deletionTimestamp: Date; gracePeriodSeconds: number }
  | { type: "none" };

/**
 * Deleting a pod: it terminates for `gracePeriodSeconds` (default: its
 * terminationGracePeriodSeconds) and then goes; 0 removes it at once. A second delete of a
 * terminating pod may only shorten the wait (upstream's graceful-deletion rule), so 0 force-removes
 * a pod stuck terminating. Here deletionTimestamp is when deletion was requested and the pod goes
 * at deletionTimestamp + grace period (the kubelet and garbage collector read it that way).
 */
export function podDeletion(pod: Pod, gracePeriodSeconds: number | null | undefined, now: Date): PodDeletion {
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod.metadata;
  if (deletionTimestamp !== null) {
    if (gracePeriodSeconds == null) return { type: "none" };
    const currentDeadline = deletionTimestamp.getTime() + (deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds) * 1000;
    if (now.getTime() + gracePeriodSeconds * 1000 >= currentDeadline) return { type: "none" };
  }
  const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds;
  return grace === 0 ? { type: "remove" } : { type: "terminate", deletionTimestamp: now, gracePeriodSeconds: grace };
}

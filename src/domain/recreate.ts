// The Recreate strategy's wait (upstream recreate.go oldPodsRunning): the new RS is created only
// once nothing of the old ones runs any more.

import { sumStatus } from "./deployment-util.ts";
import { controllerRef } from "./ownership.ts";
import type { Pod, ReplicaSet } from "./types.ts";

/**
 * Whether old pods may still run: an old RS still reports pods, or a pod not owned by the new RS is
 * in any phase but Failed/Succeeded (terminating pods included, Unknown included).
 * `pods` are the pods of the Deployment's ReplicaSets.
 */
export function oldPodsRunning(newRS: ReplicaSet | null, oldReplicaSets: ReplicaSet[], pods: Pod[]): boolean {
  if (sumStatus(oldReplicaSets, "replicas") > 0) return true;
  return pods.some((pod) => {
    if (newRS && controllerRef(pod.metadata)?.uid === newRS.metadata.uid) return false;
    return pod.status.phase !== "Failed" && pod.status.phase !== "Succeeded";
  });
}

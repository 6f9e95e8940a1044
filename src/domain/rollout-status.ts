// The contract's RolloutStatus: what `kubectl rollout status deployment/X` would say now
// (kubectl's DeploymentStatusViewer), plus the numbers behind it.

import { getCondition, PROGRESS_DEADLINE_EXCEEDED, PROGRESSING } from "./conditions.ts";
import { findNewReplicaSet, revisionOf } from "./deployment-util.ts";
import type { Deployment, ReplicaSet } from "./types.ts";

export type RolloutPhase = "Progressing" | "Complete" | "Paused" | "Failed";

export interface RolloutStatus {
  phase: RolloutPhase;
  /** true once the rollout of the current template is complete */
  done: boolean;
  /** the line kubectl rollout status prints (no trailing newline, no "error: " prefix) */
  message: string;
  revision: number;
  observedGeneration: number;
  generation: number;
  desiredReplicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** pods of older revisions still counted in status.replicas */
  oldReplicas: number;
  /** 0..1: available pods of the new ReplicaSet over spec.replicas (1 when that is 0) */
  progress: number;
}

interface Verdict {
  message: string;
  done: boolean;
  failed: boolean;
}

/** kubectl's checks, in its order. */
function verdict(d: Deployment): Verdict {
  const name = d.metadata.name;
  const { status } = d;
  const waiting = (message: string): Verdict => ({ message, done: false, failed: false });
  if (d.metadata.generation > status.observedGeneration) return waiting("Waiting for deployment spec update to be observed...");
  if (getCondition(status.conditions, PROGRESSING)?.reason === PROGRESS_DEADLINE_EXCEEDED) {
    return { message: `deployment "${name}" exceeded its progress deadline`, done: false, failed: true };
  }
  if (status.updatedReplicas < d.spec.replicas) {
    return waiting(`Waiting for deployment "${name}" rollout to finish: ${status.updatedReplicas} out of ${d.spec.replicas} new replicas have been updated...`);
  }
  if (status.replicas > status.updatedReplicas) {
    return waiting(`Waiting for deployment "${name}" rollout to finish: ${status.replicas - status.updatedReplicas} old replicas are pending termination...`);
  }
  if (status.availableReplicas < status.updatedReplicas) {
    return waiting(`Waiting for deployment "${name}" rollout to finish: ${status.availableReplicas} of ${status.updatedReplicas} updated replicas are available...`);
  }
  return { message: `deployment "${name}" successfully rolled out`, done: true, failed: false };
}

/** `ownedReplicaSets`: the Deployment's ReplicaSets, to find how many pods of the new one are available. */
export function rolloutStatus(d: Deployment, ownedReplicaSets: ReplicaSet[]): RolloutStatus {
  const { message, done, failed } = verdict(d);
  const phase: RolloutPhase = failed ? "Failed" : done ? "Complete" : d.spec.paused ? "Paused" : "Progressing";
  const desired = d.spec.replicas;
  const newAvailable = findNewReplicaSet(d, ownedReplicaSets)?.status.availableReplicas ?? 0;
  return {
    phase,
    done,
    message,
    revision: revisionOf(d),
    observedGeneration: d.status.observedGeneration,
    generation: d.metadata.generation,
    desiredReplicas: desired,
    updatedReplicas: d.status.updatedReplicas,
    readyReplicas: d.status.readyReplicas,
    availableReplicas: d.status.availableReplicas,
    oldReplicas: Math.max(0, d.status.replicas - d.status.updatedReplicas),
    progress: desired === 0 ? 1 : Math.min(1, newAvailable / desired),
  };
}

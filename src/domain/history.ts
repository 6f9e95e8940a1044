// Rollout history: cleanup by revisionHistoryLimit (upstream sync.go cleanupDeployment), the
// revisions `kubectl rollout history` lists, and the target of `kubectl rollout undo`
// (kubectl's DeploymentRollbacker: the rollback is a spec edit, made by the API, not the controller).

import { CHANGE_CAUSE_ANNOTATION, compareByCreation, isBookkeepingAnnotation, revisionOf } from "./deployment-util.ts";
import { templatesEqualIgnoringHash, withoutHashLabel } from "./hash.ts";
import type { Deployment, PodTemplateSpec, ReplicaSet, StringMap } from "./types.ts";

/** revisionHistoryLimit of 2^31-1 keeps every revision. */
const UNLIMITED_HISTORY = 2147483647;

/** Lowest revision first; equal revisions oldest first. */
function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || compareByCreation(a, b);
}

/**
 * The old RSs to delete so that at most revisionHistoryLimit remain: the lowest
 * `len(old) - limit` revisions, of which only those with spec = status.replicas = 0 and their latest
 * spec observed are deleted (a busy one is skipped, not replaced by a newer one). RSs already being
 * deleted do not count.
 */
export function replicaSetsToCleanUp(d: Deployment, oldReplicaSets: ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec.revisionHistoryLimit;
  if (limit === UNLIMITED_HISTORY) return [];
  const alive = oldReplicaSets.filter((rs) => rs.metadata.deletionTimestamp === null);
  const excess = alive.length - limit;
  if (excess <= 0) return [];
  return alive
    .sort(byRevision)
    .slice(0, excess)
    .filter((rs) => rs.spec.replicas === 0 && rs.status.replicas === 0 && rs.metadata.generation <= rs.status.observedGeneration);
}

export interface RolloutRevision {
  revision: number;
  replicaSet: ReplicaSet;
  /** the RS's kubernetes.io/change-cause annotation */
  changeCause: string | null;
  template: PodTemplateSpec;
}

/** The Deployment's revisions, lowest first: one per owned RS that has a revision. */
export function rolloutHistory(ownedReplicaSets: ReplicaSet[]): RolloutRevision[] {
  return ownedReplicaSets
    .filter((rs) => revisionOf(rs) > 0)
    .sort(byRevision)
    .map((rs) => ({
      revision: revisionOf(rs),
      replicaSet: rs,
      changeCause: rs.metadata.annotations[CHANGE_CAUSE_ANNOTATION] ?? null,
      template: rs.spec.template,
    }));
}

export type RollbackError =
  | { reason: "Paused"; message: string }
  | { reason: "RevisionNotFound"; revision: number; message: string }
  | { reason: "NoHistory"; message: string }
  /** not a failure: the Deployment already runs that template, nothing to change */
  | { reason: "AlreadyCurrent"; revision: number; message: string };

export type RollbackTarget =
  | {
      ok: true;
      revision: number;
      replicaSet: ReplicaSet;
      /** the new spec.template: the RS's template without the pod-template-hash label */
      template: PodTemplateSpec;
      /** the new metadata.annotations: the Deployment's bookkeeping ones plus the RS's others (its change-cause) */
      annotations: StringMap;
    }
  | { ok: false; error: RollbackError };

function revisionNotFound(revision: number): RollbackTarget {
  return { ok: false, error: { reason: "RevisionNotFound", revision, message: `unable to find specified revision ${revision} in history` } };
}

/** The RS with the second-highest revision (the one before the current). */
function previousReplicaSet(ownedReplicaSets: ReplicaSet[]): ReplicaSet | null {
  const newestFirst = [...ownedReplicaSets].sort(byRevision).reverse();
  return newestFirst[1] ?? null;
}

/**
 * What rolling back to `toRevision` (0 = the previous revision) would write into the Deployment,
 * or why it cannot: paused, unknown revision, no history, or already running that template.
 */
export function findRollbackTarget(d: Deployment, ownedReplicaSets: ReplicaSet[], toRevision: number): RollbackTarget {
  if (toRevision < 0) return revisionNotFound(toRevision);
  if (d.spec.paused) return { ok: false, error: { reason: "Paused", message: "cannot rollback a paused deployment" } };

  const target =
    toRevision === 0 ? previousReplicaSet(ownedReplicaSets) : (ownedReplicaSets.find((rs) => revisionOf(rs) === toRevision) ?? null);
  if (!target) {
    if (toRevision > 0) return revisionNotFound(toRevision);
    return { ok: false, error: { reason: "NoHistory", message: `no rollout history found for deployment "${d.metadata.name}"` } };
  }
  const revision = revisionOf(target);
  if (templatesEqualIgnoringHash(target.spec.template, d.spec.template)) {
    const message = `skipped rollback (current template already matches revision ${revision})`;
    return { ok: false, error: { reason: "AlreadyCurrent", revision, message } };
  }

  const annotations: StringMap = {};
  for (const [key, value] of Object.entries(d.metadata.annotations)) {
    if (isBookkeepingAnnotation(key)) annotations[key] = value;
  }
  for (const [key, value] of Object.entries(target.metadata.annotations)) {
    if (!isBookkeepingAnnotation(key)) annotations[key] = value;
  }
  return { ok: true, revision, replicaSet: target, template: structuredClone(withoutHashLabel(target.spec.template)), annotations };
}

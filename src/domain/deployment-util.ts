// ReplicaSet bookkeeping of the Deployment controller (upstream deployment/util/deployment_util.go
// and the ReplicaSet sorting helpers of controller_utils.go): revisions, which RS is new and which
// are old, the size of the new RS, its annotations and the object to create.

import { POD_TEMPLATE_HASH_LABEL, templatesEqualIgnoringHash } from "./hash.ts";
import { maxSurge } from "./intstr.ts";
import { controllerRef, controllerRefTo } from "./ownership.ts";
import type { Deployment, ObjectMeta, ReplicaSet, ReplicaSetSpec, StringMap } from "./types.ts";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
export const LAST_APPLIED_CONFIG_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
export const CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause";

/** The revision-history annotation keeps at most this many characters (oldest entries dropped). */
const MAX_REVISION_HISTORY_CHARS = 2000;

const BOOKKEEPING_ANNOTATIONS = new Set([
  LAST_APPLIED_CONFIG_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
]);

/** Annotations never copied between a Deployment and its ReplicaSets (in either direction). */
export function isBookkeepingAnnotation(key: string): boolean {
  return BOOKKEEPING_ANNOTATIONS.has(key);
}

function intAnnotation(annotations: StringMap, key: string): number | null {
  const value = annotations[key];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/** The deployment.kubernetes.io/revision of a Deployment or ReplicaSet; 0 when absent or not a number. */
export function revisionOf(obj: { metadata: { annotations: StringMap } }): number {
  return intAnnotation(obj.metadata.annotations, REVISION_ANNOTATION) ?? 0;
}

export function maxRevision(replicaSets: ReplicaSet[]): number {
  return replicaSets.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

/** The revision the new RS gets: one above every old RS's, including those scaled to 0. */
export function nextRevision(oldReplicaSets: ReplicaSet[]): number {
  return maxRevision(oldReplicaSets) + 1;
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | null {
  return intAnnotation(rs.metadata.annotations, DESIRED_REPLICAS_ANNOTATION);
}

export function maxReplicasAnnotation(rs: ReplicaSet): number | null {
  return intAnnotation(rs.metadata.annotations, MAX_REPLICAS_ANNOTATION);
}

/** Oldest first; equal timestamps by name. */
export function compareByCreation(a: ReplicaSet, b: ReplicaSet): number {
  const diff = a.metadata.creationTimestamp.getTime() - b.metadata.creationTimestamp.getTime();
  if (diff !== 0) return diff;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** An RS that is supposed to run pods. */
export function isActive(rs: ReplicaSet): boolean {
  return rs.spec.replicas > 0;
}

export function isControlledBy(rs: ReplicaSet, d: Deployment): boolean {
  return controllerRef(rs.metadata)?.uid === d.metadata.uid;
}

export function sumSpecReplicas(replicaSets: ReplicaSet[]): number {
  return replicaSets.reduce((sum, rs) => sum + rs.spec.replicas, 0);
}

export function sumStatus(replicaSets: ReplicaSet[], field: "replicas" | "readyReplicas" | "availableReplicas"): number {
  return replicaSets.reduce((sum, rs) => sum + rs.status[field], 0);
}

/**
 * The Deployment's new ReplicaSet: the OLDEST of `replicaSets` whose template equals the Deployment's
 * once the pod-template-hash label is ignored (never found by hash), or null.
 */
export function findNewReplicaSet(d: Deployment, replicaSets: ReplicaSet[]): ReplicaSet | null {
  const sorted = [...replicaSets].sort(compareByCreation);
  return sorted.find((rs) => templatesEqualIgnoringHash(rs.spec.template, d.spec.template)) ?? null;
}

/**
 * The size the new RS should have now. Rolling: grow by what the surge leaves room for, never past
 * spec.replicas; Recreate: spec.replicas.
 */
export function newRSNewReplicas(d: Deployment, allReplicaSets: ReplicaSet[], newRS: ReplicaSet): number {
  if (d.spec.strategy.type === "Recreate") return d.spec.replicas;
  const maxTotal = d.spec.replicas + maxSurge(d);
  const current = sumSpecReplicas(allReplicaSets);
  if (current >= maxTotal) return newRS.spec.replicas;
  return newRS.spec.replicas + Math.min(maxTotal - current, d.spec.replicas - newRS.spec.replicas);
}

/** The new RS runs the whole Deployment: its size, its desired-replicas annotation and its available pods all equal spec.replicas. */
export function isSaturated(d: Deployment, rs: ReplicaSet | null): boolean {
  if (!rs) return false;
  const replicas = d.spec.replicas;
  return rs.spec.replicas === replicas && desiredReplicasAnnotation(rs) === replicas && rs.status.availableReplicas === replicas;
}

function replicasAnnotations(d: Deployment): StringMap {
  return {
    [DESIRED_REPLICAS_ANNOTATION]: String(d.spec.replicas),
    [MAX_REPLICAS_ANNOTATION]: String(d.spec.replicas + maxSurge(d)),
  };
}

/** Whether desired-replicas / max-replicas on the RS differ from spec.replicas / spec.replicas + maxSurge. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, d: Deployment): boolean {
  return Object.entries(replicasAnnotations(d)).some(([key, value]) => rs.metadata.annotations[key] !== value);
}

export function withReplicasAnnotations(annotations: StringMap, d: Deployment): StringMap {
  return { ...annotations, ...replicasAnnotations(d) };
}

function appendRevisionHistory(history: string | undefined, revision: string): string {
  const entries = history ? history.split(",") : [];
  entries.push(revision);
  while (entries.length > 1 && entries.join(",").length > MAX_REVISION_HISTORY_CHARS) entries.shift();
  return entries.join(",");
}

/**
 * The annotations the new RS should carry: the Deployment's own (minus bookkeeping keys, so a
 * change-cause is copied), the revision raised to `newRevision` when lower (the number it had before
 * is appended to revision-history), and for an RS about to be created the replicas annotations.
 */
export function newReplicaSetAnnotations(d: Deployment, current: StringMap, newRevision: number, exists: boolean): StringMap {
  const out: StringMap = { ...current };
  for (const [key, value] of Object.entries(d.metadata.annotations)) {
    if (!isBookkeepingAnnotation(key)) out[key] = value;
  }
  const oldRevision = intAnnotation(current, REVISION_ANNOTATION) ?? 0;
  if (oldRevision < newRevision) {
    out[REVISION_ANNOTATION] = String(newRevision);
    if (oldRevision > 0) out[REVISION_HISTORY_ANNOTATION] = appendRevisionHistory(current[REVISION_HISTORY_ANNOTATION], String(oldRevision));
  }
  return exists ? out : withReplicasAnnotations(out, d);
}

/** A ReplicaSet as the Deployment controller creates it: no uid, resourceVersion or status yet. */
export interface NewReplicaSet {
  metadata: Pick<ObjectMeta, "name" | "namespace" | "labels" | "annotations" | "ownerReferences">;
  spec: ReplicaSetSpec;
}

/**
 * The new RS for template hash `hash`: name `<deployment>-<hash>`, the hash label added to its labels,
 * selector and template labels, minReadySeconds copied, controlled by the Deployment.
 */
export function buildNewReplicaSet(d: Deployment, hash: string, replicas: number, annotations: StringMap): NewReplicaSet {
  const template = structuredClone(d.spec.template);
  template.metadata.labels = { ...template.metadata.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
  return {
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      annotations,
      ownerReferences: [controllerRefTo({ kind: "Deployment", name: d.metadata.name, uid: d.metadata.uid })],
    },
    spec: {
      replicas,
      minReadySeconds: d.spec.minReadySeconds,
      selector: {
        matchLabels: { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash },
        matchExpressions: structuredClone(d.spec.selector.matchExpressions),
      },
      template,
    },
  };
}

/**
 * A hash collision: an RS already holds the new RS's name but is not this Deployment's RS with this
 * template. The cure is status.collisionCount + 1, which changes the hash.
 */
export function isHashCollision(existing: ReplicaSet, d: Deployment): boolean {
  return !(isControlledBy(existing, d) && templatesEqualIgnoringHash(existing.spec.template, d.spec.template));
}

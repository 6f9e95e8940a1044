// ReplicaSet controller rules (upstream pkg/controller/replicaset/replica_set.go and
// pkg/controller/controller_utils.go): pod readiness and availability, which pods to create or
// delete in one sync, slow-start batches, the pod-deletion ranking and the ReplicaSet status.
import { matches, selectorToRequirements } from "./labels.ts";
import { controllerRefTo } from "./ownership.ts";
import type { Condition, ContainerStatus, ObjectMeta, Pod, PodPhase, PodSpec, PodStatus, ReplicaSet, ReplicaSetStatus } from "./types.ts";

/** At most this many pods are created or deleted in one sync (upstream burstReplicas). */
export const BURST_REPLICAS = 500;
export const POD_DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";
export const REPLICA_FAILURE = "ReplicaFailure";

export type ReplicaFailureReason = "FailedCreate" | "FailedDelete";
export interface ReplicaFailure {
  reason: ReplicaFailureReason;
  message: string;
}

/**
 * What a ReplicaSet sync needs to know about the pods it owns, counted over the ACTIVE ones.
 * `countPods` is the rule; src/db computes the same counts in SQL so that a sync reads no pod row
 * unless it must choose pods to delete (test/integration/replicaset-controller checks the two agree).
 */
export interface PodCounts {
  active: number;
  /** active pods carrying every label of the ReplicaSet's template */
  fullyLabeled: number;
  ready: number;
  /** ready for longer than minReadySeconds (isPodAvailable) */
  available: number;
  /** the earliest Ready transition among ready pods not yet available (minReadySeconds > 0), or null */
  earliestPendingReadySince: Date | null;
}

export interface ReplicaSetSyncPlan {
  /** pods to create, in slowStartBatches */
  create: number;
  /** how many pods to delete: the first of podsToDelete's ranking */
  deleteCount: number;
  /** status over the pods counted (before the plan is applied), with ReplicaFailure cleared */
  status: ReplicaSetStatus;
  /** requeue the ReplicaSet after this long for a pod to become available, or null */
  requeueAfterMs: number | null;
}

/**
 * What the deletion ranking (and the predicates it uses) looks at in a pod: a whole Pod is one, and
 * so is the narrow row src/db reads for a scale-down (uid, node, phase, the Ready condition, the
 * deletion-cost annotation, restart counts, creation time).
 */
export interface RankablePod {
  metadata: Pick<ObjectMeta, "uid" | "annotations" | "creationTimestamp" | "deletionTimestamp">;
  spec: Pick<PodSpec, "nodeName">;
  status: Pick<PodStatus, "phase"> & {
    conditions: Pick<Condition, "type" | "status" | "lastTransitionTime">[];
    containerStatuses: Pick<ContainerStatus, "restartCount">[];
  };
}

/** A pod that counts: not Succeeded or Failed, and not being deleted. */
export function isPodActive(pod: Pick<RankablePod, "metadata" | "status">): boolean {
  return pod.status.phase !== "Succeeded" && pod.status.phase !== "Failed" && pod.metadata.deletionTimestamp === null;
}

function readyCondition(pod: Pick<RankablePod, "status">) {
  return pod.status.conditions.find((c) => c.type === "Ready");
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pick<RankablePod, "status">): boolean {
  return readyCondition(pod)?.status === "True";
}

/** When a ready pod turned Ready (its Ready condition's lastTransitionTime), else null. */
function readySince(pod: Pick<RankablePod, "status">): Date | null {
  return isPodReady(pod) ? (readyCondition(pod)?.lastTransitionTime ?? null) : null;
}

/** Ready, and either minReadySeconds is 0 or the pod has been Ready for longer than that. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = readySince(pod);
  return since !== null && since.getTime() + minReadySeconds * 1000 < now.getTime();
}

/**
 * Milliseconds until the earliest ready-but-not-yet-available pod becomes available, plus one
 * second (upstream requeues minReadySeconds + 1s after a pod turns Ready); null when none waits.
 */
function availabilityRequeueMs(counts: PodCounts, minReadySeconds: number, now: Date): number | null {
  const since = counts.earliestPendingReadySince;
  if (since === null) return null;
  return Math.max(0, since.getTime() + minReadySeconds * 1000 + 1000 - now.getTime());
}

/** The counts over `pods` (inactive ones are left out), as of `now`. */
export function countPods(rs: ReplicaSet, pods: Pod[], now: Date): PodCounts {
  const templateLabels = selectorToRequirements({ matchLabels: rs.spec.template.metadata.labels, matchExpressions: [] });
  const { minReadySeconds } = rs.spec;
  const counts: PodCounts = { active: 0, fullyLabeled: 0, ready: 0, available: 0, earliestPendingReadySince: null };
  for (const pod of pods.filter(isPodActive)) {
    counts.active++;
    if (matches(templateLabels, pod.metadata.labels)) counts.fullyLabeled++;
    if (!isPodReady(pod)) continue;
    counts.ready++;
    if (isPodAvailable(pod, minReadySeconds, now)) {
      counts.available++;
      continue;
    }
    const since = readySince(pod);
    const earliest = counts.earliestPendingReadySince;
    if (since !== null && (earliest === null || since < earliest)) counts.earliestPendingReadySince = since;
  }
  return counts;
}

/** The counts of two disjoint sets of pods together. */
export function addPodCounts(a: PodCounts, b: PodCounts): PodCounts {
  const [x, y] = [a.earliestPendingReadySince, b.earliestPendingReadySince];
  return {
    active: a.active + b.active,
    fullyLabeled: a.fullyLabeled + b.fullyLabeled,
    ready: a.ready + b.ready,
    available: a.available + b.available,
    earliestPendingReadySince: x === null ? y : y === null || x <= y ? x : y,
  };
}

/** Batch sizes initial, 2·initial, 4·initial, … summing to total (upstream slowStartBatch). */
export function slowStartBatches(total: number, initial = 1): number[] {
  const batches: number[] = [];
  let remaining = total;
  let size = Math.min(remaining, initial);
  while (size > 0) {
    batches.push(size);
    remaining -= size;
    size = Math.min(2 * size, remaining);
  }
  return batches;
}

/** The pod-deletion-cost annotation as an int32; absent or invalid counts as 0. */
function deletionCost(pod: RankablePod): number {
  const raw = pod.metadata.annotations[POD_DELETION_COST_ANNOTATION];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return 0;
  const cost = Number(raw);
  return cost >= -(2 ** 31) && cost < 2 ** 31 ? cost : 0;
}

function maxRestarts(pod: RankablePod): number {
  return Math.max(0, ...pod.status.containerStatuses.map((c) => c.restartCount));
}

// Inactive pods are never ranked; they get 0 like a missing entry in upstream's map.
const PHASE_RANK: Record<PodPhase, number> = { Pending: 0, Unknown: 1, Running: 2, Succeeded: 0, Failed: 0 };

/**
 * The pods in the order they should be deleted (upstream ActivePodsWithRanks): unassigned before
 * assigned; Pending < Unknown < Running; not ready before ready; lower deletion cost first; more
 * of these pods on the same node first; ready for a shorter time first (no ready time counts as
 * shortest); more restarts first; newer first. Returns a new array.
 */
export function rankPodsForDeletion<P extends RankablePod>(pods: P[]): P[] {
  const onNode = new Map<string | null, number>();
  for (const pod of pods) onNode.set(pod.spec.nodeName, (onNode.get(pod.spec.nodeName) ?? 0) + 1);
  const key = (pod: P) => ({
    pod,
    assigned: pod.spec.nodeName === null ? 0 : 1,
    phase: PHASE_RANK[pod.status.phase],
    ready: isPodReady(pod),
    cost: deletionCost(pod),
    colocated: onNode.get(pod.spec.nodeName) ?? 0,
    readySince: readySince(pod)?.getTime() ?? Infinity,
    restarts: maxRestarts(pod),
    created: pod.metadata.creationTimestamp.getTime(),
  });
  return pods
    .map(key)
    .sort(
      (a, b) =>
        a.assigned - b.assigned ||
        a.phase - b.phase ||
        Number(a.ready) - Number(b.ready) ||
        a.cost - b.cost ||
        b.colocated - a.colocated ||
        (a.ready && b.ready && a.readySince !== b.readySince ? (a.readySince > b.readySince ? -1 : 1) : 0) ||
        b.restarts - a.restarts ||
        b.created - a.created,
    )
    .map((k) => k.pod);
}

function replicaFailureCondition(existing: Condition | undefined, failure: ReplicaFailure, now: Date): Condition {
  if (existing?.status === "True" && existing.reason === failure.reason && existing.message === failure.message) {
    return existing;
  }
  return {
    type: REPLICA_FAILURE,
    status: "True",
    reason: failure.reason,
    message: failure.message,
    lastUpdateTime: now,
    lastTransitionTime: existing?.status === "True" ? existing.lastTransitionTime : now,
  };
}

/**
 * ReplicaSet status from the counts of its pods. With a failure, a ReplicaFailure condition
 * (status True) is set, or updated when its reason or message changed; without one it is removed.
 */
export function replicaSetStatus(rs: ReplicaSet, counts: PodCounts, now: Date, failure?: ReplicaFailure): ReplicaSetStatus {
  const others = rs.status.conditions.filter((c) => c.type !== REPLICA_FAILURE);
  const existing = rs.status.conditions.find((c) => c.type === REPLICA_FAILURE);
  const conditions = failure ? [...others, replicaFailureCondition(existing, failure, now)] : others;
  return {
    replicas: counts.active,
    fullyLabeledReplicas: counts.fullyLabeled,
    readyReplicas: counts.ready,
    availableReplicas: counts.available,
    observedGeneration: rs.metadata.generation,
    conditions,
  };
}

/**
 * One sync of a ReplicaSet from the counts of the pods it owns (after claiming): create or delete
 * the difference to spec.replicas, at most BURST_REPLICAS. A ReplicaSet that is being deleted
 * creates and deletes nothing. Which pods to delete is podsToDelete's choice.
 */
export function planReplicaSetSync(input: { rs: ReplicaSet; counts: PodCounts; now: Date }): ReplicaSetSyncPlan {
  const { rs, counts, now } = input;
  const diff = rs.metadata.deletionTimestamp === null ? counts.active - rs.spec.replicas : 0;
  return {
    create: diff < 0 ? Math.min(-diff, BURST_REPLICAS) : 0,
    deleteCount: diff > 0 ? Math.min(diff, BURST_REPLICAS) : 0,
    status: replicaSetStatus(rs, counts, now),
    requeueAfterMs: availabilityRequeueMs(counts, rs.spec.minReadySeconds, now),
  };
}

/** The `count` pods to delete among the ReplicaSet's pods (the first of the ranking over the active ones). */
export function podsToDelete<P extends RankablePod>(pods: P[], count: number): P[] {
  return count > 0 ? rankPodsForDeletion(pods.filter(isPodActive)).slice(0, count) : [];
}

/** A new pod for the ReplicaSet; uid and resourceVersion are left empty for the database. */
export function newPodFromTemplate(rs: ReplicaSet, name: string, now: Date): Pod {
  const template = structuredClone(rs.spec.template);
  return {
    metadata: {
      name,
      namespace: rs.metadata.namespace,
      uid: "",
      resourceVersion: "",
      generation: 1,
      creationTimestamp: now,
      deletionTimestamp: null,
      deletionGracePeriodSeconds: null,
      labels: template.metadata.labels,
      annotations: template.metadata.annotations,
      ownerReferences: [controllerRefTo({ kind: "ReplicaSet", name: rs.metadata.name, uid: rs.metadata.uid })],
      finalizers: [],
    },
    spec: { ...template.spec, nodeName: null },
    status: { phase: "Pending", ready: false, conditions: [], containerStatuses: [], startTime: null, podIP: null },
  };
}

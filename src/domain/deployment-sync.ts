// One sync of one Deployment (upstream deployment_controller.go syncDeployment with sync.go,
// rolling.go, recreate.go and progress.go), as a pure function from a snapshot to a plan.
//
// The controller reads a DeploymentSnapshot, calls syncDeployment, and applies the returned actions
// in ONE transaction, in order. Because they are applied together, one call computes the whole step
// upstream makes with several API calls: a new ReplicaSet is created already at its computed size,
// every ReplicaSet gets at most one update carrying its final values, and the status written is the
// one upstream computes after its calls (spec sizes as updated; ReplicaSet status as read). The one
// exception is the paused/resumed condition, which upstream stores by itself first (3. below).
//
// Order of a sync (controller-semantics §6):
//   1. empty selector: Warning SelectingAll event, observedGeneration only;
//   2. deletionTimestamp set: revision bookkeeping and status only;
//   3. Progressing Unknown DeploymentPaused / DeploymentResumed when spec.paused flipped, in a status
//      write of its own that goes first (so it is stored even when the step replaces it);
//   4. paused, or a scaling event (an active RS whose desired-replicas annotation differs from
//      spec.replicas): scale() only (proportional scaling; never creates an RS, so template edits
//      wait for resume); a paused Deployment also cleans up history; status without Progressing;
//   5. else the strategy: rolling (§2) or recreate (§3), stopping after a step that scaled, then the
//      rollout status with Progressing / ProgressDeadlineExceeded and the requeue for the deadline.
//
// Hash collisions: the snapshot's replicaSets are only this Deployment's, so an RS of someone else
// holding `<deployment>-<hash>` is found through `existingReplicaSetNamed`. The controller can
// preload the namespace's ReplicaSets whose name starts with `<deployment>-` and pass a Map lookup.
// A clash with another template bumps status.collisionCount and asks for an immediate requeue (the
// next sync hashes with the new count). Our own RS with this template under that name that is not in
// replicaSets (being deleted) makes the sync wait for it to go (requeue in 1s).
//
// requeueAfterMs: null = nothing scheduled (changes to the Deployment, its ReplicaSets or pods
// enqueue it anyway); 0 = at once (rate-limited by the queue); else the earliest of: the progress
// deadline + 1s of a rollout that shows no progress, and minReadySeconds + 1s while some RS has
// ready pods that are not yet available (a safety net: the ReplicaSet controller requeues itself
// for that too, and RS status changes requeue the Deployment).

import {
  deploymentComplete,
  FOUND_NEW_REPLICA_SET,
  getCondition,
  hasProgressDeadline,
  NEW_REPLICA_SET_CREATED,
  newCondition,
  pausedConditions,
  progressDeadlineRequeueMs,
  PROGRESSING,
  setCondition,
} from "./conditions.ts";
import { calculateStatus, sameStatus, statusAfterRolloutStep } from "./deployment-status.ts";
import {
  buildNewReplicaSet,
  findNewReplicaSet,
  isActive,
  isHashCollision,
  newReplicaSetAnnotations,
  newRSNewReplicas,
  nextRevision,
  REVISION_ANNOTATION,
  replicasAnnotationsNeedUpdate,
  withReplicasAnnotations,
  type NewReplicaSet,
} from "./deployment-util.ts";
import { computePodTemplateHash } from "./hash.ts";
import { replicaSetsToCleanUp } from "./history.ts";
import { isEmptySelector } from "./labels.ts";
import { oldPodsRunning } from "./recreate.ts";
import { newReplicaSetTarget, reconcileOldReplicaSets } from "./rolling.ts";
import { isScalingEvent, scalePlan } from "./scale.ts";
import type { Condition, Deployment, DeploymentStatus, EventType, Pod, ReplicaSet, StringMap } from "./types.ts";

export interface DeploymentSnapshot {
  /** the current row */
  deployment: Deployment;
  /** ReplicaSets controller-owned by this Deployment (already adopted/released), deletionTimestamp null */
  replicaSets: ReplicaSet[];
  /** active and terminating pods owned by those ReplicaSets; only Recreate needs them (it waits for the old ones) */
  pods: Pod[];
  now: Date;
  /** the ReplicaSet of the same namespace stored under `name`, if any (for hash collisions); see the header */
  existingReplicaSetNamed?: (name: string) => ReplicaSet | undefined;
}

export type DeploymentAction =
  /** metadata (name, namespace, labels, annotations, ownerReferences) and spec; the store adds the rest */
  | { type: "createReplicaSet"; replicaSet: NewReplicaSet }
  /** only the fields that change; annotations is the complete new map */
  | { type: "updateReplicaSet"; uid: string; name: string; replicas?: number; annotations?: StringMap; minReadySeconds?: number }
  /** history cleanup */
  | { type: "deleteReplicaSet"; uid: string; name: string }
  /** status and/or the complete new annotations (the revision annotation): status-like writes, generation unchanged */
  | { type: "updateDeployment"; status?: DeploymentStatus; annotations?: StringMap }
  /** an Event about the Deployment */
  | { type: "event"; eventType: EventType; reason: string; message: string };

export interface DeploymentSyncResult {
  actions: DeploymentAction[];
  requeueAfterMs: number | null;
}

function workingCopy(rs: ReplicaSet): ReplicaSet {
  return { ...rs, metadata: { ...rs.metadata, annotations: { ...rs.metadata.annotations } }, spec: { ...rs.spec } };
}

/** The state of one sync: working copies the rules change, and what goes into the plan. */
class Step {
  readonly d: Deployment;
  readonly now: Date;
  readonly pods: Pod[];
  readonly existingReplicaSetNamed: (name: string) => ReplicaSet | undefined;
  status: DeploymentStatus;
  annotations: StringMap;
  readonly replicaSets: ReplicaSet[];
  private readonly originals = new Map<ReplicaSet, ReplicaSet>();
  private readonly specChanged = new Set<ReplicaSet>();
  created: ReplicaSet | null = null;
  readonly deleted: ReplicaSet[] = [];
  private readonly events: DeploymentAction[] = [];
  /** a status write that goes before everything else (the paused/resumed condition) */
  private first: DeploymentAction | null = null;
  private requeueAfterMs: number | null = null;

  constructor(snapshot: DeploymentSnapshot) {
    this.d = snapshot.deployment;
    this.now = snapshot.now;
    this.pods = snapshot.pods;
    this.existingReplicaSetNamed = snapshot.existingReplicaSetNamed ?? (() => undefined);
    this.status = { ...this.d.status, conditions: [...this.d.status.conditions] };
    this.annotations = { ...this.d.metadata.annotations };
    this.replicaSets = snapshot.replicaSets.map((rs) => {
      const copy = workingCopy(rs);
      this.originals.set(copy, rs);
      return copy;
    });
  }

  event(eventType: EventType, reason: string, message: string): void {
    this.events.push({ type: "event", eventType, reason, message });
  }

  setCondition(condition: Condition): void {
    this.status.conditions = setCondition(this.status.conditions, condition);
  }

  /** The Deployment's revision annotation follows its new RS. */
  setRevision(revision: string): void {
    this.annotations[REVISION_ANNOTATION] = revision;
  }

  /** A spec write bumps the RS's generation (once per step, like the one write the plan makes). */
  touchSpec(rs: ReplicaSet): void {
    if (rs === this.created || this.specChanged.has(rs)) return;
    this.specChanged.add(rs);
    rs.metadata = { ...rs.metadata, generation: rs.metadata.generation + 1 };
  }

  /**
   * Progressing DeploymentPaused / DeploymentResumed, written at once in a status update of its own
   * (upstream checkPausedConditions) so that it is stored even when this step goes on to replace it
   * (a resume that creates the new RS reports DeploymentResumed, then NewReplicaSetCreated).
   */
  reportPausedConditions(): void {
    const conditions = pausedConditions(this.d, this.status.conditions, this.now);
    if (conditions === this.status.conditions) return;
    this.status.conditions = conditions;
    this.first = { type: "updateDeployment", status: { ...this.d.status, conditions } };
  }

  requeueAfter(ms: number | null): void {
    if (ms !== null && (this.requeueAfterMs === null || ms < this.requeueAfterMs)) this.requeueAfterMs = ms;
  }

  result(): DeploymentSyncResult {
    this.requeueAfter(minReadyRequeueMs(this.d, this.replicaSets));
    const actions: DeploymentAction[] = this.first ? [this.first] : [];
    if (this.created) actions.push({ type: "createReplicaSet", replicaSet: asNewReplicaSet(this.created) });
    for (const rs of this.replicaSets) {
      const original = this.originals.get(rs);
      if (!original || this.deleted.includes(rs)) continue;
      const replicas = rs.spec.replicas !== original.spec.replicas ? rs.spec.replicas : undefined;
      const annotations = sameMap(rs.metadata.annotations, original.metadata.annotations) ? undefined : rs.metadata.annotations;
      const minReadySeconds = rs.spec.minReadySeconds !== original.spec.minReadySeconds ? rs.spec.minReadySeconds : undefined;
      if (replicas === undefined && annotations === undefined && minReadySeconds === undefined) continue;
      actions.push({
        type: "updateReplicaSet",
        uid: rs.metadata.uid,
        name: rs.metadata.name,
        ...(replicas !== undefined && { replicas }),
        ...(annotations !== undefined && { annotations }),
        ...(minReadySeconds !== undefined && { minReadySeconds }),
      });
    }
    for (const rs of this.deleted) actions.push({ type: "deleteReplicaSet", uid: rs.metadata.uid, name: rs.metadata.name });
    const statusChanged = !sameStatus(this.status, this.d.status);
    const annotationsChanged = !sameMap(this.annotations, this.d.metadata.annotations);
    if (statusChanged || annotationsChanged) {
      actions.push({
        type: "updateDeployment",
        ...(statusChanged && { status: this.status }),
        ...(annotationsChanged && { annotations: this.annotations }),
      });
    }
    actions.push(...this.events);
    return { actions, requeueAfterMs: this.requeueAfterMs };
  }
}

function asNewReplicaSet(rs: ReplicaSet): NewReplicaSet {
  const { name, namespace, labels, annotations, ownerReferences } = rs.metadata;
  return { metadata: { name, namespace, labels, annotations, ownerReferences }, spec: rs.spec };
}

function sameMap(a: StringMap, b: StringMap): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

/** minReadySeconds + 1s while some RS has ready pods that are not available yet. */
function minReadyRequeueMs(d: Deployment, replicaSets: ReplicaSet[]): number | null {
  if (d.spec.minReadySeconds === 0) return null;
  const waiting = replicaSets.some((rs) => rs.status.readyReplicas > rs.status.availableReplicas);
  return waiting ? d.spec.minReadySeconds * 1000 + 1000 : null;
}

function present(rs: ReplicaSet | null): ReplicaSet[] {
  return rs ? [rs] : [];
}

/**
 * Scales `rs` to `replicas` with its desired/max-replicas annotations rewritten, and records the
 * ScalingReplicaSet event. Same size: nothing, unless `refreshAnnotations` and they are stale.
 * Returns whether the size changed.
 */
function scaleReplicaSet(step: Step, rs: ReplicaSet, replicas: number, refreshAnnotations: boolean): boolean {
  const from = rs.spec.replicas;
  const resized = from !== replicas;
  if (!resized && !(refreshAnnotations && replicasAnnotationsNeedUpdate(rs, step.d))) return false;
  step.touchSpec(rs);
  rs.spec.replicas = replicas;
  rs.metadata.annotations = withReplicasAnnotations(rs.metadata.annotations, step.d);
  if (resized) {
    step.event("Normal", "ScalingReplicaSet", `Scaled ${replicas > from ? "up" : "down"} replica set ${rs.metadata.name} to ${replicas} from ${from}`);
  }
  return resized;
}

/**
 * Finds the new RS and brings its bookkeeping up to date: revision (max of the old ones + 1, the
 * previous one kept in revision-history), copied annotations, minReadySeconds; the Deployment's
 * revision follows it; FoundNewReplicaSet when no Progressing condition exists yet.
 */
function syncRevision(step: Step): { newRS: ReplicaSet | null; oldRSs: ReplicaSet[] } {
  const { d } = step;
  const newRS = findNewReplicaSet(d, step.replicaSets);
  const oldRSs = step.replicaSets.filter((rs) => rs !== newRS);
  if (!newRS) return { newRS, oldRSs };
  newRS.metadata.annotations = newReplicaSetAnnotations(d, newRS.metadata.annotations, nextRevision(oldRSs), true);
  if (newRS.spec.minReadySeconds !== d.spec.minReadySeconds) {
    step.touchSpec(newRS);
    newRS.spec.minReadySeconds = d.spec.minReadySeconds;
  }
  step.setRevision(newRS.metadata.annotations[REVISION_ANNOTATION]);
  if (hasProgressDeadline(d) && !getCondition(step.status.conditions, PROGRESSING)) {
    step.setCondition(newCondition(PROGRESSING, "True", FOUND_NEW_REPLICA_SET, `Found new replica set "${newRS.metadata.name}"`, step.now));
  }
  return { newRS, oldRSs };
}

/**
 * Creates the new RS at NewRSNewReplicas with revision max(old) + 1 (NewReplicaSetCreated), or
 * returns null when its name is taken: a collision bumps collisionCount; our own RS there means wait.
 */
function createNewReplicaSet(step: Step, oldRSs: ReplicaSet[]): ReplicaSet | null {
  const { d, now } = step;
  const revision = nextRevision(oldRSs);
  const hash = computePodTemplateHash(d.spec.template, step.status.collisionCount);
  const draft = buildNewReplicaSet(d, hash, 0, newReplicaSetAnnotations(d, {}, revision, false));
  const name = draft.metadata.name;
  const existing = step.replicaSets.find((rs) => rs.metadata.name === name) ?? step.existingReplicaSetNamed(name);
  if (existing) {
    if (isHashCollision(existing, d)) {
      step.status.collisionCount += 1;
      step.requeueAfter(0);
    } else {
      step.requeueAfter(1000);
    }
    return null;
  }
  const newRS: ReplicaSet = {
    metadata: { ...draft.metadata, uid: "", resourceVersion: "", generation: 1, creationTimestamp: now, deletionTimestamp: null, finalizers: [] },
    spec: draft.spec,
    status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 0, conditions: [] },
  };
  newRS.spec.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  step.replicaSets.push(newRS);
  step.created = newRS;
  if (newRS.spec.replicas > 0) step.event("Normal", "ScalingReplicaSet", `Scaled up replica set ${name} to ${newRS.spec.replicas}`);
  step.setRevision(String(revision));
  if (hasProgressDeadline(d)) {
    step.setCondition(newCondition(PROGRESSING, "True", NEW_REPLICA_SET_CREATED, `Created new replica set "${name}"`, now));
  }
  return newRS;
}

function cleanupHistory(step: Step, oldRSs: ReplicaSet[]): void {
  step.deleted.push(...replicaSetsToCleanUp(step.d, oldRSs));
}

/** scale(): for paused Deployments and scaling events. */
function syncScale(step: Step, newRS: ReplicaSet | null, oldRSs: ReplicaSet[]): DeploymentSyncResult {
  const { d } = step;
  for (const { rs, replicas, refreshAnnotations } of scalePlan(d, newRS, oldRSs)) scaleReplicaSet(step, rs, replicas, refreshAnnotations);
  if (d.spec.paused) cleanupHistory(step, oldRSs);
  step.status = calculateStatus(d, step.status, [...oldRSs, ...present(newRS)], newRS, step.now);
  return step.result();
}

function finishRollout(step: Step, allRSs: ReplicaSet[], newRS: ReplicaSet | null): DeploymentSyncResult {
  step.status = statusAfterRolloutStep(step.d, step.status, allRSs, newRS, step.now);
  step.requeueAfter(progressDeadlineRequeueMs(step.d, step.status, step.now));
  return step.result();
}

function rolloutRolling(step: Step, existingNewRS: ReplicaSet | null, oldRSs: ReplicaSet[]): DeploymentSyncResult {
  const { d } = step;
  const newRS = existingNewRS ?? createNewReplicaSet(step, oldRSs);
  if (!newRS) return step.result();
  const allRSs = [...oldRSs, newRS];

  if (scaleReplicaSet(step, newRS, newReplicaSetTarget(d, allRSs, newRS), false)) return finishRollout(step, allRSs, newRS);

  let scaledDown = false;
  for (const { rs, replicas } of reconcileOldReplicaSets(d, allRSs, oldRSs.filter(isActive), newRS)) {
    scaledDown = scaleReplicaSet(step, rs, replicas, false) || scaledDown;
  }
  if (scaledDown) return finishRollout(step, allRSs, newRS);

  if (deploymentComplete(d, d.status)) cleanupHistory(step, oldRSs);
  return finishRollout(step, allRSs, newRS);
}

function rolloutRecreate(step: Step, existingNewRS: ReplicaSet | null, oldRSs: ReplicaSet[]): DeploymentSyncResult {
  const { d } = step;
  let scaledDown = false;
  for (const rs of oldRSs.filter(isActive)) scaledDown = scaleReplicaSet(step, rs, 0, false) || scaledDown;
  if (scaledDown || oldPodsRunning(existingNewRS, oldRSs, step.pods)) {
    return finishRollout(step, [...oldRSs, ...present(existingNewRS)], existingNewRS);
  }

  const newRS = existingNewRS ?? createNewReplicaSet(step, oldRSs);
  if (!newRS) return step.result();
  scaleReplicaSet(step, newRS, d.spec.replicas, false);

  if (deploymentComplete(d, d.status)) cleanupHistory(step, oldRSs);
  return finishRollout(step, [...oldRSs, newRS], newRS);
}

/** One sync of the Deployment in `snapshot`: the actions to apply in one transaction, and when to look again. */
export function syncDeployment(snapshot: DeploymentSnapshot): DeploymentSyncResult {
  const step = new Step(snapshot);
  const { d, now } = step;

  if (isEmptySelector(d.spec.selector)) {
    step.event("Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
    step.status.observedGeneration = Math.max(step.status.observedGeneration, d.metadata.generation);
    return step.result();
  }

  if (d.metadata.deletionTimestamp) {
    const { newRS, oldRSs } = syncRevision(step);
    step.status = calculateStatus(d, step.status, [...oldRSs, ...present(newRS)], newRS, now);
    return step.result();
  }

  step.reportPausedConditions();
  const { newRS, oldRSs } = syncRevision(step);
  if (d.spec.paused || isScalingEvent(d, newRS, oldRSs)) return syncScale(step, newRS, oldRSs);
  return d.spec.strategy.type === "Recreate" ? rolloutRecreate(step, newRS, oldRSs) : rolloutRolling(step, newRS, oldRSs);
}

// What the API server does to a stored object for each write of the contract, as pure functions:
// the next spec and metadata of an edit, or why the edit is refused (a Refusal carrying the
// contract's error code). src/db/*-writes.ts read the object, call these and write the result;
// the GraphQL layer turns a Refusal into its typed error.

import { CHANGE_CAUSE_ANNOTATION } from "./deployment-util.ts";
import { canonicalEncoding } from "./hash.ts";
import { findRollbackTarget } from "./history.ts";
import { invalid, type FieldError } from "./labels.ts";
import {
  normalizeDeployment,
  normalizeReplicaSet,
  validateAnnotations,
  validateDeploymentUpdate,
  validateReplicas,
  validateSetImage,
  type DeploymentInput,
  type DeploymentSpecInput,
  type NormalizedDeployment,
  type NormalizedReplicaSet,
  type PodStatusInput,
  type ReplicaSetInput,
} from "./validation.ts";
import type {
  Condition,
  ContainerState,
  ContainerStatus,
  Deployment,
  DeploymentSpec,
  EventRecord,
  Kind,
  Pod,
  PodStatus,
  PodTemplateSpec,
  ReplicaSet,
  StringMap,
} from "./types.ts";

// ---------------------------------------------------------------------------------------------
// Refusals.

export type RefusalCode = "BAD_USER_INPUT" | "NOT_FOUND" | "ALREADY_EXISTS" | "CONFLICT";

/** A write the API refuses; nothing is written. BAD_USER_INPUT lists every violated field. */
export class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = "Refusal";
  }
}

function invalidInput(fieldErrors: FieldError[]): Refusal {
  return new Refusal("BAD_USER_INPUT", fieldErrors.map((e) => `${e.field}: ${e.message}`).join("; "), fieldErrors);
}

/** Throws the BAD_USER_INPUT refusal when there are field errors. */
export function assertValid(fieldErrors: FieldError[]): void {
  if (fieldErrors.length > 0) throw invalidInput(fieldErrors);
}

export function notFound(kind: Kind, namespace: string, name: string): Refusal {
  return new Refusal("NOT_FOUND", `${kind} "${name}" not found in namespace "${namespace}"`);
}

export function alreadyExists(kind: Kind, namespace: string, name: string): Refusal {
  return new Refusal("ALREADY_EXISTS", `${kind} "${name}" already exists in namespace "${namespace}"`);
}

/** Upstream's resource names, as its conflict messages spell them. */
const RESOURCE: Record<Kind, string> = { Deployment: "deployments.apps", ReplicaSet: "replicasets.apps", Pod: "pods" };

/** A resourceVersion precondition (when given) must equal the stored version. */
export function checkPrecondition(kind: Kind, name: string, stored: string, expected: string | null | undefined): void {
  if (expected == null || expected === stored) return;
  throw new Refusal(
    "CONFLICT",
    `Operation cannot be fulfilled on ${RESOURCE[kind]} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );
}

// ---------------------------------------------------------------------------------------------
// Text the database can store. Postgres text and JSONB cannot hold U+0000, and JSONB refuses
// unpaired UTF-16 surrogates: such input is invalid rather than an internal error.

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * Every string (and map key) in `value` that cannot be stored, reported at its path
 * (`spec.template.spec.containers[0].image`; a bad map key at the map's path).
 */
export function unstorableTextErrors(value: unknown, path: string): FieldError[] {
  const error = (at: string, text: string) => invalid(at, text, "must not contain the NUL character or unpaired surrogates");
  if (typeof value === "string") return isStorableText(value) ? [] : [error(path, value)];
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorableTextErrors(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, v]) => [
    ...(isStorableText(key) ? [] : [error(path, key)]),
    ...unstorableTextErrors(v, path === "" ? key : `${path}.${key}`),
  ]);
}

/** `primary` plus those of `extra` whose field (or an enclosing field) `primary` does not already report. */
export function mergeFieldErrors(primary: FieldError[], extra: FieldError[]): FieldError[] {
  const covered = (field: string) =>
    primary.some((p) => field === p.field || field.startsWith(`${p.field}.`) || field.startsWith(`${p.field}[`));
  return [...primary, ...extra.filter((e) => !covered(e.field))];
}

// ---------------------------------------------------------------------------------------------
// generation and metadata.

/**
 * Equality as upstream's apiequality.Semantic.DeepEqual sees it: key order is irrelevant, and an
 * absent field equals its empty value.
 */
export function semanticallyEqual(a: unknown, b: unknown): boolean {
  return canonicalEncoding(a) === canonicalEncoding(b);
}

/** metadata.generation after a write: +1 exactly when the spec changed. */
export function nextGeneration(generation: number, before: unknown, after: unknown): number {
  return semanticallyEqual(before, after) ? generation : generation + 1;
}

/** Annotations the Deployment controller owns (revision, revision-history, desired/max replicas). */
const CONTROLLER_ANNOTATION_PREFIX = "deployment.kubernetes.io/";

/**
 * The annotations of an update that replaces them: the given map, except that the controller's
 * `deployment.kubernetes.io/*` bookkeeping stays as stored (a client can neither drop nor forge it).
 */
export function replaceAnnotations(stored: StringMap, given: StringMap): StringMap {
  const out: StringMap = {};
  for (const [key, value] of Object.entries(given)) if (!key.startsWith(CONTROLLER_ANNOTATION_PREFIX)) out[key] = value;
  for (const [key, value] of Object.entries(stored)) if (key.startsWith(CONTROLLER_ANNOTATION_PREFIX)) out[key] = value;
  return out;
}

/** `kubernetes.io/change-cause` set to `changeCause` when one is given. */
export function withChangeCause(annotations: StringMap, changeCause: string | null | undefined): StringMap {
  return changeCause == null ? annotations : { ...annotations, [CHANGE_CAUSE_ANNOTATION]: changeCause };
}

// ---------------------------------------------------------------------------------------------
// Creation: section 8's validation and defaults, plus text the database can store.

export function validDeployment(input: DeploymentInput): NormalizedDeployment {
  const normalized = normalizeDeployment(input);
  assertValid(mergeFieldErrors(normalized.errors, unstorableTextErrors(input, "")));
  return normalized.value!;
}

export function validReplicaSet(input: ReplicaSetInput): NormalizedReplicaSet {
  const normalized = normalizeReplicaSet(input);
  assertValid(mergeFieldErrors(normalized.errors, unstorableTextErrors(input, "")));
  return normalized.value!;
}

// ---------------------------------------------------------------------------------------------
// Deployment edits: each returns the Deployment's next labels, annotations and spec, plus the
// events the API records with it, or throws a Refusal.

export interface DeploymentEdit {
  labels: StringMap;
  annotations: StringMap;
  spec: DeploymentSpec;
  events: Omit<EventRecord, "involvedObject">[];
}

function unchanged(d: Deployment): DeploymentEdit {
  return { labels: d.metadata.labels, annotations: d.metadata.annotations, spec: d.spec, events: [] };
}

function withSpec(d: Deployment, spec: Partial<DeploymentSpec>): DeploymentEdit {
  return { ...unchanged(d), spec: { ...d.spec, ...spec } };
}

export interface DeploymentUpdate {
  spec: DeploymentSpecInput;
  labels?: StringMap | null;
  annotations?: StringMap | null;
  changeCause?: string | null;
}

/**
 * `kubectl replace`: the whole spec, validated and defaulted as on create; labels and annotations
 * replaced when given (see replaceAnnotations); the selector may not change. normalizeDeployment
 * returns no spec while anything is invalid, so a selector change is reported once the rest of the
 * update is valid, not together with other errors.
 */
export function updateEdit(d: Deployment, update: DeploymentUpdate): DeploymentEdit {
  const labels = update.labels ?? d.metadata.labels;
  const given = update.annotations == null ? d.metadata.annotations : replaceAnnotations(d.metadata.annotations, update.annotations);
  const annotations = withChangeCause(given, update.changeCause);
  const normalized = normalizeDeployment({ metadata: { name: d.metadata.name, namespace: d.metadata.namespace, labels, annotations }, spec: update.spec });
  const errors = normalized.value ? validateDeploymentUpdate(d.spec, normalized.value.spec) : normalized.errors;
  const text = { metadata: { labels: update.labels, annotations: update.annotations }, spec: update.spec, changeCause: update.changeCause };
  assertValid(mergeFieldErrors(errors, unstorableTextErrors(text, "")));
  return { labels, annotations, spec: normalized.value!.spec, events: [] };
}

/**
 * `kubectl set image`: the container must exist and the image be valid. The same image changes
 * nothing at all (not even the change-cause, which explains a change that did not happen).
 */
export function setImageEdit(d: Deployment, container: string, image: string, changeCause: string | null | undefined): DeploymentEdit {
  const annotations = withChangeCause(d.metadata.annotations, changeCause);
  assertValid(
    mergeFieldErrors(
      [...validateSetImage(d.spec.template, container, image), ...(changeCause == null ? [] : validateAnnotations(annotations, "changeCause"))],
      [...unstorableTextErrors(image, "image"), ...unstorableTextErrors(changeCause, "changeCause")],
    ),
  );
  const current = d.spec.template.spec.containers.find((c) => c.name === container);
  if (current?.image === image) return unchanged(d);
  const template: PodTemplateSpec = structuredClone(d.spec.template);
  for (const c of template.spec.containers) if (c.name === container) c.image = image;
  return { ...withSpec(d, { template }), annotations };
}

/** `kubectl scale`: replicas is spec, so a new count bumps generation. */
export function scaleEdit(d: Deployment, replicas: number): DeploymentEdit {
  assertValid(validateReplicas(replicas, "replicas"));
  return withSpec(d, { replicas });
}

export function pauseEdit(d: Deployment): DeploymentEdit {
  if (d.spec.paused) throw new Refusal("CONFLICT", `Deployment "${d.metadata.name}" is already paused`);
  return withSpec(d, { paused: true });
}

export function resumeEdit(d: Deployment): DeploymentEdit {
  if (!d.spec.paused) throw new Refusal("CONFLICT", `Deployment "${d.metadata.name}" is not paused`);
  return withSpec(d, { paused: false });
}

export const RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt";

/**
 * `kubectl rollout restart`: a new template annotation, hence a new pod-template-hash and a new
 * rollout. RFC 3339 with milliseconds (upstream uses seconds), so two restarts in one second are two.
 */
export function restartEdit(d: Deployment, now: Date): DeploymentEdit {
  if (d.spec.paused) {
    throw new Refusal("CONFLICT", `cannot restart paused Deployment "${d.metadata.name}" (run resumeRollout first)`);
  }
  const template: PodTemplateSpec = structuredClone(d.spec.template);
  template.metadata.annotations = { ...template.metadata.annotations, [RESTARTED_AT_ANNOTATION]: now.toISOString() };
  assertValid(validateAnnotations(template.metadata.annotations, "spec.template.metadata.annotations"));
  return withSpec(d, { template });
}

export const ROLLBACK_DONE = "DeploymentRollback";
export const ROLLBACK_TEMPLATE_UNCHANGED = "DeploymentRollbackTemplateUnchanged";

/**
 * `kubectl rollout undo` (toRevision 0 = the previous revision): the target's template and
 * change-cause go into the Deployment, with a Normal DeploymentRollback event. Rolling back to the
 * template already running changes nothing and records a Normal event saying it was skipped
 * (upstream's controller used a Warning for that; a skipped no-op is not a failure).
 */
export function rollbackEdit(d: Deployment, ownedReplicaSets: ReplicaSet[], toRevision: number): DeploymentEdit {
  const target = findRollbackTarget(d, ownedReplicaSets, toRevision);
  if (target.ok) {
    return {
      ...withSpec(d, { template: target.template }),
      annotations: target.annotations,
      events: [{ type: "Normal", reason: ROLLBACK_DONE, message: `Rolled back deployment "${d.metadata.name}" to revision ${target.revision}` }],
    };
  }
  const { error } = target;
  switch (error.reason) {
    case "AlreadyCurrent":
      return { ...unchanged(d), events: [{ type: "Normal", reason: ROLLBACK_TEMPLATE_UNCHANGED, message: error.message }] };
    case "Paused":
      throw new Refusal("CONFLICT", error.message);
    case "RevisionNotFound":
    case "NoHistory":
      throw new Refusal("NOT_FOUND", error.message);
  }
}

// ---------------------------------------------------------------------------------------------
// Deletion.

export type DeletionPropagation = "Background" | "Foreground" | "Orphan";

/** The garbage collector's finalizers (src/controller/garbage-collector.ts acts on them). */
export const FOREGROUND_FINALIZER = "foregroundDeletion";
export const ORPHAN_FINALIZER = "orphan";

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

// ---------------------------------------------------------------------------------------------
// updatePodStatus: what a node agent reports, merged onto the pod.

function containerState(reported: { waitingReason?: string | null }, before: ContainerStatus | undefined, phase: string, now: Date): ContainerState {
  const none: ContainerState = { waiting: null, running: null, terminated: null };
  if (reported.waitingReason) return { ...none, waiting: { reason: reported.waitingReason, message: null } };
  switch (phase) {
    case "Running":
      return { ...none, running: { startedAt: before?.state.running?.startedAt ?? now } };
    case "Succeeded":
    case "Failed": {
      const succeeded = phase === "Succeeded";
      const finishedAt = before?.state.terminated?.finishedAt ?? now;
      return { ...none, terminated: { exitCode: succeeded ? 0 : 1, reason: succeeded ? "Completed" : "Error", finishedAt } };
    }
    default:
      return before?.state ?? { ...none, waiting: { reason: "ContainerCreating", message: null } };
  }
}

/**
 * The pod's status after a report (validated with validatePodStatusInput): phase and readiness as
 * reported; one status per container of the spec, reported ones replaced (restartCount kept when
 * not given, running/terminated times kept while in that state) and the others kept; the Ready
 * condition set like the kubelet's, its lastTransitionTime moving only when it flips; startTime
 * set when the pod first runs; podIP replaced when reported.
 */
export function reportedPodStatus(pod: Pod, report: PodStatusInput, now: Date): PodStatus {
  const reported = new Map((report.containerStatuses ?? []).map((s) => [s.name, s]));
  const before = new Map(pod.status.containerStatuses.map((s) => [s.name, s]));
  const containerStatuses = pod.spec.containers.map((c): ContainerStatus => {
    const r = reported.get(c.name);
    const previous = before.get(c.name);
    if (!r) {
      return previous ?? { name: c.name, image: c.image, ready: false, restartCount: 0, state: containerState({}, undefined, "Pending", now) };
    }
    return {
      name: c.name,
      image: c.image,
      ready: r.ready,
      restartCount: r.restartCount ?? previous?.restartCount ?? 0,
      state: containerState(r, previous, report.phase, now),
    };
  });
  const status = report.ready ? "True" : "False";
  const previousReady = pod.status.conditions.find((c) => c.type === "Ready");
  const unready = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const ready: Condition = {
    type: "Ready",
    status,
    reason: report.ready ? null : "ContainersNotReady",
    message: report.ready ? null : `containers with unready status: [${unready.join(" ")}]`,
    lastUpdateTime: null,
    lastTransitionTime: previousReady?.status === status ? previousReady.lastTransitionTime : now,
  };
  const conditions = previousReady
    ? pod.status.conditions.map((c) => (c.type === "Ready" ? ready : c))
    : [...pod.status.conditions, ready];
  return {
    phase: report.phase as PodStatus["phase"],
    ready: report.ready,
    conditions,
    containerStatuses,
    startTime: pod.status.startTime ?? (report.phase === "Running" ? now : null),
    podIP: report.podIP ?? pod.status.podIP,
  };
}

// What the API server does to a stored Deployment or ReplicaSet for each edit of the contract, as
// pure functions: the next spec and metadata, or why the edit is refused (a Refusal,
// refusals.ts). src/db/*-writes.ts read the object, call these and write the result. Deletion is
// in deletion.ts, a node agent's pod status report in pod-status.ts.

import { CHANGE_CAUSE_ANNOTATION } from "./deployment-util.ts";
import type { DeploymentInput, DeploymentSpecInput, NormalizedDeployment, NormalizedReplicaSet, ReplicaSetInput } from "./decoding.ts";
import { mergeFieldErrors } from "./field-errors.ts";
import { semanticallyEqual } from "./hash.ts";
import { findRollbackTarget } from "./history.ts";
import { assertValid, Refusal } from "./refusals.ts";
import { unstorableTextErrors } from "./storable-text.ts";
import { normalizeDeployment, normalizeReplicaSet, validateAnnotations, validateDeploymentUpdate, validateReplicas, validateSetImage } from "./validation.ts";
import type { Deployment, DeploymentSpec, EventRecord, PodTemplateSpec, ReplicaSet, StringMap } from "./types.ts";

// ---------------------------------------------------------------------------------------------
// generation and metadata.

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


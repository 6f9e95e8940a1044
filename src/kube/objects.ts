// The verbs on objects: get, list, create, update (PUT), patch, the /scale subresource, delete.
// Every write calls the same src/db write path (and so the same src/domain rules) as the GraphQL
// mutation of that verb; a patch is applied to the object as the codec writes it (the pure patch
// functions of src/domain/patch.ts) and the result goes through the update path.
import type { Db } from "../db/client.ts";
import * as deployments from "../db/deployment-writes.ts";
import type { RowOfKind, TableKind } from "../db/kinds.ts";
import { readPage, type PageKey } from "../db/pages.ts";
import * as pods from "../db/pod-writes.ts";
import { readObject, readPosition } from "../db/reads.ts";
import * as replicaSets from "../db/replicaset-writes.ts";
import type { ObjectKey } from "../db/writes.ts";
import type { DeletionPropagation } from "../domain/deletion.ts";
import { fieldsMatch, type FieldRequirement } from "../domain/fields.ts";
import { decodeDeployment, type DeploymentInput } from "../domain/decoding.ts";
import { semanticallyEqual, templatesEqualIgnoringHash } from "../domain/hash.ts";
import type { PodTemplateSpec } from "../domain/types.ts";
import { matches, selectorToRequirements, formatSelector, type Requirement } from "../domain/labels.ts";
import { jsonMergePatch, jsonPatch, strategicMergePatch, type Json } from "../domain/patch.ts";
import { Refusal } from "../domain/refusals.ts";
import { objectJson, qualifiedName, RESOURCES, type Obj, type Resource } from "./codec.ts";
import { badRequest, methodNotAllowed, notFound } from "./status.ts";

export const MAX_LIST = 500;
const DEPLOYMENTS = RESOURCES.find((r) => r.kind === "Deployment")!;
const REPLICA_SETS = RESOURCES.find((r) => r.kind === "ReplicaSet")!;

type Any = any; // decoded request bodies, read field by field

/** The selectable fields of an object (upstream's field label conversion for these kinds). */
export function selectableFields(o: Any): Record<string, string> {
  const fields: Record<string, string> = { "metadata.name": o.metadata.name, "metadata.namespace": o.metadata.namespace };
  if (o.kind === "Pod") Object.assign(fields, { "status.phase": o.status?.phase ?? "", "spec.nodeName": o.spec?.nodeName ?? "" });
  if (o.kind === "Event") for (const [k, v] of Object.entries(o.involvedObject ?? {})) fields[`involvedObject.${k}`] = String(v);
  if (o.kind === "Event") Object.assign(fields, { reason: o.reason, type: o.type, "source": o.source?.component ?? "" });
  return fields;
}

export function checkFields(r: Resource, requirements: readonly FieldRequirement[]): void {
  const known = Object.keys(selectableFields({ kind: r.kind, metadata: {}, status: {}, spec: {}, involvedObject: { kind: "", namespace: "", name: "", uid: "", apiVersion: "", fieldPath: "" } }));
  for (const req of requirements) {
    if (!known.includes(req.field)) throw badRequest(`field label not supported: ${req.field}`);
  }
}

export interface ListQuery {
  namespace: string | null;
  labels: Requirement[];
  fields: FieldRequirement[];
  limit: number;
  after: After | null;
}

/** Where a list's next page starts: after `key`, with `listed` objects on the pages before. */
export interface After {
  key: PageKey;
  listed: number;
}

export interface ListResult {
  resourceVersion: string;
  items: Obj[];
  next: After | null;
  /**
   * How many objects the next pages hold (upstream's remainingItemCount): set when there is a
   * next page and no selector (the selectors filter after the count, as upstream leaves it out).
   */
  remaining: number | null;
}

const labelsOf = (o: Any): Record<string, string> => o.metadata.labels ?? {};

/**
 * One page of a list: the change-log position first, then the objects (each at least as new), so
 * a watch from the returned resourceVersion misses nothing. `metadata.name=` reads one object.
 */
export async function list(db: Db, r: Resource, q: ListQuery): Promise<ListResult> {
  const position = String(await readPosition(db));
  const keep = (o: Obj) => matches(q.labels, labelsOf(o)) && fieldsMatch(q.fields, selectableFields(o));
  const name = q.fields.find((f) => f.field === "metadata.name" && f.operator === "=")?.value;
  if (name !== undefined && q.namespace !== null) {
    const row = await readObject(db, r.kind, { namespace: q.namespace, name });
    const items = row ? [objectJson(r.kind, row)].filter(keep) : [];
    return { resourceVersion: position, items, next: null, remaining: null };
  }
  const involvedObjectName = r.kind === "Event" ? q.fields.find((f) => f.field === "involvedObject.name" && f.operator === "=")?.value : undefined;
  const page = await readPage(db, r.kind, { namespace: q.namespace, requirements: q.labels, involvedObjectName }, { from: q.after?.key ?? null, size: q.limit, backward: false }, {});
  const items = page.items.map((i) => objectJson(r.kind, i.row as RowOfKind[TableKind])).filter(keep);
  if (!page.hasMore) return { resourceVersion: position, items, next: null, remaining: null };
  const listed = (q.after?.listed ?? 0) + page.items.length;
  const selected = q.labels.length > 0 || q.fields.length > 0;
  return { resourceVersion: position, items, next: { key: page.items.at(-1)!.key, listed }, remaining: selected ? null : Math.max(page.totalCount - listed, 0) };
}

export async function get(db: Db, r: Resource, key: ObjectKey): Promise<Obj> {
  const row = await readObject(db, r.kind, key);
  if (!row) throw notFound(r, key.name);
  return objectJson(r.kind, row);
}

interface WriteOptions {
  dryRun: boolean;
}

function checkNamespace(body: Any, key: { namespace: string }): void {
  const given = body?.metadata?.namespace;
  if (given != null && given !== key.namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
}

function checkKind(r: Resource, body: Any): void {
  if (body?.kind != null && body.kind !== r.kind) throw badRequest(`the kind of the provided object (${body.kind}) is not ${r.kind}`);
}

const metadataInput = (body: Any, namespace: string) => ({
  name: body?.metadata?.name ?? "",
  namespace,
  labels: body?.metadata?.labels ?? {},
  annotations: body?.metadata?.annotations ?? {},
});

export async function create(db: Db, r: Resource, namespace: string, body: Any, options: WriteOptions): Promise<Obj> {
  checkKind(r, body);
  checkNamespace(body, { namespace });
  const input = { metadata: metadataInput(body, namespace), spec: body?.spec ?? {} };
  switch (r.kind) {
    case "Deployment":
      return objectJson("Deployment", await deployments.createDeployment(db, input, { dryRun: options.dryRun }));
    case "ReplicaSet":
      return objectJson("ReplicaSet", await replicaSets.createReplicaSet(db, input, { dryRun: options.dryRun }));
    default:
      throw methodNotAllowed(`create is not supported on ${qualifiedName(r)}`);
  }
}

/** PUT: the object's spec, labels and annotations replace the stored ones; metadata.resourceVersion is a precondition. */
export async function update(db: Db, r: Resource, key: ObjectKey, body: Any, options: WriteOptions): Promise<Obj> {
  checkKind(r, body);
  checkNamespace(body, key);
  if (body?.metadata?.name != null && body.metadata.name !== key.name) throw badRequest("the name of the object does not match the name on the URL");
  const resourceVersion = body?.metadata?.resourceVersion ?? null;
  switch (r.kind) {
    case "Deployment": {
      const { labels, annotations } = metadataInput(body, key.namespace);
      const row = await deployments.updateDeployment(db, key, { spec: body?.spec ?? {}, labels, annotations }, { resourceVersion, dryRun: options.dryRun });
      return objectJson("Deployment", row);
    }
    case "ReplicaSet": {
      // a ReplicaSet's API write is its scale (replicaset-writes.ts); anything else must stay as stored
      const current = await get(db, r, key);
      const rest = (o: Any) => ({ labels: o.metadata?.labels ?? {}, annotations: o.metadata?.annotations ?? {}, spec: { ...o.spec, replicas: 0 } });
      if (!semanticallyEqual(rest(current), rest(body))) throw methodNotAllowed("only spec.replicas of a replicaset can be changed");
      return replicaSetScale(db, key, body?.spec?.replicas, resourceVersion, current, options);
    }
    default:
      throw methodNotAllowed(`update is not supported on ${qualifiedName(r)}`);
  }
}

async function replicaSetScale(db: Db, key: ObjectKey, replicas: unknown, resourceVersion: string | null, current: Any, options: WriteOptions): Promise<Obj> {
  if (resourceVersion != null && resourceVersion !== current.metadata.resourceVersion) {
    throw new Refusal("CONFLICT", `Operation cannot be fulfilled on replicasets.apps "${key.name}": the object has been modified; please apply your changes to the latest version and try again`);
  }
  if (options.dryRun) return { ...current, spec: { ...current.spec, replicas } };
  return objectJson("ReplicaSet", await replicaSets.scaleReplicaSet(db, key, replicas as number));
}

export const PATCH_TYPES = ["application/strategic-merge-patch+json", "application/merge-patch+json", "application/json-patch+json"] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

export function applyPatch(type: PatchType, target: Obj, patch: unknown): Obj {
  const result =
    type === "application/json-patch+json" ? jsonPatch(target as Json, patch) : type === "application/merge-patch+json" ? jsonMergePatch(target as Json, patch as Json) : strategicMergePatch(target as Json, patch as Json);
  if (result === null || typeof result !== "object" || Array.isArray(result)) throw badRequest("the patch must leave an object");
  return result as Obj;
}

const MAX_PATCH_ATTEMPTS = 3;

/**
 * PATCH: the patch applies to the stored object; the result is written with the version read as
 * precondition. A conflict retries with the newer object, unless the patch itself set
 * metadata.resourceVersion (then the conflict is the answer, as upstream).
 */
export async function patch(db: Db, r: Resource, key: ObjectKey, type: PatchType, body: unknown, write: (o: Obj) => Promise<Obj>): Promise<Obj> {
  for (let attempt = 1; ; attempt++) {
    const current = await get(db, r, key);
    const patched = applyPatch(type, current, body) as Any;
    const explicit = patched.metadata?.resourceVersion !== (current as Any).metadata.resourceVersion;
    try {
      return await write({ ...patched, metadata: { ...patched.metadata, resourceVersion: patched.metadata?.resourceVersion ?? (current as Any).metadata.resourceVersion } });
    } catch (err) {
      if (explicit || attempt >= MAX_PATCH_ATTEMPTS || !(err instanceof Refusal && err.code === "CONFLICT" && err.message.startsWith("Operation cannot be fulfilled"))) throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// rollback

const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

/** A template as the domain reads it (decoded and defaulted the way a Deployment's is). */
function domainTemplate(namespace: string, selector: unknown, template: unknown): PodTemplateSpec {
  return decodeDeployment({ metadata: { name: "template", namespace }, spec: { selector, template } } as DeploymentInput).value.spec.template;
}

/**
 * The revision `kubectl rollout undo` rolls back to, or null for any other patch. kubectl (its
 * DeploymentRollbacker) sends a JSON patch of exactly two replaces, `/spec/template` with an owned
 * ReplicaSet's template and `/metadata/annotations`; the write then goes through the rollback edit
 * (with its DeploymentRollback event) as GraphQL's rollbackDeployment does.
 */
export async function rollbackRevision(db: Db, key: ObjectKey, type: PatchType, patch: unknown): Promise<number | null> {
  if (type !== "application/json-patch+json" || !Array.isArray(patch) || patch.length !== 2) return null;
  const [template, annotations] = patch as Any[];
  if (template?.op !== "replace" || template.path !== "/spec/template" || annotations?.op !== "replace" || annotations.path !== "/metadata/annotations") return null;
  const deployment: Any = await get(db, DEPLOYMENTS, key);
  const labels = selectorToRequirements({ matchLabels: deployment.spec.selector.matchLabels ?? {}, matchExpressions: deployment.spec.selector.matchExpressions ?? [] });
  const owned = (await list(db, REPLICA_SETS, { namespace: key.namespace, labels, fields: [], limit: MAX_LIST, after: null })).items.filter((rs: Any) =>
    (rs.metadata.ownerReferences ?? []).some((o: Any) => o.uid === deployment.metadata.uid && o.controller),
  );
  const wanted = domainTemplate(key.namespace, deployment.spec.selector, template.value);
  const target: Any = owned.find((rs: Any) => templatesEqualIgnoringHash(domainTemplate(key.namespace, deployment.spec.selector, rs.spec.template), wanted));
  const revision = Number(target?.metadata.annotations?.[REVISION_ANNOTATION]);
  return Number.isSafeInteger(revision) && revision > 0 ? revision : null;
}

export async function rollback(db: Db, key: ObjectKey, revision: number): Promise<Obj> {
  return objectJson("Deployment", await deployments.rollbackDeployment(db, key, revision));
}

// ---------------------------------------------------------------------------------------------
// /scale (autoscaling/v1 Scale)

export function scaleJson(o: Any): Obj {
  const selector = formatSelector(selectorToRequirements({ matchLabels: o.spec.selector.matchLabels ?? {}, matchExpressions: o.spec.selector.matchExpressions ?? [] }));
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
    spec: { replicas: o.spec.replicas },
    status: { replicas: o.status.replicas ?? 0, selector },
  };
}

/** A Scale written (PUT, or a patch's result): spec.replicas with metadata.resourceVersion as precondition. */
export async function writeScale(db: Db, r: Resource, key: ObjectKey, scale: Any, options: WriteOptions): Promise<Obj> {
  const replicas = scale?.spec?.replicas ?? 0;
  const resourceVersion = scale?.metadata?.resourceVersion ?? null;
  if (r.kind === "Deployment") {
    return scaleJson(objectJson("Deployment", await deployments.scaleDeployment(db, key, replicas, { resourceVersion, dryRun: options.dryRun })));
  }
  return scaleJson(await replicaSetScale(db, key, replicas, resourceVersion, await get(db, r, key), options));
}

// ---------------------------------------------------------------------------------------------
// delete

export interface DeleteOptions {
  propagationPolicy: DeletionPropagation;
  gracePeriodSeconds: number | null;
  dryRun: boolean;
}

/** The object as it now is (still terminating or finalizing), or null when it is gone. */
export async function remove(db: Db, r: Resource, key: ObjectKey, options: DeleteOptions): Promise<Obj | null> {
  if (options.dryRun) return get(db, r, key);
  switch (r.kind) {
    case "Deployment":
    case "ReplicaSet": {
      const row = r.kind === "Deployment" ? await deployments.deleteDeployment(db, key, options.propagationPolicy) : await replicaSets.deleteReplicaSet(db, key, options.propagationPolicy);
      return row.deletionTimestamp ? objectJson(r.kind, row as never) : null;
    }
    case "Pod": {
      const row = await pods.deletePod(db, key, options.gracePeriodSeconds);
      return row.deletionTimestamp && options.gracePeriodSeconds !== 0 ? objectJson("Pod", row) : null;
    }
    default:
      throw methodNotAllowed(`delete is not supported on ${qualifiedName(r)}`);
  }
}

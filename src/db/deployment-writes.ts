// The API's writes to Deployments. Each is one conditional statement, or one transaction
// (writes.ts); the rules are the pure functions of src/domain/edits.ts. A write changes spec and
// metadata only: status, ReplicaSets and pods belong to the controllers.
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { Db } from "./client.ts";
import { recordEvent } from "./events.ts";
import { deploymentOf, json, replicaSetOf, type DeploymentRow } from "./rows.ts";
import { admitCreate, admitReplicas } from "./quotas.ts";
import { lockAndCheck, transaction, type Tx } from "./tx.ts";
import { deleteOwner, findOrRefuse, guaranteedWrite, insertOrRefuse, respond, STALE, updateIfCurrent, type ObjectKey, type ReadShape, type Stale, type WriteOptions, type Where, type Written } from "./writes.ts";
import type { DeletionPropagation } from "../domain/deletion.ts";
import { nextGeneration, pauseEdit, restartEdit, resumeEdit, rollbackEdit, scaleEdit, setImageEdit, updateEdit, validDeployment, type DeploymentEdit, type DeploymentUpdate } from "../domain/edits.ts";
import { semanticallyEqual } from "../domain/hash.ts";
import { alreadyExists, checkPrecondition, type Preconditions } from "../domain/refusals.ts";
import type { DeploymentInput } from "../domain/decoding.ts";
import type { Deployment, DeploymentSpec } from "../domain/types.ts";

function specColumns(spec: DeploymentSpec) {
  return {
    replicas: spec.replicas,
    selector: json(spec.selector),
    template: json(spec.template),
    strategy: json(spec.strategy),
    minReadySeconds: spec.minReadySeconds,
    revisionHistoryLimit: spec.revisionHistoryLimit,
    progressDeadlineSeconds: spec.progressDeadlineSeconds,
    paused: spec.paused,
  };
}

function read(tx: Tx, query: ReadShape | undefined, where: Where): Promise<DeploymentRow | null> {
  return tx.deployment.findUnique({ ...(query as object), where });
}

function find(tx: Tx, key: ObjectKey, query: ReadShape | undefined): Promise<DeploymentRow> {
  return findOrRefuse("Deployment", key, () => read(tx, query, { namespace_name: key }));
}

/**
 * The row a dry-run create returns: what the insert would store, with a fresh uid (upstream also
 * assigns one) and resourceVersion 0, which no stored object ever has.
 */
function unsavedRow(data: ReturnType<typeof createData>, now: Date): DeploymentRow & { replicaSets: [] } {
  return {
    ...data,
    uid: randomUUID(),
    resourceVersion: 0n,
    generation: 1,
    creationTimestamp: now,
    deletionTimestamp: null,
    finalizers: [],
    ownerReferences: [],
    observedGeneration: 0,
    statusReplicas: 0,
    updatedReplicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    unavailableReplicas: 0,
    collisionCount: 0,
    conditions: [],
    replicaSets: [],
  };
}

function createData({ metadata, spec }: ReturnType<typeof validDeployment>) {
  return { namespace: metadata.namespace, name: metadata.name, labels: json(metadata.labels), annotations: json(metadata.annotations), ...specColumns(spec) };
}

export async function createDeployment(db: Db, input: DeploymentInput, options: WriteOptions & { dryRun?: boolean } = {}): Promise<DeploymentRow> {
  const data = createData(validDeployment(input));
  const key = { namespace: data.namespace, name: data.name };
  return transaction(db, async (tx) => {
    if (await tx.deployment.findUnique({ where: { namespace_name: key }, select: { uid: true } })) {
      throw alreadyExists("Deployment", key.namespace, key.name);
    }
    admitReplicas(key.namespace, data.replicas);
    if (options.dryRun) return unsavedRow(data, new Date());
    await admitCreate(tx, "Deployment", key.namespace);
    return insertOrRefuse("Deployment", key, () => tx.deployment.create({ ...(options.query as object), data }));
  });
}

/** The spec columns whose stored value is not exactly the next one (a scale writes only `replicas`). */
function changedSpecColumns(stored: DeploymentSpec, next: DeploymentSpec) {
  const before: Record<string, unknown> = specColumns(stored);
  return Object.fromEntries(Object.entries(specColumns(next)).filter(([column, value]) => !isDeepStrictEqual(before[column], value)));
}

/** The columns an edit changes (generation +1 with the spec), or null when it changes nothing. */
function changedColumns(d: Deployment, edit: DeploymentEdit) {
  const generation = nextGeneration(d.metadata.generation, d.spec, edit.spec);
  const columns = {
    ...(semanticallyEqual(d.metadata.labels, edit.labels) ? {} : { labels: json(edit.labels) }),
    ...(semanticallyEqual(d.metadata.annotations, edit.annotations) ? {} : { annotations: json(edit.annotations) }),
    ...(generation === d.metadata.generation ? {} : { ...changedSpecColumns(d.spec, edit.spec), generation }),
  };
  return Object.keys(columns).length > 0 ? columns : null;
}

interface EditOptions extends WriteOptions {
  /** precondition: the stored resourceVersion must be this */
  resourceVersion?: string | null;
  dryRun?: boolean;
}

type Editor = (d: Deployment, client: Tx, now: Date) => DeploymentEdit | Promise<DeploymentEdit>;

/**
 * The shape of every Deployment edit: find (NOT_FOUND), check the precondition (CONFLICT), let the
 * editor compute the next object (or refuse), and write only what changed, with the edit's events,
 * if the Deployment is still the version read (guaranteedWrite). An edit that changes nothing
 * writes nothing, so the resourceVersion stays.
 */
async function editDeployment(db: Db, key: ObjectKey, options: EditOptions, editor: Editor): Promise<DeploymentRow> {
  const result = await guaranteedWrite(db, async (client, atomically): Promise<DeploymentRow | Written<DeploymentRow> | Stale> => {
    const row = await find(client, key, options.query);
    const d = deploymentOf(row);
    checkPrecondition("Deployment", key.name, d.metadata.resourceVersion, options.resourceVersion);
    const now = new Date();
    const edit = await editor(d, client, now);
    if (edit.spec.replicas > d.spec.replicas) admitReplicas(key.namespace, edit.spec.replicas);
    const columns = changedColumns(d, edit);
    if (options.dryRun) return { ...row, ...columns };
    if (edit.events.length === 0) return columns ? updateIfCurrent<DeploymentRow>(client, "Deployment", row, columns) : row;
    // a rollback's event goes with its write, or alone (the template is already that revision's)
    return atomically(async (tx) => {
      const result = columns ? await updateIfCurrent<DeploymentRow>(tx, "Deployment", row, columns) : (await lockAndCheck(tx, "Deployment", row)) ? { written: row } : STALE;
      if (result === STALE) return STALE;
      const involvedObject = { kind: "Deployment" as const, namespace: key.namespace, name: key.name, uid: row.uid };
      for (const event of edit.events) await recordEvent(tx, { ...event, involvedObject }, now);
      return result;
    });
  });
  return respond(result, options.query, (uid) => read(db, options.query, { uid }));
}

export function updateDeployment(db: Db, key: ObjectKey, update: DeploymentUpdate, options: EditOptions = {}): Promise<DeploymentRow> {
  return editDeployment(db, key, options, (d) => updateEdit(d, update));
}

export interface SetImage {
  container: string;
  image: string;
  changeCause?: string | null;
}

export function setImage(db: Db, key: ObjectKey, args: SetImage, options: EditOptions = {}): Promise<DeploymentRow> {
  return editDeployment(db, key, options, (d) => setImageEdit(d, args.container, args.image, args.changeCause));
}

export function scaleDeployment(db: Db, key: ObjectKey, replicas: number, options: EditOptions = {}): Promise<DeploymentRow> {
  return editDeployment(db, key, options, (d) => scaleEdit(d, replicas));
}

export function pauseRollout(db: Db, key: ObjectKey, options: WriteOptions = {}): Promise<DeploymentRow> {
  return editDeployment(db, key, options, pauseEdit);
}

export function resumeRollout(db: Db, key: ObjectKey, options: WriteOptions = {}): Promise<DeploymentRow> {
  return editDeployment(db, key, options, resumeEdit);
}

export function restartRollout(db: Db, key: ObjectKey, options: WriteOptions = {}): Promise<DeploymentRow> {
  return editDeployment(db, key, options, (d, _tx, now) => restartEdit(d, now));
}

export function rollbackDeployment(db: Db, key: ObjectKey, toRevision: number, options: WriteOptions = {}): Promise<DeploymentRow> {
  return editDeployment(db, key, options, async (d, client) => {
    const owned = await client.replicaSet.findMany({ where: { ownerUid: d.metadata.uid } });
    return rollbackEdit(d, owned.map(replicaSetOf), toRevision);
  });
}

export function deleteDeployment(db: Db, key: ObjectKey, policy: DeletionPropagation, options: WriteOptions & { preconditions?: Preconditions } = {}): Promise<DeploymentRow> {
  return deleteOwner(db, "Deployment", key, policy, (client, where) => read(client, options.query, where), options.query, options.preconditions);
}

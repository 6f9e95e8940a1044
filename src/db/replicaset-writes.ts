// The API's writes to ReplicaSets: a ReplicaSet created through the API has no owner; scaling and
// deleting work on any ReplicaSet (a Deployment's controller then reconciles its own, as upstream).
import { randomUUID } from "node:crypto";
import type { Db } from "./client.ts";
import { json, type ReplicaSetRow } from "./rows.ts";
import { admitCreate, admitReplicas } from "./quotas.ts";
import { transaction, type Tx } from "./tx.ts";
import { deleteOwner, findOrRefuse, guaranteedWrite, insertOrRefuse, respond, updateIfCurrent, type ObjectKey, type ReadShape, type Stale, type WriteOptions, type Where, type Written } from "./writes.ts";
import type { DeletionPropagation } from "../domain/deletion.ts";
import { validReplicaSet } from "../domain/edits.ts";
import { alreadyExists, assertValid, type Preconditions } from "../domain/refusals.ts";
import type { ReplicaSetInput } from "../domain/decoding.ts";
import { validateReplicas } from "../domain/validation.ts";

function read(tx: Tx, query: ReadShape | undefined, where: Where): Promise<ReplicaSetRow | null> {
  return tx.replicaSet.findUnique({ ...(query as object), where });
}

/** The row a dry-run create answers: the validated input with what the insert would default. */
function unsavedRow(data: Pick<ReplicaSetRow, "namespace" | "name" | "labels" | "annotations" | "replicas" | "selector" | "template" | "minReadySeconds">): ReplicaSetRow {
  return {
    ...data,
    uid: randomUUID(),
    resourceVersion: 0n,
    generation: 1,
    creationTimestamp: new Date(),
    deletionTimestamp: null,
    finalizers: [],
    ownerReferences: [],
    ownerUid: null,
    statusReplicas: 0,
    fullyLabeledReplicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    observedGeneration: 0,
    conditions: [],
  };
}

export async function createReplicaSet(db: Db, input: ReplicaSetInput, options: WriteOptions & { dryRun?: boolean } = {}): Promise<ReplicaSetRow> {
  const { metadata, spec } = validReplicaSet(input);
  const key = { namespace: metadata.namespace, name: metadata.name };
  const data = {
    ...key,
    labels: json(metadata.labels),
    annotations: json(metadata.annotations),
    replicas: spec.replicas,
    selector: json(spec.selector),
    template: json(spec.template),
    minReadySeconds: spec.minReadySeconds,
  };
  return transaction(db, async (tx) => {
    if (await tx.replicaSet.findUnique({ where: { namespace_name: key }, select: { uid: true } })) {
      throw alreadyExists("ReplicaSet", key.namespace, key.name);
    }
    admitReplicas(key.namespace, spec.replicas);
    if (options.dryRun) return unsavedRow(data);
    await admitCreate(tx, "ReplicaSet", key.namespace);
    return insertOrRefuse("ReplicaSet", key, () => tx.replicaSet.create({ ...(options.query as object), data }));
  });
}

/** spec.replicas of one ReplicaSet; a new count bumps generation, the same count writes nothing. */
export async function scaleReplicaSet(db: Db, key: ObjectKey, replicas: number, options: WriteOptions = {}): Promise<ReplicaSetRow> {
  const result = await guaranteedWrite(db, async (client): Promise<ReplicaSetRow | Written<ReplicaSetRow> | Stale> => {
    const row = await findOrRefuse("ReplicaSet", key, () => read(client, options.query, { namespace_name: key }));
    assertValid(validateReplicas(replicas, "replicas"));
    if (row.replicas === replicas) return row;
    if (replicas > row.replicas) admitReplicas(key.namespace, replicas);
    return updateIfCurrent<ReplicaSetRow>(client, "ReplicaSet", row, { replicas, generation: row.generation + 1 });
  });
  return respond(result, options.query, (uid) => read(db, options.query, { uid }));
}

export function deleteReplicaSet(db: Db, key: ObjectKey, policy: DeletionPropagation, options: WriteOptions & { preconditions?: Preconditions } = {}): Promise<ReplicaSetRow> {
  return deleteOwner(db, "ReplicaSet", key, policy, (client, where) => read(client, options.query, where), options.query, options.preconditions);
}

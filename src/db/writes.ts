// The plumbing every API write path shares (src/db/*-writes.ts): one transaction per write, the
// name lookup that answers NOT_FOUND, and the optimistic check that the object read before taking
// the change-log lock is still the stored one when writing.
//
// A write reads what it needs, computes the result with the pure rules of src/domain, then takes
// the change-log lock (lockAndVerify) and writes. Every writer holds that lock from its first write
// to its commit, so once it is held nothing else can change the object: if the version read is
// no longer current, the write simply runs again, now under the lock, and cannot be stale twice.
import type { Db } from "./client.ts";
import { TABLE } from "./kinds.ts";
import { lockAndCheck, transaction, type Tx } from "./tx.ts";
import { isObjectKey } from "../domain/names.ts";
import { ownerDeletion, type DeletionPropagation } from "../domain/deletion.ts";
import { alreadyExists, checkDeletePreconditions, notFound, type Preconditions } from "../domain/refusals.ts";
import type { Kind } from "../domain/types.ts";

export interface ObjectKey {
  namespace: string;
  name: string;
}

/** Prisma read arguments (plugin-prisma's `query`): the relations the response needs. */
export interface ReadShape {
  include?: Record<string, unknown>;
  select?: Record<string, unknown>;
}

/** A unique lookup: by uid, or by namespace and name. */
export type Where = { uid: string } | { namespace_name: ObjectKey };

export interface WriteOptions {
  /** the relations to load into the returned row */
  query?: ReadShape;
}

interface VersionedRow {
  uid: string;
  resourceVersion: bigint;
}

/** The object read at the start of a write changed before the change-log lock was taken. */
class StaleRead extends Error {}

/** One transaction for the whole write (object, events, change-log rows and its one NOTIFY). */
export function writeTransaction<T>(db: Db, write: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, async (tx) => {
    try {
      return await write(tx);
    } catch (err) {
      if (err instanceof StaleRead) return write(tx); // the lock is held now: this read is current
      throw err;
    }
  });
}

/** A write's result whose response is read after the commit (see `respond`). */
export interface Written<R> {
  written: R;
}

/**
 * The response of a write: the object read with the client's selection AFTER the commit, so that a
 * large nested selection is never read while holding the change-log lock (every writer would wait
 * on it); if the object is gone by then, the row as read before the write.
 */
export async function respond<R extends { uid: string }>(result: R | Written<R>, reread: (uid: string) => Promise<R | null>): Promise<R> {
  if (!("written" in result)) return result;
  return (await reread(result.written.uid)) ?? result.written;
}

/** Takes the change-log lock (before the first write) and checks that `row` is still the stored version. */
export async function lockAndVerify(tx: Tx, kind: Kind, row: VersionedRow): Promise<void> {
  if (!(await lockAndCheck(tx, kind, row))) throw new StaleRead();
}

/**
 * Finds an object by name or refuses with NOT_FOUND. A name or namespace that is not a valid
 * object name cannot exist, and is answered without a query.
 */
export async function findOrRefuse<R>(kind: Kind, key: ObjectKey, find: () => Promise<R | null>): Promise<R> {
  const row = isObjectKey(key) ? await find() : null;
  if (row === null) throw notFound(kind, key.namespace, key.name);
  return row;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string; originalCode?: string } } | null;
  return e?.code === "P2002" || e?.cause?.originalCode === "23505" || e?.cause?.code === "23505";
}

/** Runs an insert; a name taken meanwhile by another writer is ALREADY_EXISTS. */
export async function insertOrRefuse<R>(kind: Kind, key: ObjectKey, insert: () => Promise<R>): Promise<R> {
  try {
    return await insert();
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyExists(kind, key.namespace, key.name);
    throw err;
  }
}

/** Deletes the row now (Deployments and ReplicaSets go by SQL: relationMode "prisma" would refuse). */
export async function deleteRow(tx: Tx, kind: Kind, uid: string): Promise<void> {
  await tx.$executeRawUnsafe(`DELETE FROM ${TABLE[kind]} WHERE uid = $1::uuid`, uid);
}

interface OwnerRow extends VersionedRow {
  deletionTimestamp: Date | null;
  finalizers: unknown;
}

/**
 * Deletes a Deployment or ReplicaSet with a propagation policy (ownerDeletion): Background removes
 * it now and returns it as it was; Foreground and Orphan record the intent (deletionTimestamp and
 * the garbage collector's finalizer) and return it so; an object already being deleted is
 * returned unchanged.
 */
export async function deleteOwner<R extends OwnerRow>(
  db: Db,
  kind: "Deployment" | "ReplicaSet",
  key: ObjectKey,
  policy: DeletionPropagation,
  read: (tx: Tx, where: Where) => Promise<R | null>,
  preconditions?: Preconditions,
): Promise<R> {
  const result = await writeTransaction(db, async (tx): Promise<R | Written<R>> => {
    const row = await findOrRefuse(kind, key, () => read(tx, { namespace_name: key }));
    // checked on the row read; lockAndVerify below confirms it is still the stored version
    checkDeletePreconditions(kind, key.name, { uid: row.uid, resourceVersion: String(row.resourceVersion) }, preconditions);
    const deletion = ownerDeletion({ deletionTimestamp: row.deletionTimestamp, finalizers: row.finalizers as string[] }, policy);
    if (deletion.type === "none") return row;
    await lockAndVerify(tx, kind, row);
    if (deletion.type === "remove") {
      await deleteRow(tx, kind, row.uid);
      return row;
    }
    const deletionTimestamp = new Date();
    await tx.$executeRawUnsafe(
      `UPDATE ${TABLE[kind]} SET deletion_timestamp = $2, finalizers = $3::jsonb WHERE uid = $1::uuid`,
      row.uid,
      deletionTimestamp,
      JSON.stringify(deletion.finalizers),
    );
    // the garbage collector may finish the deletion before the response is read
    return { written: { ...row, deletionTimestamp, finalizers: deletion.finalizers } };
  });
  return respond(result, (uid) => read(db, { uid }));
}

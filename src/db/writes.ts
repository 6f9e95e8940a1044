// The plumbing every API write path shares (src/db/*-writes.ts): optimistic concurrency, the name
// lookup that answers NOT_FOUND, and the response from the row in hand.
//
// A write reads what it needs (one SELECT, no transaction), computes the result with the pure rules
// of src/domain, and writes with one statement conditional on the resourceVersion it read
// (`UPDATE … WHERE uid = $1 AND resource_version = $2 RETURNING …`). The change-log lock, taken by
// that statement's trigger, is then held for that statement and its commit alone, never across a
// round trip to this process. A statement that finds the object changed (0 rows) makes the write
// read and decide again (guaranteedWrite), as the API server's GuaranteedUpdate does.
import type { Db } from "./client.ts";
import { TABLE } from "./kinds.ts";
import { ROW_COLUMNS, columnOf } from "./rows.ts";
import { lockWrites, transaction, type Tx } from "./tx.ts";
import { isObjectKey } from "../domain/names.ts";
import { ownerDeletion, type DeletionPropagation } from "../domain/deletion.ts";
import { alreadyExists, checkDeletePreconditions, notFound, type Preconditions } from "../domain/refusals.ts";
import type { Kind } from "../domain/types.ts";
import { Prisma } from "../generated/prisma/client.ts";

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

/** What a write returns when the object changed (or went) after it was read: read and decide again. */
export const STALE = Symbol("stale");
export type Stale = typeof STALE;

/** Optimistic tries of a write before it reads under the change-log lock (guaranteedWrite). */
const OPTIMISTIC_TRIES = 3;

/** Runs a write of several statements in one transaction (the one a write already runs in, if any). */
export type Atomically = <T>(write: (tx: Tx) => Promise<T>) => Promise<T>;

/**
 * Runs `attempt` (read, decide, one conditional write) until it is not STALE: outside any
 * transaction, so only the writing statement holds the change-log lock. The last try, after
 * OPTIMISTIC_TRIES stale ones, runs in a transaction that takes the lock before it reads: nothing
 * can change the object then, so a write is never refused, nor retried without end, for contention.
 */
export async function guaranteedWrite<T>(db: Db, attempt: (client: Tx, atomically: Atomically) => Promise<T | Stale>): Promise<T> {
  for (let tries = 0; tries < OPTIMISTIC_TRIES; tries++) {
    const result = await attempt(db, (write) => transaction(db, write));
    if (result !== STALE) return result;
  }
  return transaction(db, async (tx) => {
    await lockWrites(tx);
    const result = await attempt(tx, (write) => write(tx));
    if (result === STALE) throw new Error("a write read under the change-log lock was stale");
    return result;
  });
}

/** A JSON column's value goes as JSON text; the rest as they are. */
function param(value: unknown): Prisma.Sql {
  const isJson = value !== null && typeof value === "object" && !(value instanceof Date);
  return isJson ? Prisma.sql`${JSON.stringify(value)}::jsonb` : Prisma.sql`${value}`;
}

/**
 * One statement: sets `columns` (fields of the row, as the client's update takes them) if the row
 * is still the version read, and answers with the row as written (over `row`, so the relations the
 * read loaded stay: the answer when a re-read after the write finds the object gone); STALE when it
 * changed or is gone.
 * (SQL, not the client's update: under relationMode "prisma" that reads the owned rows first, and
 * checks a version in that read, not in the UPDATE.) The statement's snapshot is taken before its
 * trigger waits for the change-log lock, but a row another writer changed meanwhile is matched
 * against the WHERE again in its newest version (READ COMMITTED), so the version check is exact.
 */
export async function updateIfCurrent<R>(client: Tx, kind: Kind, row: VersionedRow, columns: Record<string, unknown>): Promise<Written<R> | Stale> {
  const set = Prisma.join(Object.entries(columns).map(([field, value]) => Prisma.sql`${Prisma.raw(columnOf(field))} = ${param(value)}`));
  const rows = await client.$queryRaw<R[]>`
    UPDATE ${Prisma.raw(TABLE[kind])} SET ${set}
    WHERE uid = ${row.uid}::uuid AND resource_version = ${row.resourceVersion}
    RETURNING ${ROW_COLUMNS[kind]}`;
  return rows.length === 1 ? { written: { ...row, ...rows[0] } } : STALE;
}

/** Deletes the row if it is still the version read; STALE when it changed or is gone. */
export async function deleteIfCurrent(client: Tx, kind: Kind, row: VersionedRow): Promise<true | Stale> {
  const deleted = await client.$executeRawUnsafe(`DELETE FROM ${TABLE[kind]} WHERE uid = $1::uuid AND resource_version = $2`, row.uid, row.resourceVersion);
  return deleted === 1 || STALE;
}

/** A write's result: the row as written, answered as is unless the selection reads relations (see `respond`). */
export interface Written<R> {
  written: R;
}

/** Whether a read shape loads relations (an include, or a select with more than columns). */
function readsRelations(query: ReadShape | undefined): boolean {
  return Object.keys(query?.include ?? {}).length > 0 || Object.values(query?.select ?? {}).some((v) => v !== true);
}

/**
 * The response of a write: the row as written (from its RETURNING) when the client's selection
 * needs no relations; otherwise the object read with that selection AFTER the write, and so never
 * under the change-log lock (or, if it is gone by then, the row as written). A result that is not
 * `Written` (nothing was written) already has the selection's relations.
 */
export async function respond<R extends { uid: string }>(result: R | Written<R>, query: ReadShape | undefined, reread: (uid: string) => Promise<R | null>): Promise<R> {
  if (!("written" in result)) return result;
  if (!readsRelations(query)) return result.written;
  return (await reread(result.written.uid)) ?? result.written;
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

interface OwnerRow extends VersionedRow {
  deletionTimestamp: Date | null;
  finalizers: unknown;
}

/**
 * Deletes a Deployment or ReplicaSet with a propagation policy (ownerDeletion): Background removes
 * it now and returns it as it was; Foreground and Orphan record the intent (deletionTimestamp and
 * the garbage collector's finalizer) and return it so; an object already being deleted is
 * returned unchanged. (Owners go by SQL: the client's delete under relationMode "prisma" would refuse.)
 */
export async function deleteOwner<R extends OwnerRow>(
  db: Db,
  kind: "Deployment" | "ReplicaSet",
  key: ObjectKey,
  policy: DeletionPropagation,
  read: (client: Tx, where: Where) => Promise<R | null>,
  query: ReadShape | undefined,
  preconditions?: Preconditions,
): Promise<R> {
  const result = await guaranteedWrite(db, async (client): Promise<R | Written<R> | Stale> => {
    const row = await findOrRefuse(kind, key, () => read(client, { namespace_name: key }));
    // checked on the row read; the write below happens only if it is still the stored version
    checkDeletePreconditions(kind, key.name, { uid: row.uid, resourceVersion: String(row.resourceVersion) }, preconditions);
    const deletion = ownerDeletion({ deletionTimestamp: row.deletionTimestamp, finalizers: row.finalizers as string[] }, policy);
    if (deletion.type === "none") return row;
    if (deletion.type === "remove") return (await deleteIfCurrent(client, kind, row)) === STALE ? STALE : row;
    // the garbage collector may finish the deletion before the response is read
    return updateIfCurrent<R>(client, kind, row, { deletionTimestamp: new Date(), finalizers: deletion.finalizers });
  });
  return respond(result, query, (uid) => read(db, { uid }));
}

// Single-object reads by key and the change-log position, for transports that read whole objects
// (the REST facade); lists page through pages.ts.
import type { Db } from "./client.ts";
import { MODEL, type RowOfKind, type TableKind } from "./kinds.ts";
import { isObjectKey } from "../domain/names.ts";
import type { ObjectKey } from "./writes.ts";

/** The object of the kind at `key`, or null (a key no object can have is answered without a query). */
export async function readObject<K extends TableKind>(db: Db, kind: K, key: ObjectKey): Promise<RowOfKind[K] | null> {
  if (!isObjectKey(key)) return null;
  const delegate = db[MODEL[kind]] as unknown as { findUnique(args: object): Promise<RowOfKind[K] | null> };
  return delegate.findUnique({ where: { namespace_name: key } });
}

/**
 * The change-log position now (the horizon when the log is empty). Read before a list, every
 * object listed is at least as new as it, so a watch from it misses nothing.
 */
export async function readPosition(db: Db): Promise<bigint> {
  const [{ through }] = await db.$queryRawUnsafe<{ through: string }[]>(
    `SELECT greatest((SELECT max(id) FROM change_log), (SELECT through FROM change_log_horizon))::text AS through`,
  );
  return BigInt(through);
}

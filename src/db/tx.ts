// Transactions. Every write that belongs together is one transaction. Each writing statement takes
// the change-log lock before it locks any row (a statement trigger, see the init migration), so
// change ids follow commit order and writers never deadlock on rows. Controllers also take a
// per-object advisory lock at the start, so two processes never reconcile one object at once.
import type { Db } from "./client.ts";
import { TABLE } from "./kinds.ts";
import type { Kind } from "../domain/types.ts";
import type { Prisma } from "../generated/prisma/client.ts";

export type Tx = Prisma.TransactionClient;

/** the transaction-scoped lock that orders change-log ids (same key as the triggers) */
export const CHANGE_LOG_LOCK = 7234013851;

/**
 * Takes the change-log lock now, before any write: until commit no other writer can commit, so
 * every later statement of this transaction sees the same committed state (plus its own writes).
 */
export async function lockWrites(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHANGE_LOG_LOCK}::bigint)`;
}

/**
 * Takes the change-log lock and tells whether the row read earlier in this transaction is still
 * the stored version: from here to commit no other writer can change it (optimistic concurrency,
 * like a write carrying its resourceVersion).
 */
export async function lockAndCheck(tx: Tx, kind: Kind, row: { uid: string; resourceVersion: bigint }): Promise<boolean> {
  await lockWrites(tx);
  const current = await tx.$queryRawUnsafe<{ resource_version: bigint }[]>(`SELECT resource_version FROM ${TABLE[kind]} WHERE uid = $1::uuid`, row.uid);
  return current[0]?.resource_version === row.resourceVersion;
}

/** Per-object lock, held to the end of the transaction. Returns false when `wait` is off and another holds it. */
export async function lockObject(tx: Tx, kind: string, key: string, wait = true): Promise<boolean> {
  if (wait) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${kind}), hashtext(${key}))`;
    return true;
  }
  const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext(${kind}), hashtext(${key})) AS locked`;
  return locked;
}

/** Prisma's defaults (5 s, 2 s to get a connection) are too short for a large sync or snapshot. */
export const TRANSACTION_LIMITS = { timeout: 60_000, maxWait: 30_000 };

const RETRYABLE = new Set(["40001", "40P01"]);

function sqlState(err: unknown): string | undefined {
  const e = err as { code?: string; meta?: { code?: string }; cause?: { code?: string; originalCode?: string } };
  return e?.cause?.originalCode ?? e?.cause?.code ?? e?.meta?.code ?? e?.code;
}

/** One interactive transaction; retried on serialization failures and deadlocks. */
export async function transaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(fn, TRANSACTION_LIMITS);
    } catch (err) {
      if (attempt >= attempts || !RETRYABLE.has(sqlState(err) ?? "")) throw err;
    }
  }
}

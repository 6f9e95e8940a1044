// Change-log compaction: deletes the oldest rows once they are older than the retention time or
// beyond the row limit, in small batches, each its own short transaction that also raises the
// horizon (see the watch migration), so a watch asking for a compacted resourceVersion gets GONE,
// exactly, even when the log is empty.
//
// Writers are never blocked: they only INSERT rows at the high end, while compaction deletes a
// committed prefix at the low end (no row both touch; INSERT and DELETE take the same, compatible
// table lock), takes no change-log advisory lock, and fires no trigger. Only one process compacts at
// a time (a try-lock): the others skip that round.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { setRepeatingTimer } from "../timers.ts";
import type { Db } from "./client.ts";
import { transaction } from "./tx.ts";

export type RetentionPolicy = { retentionMs: Config["changeLogRetentionMs"]; maxRows: Config["changeLogMaxRows"] };

const COMPACTION_LOCK = 7234013853;
/** rows deleted per transaction */
const BATCH = 1000;
/** how often the periodic job runs */
const COMPACTION_INTERVAL_MS = 10_000;

/**
 * One batch: deletes the longest prefix (oldest ids first, at most BATCH rows) of rows that are
 * expired or beyond the row limit. Returns the rows deleted (0 when done or another process is
 * compacting).
 */
async function compactBatch(db: Db, policy: RetentionPolicy): Promise<number> {
  return transaction(db, async (tx) => {
    const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${COMPACTION_LOCK}::bigint) AS locked`;
    if (!locked) return 0;
    // Ids are not dense (a rolled-back writer burns its ids), so "the newest maxRows ids" keeps at
    // most maxRows rows.
    const head = await tx.$queryRawUnsafe<{ id: string; expired: boolean; surplus: boolean }[]>(
      `SELECT id::text AS id,
              coalesce(created_at < now() - $1::bigint * interval '1 millisecond', false) AS expired,
              coalesce(id <= (SELECT max(id) FROM change_log) - $2::bigint, false) AS surplus
       FROM change_log ORDER BY id LIMIT $3`,
      policy.retentionMs,
      policy.maxRows,
      BATCH,
    );
    const keep = head.findIndex((r) => !r.expired && !r.surplus);
    const prefix = keep === -1 ? head : head.slice(0, keep);
    if (prefix.length === 0) return 0;
    const through = prefix[prefix.length - 1].id;
    await tx.$executeRawUnsafe(`UPDATE change_log_horizon SET through = greatest(through, $1::bigint)`, through);
    return tx.$executeRawUnsafe(`DELETE FROM change_log WHERE id <= $1::bigint`, through);
  });
}

/** Compacts until nothing more is due; returns the rows deleted. */
export async function compactChangeLog(db: Db, policy: RetentionPolicy): Promise<number> {
  if (policy.retentionMs === null && policy.maxRows === null) return 0;
  let total = 0;
  for (let n; (n = await compactBatch(db, policy)) > 0; ) total += n;
  return total;
}

export interface Compactor {
  stop(): Promise<void>;
}

/** Runs compaction every COMPACTION_INTERVAL_MS. */
export function startCompaction(db: Db, policy: RetentionPolicy, log: Logger): Compactor {
  let running: Promise<void> | null = null;
  const timer = setRepeatingTimer(
    () => {
    if (running) return;
    running = compactChangeLog(db, policy)
      .then((deleted) => {
        if (deleted) log.debug("compacted the change log", { deleted });
      })
      .catch((err) => log.warn("change-log compaction failed", { error: String(err) }))
      .finally(() => (running = null));
    },
    COMPACTION_INTERVAL_MS,
    { unref: true },
  );
  return {
    async stop() {
      timer.clear();
      await running;
    },
  };
}

// The garbage collector, driven by ownerReferences (controller owner = owner_uid):
// - Background: dependents whose owner is gone are deleted (ReplicaSets at once, pods gracefully);
// - Foreground: an owner with the `foregroundDeletion` finalizer has its dependents deleted (in
//   foreground too, so grandchildren go first) and disappears once it has none left;
// - Orphan: an owner with the `orphan` finalizer has its dependents' references to it removed,
//   then disappears;
// - without a kubelet (SIMULATOR=off), pods whose grace period is over are removed;
// - Events older than EVENT_TTL_SECONDS are removed.
// One pass is one transaction under a global GC lock; every statement is idempotent, so a pass
// killed anywhere leaves a state the next pass finishes. It returns whether it changed anything
// and, without a kubelet, when the next terminating pod's grace period ends.
import type { Db } from "../db/client.ts";
import { TERMINATE_POD_COLUMNS } from "../db/rows.ts";
import { lockObject, transaction } from "../db/tx.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { FOREGROUND_FINALIZER as FOREGROUND, ORPHAN_FINALIZER as ORPHAN } from "../domain/ownership.ts";


export const EVENT_TTL_SECONDS = 3600;

export interface GarbageCollection {
  changed: boolean;
  /** ms until the next terminating pod is due (only when finishing terminated pods), or null */
  nextDueMs: number | null;
}

export async function collectGarbage(db: Db, options: { finishTerminatedPods: boolean; maxGraceSeconds: number | null }): Promise<GarbageCollection> {
  return transaction(db, async (tx) => {
    if (!(await lockObject(tx, "gc", "all", false))) return { changed: false, nextDueMs: null };
    let changed = 0;
    const fg = JSON.stringify([FOREGROUND]);
    const orphan = JSON.stringify([ORPHAN]);
    // Orphan finalizer: drop the owner's references from its dependents, then the owner.
    changed += await tx.$executeRaw`
      UPDATE replica_sets r SET owner_references = COALESCE((SELECT jsonb_agg(ref) FROM jsonb_array_elements(r.owner_references) ref WHERE ref->>'uid' <> d.uid::text), '[]'::jsonb)
      FROM deployments d WHERE r.owner_uid = d.uid AND d.deletion_timestamp IS NOT NULL AND d.finalizers @> ${orphan}::jsonb`;
    changed += await tx.$executeRaw`
      UPDATE pods p SET owner_references = COALESCE((SELECT jsonb_agg(ref) FROM jsonb_array_elements(p.owner_references) ref WHERE ref->>'uid' <> r.uid::text), '[]'::jsonb)
      FROM replica_sets r WHERE p.owner_uid = r.uid AND r.deletion_timestamp IS NOT NULL AND r.finalizers @> ${orphan}::jsonb`;
    // Foreground: dependents of a foreground-deleting owner are deleted in foreground themselves.
    changed += await tx.$executeRaw`
      UPDATE replica_sets r SET deletion_timestamp = now(), finalizers = (r.finalizers - ${FOREGROUND}) || ${fg}::jsonb
      FROM deployments d WHERE r.owner_uid = d.uid AND d.deletion_timestamp IS NOT NULL AND d.finalizers @> ${fg}::jsonb AND r.deletion_timestamp IS NULL`;
    changed += await tx.$executeRaw`
      UPDATE pods p SET ${TERMINATE_POD_COLUMNS}
      FROM replica_sets r WHERE p.owner_uid = r.uid AND r.deletion_timestamp IS NOT NULL AND r.finalizers @> ${fg}::jsonb AND p.deletion_timestamp IS NULL`;
    // Background: dependents of owners that no longer exist.
    changed += await tx.$executeRaw`
      DELETE FROM replica_sets r WHERE r.owner_uid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deployments d WHERE d.uid = r.owner_uid)`;
    changed += await tx.$executeRaw`
      UPDATE pods p SET ${TERMINATE_POD_COLUMNS}
      WHERE p.owner_uid IS NOT NULL AND p.deletion_timestamp IS NULL AND NOT EXISTS (SELECT 1 FROM replica_sets r WHERE r.uid = p.owner_uid)`;
    let nextDueMs: number | null = null;
    if (options.finishTerminatedPods) {
      const cap = options.maxGraceSeconds;
      const due = Prisma.sql`deletion_timestamp + make_interval(secs => LEAST(COALESCE(deletion_grace_period_seconds, 30), COALESCE(${cap}::int, 2147483647)))`;
      changed += await tx.$executeRaw`DELETE FROM pods WHERE deletion_timestamp IS NOT NULL AND ${due} <= now()`;
      const [next] = await tx.$queryRaw<{ ms: number | null }[]>`SELECT (EXTRACT(EPOCH FROM min(${due}) - now()) * 1000)::float8 AS ms FROM pods WHERE deletion_timestamp IS NOT NULL`;
      nextDueMs = next.ms === null ? null : Math.max(0, Math.ceil(next.ms));
    }
    // Events expire like kube-apiserver's (--event-ttl, default 1 h).
    changed += await tx.$executeRaw`DELETE FROM events WHERE last_timestamp < now() - make_interval(secs => ${EVENT_TTL_SECONDS}::int)`;
    // Owners whose deletion waits on finalizers are removed once nothing holds them.
    changed += await tx.$executeRaw`
      DELETE FROM replica_sets r WHERE r.deletion_timestamp IS NOT NULL
        AND (r.finalizers @> ${orphan}::jsonb OR (r.finalizers @> ${fg}::jsonb AND NOT EXISTS (SELECT 1 FROM pods p WHERE p.owner_uid = r.uid)))`;
    changed += await tx.$executeRaw`
      DELETE FROM deployments d WHERE d.deletion_timestamp IS NOT NULL
        AND (d.finalizers @> ${orphan}::jsonb OR (d.finalizers @> ${fg}::jsonb AND NOT EXISTS (SELECT 1 FROM replica_sets r WHERE r.owner_uid = d.uid)))`;
    return { changed: changed > 0, nextDueMs };
  });
}

// The garbage collector's SQL passes (src/controller/garbage-collector.ts runs them in order, in one
// transaction). Each pass is idempotent, so a pass killed anywhere leaves a state the next one
// finishes; each returns the number of rows it changed.
//
// Consistency: at READ COMMITTED every statement sees the data committed when it starts. A writer
// committing between two passes would make them decide from different states: an Orphan delete
// committed after the orphaning pass but before the owner-removal pass removed the owner without
// releasing its dependents, and the next Background pass deleted them (issue 10 §1). So a
// collection first takes the change-log lock (lockWrites), which every writer of every object holds
// from its first write to its commit: from then on nothing else commits, and all passes decide from
// the one state the first statement saw plus the collector's own writes.
import { TERMINATE_POD_COLUMNS } from "./rows.ts";
import type { Tx } from "./tx.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { FOREGROUND_FINALIZER as FOREGROUND, ORPHAN_FINALIZER as ORPHAN } from "../domain/ownership.ts";

const FG = JSON.stringify([FOREGROUND]);
const ORPHAN_JSON = JSON.stringify([ORPHAN]);

/** Orphan finalizer: drop a deleting owner's references from its dependents. */
export async function orphanDependents(tx: Tx): Promise<number> {
  return (
    (await tx.$executeRaw`
      UPDATE replica_sets r SET owner_references = COALESCE((SELECT jsonb_agg(ref) FROM jsonb_array_elements(r.owner_references) ref WHERE ref->>'uid' <> d.uid::text), '[]'::jsonb)
      FROM deployments d WHERE r.owner_uid = d.uid AND d.deletion_timestamp IS NOT NULL AND d.finalizers @> ${ORPHAN_JSON}::jsonb`) +
    (await tx.$executeRaw`
      UPDATE pods p SET owner_references = COALESCE((SELECT jsonb_agg(ref) FROM jsonb_array_elements(p.owner_references) ref WHERE ref->>'uid' <> r.uid::text), '[]'::jsonb)
      FROM replica_sets r WHERE p.owner_uid = r.uid AND r.deletion_timestamp IS NOT NULL AND r.finalizers @> ${ORPHAN_JSON}::jsonb`)
  );
}

/** Foreground: dependents of a foreground-deleting owner are deleted in foreground themselves. */
export async function deleteForegroundDependents(tx: Tx): Promise<number> {
  return (
    (await tx.$executeRaw`
      UPDATE replica_sets r SET deletion_timestamp = now(), finalizers = (r.finalizers - ${FOREGROUND}) || ${FG}::jsonb
      FROM deployments d WHERE r.owner_uid = d.uid AND d.deletion_timestamp IS NOT NULL AND d.finalizers @> ${FG}::jsonb AND r.deletion_timestamp IS NULL`) +
    (await tx.$executeRaw`
      UPDATE pods p SET ${TERMINATE_POD_COLUMNS}
      FROM replica_sets r WHERE p.owner_uid = r.uid AND r.deletion_timestamp IS NOT NULL AND r.finalizers @> ${FG}::jsonb AND p.deletion_timestamp IS NULL`)
  );
}

/** Background: dependents of owners that no longer exist (ReplicaSets at once, pods gracefully). */
export async function deleteDependentsOfGoneOwners(tx: Tx): Promise<number> {
  return (
    (await tx.$executeRaw`
      DELETE FROM replica_sets r WHERE r.owner_uid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deployments d WHERE d.uid = r.owner_uid)`) +
    (await tx.$executeRaw`
      UPDATE pods p SET ${TERMINATE_POD_COLUMNS}
      WHERE p.owner_uid IS NOT NULL AND p.deletion_timestamp IS NULL AND NOT EXISTS (SELECT 1 FROM replica_sets r WHERE r.uid = p.owner_uid)`)
  );
}

/**
 * Without a kubelet: removes the terminating pods whose grace period (capped at `maxGraceSeconds`)
 * is over; returns how many, and the ms until the next one is due (or null).
 */
export async function finishTerminatedPods(tx: Tx, maxGraceSeconds: number | null): Promise<{ removed: number; nextDueMs: number | null }> {
  const due = Prisma.sql`deletion_timestamp + make_interval(secs => LEAST(COALESCE(deletion_grace_period_seconds, 30), COALESCE(${maxGraceSeconds}::int, 2147483647)))`;
  const removed = await tx.$executeRaw`DELETE FROM pods WHERE deletion_timestamp IS NOT NULL AND ${due} <= now()`;
  const [next] = await tx.$queryRaw<{ ms: number | null }[]>`SELECT (EXTRACT(EPOCH FROM min(${due}) - now()) * 1000)::float8 AS ms FROM pods WHERE deletion_timestamp IS NOT NULL`;
  return { removed, nextDueMs: next.ms === null ? null : Math.max(0, Math.ceil(next.ms)) };
}

/** Events expire like kube-apiserver's (--event-ttl). */
export async function expireEvents(tx: Tx, ttlSeconds: number): Promise<number> {
  return tx.$executeRaw`DELETE FROM events WHERE last_timestamp < now() - make_interval(secs => ${ttlSeconds}::int)`;
}

/** Owners whose deletion waits on finalizers are removed once nothing holds them. */
export async function removeFinalizedOwners(tx: Tx): Promise<number> {
  return (
    (await tx.$executeRaw`
      DELETE FROM replica_sets r WHERE r.deletion_timestamp IS NOT NULL
        AND (r.finalizers @> ${ORPHAN_JSON}::jsonb OR (r.finalizers @> ${FG}::jsonb AND NOT EXISTS (SELECT 1 FROM pods p WHERE p.owner_uid = r.uid)))`) +
    (await tx.$executeRaw`
      DELETE FROM deployments d WHERE d.deletion_timestamp IS NOT NULL
        AND (d.finalizers @> ${ORPHAN_JSON}::jsonb OR (d.finalizers @> ${FG}::jsonb AND NOT EXISTS (SELECT 1 FROM replica_sets r WHERE r.owner_uid = d.uid)))`)
  );
}

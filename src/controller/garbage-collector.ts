// The garbage collector, driven by ownerReferences (controller owner = owner_uid):
// - Background: dependents whose owner is gone are deleted (ReplicaSets at once, pods gracefully);
// - Foreground: an owner with the `foregroundDeletion` finalizer has its dependents deleted (in
//   foreground too, so grandchildren go first) and disappears once it has none left;
// - Orphan: an owner with the `orphan` finalizer has its dependents' references to it removed,
//   then disappears;
// - without a kubelet (SIMULATOR=off), pods whose grace period is over are removed;
// - Events older than EVENT_TTL_SECONDS are removed.
// One collection is one transaction under a global GC lock and the change-log lock, so every pass
// decides from the same state (src/db/gc.ts explains why; the passes are there). It returns whether
// it changed anything and, without a kubelet, when the next terminating pod's grace period ends.
import type { Db } from "../db/client.ts";
import * as gc from "../db/gc.ts";
import { lockObject, lockWrites, transaction } from "../db/tx.ts";

export const EVENT_TTL_SECONDS = 3600;

export interface GarbageCollection {
  changed: boolean;
  /** ms until the next terminating pod is due (only when finishing terminated pods), or null */
  nextDueMs: number | null;
}

export async function collectGarbage(db: Db, options: { finishTerminatedPods: boolean; maxGraceSeconds: number | null }): Promise<GarbageCollection> {
  return transaction(db, async (tx) => {
    if (!(await lockObject(tx, "gc", "all", false))) return { changed: false, nextDueMs: null };
    await lockWrites(tx);
    let changed = await gc.orphanDependents(tx);
    changed += await gc.deleteForegroundDependents(tx);
    changed += await gc.deleteDependentsOfGoneOwners(tx);
    let nextDueMs: number | null = null;
    if (options.finishTerminatedPods) {
      const finished = await gc.finishTerminatedPods(tx, options.maxGraceSeconds);
      changed += finished.removed;
      nextDueMs = finished.nextDueMs;
    }
    changed += await gc.expireEvents(tx, EVENT_TTL_SECONDS);
    changed += await gc.removeFinalizedOwners(tx);
    return { changed: changed > 0, nextDueMs };
  });
}

// The ReplicaSet controller: one sync is one transaction under the ReplicaSet's advisory lock
// (src/db/claims.ts). It reads the ReplicaSet and the pods whose claim would change (orphans to
// adopt, owned ones to release), claims them, counts its pods in one SQL aggregate (countPods'
// rule), creates or deletes the difference (creates in slow-start batches, one INSERT per batch;
// deletes by the upstream ranking, one UPDATE — only then are its pods read, and only the columns
// the ranking looks at), and writes
// status. A sync's cost is therefore a few statements whatever the ReplicaSet's size, except when
// it deletes pods. Idempotent: a sync killed at any point rolls back, and the next one recomputes
// from what is stored.
import type { Db } from "../db/client.ts";
import { countOwnedPods, readDeletionCandidates, syncOwner, type SyncResult } from "../db/claims.ts";
import { createPods, terminatePods, writeReplicaSetStatus } from "../db/controller-writes.ts";
import { recordEvent } from "../db/events.ts";
import { semanticallyEqual } from "../domain/hash.ts";
import { addPodCounts, countPods, isPodActive, planReplicaSetSync, podsToDelete, replicaSetStatus, type ReplicaFailure } from "../domain/replicaset.ts";

const FAILURE_RETRY_MS = 1000;

export function syncReplicaSet(db: Db, key: string, now: () => Date): Promise<SyncResult> {
  return syncOwner(db, "ReplicaSet", key, now, {
    reads: "claimChanges",
    // like upstream, only active pods are claimed: a finished or terminating pod is neither
    // adopted nor released
    claimable: isPodActive,
    async plan(tx, rs, claimed, at) {
      const counts = addPodCounts(await countOwnedPods(tx, rs, at), countPods(rs, claimed.adopt, at));
      const plan = planReplicaSetSync({ rs, counts, now: at });
      const doomed = plan.deleteCount > 0 ? podsToDelete([...(await readDeletionCandidates(tx, rs)), ...claimed.adopt], plan.deleteCount) : [];
      return { ...plan, counts, doomed };
    },
    async write(tx, rs, _claimed, plan, at) {
      const { namespace, name, uid } = rs.metadata;
      let failure: ReplicaFailure | undefined;
      if (plan.create > 0) failure = (await createPods(tx, rs, plan.create, at)).failure;
      await terminatePods(tx, plan.doomed.map((p) => p.metadata.uid));
      const status = failure ? replicaSetStatus(rs, plan.counts, at, failure) : plan.status;
      if (!semanticallyEqual(status, rs.status)) await writeReplicaSetStatus(tx, uid, status);
      if (failure) {
        await recordEvent(tx, { type: "Warning", reason: failure.reason, message: failure.message, involvedObject: { kind: "ReplicaSet", namespace, name, uid } }, at);
      }
      // Pods created or deleted here come back through the change feed and requeue this ReplicaSet
      // (so a diff above the burst limit continues); a failed batch is retried after a pause.
      return { requeueAfterMs: failure ? FAILURE_RETRY_MS : plan.requeueAfterMs };
    },
  });
}

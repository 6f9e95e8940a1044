// The ReplicaSet controller: one sync is one transaction under the ReplicaSet's advisory lock.
// It reads the ReplicaSet and every pod it owns or could adopt, claims them, creates or deletes the
// difference (creates in slow-start batches, one INSERT per batch; deletes by the upstream
// ranking, one UPDATE), and writes status. Idempotent: a sync killed at any point rolls back, and
// the next one recomputes from what is stored.
import type { Db } from "../db/client.ts";
import { json, podOf, replicaSetOf, replicaSetStatusColumns, TERMINATE_POD_COLUMNS } from "../db/rows.ts";
import { lockAndCheck, lockObject, transaction, type Tx } from "../db/tx.ts";
import { claimableUids, writeClaim } from "../db/claims.ts";
import { recordEvent } from "../db/events.ts";
import { matches, selectorToRequirements } from "../domain/labels.ts";
import { generatePodName } from "../domain/names.ts";
import { semanticallyEqual } from "../domain/edits.ts";
import { claim } from "../domain/ownership.ts";
import { isPodActive, newPodFromTemplate, planReplicaSetSync, replicaSetStatus, slowStartBatches, type ReplicaFailure } from "../domain/replicaset.ts";
import type { Pod, ReplicaSet, ReplicaSetStatus } from "../domain/types.ts";
import { splitKey } from "../domain/names.ts";

const FAILURE_RETRY_MS = 1000;

export interface SyncResult {
  requeueAfterMs: number | null;
}

/** Owned pods plus orphans the selector matches (candidates for adoption). */
async function candidatePods(tx: Tx, rs: ReplicaSet): Promise<Pod[]> {
  const uids = await claimableUids(tx, "pods", { namespace: rs.metadata.namespace, uid: rs.metadata.uid, selector: rs.spec.selector });
  return (await tx.pod.findMany({ where: { uid: { in: uids } } })).map(podOf);
}

async function createPods(tx: Tx, rs: ReplicaSet, count: number, now: Date): Promise<{ created: number; failure?: ReplicaFailure }> {
  let created = 0;
  for (const size of slowStartBatches(count)) {
    const pods = Array.from({ length: size }, () => newPodFromTemplate(rs, generatePodName(rs.metadata.name, Math.random), now));
    const { count: inserted } = await tx.pod.createMany({
      skipDuplicates: true,
      data: pods.map((p) => ({
        namespace: p.metadata.namespace,
        name: p.metadata.name,
        labels: p.metadata.labels,
        annotations: p.metadata.annotations,
        ownerReferences: json(p.metadata.ownerReferences),
        spec: json({ containers: p.spec.containers, terminationGracePeriodSeconds: p.spec.terminationGracePeriodSeconds }),
        creationTimestamp: now,
      })),
    });
    created += inserted;
    if (inserted < size) {
      return { created, failure: { reason: "FailedCreate", message: `pods "${rs.metadata.name}-" already exist: ${size - inserted} of a batch of ${size} names were taken` } };
    }
  }
  return { created };
}

export async function syncReplicaSet(db: Db, key: string, now: () => Date): Promise<SyncResult> {
  const { namespace, name } = splitKey(key);
  return transaction(db, async (tx) => {
    await lockObject(tx, "ReplicaSet", key);
    const row = await tx.replicaSet.findUnique({ where: { namespace_name: { namespace, name } } });
    if (!row) return { requeueAfterMs: null };
    const rs = replicaSetOf(row);
    const reqs = selectorToRequirements(rs.spec.selector);
    // like upstream, only active pods are claimed: a finished or terminating pod is neither
    // adopted nor released
    const claimed = claim(
      { uid: rs.metadata.uid, kind: "ReplicaSet", name, deleting: rs.metadata.deletionTimestamp !== null },
      (labels) => reqs.length > 0 && matches(reqs, labels),
      (await candidatePods(tx, rs)).filter(isPodActive),
    );
    const at = now();
    const plan = planReplicaSetSync({ rs, pods: [...claimed.owned, ...claimed.adopt], now: at });

    // The plan is stale if the ReplicaSet changed since the read (e.g. the Deployment scaled it)
    // or a pod it would adopt was adopted by another owner: then it is synced again at once.
    if (!(await lockAndCheck(tx, "ReplicaSet", row))) return { requeueAfterMs: 0 };
    if (!(await writeClaim(tx, "pods", { kind: "ReplicaSet", name, uid: rs.metadata.uid }, claimed))) return { requeueAfterMs: 0 };
    let failure: ReplicaFailure | undefined;
    if (plan.create > 0) {
      failure = (await createPods(tx, rs, plan.create, at)).failure;
    }
    if (plan.delete.length > 0) {
      const uids = plan.delete.map((p) => p.metadata.uid);
      await tx.$executeRaw`
        UPDATE pods SET ${TERMINATE_POD_COLUMNS}
        WHERE uid = ANY(${uids}::uuid[]) AND deletion_timestamp IS NULL`;
    }
    const status = failure ? replicaSetStatus(rs, [...claimed.owned, ...claimed.adopt], at, failure) : plan.status;
    if (!semanticallyEqual(status, rs.status)) await tx.replicaSet.update({ where: { uid: rs.metadata.uid }, data: replicaSetStatusColumns(status) });
    if (failure) {
      await recordEvent(tx, { type: "Warning", reason: failure.reason, message: failure.message, involvedObject: { kind: "ReplicaSet", namespace, name, uid: rs.metadata.uid } }, at);
    }
    // Pods created or deleted here come back through the change feed and requeue this ReplicaSet
    // (so a diff above the burst limit continues); a failed batch is retried after a pause.
    return { requeueAfterMs: failure ? FAILURE_RETRY_MS : plan.requeueAfterMs };
  });
}

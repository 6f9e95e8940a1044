// The Deployment controller: one sync reads a consistent snapshot of the Deployment, the
// ReplicaSets it owns (claiming orphans its selector matches, releasing those it no longer
// selects) and their pods, runs the pure planner (src/domain/deployment-sync.ts), and applies the
// planned actions in ONE transaction under the Deployment's advisory lock.
import type { Db } from "../db/client.ts";
import { recordEvent } from "../db/events.ts";
import { claimableUids, writeClaim } from "../db/claims.ts";
import { deploymentOf, deploymentStatusColumns, json, podOf, replicaSetOf } from "../db/rows.ts";
import { lockAndCheck, lockObject, transaction, type Tx } from "../db/tx.ts";
import { syncDeployment as plan, type DeploymentAction } from "../domain/deployment-sync.ts";
import { matches, selectorToRequirements } from "../domain/labels.ts";
import { adoptedOwnerReferences, claim } from "../domain/ownership.ts";
import type { Deployment, ReplicaSet } from "../domain/types.ts";
import { splitKey } from "../domain/names.ts";

export interface SyncResult {
  requeueAfterMs: number | null;
}

/** ReplicaSets the Deployment owns plus orphans its selector matches. */
async function candidateReplicaSets(tx: Tx, d: Deployment): Promise<ReplicaSet[]> {
  const uids = await claimableUids(tx, "replica_sets", { namespace: d.metadata.namespace, uid: d.metadata.uid, selector: d.spec.selector });
  return (await tx.replicaSet.findMany({ where: { uid: { in: uids } } })).map(replicaSetOf);
}

async function apply(tx: Tx, d: Deployment, action: DeploymentAction, now: Date): Promise<void> {
  switch (action.type) {
    case "createReplicaSet": {
      const rs = action.replicaSet;
      await tx.replicaSet.create({
        data: {
          namespace: rs.metadata.namespace,
          name: rs.metadata.name,
          labels: rs.metadata.labels,
          annotations: rs.metadata.annotations,
          ownerReferences: json(rs.metadata.ownerReferences),
          replicas: rs.spec.replicas,
          selector: json(rs.spec.selector),
          template: json(rs.spec.template),
          minReadySeconds: rs.spec.minReadySeconds,
        },
      });
      return;
    }
    case "updateReplicaSet": {
      // a spec change (size, minReadySeconds) bumps metadata.generation, as the API server does
      const specChanged = action.replicas !== undefined || action.minReadySeconds !== undefined;
      await tx.replicaSet.update({
        where: { uid: action.uid },
        data: {
          ...(action.replicas !== undefined ? { replicas: action.replicas } : {}),
          ...(action.annotations !== undefined ? { annotations: action.annotations } : {}),
          ...(action.minReadySeconds !== undefined ? { minReadySeconds: action.minReadySeconds } : {}),
          ...(specChanged ? { generation: { increment: 1 } } : {}),
        },
      });
      return;
    }
    case "deleteReplicaSet":
      // Background: the garbage collector deletes its (zero) pods.
      await tx.$executeRaw`DELETE FROM replica_sets WHERE uid = ${action.uid}::uuid`;
      return;
    case "updateDeployment": {
      const s = action.status;
      await tx.deployment.update({
        where: { uid: d.metadata.uid },
        data: {
          ...(action.annotations !== undefined ? { annotations: action.annotations } : {}),
          ...(s ? deploymentStatusColumns(s) : {}),
        },
      });
      return;
    }
    case "event":
      await recordEvent(tx, {
        type: action.eventType,
        reason: action.reason,
        message: action.message,
        involvedObject: { kind: "Deployment", namespace: d.metadata.namespace, name: d.metadata.name, uid: d.metadata.uid },
      }, now);
      return;
  }
}

export async function syncDeployment(db: Db, key: string, now: () => Date): Promise<SyncResult> {
  const { namespace, name } = splitKey(key);
  return transaction(db, async (tx) => {
    await lockObject(tx, "Deployment", key);
    const row = await tx.deployment.findUnique({ where: { namespace_name: { namespace, name } } });
    if (!row) return { requeueAfterMs: null };
    const d = deploymentOf(row);
    const reqs = selectorToRequirements(d.spec.selector);
    const claimed = claim(
      { uid: d.metadata.uid, kind: "Deployment", name, deleting: d.metadata.deletionTimestamp !== null },
      (labels) => reqs.length > 0 && matches(reqs, labels),
      await candidateReplicaSets(tx, d),
    );
    const owned = [...claimed.owned, ...claimed.adopt.map((rs) => ({ ...rs, metadata: { ...rs.metadata, ownerReferences: adoptedOwnerReferences(rs.metadata, { kind: "Deployment", name, uid: d.metadata.uid }) } }))];
    // only Recreate looks at pods (it waits for the old ones to be gone)
    const pods = owned.length && d.spec.strategy.type === "Recreate"
      ? (await tx.pod.findMany({ where: { ownerUid: { in: owned.map((rs) => rs.metadata.uid) } } })).map(podOf)
      : [];
    const sameNamePrefix = (await tx.replicaSet.findMany({ where: { namespace, name: { startsWith: `${name}-` } } })).map(replicaSetOf);
    const at = now();
    const result = plan({
      deployment: d,
      replicaSets: owned.filter((rs) => rs.metadata.deletionTimestamp === null),
      pods,
      now: at,
      existingReplicaSetNamed: (rsName: string) => sameNamePrefix.find((rs) => rs.metadata.name === rsName),
    });

    // A user's edit committed since the read would be overwritten (annotations, status for an
    // older generation): then the plan is stale, and the Deployment is synced again at once.
    if (!(await lockAndCheck(tx, "Deployment", row))) return { requeueAfterMs: 0 };
    if (!(await writeClaim(tx, "replica_sets", { kind: "Deployment", name, uid: d.metadata.uid }, claimed))) return { requeueAfterMs: 0 };
    for (const action of result.actions) await apply(tx, d, action, at);
    return { requeueAfterMs: result.requeueAfterMs };
  });
}

// The Deployment controller: one sync reads a consistent snapshot of the Deployment, the
// ReplicaSets it owns (claiming orphans its selector matches, releasing those it no longer
// selects) and their pods, runs the pure planner (src/domain/deployment-sync.ts), and applies the
// planned actions in ONE transaction under the Deployment's advisory lock (src/db/claims.ts).
import type { Db } from "../db/client.ts";
import { syncOwner, type SyncResult } from "../db/claims.ts";
import { applyDeploymentAction, readPodsOf, readReplicaSetsNamedLike } from "../db/controller-writes.ts";
import { syncDeployment as plan } from "../domain/deployment-sync.ts";
import { adoptedOwnerReferences } from "../domain/ownership.ts";

export function syncDeployment(db: Db, key: string, now: () => Date): Promise<SyncResult> {
  return syncOwner(db, "Deployment", key, now, {
    async plan(tx, d, claimed, at) {
      const { namespace, name, uid } = d.metadata;
      const owned = [...claimed.owned, ...claimed.adopt.map((rs) => ({ ...rs, metadata: { ...rs.metadata, ownerReferences: adoptedOwnerReferences(rs.metadata, { kind: "Deployment", name, uid }) } }))];
      // only Recreate looks at pods (it waits for the old ones to be gone)
      const pods = d.spec.strategy.type === "Recreate" ? await readPodsOf(tx, owned.map((rs) => rs.metadata.uid)) : [];
      const sameNamePrefix = await readReplicaSetsNamedLike(tx, namespace, `${name}-`);
      return plan({
        deployment: d,
        replicaSets: owned.filter((rs) => rs.metadata.deletionTimestamp === null),
        pods,
        now: at,
        existingReplicaSetNamed: (rsName: string) => sameNamePrefix.find((rs) => rs.metadata.name === rsName),
      });
    },
    // A user's edit committed since the read would have been overwritten (annotations, status for
    // an older generation): syncOwner has then re-queued the Deployment instead.
    async write(tx, d, _claimed, result, at) {
      for (const action of result.actions) await applyDeploymentAction(tx, d, action, at);
      return { requeueAfterMs: result.requeueAfterMs };
    },
  });
}

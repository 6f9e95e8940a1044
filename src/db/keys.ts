// The keys ("namespace/name") of every Deployment or ReplicaSet: what the controllers' resync
// enqueues (the node agent lists its own pods: src/db/nodes.ts).
import type { Db } from "./client.ts";
import { ownerReferencesOf } from "./rows.ts";
import { controllerRef } from "../domain/ownership.ts";
import { keyOf } from "../domain/names.ts";

export async function listKeys(db: Db, kind: "Deployment" | "ReplicaSet"): Promise<string[]> {
  const select = { namespace: true, name: true } as const;
  const rows = kind === "Deployment" ? await db.deployment.findMany({ select }) : await db.replicaSet.findMany({ select });
  return rows.map((r) => keyOf(r.namespace, r.name));
}

/** The keys of the Deployments or ReplicaSets in a namespace (the owners that may adopt an orphan there). */
export async function listOwnerKeysIn(db: Db, kind: "Deployment" | "ReplicaSet", namespace: string): Promise<string[]> {
  const args = { where: { namespace }, select: { name: true } } as const;
  const rows = kind === "Deployment" ? await db.deployment.findMany(args) : await db.replicaSet.findMany(args);
  return rows.map((r) => keyOf(namespace, r.name));
}

/** The keys of the Deployments that control the ReplicaSets with these uids. */
export async function deploymentKeysOfReplicaSets(db: Db, uids: string[]): Promise<string[]> {
  const owners = await db.replicaSet.findMany({ where: { uid: { in: uids } }, select: { namespace: true, ownerReferences: true } });
  return owners.flatMap((rs) => {
    const owner = controllerRef({ ownerReferences: ownerReferencesOf(rs.ownerReferences) });
    return owner?.kind === "Deployment" ? [keyOf(rs.namespace, owner.name)] : [];
  });
}

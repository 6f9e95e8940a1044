// The keys ("namespace/name") of every object of a kind: what a resync enqueues.
import type { Db } from "./client.ts";
import { ownerReferencesOf } from "./rows.ts";
import { controllerRef } from "../domain/ownership.ts";
import { keyOf } from "../domain/names.ts";
import type { Kind } from "../domain/types.ts";

export async function listKeys(db: Db, kind: Kind): Promise<string[]> {
  const select = { namespace: true, name: true } as const;
  const rows = kind === "Deployment" ? await db.deployment.findMany({ select }) : kind === "ReplicaSet" ? await db.replicaSet.findMany({ select }) : await db.pod.findMany({ select });
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

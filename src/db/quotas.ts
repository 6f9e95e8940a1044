// Namespace quotas at write time (src/domain/quota.ts): counted under the change-log lock, in the
// transaction of the write, so concurrent creates cannot overshoot together. A namespace's objects
// count while they are not being deleted (upstream also stops counting a pod once it terminates).
import { TABLE } from "./kinds.ts";
import { lockWrites, type Tx } from "./tx.ts";
import { DEFAULT_QUOTAS } from "../config.ts";
import { quotaOf, quotaRoom, type NamespaceQuotas } from "../domain/quota.ts";
import { Refusal } from "../domain/refusals.ts";
import type { Kind } from "../domain/types.ts";

/** the process's quotas: set once at start-up (QUOTA_* in src/config.ts) */
let quotas: NamespaceQuotas = DEFAULT_QUOTAS;

export function setNamespaceQuotas(next: NamespaceQuotas): void {
  quotas = next;
}

/** How many of `adding` new objects of `kind` the namespace takes now, and why not the rest. */
export async function namespaceRoom(tx: Tx, kind: Kind, namespace: string, adding: number): Promise<{ room: number; message: string | null }> {
  await lockWrites(tx);
  const [{ used }] = await tx.$queryRawUnsafe<{ used: number }[]>(
    `SELECT count(*)::int AS used FROM ${TABLE[kind]} WHERE namespace = $1 AND deletion_timestamp IS NULL`,
    namespace,
  );
  return quotaRoom(kind, quotaOf(quotas, kind), used, adding);
}

/** Refuses (QUOTA_EXCEEDED) a create the namespace's quota has no room for. */
export async function admitCreate(tx: Tx, kind: Kind, namespace: string): Promise<void> {
  const { message } = await namespaceRoom(tx, kind, namespace, 1);
  if (message) throw new Refusal("QUOTA_EXCEEDED", `${kind} refused in namespace "${namespace}": ${message}`);
}

/** Refuses (QUOTA_EXCEEDED) a replica count that alone is beyond the namespace's pod quota. */
export function admitReplicas(namespace: string, replicas: number): void {
  const limit = quotaOf(quotas, "Pod");
  if (replicas > limit) throw new Refusal("QUOTA_EXCEEDED", `replicas ${replicas} can never run in namespace "${namespace}": exceeded quota: count/pods, limited: ${limit}`);
}

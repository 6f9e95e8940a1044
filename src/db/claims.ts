// The skeleton both controllers share (syncOwner): lock the owner's key → read the owner and what
// it may claim (the objects it controls, plus the orphans in its namespace that its selector
// matches, chosen in SQL) → claim (the pure rule `claim` of src/domain/ownership.ts) → plan →
// check the owner is unchanged and write the claim → write the plan. All in one transaction.
import type { Db } from "./client.ts";
import { requirementsToSql } from "./label-sql.ts";
import { deploymentOf, podOf, replicaSetOf } from "./rows.ts";
import { lockAndCheck, lockObject, transaction, type Tx } from "./tx.ts";
import { rowOf } from "./watch.ts";
import { matches, selectorToRequirements } from "../domain/labels.ts";
import { splitKey } from "../domain/names.ts";
import { adoptedOwnerReferences, claim, releasedOwnerReferences, type Claim, type Claimable } from "../domain/ownership.ts";
import type { Deployment, Kind, Pod, ReplicaSet } from "../domain/types.ts";

/** What one sync of a controller returns: when to sync the key again (ms from now), or null. */
export interface SyncResult {
  requeueAfterMs: number | null;
}

interface Owned {
  Deployment: { owner: Deployment; dependent: ReplicaSet };
  ReplicaSet: { owner: ReplicaSet; dependent: Pod };
}
export type OwnerKind = keyof Owned;

export interface OwnerSync<K extends OwnerKind, P> {
  /** which candidates take part in the claim (default: all) */
  claimable?: (dependent: Owned[K]["dependent"]) => boolean;
  /** the plan, from the owner and its claim (may read more within the transaction) */
  plan(tx: Tx, owner: Owned[K]["owner"], claimed: Claim<Owned[K]["dependent"]>, now: Date): Promise<P>;
  /** writes the plan, after the claim was written */
  write(tx: Tx, owner: Owned[K]["owner"], claimed: Claim<Owned[K]["dependent"]>, plan: P, now: Date): Promise<SyncResult>;
}

async function readOwner<K extends OwnerKind>(tx: Tx, kind: K, namespace: string, name: string) {
  const where = { namespace_name: { namespace, name } };
  const row = kind === "Deployment" ? await tx.deployment.findUnique({ where }) : await tx.replicaSet.findUnique({ where });
  if (!row) return null;
  const owner = (kind === "Deployment" ? deploymentOf(row as Parameters<typeof deploymentOf>[0]) : replicaSetOf(row as Parameters<typeof replicaSetOf>[0])) as Owned[K]["owner"];
  return { row, owner };
}

/** The owner's objects and the orphans its selector matches, read in one statement (whole rows, as JSON). */
async function readCandidates<K extends OwnerKind>(tx: Tx, kind: K, owner: Owned[K]["owner"]): Promise<Owned[K]["dependent"][]> {
  const table = kind === "Deployment" ? "replica_sets" : "pods";
  const reqs = selectorToRequirements(owner.spec.selector);
  // an empty selector selects nothing (the API refuses one; never adopt a whole namespace)
  const selects = reqs.length === 0 ? { sql: "FALSE", params: [] } : requirementsToSql(reqs, "labels", 3);
  const rows = await tx.$queryRawUnsafe<{ object: Record<string, unknown> }[]>(
    `SELECT to_jsonb(t) AS object FROM ${table} t WHERE namespace = $1 AND (owner_uid = $2::uuid OR (owner_uid IS NULL AND ${selects.sql}))`,
    owner.metadata.namespace,
    owner.metadata.uid,
    ...selects.params,
  );
  return (kind === "Deployment" ? rows.map((r) => replicaSetOf(rowOf("ReplicaSet", r.object))) : rows.map((r) => podOf(rowOf("Pod", r.object)))) as Owned[K]["dependent"][];
}

/**
 * One sync of the owner at `key`. The plan is stale if the owner changed since the read (a user's
 * edit, or the Deployment scaled the ReplicaSet) or an object it would adopt was adopted by another
 * owner: then nothing is written and the key is synced again at once.
 */
export function syncOwner<K extends OwnerKind, P>(db: Db, kind: K, key: string, now: () => Date, steps: OwnerSync<K, P>): Promise<SyncResult> {
  const { namespace, name } = splitKey(key);
  return transaction(db, async (tx) => {
    await lockObject(tx, kind, key);
    const read = await readOwner(tx, kind, namespace, name);
    if (!read) return { requeueAfterMs: null };
    const { row, owner } = read;
    const { uid } = owner.metadata;
    const reqs = selectorToRequirements(owner.spec.selector);
    const candidates = await readCandidates(tx, kind, owner);
    const claimed = claim(
      { uid, kind, name, deleting: owner.metadata.deletionTimestamp !== null },
      (labels) => reqs.length > 0 && matches(reqs, labels),
      steps.claimable ? candidates.filter(steps.claimable) : candidates,
    );
    const at = now();
    const plan = await steps.plan(tx, owner, claimed, at);
    if (!(await lockAndCheck(tx, kind, row))) return { requeueAfterMs: 0 };
    if (!(await writeClaim(tx, kind === "Deployment" ? "replica_sets" : "pods", { kind, name, uid }, claimed))) return { requeueAfterMs: 0 };
    return steps.write(tx, owner, claimed, plan, at);
  });
}

/**
 * Writes a claim: adoptions set the owner's controller reference, but only on objects that are
 * still orphans (another owner may have adopted one since it was read: then false, and the caller's
 * plan is stale); releases drop the owner's references.
 */
async function writeClaim<T extends Claimable & { metadata: { uid: string } }>(
  tx: Tx,
  table: "replica_sets" | "pods",
  owner: { kind: Kind; name: string; uid: string },
  claimed: Claim<T>,
): Promise<boolean> {
  for (const obj of claimed.adopt) {
    const adopted = await tx.$executeRawUnsafe(
      `UPDATE ${table} SET owner_references = $2::jsonb WHERE uid = $1::uuid AND owner_uid IS NULL`,
      obj.metadata.uid,
      JSON.stringify(adoptedOwnerReferences(obj.metadata, owner)),
    );
    if (adopted === 0) return false;
  }
  for (const obj of claimed.release) {
    await tx.$executeRawUnsafe(
      `UPDATE ${table} SET owner_references = $2::jsonb WHERE uid = $1::uuid`,
      obj.metadata.uid,
      JSON.stringify(releasedOwnerReferences(obj.metadata, owner.uid)),
    );
  }
  return true;
}

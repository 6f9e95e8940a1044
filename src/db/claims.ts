// What an owner may claim: the objects it controls, plus the orphans in its namespace that its
// selector matches (candidates for adoption, chosen in SQL). The claim itself is the pure rule
// `claim` of src/domain/ownership.ts.
import { requirementsToSql } from "./label-sql.ts";
import type { Tx } from "./tx.ts";
import { selectorToRequirements } from "../domain/labels.ts";
import { adoptedOwnerReferences, releasedOwnerReferences, type Claim, type Claimable } from "../domain/ownership.ts";
import type { Kind, LabelSelector } from "../domain/types.ts";

/** uids of the owner's objects and of the orphans its selector matches, in `table`. */
export async function claimableUids(tx: Tx, table: "replica_sets" | "pods", owner: { namespace: string; uid: string; selector: LabelSelector }): Promise<string[]> {
  const reqs = selectorToRequirements(owner.selector);
  // an empty selector selects nothing (the API refuses one; never adopt a whole namespace)
  const selects = reqs.length === 0 ? { sql: "FALSE", params: [] } : requirementsToSql(reqs, "labels", 3);
  const rows = await tx.$queryRawUnsafe<{ uid: string }[]>(
    `SELECT uid::text AS uid FROM ${table} WHERE namespace = $1 AND (owner_uid = $2::uuid OR (owner_uid IS NULL AND ${selects.sql}))`,
    owner.namespace,
    owner.uid,
    ...selects.params,
  );
  return rows.map((r) => r.uid);
}

/**
 * Writes a claim: adoptions set the owner's controller reference, but only on objects that are
 * still orphans (another owner may have adopted one since it was read: then false, and the caller's
 * plan is stale); releases drop the owner's references.
 */
export async function writeClaim<T extends Claimable & { metadata: { uid: string } }>(
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

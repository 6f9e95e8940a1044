// What an owner may claim: the objects it controls, plus the orphans in its namespace that its
// selector matches (candidates for adoption, chosen in SQL). The claim itself is the pure rule
// `claim` of src/domain/ownership.ts.
import { requirementsToSql } from "./label-sql.ts";
import type { Tx } from "./tx.ts";
import { selectorToRequirements } from "../domain/labels.ts";
import type { LabelSelector } from "../domain/types.ts";

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

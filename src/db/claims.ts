// The skeleton both controllers share (syncOwner): lock the owner's key → read the owner and what
// it may claim (the objects it controls, plus the orphans in its namespace that its selector
// matches, chosen in SQL; a ReplicaSet reads only those whose claim would change and counts its
// pods in SQL, countOwnedPods) → claim (the pure rule `claim` of src/domain/ownership.ts) → plan →
// check the owner is unchanged and write the claim → write the plan. All in one transaction.
import type { Db } from "./client.ts";
import { requirementsToSql } from "./label-sql.ts";
import { conditionsOf, deploymentOf, podOf, replicaSetOf } from "./rows.ts";
import { lockAndCheck, lockObject, transaction, type Tx } from "./tx.ts";
import { rowOf } from "./watch.ts";
import { matches, selectorToRequirements } from "../domain/labels.ts";
import { splitKey } from "../domain/names.ts";
import { adoptedOwnerReferences, claim, releasedOwnerReferences, type Claim, type Claimable } from "../domain/ownership.ts";
import { POD_DELETION_COST_ANNOTATION, type PodCounts, type RankablePod } from "../domain/replicaset.ts";
import type { Deployment, Kind, Pod, PodPhase, ReplicaSet, StringMap } from "../domain/types.ts";

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
  /**
   * which dependents are read and claimed: all the owner controls or may adopt (default), or only
   * those whose claim would change (then `owned` is empty, and the plan counts the owned ones itself)
   */
  reads?: "all" | "claimChanges";
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

/** The owner's selector as SQL over `labels`, parameters from $3 (an empty selector selects nothing: never adopt a whole namespace). */
function selectsSql(owner: Deployment | ReplicaSet) {
  const reqs = selectorToRequirements(owner.spec.selector);
  return reqs.length === 0 ? { sql: "FALSE", params: [] } : requirementsToSql(reqs, "labels", 3);
}

/** isPodActive (src/domain/replicaset.ts) in SQL: not Succeeded or Failed, not being deleted. */
const ACTIVE_POD = `phase NOT IN ('Succeeded', 'Failed') AND deletion_timestamp IS NULL`;

/** Which dependents a sync reads ($2 is the owner's uid, `selects` its selector). */
const SCOPES = {
  /** the owner's objects and the orphans its selector matches */
  all: (selects: string) => `(owner_uid = $2::uuid OR (owner_uid IS NULL AND ${selects}))`,
  /** only those whose claim would change: orphans it matches, owned ones it no longer matches */
  claimChanges: (selects: string) => `((owner_uid = $2::uuid AND NOT (${selects})) OR (owner_uid IS NULL AND ${selects}))`,
};

/** the active pods a ReplicaSet owns and still matches: the pods that count */
const ownedActive = (selects: string) => `owner_uid = $2::uuid AND (${selects}) AND ${ACTIVE_POD}`;
type Scope = keyof typeof SCOPES;

/** The owner's dependents in `scope`, read in one statement (whole rows, as JSON). */
async function readDependents<K extends OwnerKind>(tx: Tx, kind: K, owner: Owned[K]["owner"], scope: Scope): Promise<Owned[K]["dependent"][]> {
  const table = kind === "Deployment" ? "replica_sets" : "pods";
  const selects = selectsSql(owner);
  const rows = await tx.$queryRawUnsafe<{ object: Record<string, unknown> }[]>(
    `SELECT to_jsonb(t) AS object FROM ${table} t WHERE namespace = $1 AND ${SCOPES[scope](selects.sql)}`,
    owner.metadata.namespace,
    owner.metadata.uid,
    ...selects.params,
  );
  return (kind === "Deployment" ? rows.map((r) => replicaSetOf(rowOf("ReplicaSet", r.object))) : rows.map((r) => podOf(rowOf("Pod", r.object)))) as Owned[K]["dependent"][];
}

const costAnnotation = (cost: string | null): StringMap => (cost === null ? {} : { [POD_DELETION_COST_ANNOTATION]: cost });

/**
 * The active pods the ReplicaSet owns and selects, with only what the deletion ranking looks at
 * (read only to choose pods to delete): the first Ready condition, the deletion-cost annotation and
 * the largest restart count, picked out in SQL.
 */
export async function readDeletionCandidates(tx: Tx, rs: ReplicaSet): Promise<RankablePod[]> {
  const selects = selectsSql(rs);
  const n = 3 + selects.params.length;
  const rows = await tx.$queryRawUnsafe<{ uid: string; node_name: string | null; phase: PodPhase; creation_timestamp: Date; cost: string | null; ready: Record<string, unknown> | null; restarts: number }[]>(
    `SELECT uid::text AS uid, node_name, phase, creation_timestamp, annotations->>$${n} AS cost,
            jsonb_path_query_first(conditions, '$[*] ? (@.type == "Ready")') AS ready,
            (SELECT coalesce(max((c->>'restartCount')::int), 0) FROM jsonb_array_elements(container_statuses) c)::int AS restarts
       FROM pods WHERE namespace = $1 AND ${ownedActive(selects.sql)}`,
    rs.metadata.namespace,
    rs.metadata.uid,
    ...selects.params,
    POD_DELETION_COST_ANNOTATION,
  );
  return rows.map((r) => ({
    metadata: { uid: r.uid, annotations: costAnnotation(r.cost), creationTimestamp: r.creation_timestamp, deletionTimestamp: null },
    spec: { nodeName: r.node_name },
    status: { phase: r.phase, conditions: r.ready ? conditionsOf([r.ready]) : [], containerStatuses: [{ restartCount: r.restarts }] },
  }));
}

/**
 * countPods (src/domain/replicaset.ts) over the active pods the ReplicaSet owns and selects, in one
 * aggregate statement: the Ready condition is the first of type Ready, as `isPodReady` finds it.
 */
export async function countOwnedPods(tx: Tx, rs: ReplicaSet, now: Date): Promise<PodCounts> {
  const selects = selectsSql(rs);
  const n = 3 + selects.params.length;
  const [row] = await tx.$queryRawUnsafe<{ active: number; fully_labeled: number; ready: number; available: number; earliest_pending: Date | null }[]>(
    `SELECT count(*)::int AS active,
            count(*) FILTER (WHERE labels @> $${n}::jsonb)::int AS fully_labeled,
            count(*) FILTER (WHERE is_ready)::int AS ready,
            count(*) FILTER (WHERE is_ready AND ($${n + 1}::int = 0 OR since + make_interval(secs => $${n + 1}::int) < $${n + 2}::timestamptz))::int AS available,
            min(since) FILTER (WHERE is_ready AND $${n + 1}::int > 0 AND since + make_interval(secs => $${n + 1}::int) >= $${n + 2}::timestamptz) AS earliest_pending
       FROM (SELECT labels, rc->>'status' = 'True' AS is_ready,
                    CASE WHEN rc->>'status' = 'True' THEN (rc->>'lastTransitionTime')::timestamptz END AS since
               FROM (SELECT labels, jsonb_path_query_first(conditions, '$[*] ? (@.type == "Ready")') AS rc
                       FROM pods WHERE namespace = $1 AND ${ownedActive(selects.sql)}) p) r`,
    rs.metadata.namespace,
    rs.metadata.uid,
    ...selects.params,
    JSON.stringify(rs.spec.template.metadata.labels),
    rs.spec.minReadySeconds,
    now.toISOString(),
  );
  return { active: row.active, fullyLabeled: row.fully_labeled, ready: row.ready, available: row.available, earliestPendingReadySince: row.earliest_pending };
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
    const candidates = await readDependents(tx, kind, owner, steps.reads ?? "all");
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

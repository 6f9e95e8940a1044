// The reads behind subscriptions, and the one converter from a change-log object (the row as
// to_jsonb wrote it: column names, JSON values) to the row shape Prisma returns (field names,
// Dates, BigInt), so that the GraphQL object types resolve change-log objects like queried rows.
//
// - readSnapshot: every object a watch selects plus the change-log position it is consistent with,
//   in one REPEATABLE READ snapshot. Change ids are assigned in commit order, so the snapshot holds
//   exactly the changes up to that position: the live changes after it follow with no gap and no
//   double.
// - readSnapshotPage: the same, one page at a time (by uid), each page with its own position.
// - readChanges: one page of the change log after a cursor, read in one statement together with
//   the compaction horizon, so the reader knows whether the page is complete (or GONE).
import type { Deployment as DeploymentRow, ReplicaSet as ReplicaSetRow } from "../generated/prisma/client.ts";
import type { Requirement } from "../domain/labels.ts";
import { CHANGE_COLUMNS, changeOf, type Change, type ChangeRow } from "./change-feed.ts";
import type { Db } from "./client.ts";
import { TABLE, type RowOfKind } from "./kinds.ts";
import { columnOf, SCALAR_FIELDS } from "./rows.ts";
import { requirementsToSql } from "./label-sql.ts";
import { TRANSACTION_LIMITS } from "./tx.ts";

export type ChangeKind = Change["kind"];

// ---------------------------------------------------------------------------------------------
// change-log object → Prisma row

/** Scalar fields that JSON does not carry as themselves: timestamps and the one bigint. */
export const DATE_FIELDS: ReadonlySet<string> = new Set(["creationTimestamp", "deletionTimestamp", "startTime", "firstTimestamp", "lastTimestamp"]);
export const BIGINT_FIELDS: ReadonlySet<string> = new Set(["resourceVersion"]);

type Convert = (value: unknown) => unknown;
const toDate: Convert = (v) => (v == null ? null : new Date(v as string));
const toBigInt: Convert = (v) => (v == null ? null : BigInt(v as string | number));
const asIs: Convert = (v) => v ?? null;

/** Each kind's scalar fields, with their columns and converters. */
const FIELDS = Object.fromEntries(
  (Object.keys(TABLE) as ChangeKind[]).map((kind) => [
    kind,
    Object.values(SCALAR_FIELDS[kind]).map((field) => ({
      field,
      column: columnOf(field),
      convert: DATE_FIELDS.has(field) ? toDate : BIGINT_FIELDS.has(field) ? toBigInt : asIs,
    })),
  ]),
) as Record<ChangeKind, { field: string; column: string; convert: Convert }[]>;

// One change object reaches every subscriber of its kind: convert it once.
const converted = new WeakMap<object, object>();

/** The Prisma row of a change-log object (memoized per object). */
export function rowOf<K extends ChangeKind>(kind: K, object: Record<string, unknown>): RowOfKind[K] {
  let row = converted.get(object);
  if (!row) {
    row = Object.fromEntries(FIELDS[kind].map(({ field, column, convert }) => [field, convert(object[column])]));
    converted.set(object, row);
  }
  return row as RowOfKind[K];
}

// ---------------------------------------------------------------------------------------------
// reads

export interface WatchScope {
  kind: ChangeKind;
  /** null: every namespace */
  namespace: string | null;
}

function scopeSql(scope: WatchScope, params: unknown[]): string {
  if (scope.namespace === null) return "TRUE";
  params.push(scope.namespace);
  return `namespace = $${params.length}`;
}

export interface Snapshot {
  /** the change-log position the objects are consistent with */
  through: bigint;
  /** the selected objects as to_jsonb wrote them (like change-log objects), by namespace and name */
  objects: Record<string, unknown>[];
}

/** Every object of the scope that the requirements select, and the position it is current at. */
export function readSnapshot(db: Db, scope: WatchScope, requirements: readonly Requirement[]): Promise<Snapshot> {
  const params: unknown[] = [];
  const where = scopeSql(scope, params);
  const selector = requirementsToSql(requirements, "labels", params.length + 1);
  params.push(...selector.params);
  return db.$transaction(
    async (tx) => {
      // The first statement takes the snapshot. When the whole log has been compacted, the
      // horizon is the position (every later change has a higher id).
      const [{ through }] = await tx.$queryRawUnsafe<{ through: string }[]>(
        `SELECT greatest((SELECT max(id) FROM change_log), (SELECT through FROM change_log_horizon))::text AS through`,
      );
      const rows = await tx.$queryRawUnsafe<{ object: Record<string, unknown> }[]>(
        `SELECT to_jsonb(t) AS object FROM ${TABLE[scope.kind]} t WHERE ${where} AND ${selector.sql} ORDER BY namespace, name`,
        ...params,
      );
      return { through: BigInt(through), objects: rows.map((r) => r.object) };
    },
    { isolationLevel: "RepeatableRead", ...TRANSACTION_LIMITS },
  );
}

export interface SnapshotPage {
  /** the change-log position this page is consistent with */
  through: bigint;
  /** selected objects with a uid after the cursor, by uid, as to_jsonb wrote them */
  objects: Record<string, unknown>[];
}

/**
 * Up to `limit` objects of the scope (within `namespaces`, when given) that the requirements
 * select, with a uid after `after` (null: from the start), in uid order, and the position they are
 * current at: one statement, one snapshot. The uid orders the same in SQL and in JavaScript (a
 * lowercase uuid's text), whatever the database's collation.
 */
export async function readSnapshotPage(
  db: Db,
  scope: WatchScope,
  requirements: readonly Requirement[],
  namespaces: readonly string[] | null,
  after: string | null,
  limit: number,
): Promise<SnapshotPage> {
  const params: unknown[] = [after, limit];
  const where = [scopeSql(scope, params)];
  if (namespaces) {
    params.push([...namespaces]);
    where.push(`namespace = ANY($${params.length}::text[])`);
  }
  const selector = requirementsToSql(requirements, "labels", params.length + 1);
  params.push(...selector.params);
  const rows = await db.$queryRawUnsafe<{ through: string; object: Record<string, unknown> | null }[]>(
    `SELECT p.through::text AS through, o.object FROM
       (SELECT greatest((SELECT max(id) FROM change_log), (SELECT through FROM change_log_horizon)) AS through) p
       LEFT JOIN LATERAL (
         SELECT t.uid, to_jsonb(t) AS object FROM ${TABLE[scope.kind]} t
         WHERE ($1::uuid IS NULL OR t.uid > $1::uuid) AND ${where.join(" AND ")} AND ${selector.sql} ORDER BY t.uid LIMIT $2
       ) o ON TRUE
     ORDER BY o.uid`,
    ...params,
  );
  return { through: BigInt(rows[0].through), objects: rows.flatMap((r) => (r.object ? [r.object] : [])) };
}

export interface ChangePage {
  /** rows with id <= horizon may have been compacted away */
  horizon: bigint;
  changes: Change[];
}

/** Up to `limit` changes of the scope with after < id <= upTo, in commit order, and the horizon. */
export async function readChanges(db: Db, scope: WatchScope, after: bigint, upTo: bigint, limit: number): Promise<ChangePage> {
  const params: unknown[] = [String(after), String(upTo), scope.kind, limit];
  const where = scopeSql(scope, params);
  // One statement, one snapshot: the rows and the horizon agree.
  const rows = await db.$queryRawUnsafe<(ChangeRow & { horizon: string })[]>(
    `SELECT h.through::text AS horizon, c.* FROM change_log_horizon h LEFT JOIN LATERAL (
       SELECT ${CHANGE_COLUMNS} FROM change_log
       WHERE id > $1::bigint AND id <= $2::bigint AND kind = $3 AND ${where} ORDER BY id LIMIT $4
     ) c ON TRUE`,
    ...params,
  );
  return { horizon: BigInt(rows[0].horizon), changes: rows.filter((r) => r.id !== null).map(changeOf) };
}

/**
 * A Deployment with the ReplicaSets it controls, read in one statement (one snapshot, no
 * transaction to start: under a burst of subscribers it waits for a pooled connection like any
 * query, never for Prisma's transaction start); null when it does not exist.
 */
export async function readDeploymentWithReplicaSets(db: Db, namespace: string, name: string): Promise<{ deployment: DeploymentRow; replicaSets: ReplicaSetRow[] } | null> {
  const rows = await db.$queryRaw<{ deployment: Record<string, unknown>; replica_sets: Record<string, unknown>[] }[]>`
    SELECT to_jsonb(d) AS deployment,
           COALESCE((SELECT jsonb_agg(to_jsonb(r)) FROM replica_sets r WHERE r.owner_uid = d.uid), '[]'::jsonb) AS replica_sets
      FROM deployments d WHERE d.namespace = ${namespace} AND d.name = ${name}`;
  if (rows.length === 0) return null;
  return { deployment: rowOf("Deployment", rows[0].deployment), replicaSets: rows[0].replica_sets.map((r) => rowOf("ReplicaSet", r)) };
}

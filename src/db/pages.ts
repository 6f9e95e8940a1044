// Keyset pagination over the object tables: filtering (namespace, involved object, label
// requirements), the page and whatever relations the caller asks for, in one statement. Objects
// are listed by (namespace, name) like kubectl; events by resourceVersion (oldest first).
//
// Rows travel as JSON: to_json of the row, with the relations a Pothos/Prisma query includes
// aggregated into it by correlated subqueries (as PostGraphile does), then converted to the row
// shape Prisma returns (rowOf, src/db/watch.ts). So a list and every relation it includes are one
// statement, and no row is read twice.
import type { Db } from "./client.ts";
import { TABLE, type RowOfKind, type TableKind } from "./kinds.ts";
import { requirementsToSql } from "./label-sql.ts";
import { rowOf } from "./watch.ts";
import type { Requirement } from "../domain/labels.ts";
import { isStorableKey, parseResourceVersion } from "../domain/resource-version.ts";

export interface ListFilter {
  namespace?: string | null;
  /** only these namespaces (a namespaced token); null or absent: every namespace */
  namespaces?: readonly string[] | null;
  /** events only */
  involvedObjectName?: string | null;
  requirements?: readonly Requirement[] | null;
}

/** A position in a listing: the sort key of the last object seen. */
export type PageKey = string[];

/** Whether a decoded cursor has the shape of the kind's sort key. */
export function isPageKey(kind: TableKind, key: unknown): key is PageKey {
  if (!Array.isArray(key) || !key.every((k) => typeof k === "string")) return false;
  return kind === "Event" ? key.length === 1 && parseResourceVersion(key[0]) !== null : key.length === 2 && key.every(isStorableKey);
}

/**
 * Which page: up to `size` objects after `from` (forward), or the last `size` objects before it
 * (backward); a null `from` starts at the listing's start (forward) or end (backward).
 */
export interface PageRequest {
  from: PageKey | null;
  size: number;
  backward: boolean;
}

export interface PageOfRows<K extends TableKind> {
  /** in listing order, whichever the direction */
  items: { key: PageKey; row: RowOfKind[K] }[];
  /** more objects lie beyond the page in its direction (after it forward, before it backward) */
  hasMore: boolean;
}

// ---------------------------------------------------------------------------------------------
// rows with their relations, as JSON

/** A Prisma select/include as Pothos builds it (queryFromInfo): the relations to load, nested. */
export type RowQuery = { include?: Record<string, unknown>; select?: Record<string, unknown> };

/** The relations of each kind: `many` are owned (child.owner_uid = uid), the others are the owner. */
const RELATIONS: Record<TableKind, Record<string, { kind: TableKind; many: boolean }>> = {
  Deployment: { replicaSets: { kind: "ReplicaSet", many: true } },
  ReplicaSet: { owner: { kind: "Deployment", many: false }, pods: { kind: "Pod", many: true } },
  Pod: { owner: { kind: "ReplicaSet", many: false } },
  Event: {},
};

/** The relations a query includes, with their own queries (true: the related rows alone). */
function relationsOf(kind: TableKind, query: RowQuery): [string, { kind: TableKind; many: boolean }, RowQuery][] {
  const unknown = Object.keys(query).filter((k) => k !== "include" && k !== "select");
  if (unknown.length) throw new Error(`${kind} query: ${unknown.join(", ")} is not supported in a list`);
  return Object.entries({ ...query.select, ...query.include }).flatMap(([field, sub]) => {
    const relation = Object.hasOwn(RELATIONS[kind], field) ? RELATIONS[kind][field] : undefined;
    if (!sub || !relation) return [];
    return [[field, relation, sub === true ? {} : (sub as RowQuery)]];
  });
}

/**
 * A SQL expression for the row of `alias` as JSON, with the relations `query` includes: the row
 * alone, or {row, <relation>: ...}. json, not jsonb: Postgres builds it several times faster.
 */
function rowJson(kind: TableKind, alias: string, query: RowQuery): string {
  const relations = relationsOf(kind, query);
  if (relations.length === 0) return `to_json(${alias})`;
  const fields = relations.map(([field, { kind: related, many }, sub], i) => {
    const r = `${alias}_${i}`;
    return many
      ? `'${field}', (SELECT COALESCE(json_agg(${rowJson(related, r, sub)} ORDER BY ${r}.namespace, ${r}.name), '[]') FROM ${TABLE[related]} ${r} WHERE ${r}.owner_uid = ${alias}.uid)`
      : `'${field}', (SELECT ${rowJson(related, r, sub)} FROM ${TABLE[related]} ${r} WHERE ${r}.uid = ${alias}.owner_uid)`;
  });
  return `json_build_object('row', to_json(${alias}), ${fields.join(", ")})`;
}

type Json = Record<string, unknown>;

/** The Prisma row of a rowJson object, with its relations. */
function rowFromJson<K extends TableKind>(kind: K, query: RowQuery, object: Json): RowOfKind[K] {
  const relations = relationsOf(kind, query);
  if (relations.length === 0) return rowOf(kind, object);
  const row = rowOf(kind, object.row as Json) as Json; // a fresh object: ours to complete
  for (const [field, { kind: related, many }, sub] of relations) {
    const value = object[field] as Json | Json[] | null;
    row[field] = many ? (value as Json[]).map((o) => rowFromJson(related, sub, o)) : value && rowFromJson(related, sub, value as Json);
  }
  return row as RowOfKind[K];
}

// ---------------------------------------------------------------------------------------------
// reads

function filterSql(filter: ListFilter, params: unknown[]): string[] {
  const where: string[] = [];
  if (filter.namespace != null) {
    params.push(filter.namespace);
    where.push(`namespace = $${params.length}`);
  }
  if (filter.namespaces) {
    params.push(filter.namespaces);
    where.push(`namespace = ANY($${params.length}::text[])`);
  }
  if (filter.involvedObjectName != null) {
    params.push(filter.involvedObjectName);
    where.push(`involved_name = $${params.length}`);
  }
  if (filter.requirements) {
    const compiled = requirementsToSql(filter.requirements, "labels", params.length + 1);
    params.push(...compiled.params);
    where.push(compiled.sql);
  }
  return where;
}

/**
 * A page of objects of the kind, with the relations `query` (a Prisma select/include from
 * Pothos) includes: one statement whatever the page size, direction or nesting.
 */
export async function readRows<K extends TableKind>(db: Db, kind: K, filter: ListFilter, page: PageRequest, query: RowQuery): Promise<PageOfRows<K>> {
  const params: unknown[] = [];
  const where = filterSql(filter, params);
  const order = kind === "Event" ? ["resource_version"] : ["namespace", "name"];
  if (page.from) {
    const placeholders = page.from.map((k) => {
      params.push(k);
      return kind === "Event" ? `$${params.length}::bigint` : `$${params.length}`;
    });
    where.push(`(${order.join(", ")}) ${page.backward ? "<" : ">"} (${placeholders.join(", ")})`);
  }
  params.push(page.size + 1);
  // backward: the rows nearest `from` are the last ones, so read in reverse order and turn them back
  const direction = page.backward ? " DESC" : "";
  const rows = await db.$queryRawUnsafe<{ key: string[]; object: Json }[]>(
    `SELECT ARRAY[${order.map((c) => `t.${c}::text`).join(", ")}] AS key, ${rowJson(kind, "t", query)} AS object
       FROM ${TABLE[kind]} t ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${order.map((c) => c + direction).join(", ")} LIMIT $${params.length}`,
    ...params,
  );
  const items = rows.slice(0, page.size).map((r) => ({ key: r.key, row: rowFromJson(kind, query, r.object) }));
  if (page.backward) items.reverse();
  return { items, hasMore: rows.length > page.size };
}

/** How many objects of the kind the filter selects. */
export async function countRows(db: Db, kind: TableKind, filter: ListFilter): Promise<number> {
  const params: unknown[] = [];
  const where = filterSql(filter, params);
  const [{ count }] = await db.$queryRawUnsafe<{ count: bigint }[]>(`SELECT count(*) AS count FROM ${TABLE[kind]} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`, ...params);
  return Number(count);
}

/** A page with the number of objects the filter selects on every page together. */
export async function readPage<K extends TableKind>(db: Db, kind: K, filter: ListFilter, page: PageRequest, query: RowQuery): Promise<PageOfRows<K> & { totalCount: number }> {
  const [rows, totalCount] = await Promise.all([readRows(db, kind, filter, page, query), countRows(db, kind, filter)]);
  return { ...rows, totalCount };
}

/** Every namespace that holds a Deployment, ReplicaSet or Pod, sorted. */
export async function readNamespaces(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ namespace: string }[]>`
    SELECT namespace FROM deployments UNION SELECT namespace FROM replica_sets UNION SELECT namespace FROM pods ORDER BY namespace`;
  return rows.map((r) => r.namespace);
}

/**
 * For each owner, the first `limit` objects of the kind it owns (by name) whose labels meet
 * `requirements`, with the relations `query` includes: one statement for every owner together.
 */
export async function readOwnedRows<K extends "ReplicaSet" | "Pod">(db: Db, kind: K, ownerUids: readonly string[], requirements: readonly Requirement[], limit: number, query: RowQuery): Promise<Map<string, RowOfKind[K][]>> {
  const labels = requirementsToSql(requirements, "t.labels", 3);
  const rows = await db.$queryRawUnsafe<{ owner: string; object: Json }[]>(
    `SELECT o.uid::text AS owner, owned.object FROM unnest($1::uuid[]) AS o(uid)
       CROSS JOIN LATERAL (
         SELECT ${rowJson(kind, "t", query)} AS object FROM ${TABLE[kind]} t
          WHERE t.owner_uid = o.uid AND ${labels.sql} ORDER BY t.name LIMIT $2
       ) owned`,
    [...new Set(ownerUids)],
    limit,
    ...labels.params,
  );
  const owned = new Map<string, RowOfKind[K][]>();
  for (const { owner, object } of rows) {
    let list = owned.get(owner);
    if (!list) owned.set(owner, (list = []));
    list.push(rowFromJson(kind, query, object));
  }
  return owned;
}

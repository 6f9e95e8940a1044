// Keyset pagination over the object tables: filtering (namespace, involved object, label
// requirements) and the page's keys in SQL, then the page's rows with whatever relations the
// caller asks for in one Prisma query. Objects are listed by (namespace, name) like kubectl;
// events by resourceVersion (oldest first).
import type { Db } from "./client.ts";
import { MODEL, TABLE, type RowOfKind, type TableKind } from "./kinds.ts";
import { requirementsToSql } from "./label-sql.ts";
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
  totalCount: number;
}

/**
 * A page of objects of the kind, loaded with `query` (a Prisma select/include); a constant number
 * of statements whatever the page size, direction or nesting.
 */
export async function readPage<K extends TableKind>(db: Db, kind: K, filter: ListFilter, page: PageRequest, query: object): Promise<PageOfRows<K>> {
  const table = TABLE[kind];
  const where: string[] = [];
  const params: unknown[] = [];
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
  const filterSql = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const order = kind === "Event" ? ["resource_version"] : ["namespace", "name"];
  const pageWhere = [...where];
  const pageParams = [...params];
  if (page.from) {
    const placeholders = page.from.map((k) => {
      pageParams.push(k);
      return kind === "Event" ? `$${pageParams.length}::bigint` : `$${pageParams.length}`;
    });
    pageWhere.push(`(${order.join(", ")}) ${page.backward ? "<" : ">"} (${placeholders.join(", ")})`);
  }
  pageParams.push(page.size + 1);
  const keyColumns = order.map((c) => (c === "resource_version" ? "resource_version::text AS resource_version" : c)).join(", ");
  // backward: the rows nearest `from` are the last ones, so read in reverse order and turn them back
  const direction = page.backward ? " DESC" : "";
  const pageSql = `SELECT uid::text AS uid, ${keyColumns} FROM ${table} ${pageWhere.length ? `WHERE ${pageWhere.join(" AND ")}` : ""} ORDER BY ${order.map((c) => c + direction).join(", ")} LIMIT $${pageParams.length}`;
  const [keys, [{ count }]] = await Promise.all([
    db.$queryRawUnsafe<Record<string, string>[]>(pageSql, ...pageParams),
    db.$queryRawUnsafe<{ count: bigint }[]>(`SELECT count(*) AS count FROM ${table} ${filterSql}`, ...params),
  ]);
  const pageKeys = keys.slice(0, page.size);
  if (page.backward) pageKeys.reverse();
  const uids = pageKeys.map((k) => k.uid);
  const delegate = db[MODEL[kind]] as unknown as { findMany(args: object): Promise<RowOfKind[K][]> };
  const rows = uids.length ? await delegate.findMany({ ...query, where: { uid: { in: uids } } }) : [];
  const byUid = new Map(rows.map((r) => [r.uid, r]));
  return {
    items: pageKeys
      .filter((k) => byUid.has(k.uid)) // deleted between the two statements
      .map((k) => ({ key: order.map((c) => k[c]), row: byUid.get(k.uid)! })),
    hasMore: keys.length > page.size,
    totalCount: Number(count),
  };
}

/** Every namespace that holds a Deployment, ReplicaSet or Pod, sorted. */
export async function readNamespaces(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ namespace: string }[]>`
    SELECT namespace FROM deployments UNION SELECT namespace FROM replica_sets UNION SELECT namespace FROM pods ORDER BY namespace`;
  return rows.map((r) => r.namespace);
}

/**
 * For each owner, the uids of the first `limit` objects of the kind it owns (by name) whose labels
 * meet `requirements`: one statement for every owner together.
 */
export async function readOwnedUids(db: Db, kind: "ReplicaSet" | "Pod", ownerUids: readonly string[], requirements: readonly Requirement[], limit: number): Promise<Map<string, string[]>> {
  const labels = requirementsToSql(requirements, "labels", 3);
  const rows = await db.$queryRawUnsafe<{ owner: string; uid: string }[]>(
    `SELECT owner_uid::text AS owner, uid::text AS uid FROM (
       SELECT owner_uid, uid, name, row_number() OVER (PARTITION BY owner_uid ORDER BY name) AS n
       FROM ${TABLE[kind]} WHERE owner_uid = ANY($1::uuid[]) AND ${labels.sql}
     ) owned WHERE n <= $2 ORDER BY owner_uid, name`,
    ownerUids,
    limit,
    ...labels.params,
  );
  const owned = new Map<string, string[]>();
  for (const { owner, uid } of rows) owned.set(owner, [...(owned.get(owner) ?? []), uid]);
  return owned;
}

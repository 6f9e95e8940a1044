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

export interface PageOfRows<K extends TableKind> {
  items: { key: PageKey; row: RowOfKind[K] }[];
  hasNextPage: boolean;
  totalCount: number;
}

/**
 * Up to `first` objects of the kind after `after`, loaded with `query` (a Prisma select/include);
 * a constant number of statements whatever the page size or nesting.
 */
export async function readPage<K extends TableKind>(db: Db, kind: K, filter: ListFilter, after: PageKey | null, first: number, query: object): Promise<PageOfRows<K>> {
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
  if (after) {
    const placeholders = after.map((k) => {
      pageParams.push(k);
      return kind === "Event" ? `$${pageParams.length}::bigint` : `$${pageParams.length}`;
    });
    pageWhere.push(`(${order.join(", ")}) > (${placeholders.join(", ")})`);
  }
  pageParams.push(first + 1);
  const keyColumns = order.map((c) => (c === "resource_version" ? "resource_version::text AS resource_version" : c)).join(", ");
  const pageSql = `SELECT uid::text AS uid, ${keyColumns} FROM ${table} ${pageWhere.length ? `WHERE ${pageWhere.join(" AND ")}` : ""} ORDER BY ${order.join(", ")} LIMIT $${pageParams.length}`;
  const [keys, [{ count }]] = await Promise.all([
    db.$queryRawUnsafe<Record<string, string>[]>(pageSql, ...pageParams),
    db.$queryRawUnsafe<{ count: bigint }[]>(`SELECT count(*) AS count FROM ${table} ${filterSql}`, ...params),
  ]);
  const pageKeys = keys.slice(0, first);
  const uids = pageKeys.map((k) => k.uid);
  const delegate = db[MODEL[kind]] as unknown as { findMany(args: object): Promise<RowOfKind[K][]> };
  const rows = uids.length ? await delegate.findMany({ ...query, where: { uid: { in: uids } } }) : [];
  const byUid = new Map(rows.map((r) => [r.uid, r]));
  return {
    items: pageKeys
      .filter((k) => byUid.has(k.uid)) // deleted between the two statements
      .map((k) => ({ key: order.map((c) => k[c]), row: byUid.get(k.uid)! })),
    hasNextPage: keys.length > first,
    totalCount: Number(count),
  };
}

/** Every namespace that holds a Deployment, ReplicaSet or Pod, sorted. */
export async function readNamespaces(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ namespace: string }[]>`
    SELECT namespace FROM deployments UNION SELECT namespace FROM replica_sets UNION SELECT namespace FROM pods ORDER BY namespace`;
  return rows.map((r) => r.namespace);
}

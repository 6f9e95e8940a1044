// Connections over the object tables: filtering (namespace, kubectl label selector) and keyset
// pagination run in SQL; the page's rows, with every nested relation the query asks for, are then
// loaded by one Prisma query built by plugin-prisma from the GraphQL selection. So a list costs a
// constant number of statements whatever the page size or nesting.
import { queryFromInfo } from "@pothos/plugin-prisma";
import type { GraphQLResolveInfo } from "graphql";
import { parseSelector, SelectorParseError, type Requirement } from "../domain/labels.ts";
import { requirementsToSql } from "../db/label-sql.ts";
import { isDns1123Label, isDns1123Subdomain } from "../domain/names.ts";
import { isStorableKey, parseResourceVersion } from "../domain/resource-version.ts";
import type { Context } from "./context.ts";
import { badInput } from "./errors.ts";

export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 100;

type Table = "deployments" | "replica_sets" | "pods" | "events";
const MODEL = { deployments: "deployment", replica_sets: "replicaSet", pods: "pod", events: "event" } as const;

/** A `labelSelector` argument (kubectl syntax): null when absent or empty, BAD_USER_INPUT when malformed. */
export function labelSelectorArg(text: string | null | undefined): Requirement[] | null {
  if (text == null || text.trim() === "") return null;
  try {
    return parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorParseError) throw badInput([{ field: "labelSelector", message: err.message }]);
    throw err;
  }
}

export interface ListArgs {
  namespace?: string | null;
  labelSelector?: string | null;
  first?: number | null;
  after?: string | null;
  /** events only */
  involvedObjectName?: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

// Objects are listed by (namespace, name) like kubectl; events by resourceVersion (oldest first).
function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}
function decodeCursor(cursor: string, table: Table): (string | number)[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString());
    const ok = table === "events" ? Array.isArray(key) && key.length === 1 && typeof key[0] === "string" && parseResourceVersion(key[0]) !== null
      : Array.isArray(key) && key.length === 2 && key.every((k) => typeof k === "string" && isStorableKey(k));
    if (ok) return key;
  } catch {
    // fall through
  }
  throw badInput([{ field: "after", message: "is not a cursor returned by this connection" }]);
}

export async function listConnection<T extends { uid: string }>(ctx: Context, info: GraphQLResolveInfo, table: Table, args: ListArgs): Promise<Page<T>> {
  const first = args.first ?? DEFAULT_PAGE;
  if (first < 0 || first > MAX_PAGE) throw badInput([{ field: "first", message: `must be between 0 and ${MAX_PAGE}` }]);
  const where: string[] = [];
  const params: unknown[] = [];
  // a namespace or name no object can have matches nothing (and never reaches SQL: e.g. a NUL)
  const impossible = (args.namespace != null && !isDns1123Label(args.namespace)) || (args.involvedObjectName != null && !isDns1123Subdomain(args.involvedObjectName));
  if (impossible) where.push("FALSE");
  else if (args.namespace != null) {
    params.push(args.namespace);
    where.push(`namespace = $${params.length}`);
  }
  if (args.involvedObjectName != null && !impossible) {
    params.push(args.involvedObjectName);
    where.push(`involved_name = $${params.length}`);
  }
  const reqs = labelSelectorArg(args.labelSelector);
  if (reqs) {
    const compiled = requirementsToSql(reqs, "labels", params.length + 1);
    params.push(...compiled.params);
    where.push(compiled.sql);
  }
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const order = table === "events" ? ["resource_version"] : ["namespace", "name"];
  const pageWhere = [...where];
  const pageParams = [...params];
  if (args.after != null) {
    const key = decodeCursor(args.after, table);
    const placeholders = key.map((k) => {
      pageParams.push(k);
      return table === "events" ? `$${pageParams.length}::bigint` : `$${pageParams.length}`;
    });
    pageWhere.push(`(${order.join(", ")}) > (${placeholders.join(", ")})`);
  }
  pageParams.push(first + 1);
  const keyColumns = order.map((c) => (c === "resource_version" ? "resource_version::text AS resource_version" : c)).join(", ");
  const pageSql = `SELECT uid::text AS uid, ${keyColumns} FROM ${table} ${pageWhere.length ? `WHERE ${pageWhere.join(" AND ")}` : ""} ORDER BY ${order.join(", ")} LIMIT $${pageParams.length}`;
  const [keys, [{ count }]] = await Promise.all([
    ctx.db.$queryRawUnsafe<Record<string, string>[]>(pageSql, ...pageParams),
    ctx.db.$queryRawUnsafe<{ count: bigint }[]>(`SELECT count(*) AS count FROM ${table} ${filter}`, ...params),
  ]);
  const hasNextPage = keys.length > first;
  const pageKeys = keys.slice(0, first);
  const uids = pageKeys.map((k) => k.uid);
  const query = queryFromInfo({ context: ctx, info, path: ["edges", "node"] });
  const delegate = ctx.db[MODEL[table]] as unknown as { findMany(args: unknown): Promise<T[]> };
  const rows = uids.length ? await delegate.findMany({ ...query, where: { uid: { in: uids } } }) : [];
  const byUid = new Map(rows.map((r) => [r.uid, r]));
  const edges = pageKeys
    .filter((k) => byUid.has(k.uid)) // deleted between the two statements
    .map((k) => ({ cursor: encodeCursor(order.map((c) => k[c])), node: byUid.get(k.uid)! }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: Number(count),
  };
}

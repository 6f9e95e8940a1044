// Connections over the object tables: argument handling (page size, cursors, kubectl label
// selector) here; filtering, keyset pagination and every nested relation the query asks for (the
// Prisma include plugin-prisma builds from the GraphQL selection) run in one SQL statement in
// src/db/pages.ts, and the count in one more only when totalCount is asked for. So a list costs
// a constant number of statements whatever the page size or nesting.
import { queryFromInfo } from "@pothos/plugin-prisma";
import type { GraphQLResolveInfo } from "graphql";
import { parseSelector, SelectorParseError, type Requirement } from "../domain/labels.ts";
import type { RowOfKind, TableKind } from "../db/kinds.ts";
import { countRows, isPageKey, readRows, type PageKey, type PageRequest, type RowQuery } from "../db/pages.ts";
import { isDns1123Label, isDns1123Subdomain } from "../domain/names.ts";
import { limitedTo } from "../auth/namespaces.ts";
import type { Context } from "./context.ts";
import { badInput } from "./errors.ts";

export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 100;

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
  last?: number | null;
  before?: string | null;
  /** events only */
  involvedObjectName?: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** how many objects match the filters, on every page together (counted when called) */
  totalCount(): Promise<number>;
}

function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}
function decodeCursor(cursor: string, kind: TableKind, field: "after" | "before"): PageKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString());
    if (isPageKey(kind, key)) return key;
  } catch {
    // fall through
  }
  throw badInput([{ field, message: "is not a cursor returned by this connection" }]);
}

/**
 * The page the Relay arguments ask for: `first`/`after` forward, or `last`/`before` backward (the
 * last objects before `before`, in the same order). Mixing the two directions is refused rather
 * than guessed at.
 */
function pageRequest(kind: TableKind, args: ListArgs): PageRequest {
  const backward = args.last != null || args.before != null;
  if (backward && (args.first != null || args.after != null)) {
    throw badInput([{ field: args.first != null ? "first" : "after", message: "cannot be combined with last or before: page forward with first/after or backward with last/before" }]);
  }
  const sizeField = backward ? "last" : "first";
  const size = (backward ? args.last : args.first) ?? DEFAULT_PAGE;
  if (size < 0 || size > MAX_PAGE) throw badInput([{ field: sizeField, message: `must be between 0 and ${MAX_PAGE}` }]);
  const cursor = backward ? args.before : args.after;
  return { backward, size, from: cursor != null ? decodeCursor(cursor, kind, backward ? "before" : "after") : null };
}

export async function listConnection<K extends TableKind>(ctx: Context, info: GraphQLResolveInfo, kind: K, args: ListArgs): Promise<Page<RowOfKind[K]>> {
  const request = pageRequest(kind, args);
  const requirements = labelSelectorArg(args.labelSelector);
  // a namespace or name no object can have matches nothing (and never reaches SQL: e.g. a NUL)
  const impossible = (args.namespace != null && !isDns1123Label(args.namespace)) || (args.involvedObjectName != null && !isDns1123Subdomain(args.involvedObjectName));
  const filter = { namespace: args.namespace, namespaces: limitedTo(ctx), involvedObjectName: args.involvedObjectName, requirements };
  const page = impossible
    ? { items: [], hasMore: false }
    : await readRows(ctx.db, kind, filter, request, queryFromInfo({ context: ctx, info, paths: [["edges", "node"], ["nodes"]] }) as RowQuery);
  const edges = page.items.map((item) => ({ cursor: encodeCursor(item.key), node: item.row }));
  return {
    edges,
    pageInfo: {
      hasNextPage: request.backward ? args.before != null : page.hasMore,
      hasPreviousPage: request.backward ? page.hasMore : args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: async () => (impossible ? 0 : countRows(ctx.db, kind, filter)),
  };
}

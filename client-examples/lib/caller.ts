// What the caller's token may do, from the `viewer` query: the examples and the dashboard check it
// up front instead of learning it from a FORBIDDEN.
import type { ViewerQuery } from "./gql/graphql.ts";

export type Caller = ViewerQuery["viewer"];

/** Why this caller may not change objects in `namespace` (null: it may). */
export function editRefusal(caller: Caller, namespace: string): string | null {
  if (caller.role === "viewer") return `the token "${caller.name}" has the role viewer, which may only read`;
  if (caller.namespaces && !caller.namespaces.includes(namespace)) return `the token "${caller.name}" is limited to the namespaces ${caller.namespaces.join(", ")}`;
  return null;
}

// The `limit` of the lists nested in an object (Deployment.replicaSets, ReplicaSet.pods), which
// grow with the data: bounded like a page, with a default, so one object never answers with every
// pod it owns (issue 10 §2). The query cost rule (src/graphql/limits.ts) counts the same numbers.
import { badInput } from "./errors.ts";

/** Deployment.replicaSets: a Deployment keeps revisionHistoryLimit (default 10) old ones. */
export const DEFAULT_REPLICA_SETS_LIMIT = 20;
/** ReplicaSet.pods */
export const DEFAULT_PODS_LIMIT = 100;
export const MAX_NESTED_LIMIT = 500;

/** The rows to take for a nested list's `limit` (null: the default): BAD_USER_INPUT outside 0..MAX_NESTED_LIMIT. */
export function nestedLimit(limit: number | null | undefined, fallback: number): number {
  const n = limit ?? fallback;
  if (n < 0 || n > MAX_NESTED_LIMIT) throw badInput([{ field: "limit", message: `must be between 0 and ${MAX_NESTED_LIMIT}` }]);
  return n;
}

// ReplicaSet.pods(limit, labelSelector): the pods of every ReplicaSet a request resolves at one
// level, with the same arguments and selection, load together: one statement picks each owner's
// first `limit` matching pods by name (label requirements in SQL, src/db/label-sql.ts) with the
// selection's relations (src/db/pages.ts). So the statement count stays constant however many
// ReplicaSets a list holds.
import type { Requirement } from "../domain/labels.ts";
import { readOwnedRows, type RowQuery } from "../db/pages.ts";
import type { Pod as PodRow } from "../generated/prisma/client.ts";
import type { Context } from "./context.ts";

interface Batch {
  owners: string[];
  pods: Promise<Map<string, PodRow[]>>;
}

const pending = new WeakMap<Context, Map<string, Batch>>();

export function ownedPods(ctx: Context, owner: string, requirements: readonly Requirement[] | null, limit: number, query: object): Promise<PodRow[]> {
  let batches = pending.get(ctx);
  if (!batches) pending.set(ctx, (batches = new Map()));
  const key = JSON.stringify([requirements, limit, query]);
  let batch = batches.get(key);
  if (!batch) {
    const owners: string[] = [];
    const open = batches;
    // the sibling ReplicaSets' resolvers all run before the next turn of the event loop
    const pods = new Promise((resolve) => setImmediate(resolve)).then(async () => {
      open.delete(key);
      return readOwnedRows(ctx.db, "Pod", owners, requirements ?? [], limit, query as RowQuery);
    });
    batch = { owners, pods };
    batches.set(key, batch);
  }
  batch.owners.push(owner);
  return batch.pods.then((byOwner) => byOwner.get(owner) ?? []);
}

// Simulated nodes (issue 15, scale-out): the node agents' leases, the pods bound to each node, and
// what an agent lists. A node agent holds a lease on each of its nodes (one row per node and
// agent) and renews it; a node is live while a lease on it has not expired, by the database's
// clock, so instances' clocks need not agree. `nodes.pods` is kept by triggers on pods (the
// scaleout_nodes migration). The ReplicaSet controller reads the live nodes' loads under the
// change-log lock (`readLiveNodes`) and binds the pods it creates (src/db/controller-writes.ts).
import type { Change } from "./change-feed.ts";
import type { Db } from "./client.ts";
import type { Tx } from "./tx.ts";
import type { NodeState } from "../domain/kubelet.ts";
import { keyOf } from "../domain/names.ts";
import type { NodeLoad } from "../domain/scheduling.ts";

/**
 * Takes or renews the agent's (`holder`) leases on `nodes` until `leaseMs` from now, and removes
 * other agents' expired leases (a dead agent's rows go with the next heartbeat of any agent).
 */
export async function renewLeases(db: Db, holder: string, nodes: string[], leaseMs: number): Promise<void> {
  await db.$executeRawUnsafe(
    `WITH expired AS (DELETE FROM node_leases WHERE expires_at <= now() AND holder <> $1::uuid)
     INSERT INTO node_leases (node, holder, expires_at) SELECT unnest($2::text[]), $1::uuid, now() + make_interval(secs => $3::double precision / 1000)
     ON CONFLICT (node, holder) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
    holder,
    nodes,
    leaseMs,
  );
}

/** Gives up the agent's leases (a stopping agent): its nodes take no new pods unless another agent serves them. */
export async function releaseLeases(db: Db, holder: string): Promise<void> {
  await db.$executeRawUnsafe(`DELETE FROM node_leases WHERE holder = $1::uuid`, holder);
}

/**
 * The live nodes, each with the pods bound to it: one read of two small tables, whatever the
 * number of pods. Exact in a transaction holding the change-log lock (every pod write holds it).
 * Live by `clock_timestamp()`, not `now()` (the transaction's start: a sync that waited for the
 * lock would count a lease that expired meanwhile).
 */
export async function readLiveNodes(tx: Tx | Db): Promise<NodeLoad[]> {
  return tx.$queryRawUnsafe<NodeLoad[]>(
    `SELECT l.node AS name, COALESCE(n.pods, 0)::int AS pods
       FROM (SELECT DISTINCT node FROM node_leases WHERE expires_at > clock_timestamp()) l LEFT JOIN nodes n ON n.name = l.node
      ORDER BY l.node`,
  );
}

/** The nodes that have pods, each with whether it is live (for `takenOverNodes`): one read of two small tables. */
export async function readNodesWithPods(db: Db): Promise<NodeState[]> {
  return db.$queryRawUnsafe<NodeState[]>(
    `SELECT n.name, n.pods::int AS pods, EXISTS (SELECT 1 FROM node_leases l WHERE l.node = n.name AND l.expires_at > clock_timestamp()) AS live
       FROM nodes n WHERE n.pods > 0 ORDER BY n.name`,
  );
}

/** The keys of the pods an agent of `nodes` runs: those bound to them, and the unbound (a resync). */
export async function listPodKeysFor(db: Db, nodes: string[]): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ namespace: string; name: string }[]>(
    `SELECT namespace, name FROM pods WHERE node_name IS NULL OR node_name = ANY($1::text[])`,
    nodes,
  );
  return rows.map((r) => keyOf(r.namespace, r.name));
}

/** A pod change's node (the row after the change, before it for DELETED), or null if unbound. */
export function nodeNameOf(change: Pick<Change, "object">): string | null {
  return typeof change.object.node_name === "string" ? change.object.node_name : null;
}

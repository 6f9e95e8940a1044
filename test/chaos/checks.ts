// The invariants, checked against the change log (which holds every state every object went
// through, in commit order). The log is replayed one transaction at a time (rows of one xid), and
// every rule is checked on each state any reader could have seen.
import pg from "pg";
import { POD_TEMPLATE_HASH_LABEL } from "../../src/domain/hash.ts";
import { maxSurge, maxUnavailable } from "../../src/domain/intstr.ts";
import { REVISION_ANNOTATION } from "../../src/domain/deployment-util.ts";
import type { Deployment } from "../../src/domain/types.ts";
import { QUERY_LIMITS } from "./deadline.ts";
import type { Ack } from "./workload.ts";
import type { ResumingWatch } from "./watchers.ts";

export const CHECKS = [
  "ownership",
  "templateHash",
  "surge",
  "availability",
  "revisions",
  "acknowledged",
  "deletion",
  "convergence",
  "wakeup",
  "watch",
  "outage",
  "processExit",
] as const;
export type Check = (typeof CHECKS)[number];

export interface Violation {
  check: Check;
  detail: string;
}

interface Row {
  id: string;
  xid: string;
  kind: "Deployment" | "ReplicaSet" | "Pod" | "Event";
  uid: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: Record<string, any>;
  /** the writing transaction's start, ms */
  at: number;
}

type Obj = Record<string, any>;

export interface Log {
  rows: Row[];
}

export async function readLog(url: string): Promise<Log> {
  const client = new pg.Client({ connectionString: url, ...QUERY_LIMITS });
  await client.connect();
  try {
    const { rows } = await client.query<Row>(
      `SELECT id::text, xmin::text AS xid, kind, uid::text, type, object, (extract(epoch FROM created_at) * 1000)::float8 AS at
         FROM change_log WHERE kind <> 'Event' ORDER BY change_log.id`,
    );
    return { rows };
  } finally {
    await client.end();
  }
}

const asDeployment = (o: Obj) => ({ spec: { replicas: Number(o.replicas), strategy: o.strategy } }) as unknown as Deployment;
const revisionOf = (o: Obj) => Number(o.annotations?.[REVISION_ANNOTATION] ?? 0);
const complete = (d: Obj) =>
  !d.paused &&
  d.observed_generation === d.generation &&
  d.updated_replicas === d.replicas &&
  d.available_replicas === d.replicas &&
  d.status_replicas === d.replicas;

/** A rollout that started with every replica available: its availability must stay above the bound. */
interface Window {
  replicas: number;
  minAvailable: number;
  since: string;
}

/**
 * Replays the log and checks ownership, template hashes, the surge and availability bounds of
 * rolling updates, and revisions (one violation per object and rule).
 */
export function checkStates(log: Log, violations: Violation[]): void {
  const deployments = new Map<string, Obj>();
  const sets = new Map<string, Obj>();
  const pods = new Map<string, Obj>();
  const windows = new Map<string, Window>();
  const lastRevision = new Map<string, number>();
  const byKind = { Deployment: deployments, ReplicaSet: sets, Pod: pods } as Record<string, Map<string, Obj>>;
  const reported = new Set<string>();
  const report = (check: Check, key: string, detail: string) => {
    if (reported.has(`${check}/${key}`)) return; // one report per object and rule
    reported.add(`${check}/${key}`);
    violations.push({ check, detail });
  };

  const rows = log.rows;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const map = byKind[row.kind];
    const before = row.kind === "Deployment" ? deployments.get(row.uid) : undefined;
    if (row.type === "DELETED") map.delete(row.uid);
    else map.set(row.uid, row.object);
    if (row.kind === "Deployment") {
      const after = deployments.get(row.uid);
      const w = windows.get(row.uid);
      if (!after || after.deletion_timestamp || (w && (after.replicas !== w.replicas || after.paused || complete(after)))) windows.delete(row.uid);
      const templateChanged = before && after && JSON.stringify(before.template) !== JSON.stringify(after.template);
      if (templateChanged && !windows.has(row.uid) && complete(before) && after.replicas === before.replicas && after.strategy.type === "RollingUpdate") {
        windows.set(row.uid, { replicas: after.replicas, minAvailable: after.replicas - maxUnavailable(asDeployment(after)), since: row.id });
      }
      if (after) {
        const rev = revisionOf(after);
        if (rev < (lastRevision.get(row.uid) ?? 0)) report("revisions", row.uid, `Deployment ${after.name} revision went back from ${lastRevision.get(row.uid)} to ${rev} at ${row.id}`);
        lastRevision.set(row.uid, Math.max(rev, lastRevision.get(row.uid) ?? 0));
      }
    }
    if (rows[i + 1]?.xid === row.xid) continue; // check states between transactions only

    if (row.kind === "Pod" && row.type !== "DELETED") {
      const controllers = (row.object.owner_references ?? []).filter((r: Obj) => r.controller).length;
      if (controllers > 1) report("ownership", row.uid, `Pod ${row.object.name} has ${controllers} controller owners at ${row.id}`);
    }
    // the Deployments this transaction touched
    const touched = new Set<string>();
    for (let j = i; j >= 0 && rows[j].xid === row.xid; j--) {
      const r = rows[j];
      if (r.kind === "Deployment") touched.add(r.uid);
      else if (r.kind === "ReplicaSet" && r.object.owner_uid) touched.add(r.object.owner_uid);
      else if (r.kind === "Pod" && r.object.owner_uid) {
        const owner = sets.get(r.object.owner_uid)?.owner_uid;
        if (owner) touched.add(owner);
      }
    }
    for (const uid of touched) {
      const d = deployments.get(uid);
      if (!d || d.deletion_timestamp) continue;
      const owned = [...sets.values()].filter((rs) => rs.owner_uid === uid && !rs.deletion_timestamp);
      const hashes = new Map<string, string>();
      const revisions = new Map<number, string>();
      for (const rs of owned) {
        const hash = rs.labels?.[POD_TEMPLATE_HASH_LABEL];
        if (hashes.has(hash)) report("templateHash", `${uid}/${hash}`, `Deployment ${d.name}: ReplicaSets ${hashes.get(hash)} and ${rs.name} share template hash ${hash} at ${row.id}`);
        hashes.set(hash, rs.name);
        const rev = revisionOf(rs);
        if (rev > 0 && revisions.has(rev)) report("revisions", `${uid}/${rev}`, `Deployment ${d.name}: ReplicaSets ${revisions.get(rev)} and ${rs.name} both have revision ${rev} at ${row.id}`);
        revisions.set(rev, rs.name);
      }
      if (d.strategy.type === "RollingUpdate" && d.observed_generation === d.generation) {
        const total = owned.reduce((n, rs) => n + Number(rs.replicas), 0);
        const bound = Number(d.replicas) + maxSurge(asDeployment(d));
        if (total > bound) report("surge", `${uid}/${row.id}`, `Deployment ${d.name}: Σ ReplicaSet replicas ${total} > replicas + maxSurge = ${bound} at ${row.id}`);
      }
      const w = windows.get(uid);
      if (w) {
        const ownedUids = new Set(owned.map((rs) => rs.uid));
        let available = 0;
        for (const p of pods.values()) if (ownedUids.has(p.owner_uid) && p.ready && !p.deletion_timestamp) available++;
        if (available < w.minAvailable) report("availability", `${uid}/${w.since}`, `Deployment ${d.name}: ${available} available < replicas − maxUnavailable = ${w.minAvailable} at ${row.id} (rollout from ${w.since})`);
      }
    }
  }
}

/**
 * Every acknowledged mutation is in the log as the state it answered; each live Deployment ends
 * in the spec of its last acknowledged mutation (when no unanswered one followed); an Orphan
 * delete's ReplicaSets survive without an owner; a Background or Foreground delete leaves no
 * dependent.
 */
export function checkAcknowledged(log: Log, acks: Ack[], violations: Violation[]): void {
  const byId = new Map(log.rows.map((r) => [r.id, r]));
  for (const ack of acks) {
    if (ack.outcome !== "ok" || !ack.resourceVersion) continue;
    const row = byId.get(ack.resourceVersion);
    if (!row || row.uid !== ack.uid) {
      violations.push({ check: "acknowledged", detail: `${ack.op} ${ack.name} answered resourceVersion ${ack.resourceVersion}, which the change log does not hold for ${ack.uid}` });
      continue;
    }
    if (ack.replicas !== undefined && row.kind === "Deployment") {
      const o = row.object;
      const image = o.template?.spec?.containers?.[0]?.image;
      if (o.replicas !== ack.replicas || o.paused !== ack.paused || image !== ack.image) {
        violations.push({ check: "acknowledged", detail: `${ack.op} ${ack.name} answered ${JSON.stringify({ replicas: ack.replicas, paused: ack.paused, image: ack.image })} but the log holds ${JSON.stringify({ replicas: o.replicas, paused: o.paused, image })} at ${row.id}` });
      }
    }
  }

  // final state
  const live = new Map<string, Obj>();
  const everOwned = new Map<string, Set<string>>(); // deployment uid → ReplicaSet uids it ever owned
  const ownedAt = new Map<string, Map<string, Set<string>>>(); // rv → deployment → owned RS uids (for orphan checks)
  const orphanCuts = new Map(acks.filter((a) => a.op === "delete" && a.outcome === "ok" && a.propagationPolicy === "Orphan").map((a) => [a.resourceVersion!, a.uid!]));
  const current = new Map<string, Set<string>>();
  for (const row of log.rows) {
    if (row.type === "DELETED") live.delete(row.uid);
    else live.set(row.uid, { kind: row.kind, ...row.object });
    if (row.kind === "ReplicaSet") {
      for (const set of current.values()) set.delete(row.uid);
      // a ReplicaSet already being deleted is not one an Orphan delete keeps
      const owner = row.type === "DELETED" || row.object.deletion_timestamp ? null : row.object.owner_uid;
      if (owner) {
        if (!everOwned.has(owner)) everOwned.set(owner, new Set());
        everOwned.get(owner)!.add(row.uid);
        if (!current.has(owner)) current.set(owner, new Set());
        current.get(owner)!.add(row.uid);
      }
    }
    const cut = orphanCuts.get(row.id);
    if (cut) ownedAt.set(row.id, new Map([[cut, new Set(current.get(cut) ?? [])]]));
  }
  const liveDeployments = [...live.values()].filter((o) => o.kind === "Deployment");
  for (const d of liveDeployments) {
    const mine = acks.filter((a) => a.name === d.name);
    let lastOk = mine.length - 1;
    while (lastOk >= 0 && !(mine[lastOk].outcome === "ok" && mine[lastOk].replicas !== undefined && mine[lastOk].op !== "delete")) lastOk--;
    if (lastOk < 0 || mine.slice(lastOk + 1).some((a) => a.outcome === "unknown")) continue;
    const a = mine[lastOk];
    const image = d.template?.spec?.containers?.[0]?.image;
    if (d.uid === a.uid && (d.replicas !== a.replicas || d.paused !== a.paused || image !== a.image)) {
      violations.push({ check: "acknowledged", detail: `${d.name} ends as ${JSON.stringify({ replicas: d.replicas, paused: d.paused, image })}, its last acknowledged ${a.op} answered ${JSON.stringify({ replicas: a.replicas, paused: a.paused, image: a.image })}` });
    }
  }
  for (const ack of acks) {
    if (ack.op !== "delete" || ack.outcome !== "ok") continue;
    if (ack.propagationPolicy === "Orphan") {
      for (const rsUid of ownedAt.get(ack.resourceVersion!)?.get(ack.uid!) ?? []) {
        const rs = live.get(rsUid);
        if (!rs) violations.push({ check: "deletion", detail: `Orphan delete of ${ack.name} (answered at ${ack.resourceVersion}): its ReplicaSet ${rsUid} is gone; ${history(log, [rsUid, ack.uid!], ack.resourceVersion!)}` });
        else if (rs.owner_uid) violations.push({ check: "deletion", detail: `Orphan delete of ${ack.name}: ReplicaSet ${rs.name} still has a controller owner` });
      }
    } else {
      if (live.has(ack.uid!)) violations.push({ check: "deletion", detail: `${ack.propagationPolicy} delete of ${ack.name}: the Deployment still exists` });
      const sets = everOwned.get(ack.uid!) ?? new Set();
      for (const o of live.values()) {
        if ((o.kind === "ReplicaSet" && o.owner_uid === ack.uid) || (o.kind === "Pod" && sets.has(o.owner_uid) && live.get(o.owner_uid)?.owner_uid === ack.uid)) {
          violations.push({ check: "deletion", detail: `${ack.propagationPolicy} delete of ${ack.name}: dependent ${o.kind} ${o.name} survives` });
        }
      }
    }
  }
}

/** The rows of these objects from shortly before `from` on, for a violation's evidence. */
function history(log: Log, uids: string[], from: string): string {
  const rows = log.rows.filter((r) => uids.includes(r.uid) && BigInt(r.id) >= BigInt(from) - 50n);
  return rows
    .map((r) => `${r.id} ${r.kind} ${r.object.name} ${r.type} rv=${r.object.resource_version} replicas=${r.object.replicas} owner=${r.object.owner_uid ?? "-"} deleting=${r.object.deletion_timestamp ?? "-"} finalizers=${JSON.stringify(r.object.finalizers)} revision=${revisionOf(r.object)}`)
    .join(" | ");
}

/**
 * No missed wake-up: while a Deployment of the quiet phase (no faults, periodic resync off) is not
 * done, consecutive writes to it, its ReplicaSets and their pods are at most `boundMs` apart — a
 * step that waited for a resync shows as a longer gap (pod start-up times count against the bound).
 */
export function checkWakeups(log: Log, uids: Set<string>, boundMs: number, violations: Violation[]): number {
  let maxGap = 0;
  const owner = new Map<string, string>(); // ReplicaSet or Pod uid → Deployment uid
  const last = new Map<string, { at: number; id: string; done: boolean }>();
  for (const row of log.rows) {
    const o = row.object;
    let d: string | undefined;
    if (row.kind === "Deployment") d = row.uid;
    else d = owner.get(o.owner_uid) ?? (row.kind === "ReplicaSet" ? o.owner_uid : undefined);
    if (!d || !uids.has(d)) continue;
    owner.set(row.uid, d);
    const prev = last.get(d);
    const t = row.at;
    if (prev && !prev.done) {
      const gap = t - prev.at;
      maxGap = Math.max(maxGap, gap);
      if (gap > boundMs) violations.push({ check: "wakeup", detail: `Deployment ${d}: nothing happened for ${gap} ms between ${prev.id} and ${row.id} while its rollout was not done` });
    }
    const done = row.kind === "Deployment" ? row.type === "DELETED" || complete(o) : (prev?.done ?? false);
    last.set(d, { at: t, id: row.id, done });
  }
  return maxGap;
}

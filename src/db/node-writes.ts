// The node agent's reads and writes, a tick's worth at a time: one SELECT for the pods due, one
// UPDATE for every report that changes a pod and one DELETE for every pod whose grace period is
// over, each conditional on the version read (each statement its own transaction).
import type { Db } from "./client.ts";
import { podOf } from "./rows.ts";
import type { KubeletResult } from "../domain/kubelet.ts";
import { keyOf } from "../domain/names.ts";
import type { Pod } from "../domain/types.ts";

export interface PodVersion {
  uid: string;
  resourceVersion: bigint;
}

export interface ReadPod {
  pod: Pod;
  version: PodVersion;
}

/** The pods that exist among `keys` ("namespace/name"), by key, with the version each was read at. */
export async function readPods(db: Db, keys: { namespace: string; name: string }[]): Promise<Map<string, ReadPod>> {
  const byNamespace = new Map<string, string[]>();
  for (const { namespace, name } of keys) {
    const names = byNamespace.get(namespace);
    if (names) names.push(name);
    else byNamespace.set(namespace, [name]);
  }
  const rows = await db.pod.findMany({ where: { OR: [...byNamespace].map(([namespace, names]) => ({ namespace, name: { in: names } })) } });
  return new Map(rows.map((row) => [keyOf(row.namespace, row.name), { pod: podOf(row), version: { uid: row.uid, resourceVersion: row.resourceVersion } }]));
}

export type NodeReport = Pick<KubeletResult, "deleteRow" | "nodeName" | "status">;

/**
 * Writes the reports: the removals in one DELETE, the node bindings and statuses in one
 * UPDATE … FROM unnest(…), each row only if it still has the version read. Returns the uids
 * written; a pod missing from it changed meanwhile.
 */
export async function writeNodeReports(db: Db, reports: { version: PodVersion; report: NodeReport }[]): Promise<Set<string>> {
  const deletes = reports.filter((r) => r.report.deleteRow);
  const updates = reports.filter((r) => !r.report.deleteRow && (r.report.status || r.report.nodeName));
  const written = new Set<string>();
  if (deletes.length > 0) {
    const rows = await db.$queryRawUnsafe<{ uid: string }[]>(
      `DELETE FROM pods p USING unnest($1::uuid[], $2::bigint[]) AS v(uid, rv)
        WHERE p.uid = v.uid AND p.resource_version = v.rv RETURNING p.uid::text AS uid`,
      deletes.map((r) => r.version.uid),
      deletes.map((r) => String(r.version.resourceVersion)),
    );
    for (const { uid } of rows) written.add(uid);
  }
  if (updates.length > 0) {
    const column = <T>(f: (r: NodeReport) => T) => updates.map((u) => f(u.report));
    const rows = await db.$queryRawUnsafe<{ uid: string }[]>(
      `UPDATE pods p SET
          node_name = COALESCE(v.node_name, p.node_name),
          phase = CASE WHEN v.has_status THEN v.phase ELSE p.phase END,
          ready = CASE WHEN v.has_status THEN v.ready ELSE p.ready END,
          conditions = CASE WHEN v.has_status THEN v.conditions::jsonb ELSE p.conditions END,
          container_statuses = CASE WHEN v.has_status THEN v.container_statuses::jsonb ELSE p.container_statuses END,
          start_time = CASE WHEN v.has_status THEN v.start_time ELSE p.start_time END,
          pod_ip = CASE WHEN v.has_status THEN v.pod_ip ELSE p.pod_ip END
        FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::boolean[], $5::text[], $6::boolean[], $7::text[], $8::text[], $9::timestamptz[], $10::text[])
          AS v(uid, rv, node_name, has_status, phase, ready, conditions, container_statuses, start_time, pod_ip)
        WHERE p.uid = v.uid AND p.resource_version = v.rv RETURNING p.uid::text AS uid`,
      updates.map((u) => u.version.uid),
      updates.map((u) => String(u.version.resourceVersion)),
      column((r) => r.nodeName ?? null),
      column((r) => r.status !== undefined),
      column((r) => r.status?.phase ?? null),
      column((r) => r.status?.ready ?? null),
      column((r) => (r.status ? JSON.stringify(r.status.conditions) : null)),
      column((r) => (r.status ? JSON.stringify(r.status.containerStatuses) : null)),
      column((r) => r.status?.startTime?.toISOString() ?? null),
      column((r) => r.status?.podIP ?? null),
    );
    for (const { uid } of rows) written.add(uid);
  }
  return written;
}

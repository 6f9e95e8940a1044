// The node agent's reads and writes: one pod, and what the agent reports about it.
import type { Db } from "./client.ts";
import { podOf, podStatusColumns } from "./rows.ts";
import type { KubeletResult } from "../domain/kubelet.ts";
import type { Pod } from "../domain/types.ts";

export interface PodVersion {
  uid: string;
  resourceVersion: bigint;
}

/** The pod and the version it was read at, or null when it does not exist. */
export async function readPod(db: Db, namespace: string, name: string): Promise<{ pod: Pod; version: PodVersion } | null> {
  const row = await db.pod.findUnique({ where: { namespace_name: { namespace, name } } });
  return row && { pod: podOf(row), version: { uid: row.uid, resourceVersion: row.resourceVersion } };
}

/**
 * Writes what the agent reports (the pod's removal, or its node and status) in one statement (its
 * own transaction), conditional on the version read: false when the pod changed meanwhile.
 */
export async function writeNodeReport(db: Db, version: PodVersion, report: Pick<KubeletResult, "deleteRow" | "nodeName" | "status">): Promise<boolean> {
  const written = report.deleteRow
    ? (await db.pod.deleteMany({ where: version })).count
    : (await db.pod.updateMany({ where: version, data: { ...(report.nodeName ? { nodeName: report.nodeName } : {}), ...(report.status ? podStatusColumns(report.status) : {}) } })).count;
  return written > 0;
}

// The simulated kubelet: for each pod, the pure state machine of src/domain/kubelet.ts says what
// the node agent would report now and when it next changes; this writes it and sets a timer.
// Timers are derived from stored timestamps, so a restart picks up exactly where it was.
// Pods are handled a tick's worth at a time: one read and at most two writes for all of them.
import type { Db } from "../db/client.ts";
import { readPods, writeNodeReports, type NodeReport, type PodVersion } from "../db/node-writes.ts";
import { simulatePod } from "../domain/kubelet.ts";
import { splitKey } from "../domain/names.ts";

export interface KubeletConfig {
  nodes: string[];
  /** nodes whose agent is gone, run too (src/domain/kubelet.ts `takenOverNodes`) */
  takenOver: readonly string[];
  podStartupMs: number;
  maxGraceSeconds: number | null;
}

/**
 * One step for each pod of `keys`; returns, by key, when to look at it again (ms from now), or
 * null. A pod that changed between the read and the write is looked at again at once (0).
 */
export async function syncPods(db: Db, keys: string[], config: KubeletConfig, now: () => Date): Promise<Map<string, number | null>> {
  const read = await readPods(db, keys.map(splitKey));
  const at = now();
  const after = new Map<string, number | null>(keys.map((k) => [k, null]));
  const reports: { key: string; version: PodVersion; report: NodeReport }[] = [];
  for (const [key, { pod, version }] of read) {
    const result = simulatePod(pod, {
      now: at,
      nodes: config.nodes,
      takenOver: config.takenOver,
      defaultStartupMs: config.podStartupMs,
      maxGraceSeconds: config.maxGraceSeconds ?? undefined,
    });
    after.set(key, result.nextWakeAt ? Math.max(0, result.nextWakeAt.getTime() - at.getTime()) : null);
    if (result.deleteRow || result.status || result.nodeName) reports.push({ key, version, report: result });
  }
  const written = await writeNodeReports(db, reports);
  for (const { key, version } of reports) if (!written.has(version.uid)) after.set(key, 0);
  return after;
}

// The simulated kubelet: for each pod, the pure state machine of src/domain/kubelet.ts says what
// the node agent would report now and when it next changes; this writes it and sets a timer.
// Timers are derived from stored timestamps, so a restart picks up exactly where it was.
import type { Db } from "../db/client.ts";
import { podOf, podStatusColumns } from "../db/rows.ts";
import { simulatePod } from "../domain/kubelet.ts";
import { splitKey } from "../controller/keys.ts";

export interface KubeletConfig {
  nodes: string[];
  podStartupMs: number;
  maxGraceSeconds: number | null;
}

/** One step for one pod; returns when to look at it again (ms from now), or null. */
export async function syncPod(db: Db, key: string, config: KubeletConfig, now: () => Date): Promise<number | null> {
  const { namespace, name } = splitKey(key);
  const row = await db.pod.findUnique({ where: { namespace_name: { namespace, name } } });
  if (!row) return null;
  const at = now();
  const result = simulatePod(podOf(row), {
    now: at,
    nodes: config.nodes,
    defaultStartupMs: config.podStartupMs,
    maxGraceSeconds: config.maxGraceSeconds ?? undefined,
  });
  if (result.deleteRow || result.status || result.nodeName) {
    // One statement (its own transaction), conditional on the version read: a pod changed
    // meanwhile is simply looked at again.
    const version = { uid: row.uid, resourceVersion: row.resourceVersion };
    const written = result.deleteRow
      ? (await db.pod.deleteMany({ where: version })).count
      : (await db.pod.updateMany({ where: version, data: { ...(result.nodeName ? { nodeName: result.nodeName } : {}), ...(result.status ? podStatusColumns(result.status) : {}) } })).count;
    if (written === 0) return 0;
  }
  return result.nextWakeAt ? Math.max(0, result.nextWakeAt.getTime() - at.getTime()) : null;
}

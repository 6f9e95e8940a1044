// The simulated kubelet: for each pod, the pure state machine of src/domain/kubelet.ts says what
// the node agent would report now and when it next changes; this writes it and sets a timer.
// Timers are derived from stored timestamps, so a restart picks up exactly where it was.
import type { Db } from "../db/client.ts";
import { readPod, writeNodeReport } from "../db/node-writes.ts";
import { simulatePod } from "../domain/kubelet.ts";
import { splitKey } from "../domain/names.ts";

export interface KubeletConfig {
  nodes: string[];
  podStartupMs: number;
  maxGraceSeconds: number | null;
}

/** One step for one pod; returns when to look at it again (ms from now), or null. */
export async function syncPod(db: Db, key: string, config: KubeletConfig, now: () => Date): Promise<number | null> {
  const { namespace, name } = splitKey(key);
  const read = await readPod(db, namespace, name);
  if (!read) return null;
  const at = now();
  const result = simulatePod(read.pod, {
    now: at,
    nodes: config.nodes,
    defaultStartupMs: config.podStartupMs,
    maxGraceSeconds: config.maxGraceSeconds ?? undefined,
  });
  // a pod changed meanwhile is simply looked at again
  if ((result.deleteRow || result.status || result.nodeName) && !(await writeNodeReport(db, read.version, result))) return 0;
  return result.nextWakeAt ? Math.max(0, result.nextWakeAt.getTime() - at.getTime()) : null;
}

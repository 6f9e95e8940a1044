// Runs the controllers of one process. Event handlers only enqueue keys, as upstream's do:
// every change from the change feed maps to the keys it affects (the object, its controller
// owner, the owner's owner), a periodic resync enqueues every object, and each queue's workers
// run the idempotent per-key syncs. Wake-ups caused by pods are coalesced (addSoon, one window of
// POD_WAKE_COALESCE_MS): a burst of pod changes is a few syncs of their ReplicaSet, not one each.
// Several processes may run on one database: each sync takes its object's advisory lock, so one
// object is never reconciled by two processes at once, and a process that dies holds no lock
// (takeover is immediate: the next sync anywhere proceeds).
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { controllerOf, isDeleting, ownerUidOf, type Change, type ChangeFeed } from "../db/change-feed.ts";
import { deploymentKeysOfReplicaSets, listKeys, listOwnerKeysIn } from "../db/keys.ts";
import { keyOf } from "../domain/names.ts";
import type { Logger } from "../log.ts";
import { setRepeatingTimer, type Timer } from "../timers.ts";
import { WorkQueue } from "../workqueue.ts";
import { collectGarbage } from "./garbage-collector.ts";
import { syncReplicaSet } from "./replicaset-controller.ts";
import { syncDeployment } from "./deployment-controller.ts";

/** the coalescing window of pod-triggered ReplicaSet and Deployment wake-ups */
export const POD_WAKE_COALESCE_MS = 50;

export interface ControllerManagerOptions {
  db: Db;
  feed: ChangeFeed;
  /** simulator: whether this process runs the node agent (without one, the garbage collector removes terminated pods) */
  config: Pick<Config, "workers" | "resyncMs" | "simulator" | "maxGraceSeconds">;
  log: Logger;
  now?: () => Date;
}

export class ControllerManager {
  readonly deployments: WorkQueue;
  readonly replicaSets: WorkQueue;
  readonly gc: WorkQueue;
  #unsubscribe: (() => void)[] = [];
  #dispatching = 0;
  #resyncTimer: Timer | null = null;
  readonly #o: ControllerManagerOptions;
  readonly #now: () => Date;

  constructor(options: ControllerManagerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    const { db, config, log } = options;
    const onError = (queue: string) => (key: string, error: unknown, attempt: number) => log.warn(`${queue} sync failed; retrying with back-off`, { key, attempt, error: String(error) });
    this.deployments = new WorkQueue({
      workers: config.workers,
      coalesceMs: POD_WAKE_COALESCE_MS,
      onError: onError("deployment"),
      handler: async (key) => {
        const { requeueAfterMs } = await syncDeployment(db, key, this.#now);
        if (requeueAfterMs !== null) this.deployments.addAfter(key, requeueAfterMs);
      },
    });
    this.replicaSets = new WorkQueue({
      workers: config.workers,
      coalesceMs: POD_WAKE_COALESCE_MS,
      onError: onError("replicaset"),
      handler: async (key) => {
        const { requeueAfterMs } = await syncReplicaSet(db, key, this.#now);
        if (requeueAfterMs !== null) this.replicaSets.addAfter(key, requeueAfterMs);
      },
    });
    this.gc = new WorkQueue({
      workers: 1,
      onError: onError("garbage collector"),
      handler: async () => {
        const { changed, nextDueMs } = await collectGarbage(db, { finishTerminatedPods: !config.simulator, maxGraceSeconds: config.maxGraceSeconds });
        // a pass that changed something may have made more work; without a kubelet, terminating
        // pods are removed here when their grace period ends
        if (changed) this.gc.add("all");
        else if (nextDueMs !== null) this.gc.addAfter("all", nextDueMs);
      },
    });
  }

  async start(): Promise<void> {
    const { feed, config } = this.#o;
    this.#unsubscribe.push(feed.subscribe((batch) => void this.#dispatch(batch)));
    this.#unsubscribe.push(feed.onRelist(() => void this.resync()));
    await this.resync();
    this.#resyncTimer = setRepeatingTimer(() => void this.resync(), config.resyncMs, { unref: true });
  }

  /** Enqueues every object (level-triggered safety net: a lost event costs latency only). */
  async resync(): Promise<void> {
    const { db, log } = this.#o;
    try {
      const [deployments, replicaSets] = await Promise.all([listKeys(db, "Deployment"), listKeys(db, "ReplicaSet")]);
      for (const key of deployments) this.deployments.add(key);
      for (const key of replicaSets) this.replicaSets.add(key);
      this.gc.add("all");
    } catch (err) {
      log.warn("resync failed", { error: String(err) });
    }
  }

  /** Change batches whose keys are still being looked up (a batch may enqueue keys after a query). */
  get dispatching(): number {
    return this.#dispatching;
  }

  async #dispatch(batch: Change[]): Promise<void> {
    this.#dispatching++;
    try {
      await this.#enqueue(batch);
    } finally {
      this.#dispatching--;
    }
  }

  async #enqueue(batch: Change[]): Promise<void> {
    const orphanNamespaces = { ReplicaSet: new Set<string>(), Pod: new Set<string>() };
    /** ReplicaSets that lost a pod: their Deployment may be waiting for it (Recreate waits for old pods to be gone) */
    const lostPodOwners = new Set<string>();
    for (const change of batch) {
      const key = keyOf(change.namespace, change.name);
      const owner = controllerOf(change);
      const deleting = isDeleting(change);
      switch (change.kind) {
        case "Deployment":
          this.deployments.add(key);
          if (deleting) this.gc.add("all");
          break;
        case "ReplicaSet":
          this.replicaSets.add(key);
          if (owner) this.deployments.add(keyOf(change.namespace, owner.name));
          else orphanNamespaces.ReplicaSet.add(change.namespace);
          if (deleting) this.gc.add("all");
          break;
        case "Pod":
          if (owner) this.replicaSets.addSoon(keyOf(change.namespace, owner.name));
          else if (change.type !== "DELETED") orphanNamespaces.Pod.add(change.namespace);
          // A pod that is gone changes no ReplicaSet status when it was already terminating, so
          // its Deployment is woken directly (upstream's deletePod handler).
          const ownerUid = ownerUidOf(change);
          if (owner && change.type === "DELETED" && ownerUid !== null) lostPodOwners.add(ownerUid);
          // without a kubelet the garbage collector removes a terminating pod when it is due
          if (!this.#o.config.simulator && deleting && change.type !== "DELETED") this.gc.add("all");
          break;
      }
    }
    // An orphan may be adopted by any owner in its namespace whose selector matches: wake them.
    try {
      const { db } = this.#o;
      for (const namespace of orphanNamespaces.ReplicaSet) for (const key of await listOwnerKeysIn(db, "Deployment", namespace)) this.deployments.add(key);
      for (const namespace of orphanNamespaces.Pod) for (const key of await listOwnerKeysIn(db, "ReplicaSet", namespace)) this.replicaSets.addSoon(key);
      if (lostPodOwners.size > 0) for (const key of await deploymentKeysOfReplicaSets(db, [...lostPodOwners])) this.deployments.addSoon(key);
    } catch (err) {
      this.#o.log.warn("could not look up the owners a change may wake", { error: String(err) });
    }
  }

  async stop(): Promise<void> {
    this.#resyncTimer?.clear();
    for (const u of this.#unsubscribe) u();
    await Promise.all([this.deployments.shutdown(), this.replicaSets.shutdown(), this.gc.shutdown()]);
  }
}

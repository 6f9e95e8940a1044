// Runs the controllers of one process. Event handlers only enqueue keys, as upstream's do:
// every change from the change feed maps to the keys it affects (the object, its controller
// owner, the owner's owner), a periodic resync enqueues every object, and each queue's workers
// run the idempotent per-key syncs. Wake-ups caused by pods are coalesced (addSoon, one window of
// POD_WAKE_COALESCE_MS): a burst of pod changes is a few syncs of their ReplicaSet, not one each.
// A change whose keys need a query (the owners that may adopt an orphan, the Deployment of a
// ReplicaSet that lost a pod) becomes a key of the `wakes` queue, whose lookup is retried with
// back-off like any sync: a failed lookup delays the wake-up, it never loses it.
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
  /** wake-ups that need a query first (keys: see `Wake`) */
  readonly wakes: WorkQueue;
  #unsubscribe: (() => void)[] = [];
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
    this.wakes = new WorkQueue({
      workers: 2,
      // a wake-up lost for good is only late: the periodic resync enqueues every object anyway
      maxDelayMs: config.resyncMs,
      onError: onError("wake-up lookup"),
      handler: async (key) => {
        const wake = JSON.parse(key) as Wake;
        switch (wake.lookup) {
          case "adopters":
            for (const owner of await listOwnerKeysIn(db, wake.kind, wake.namespace)) {
              if (wake.kind === "Deployment") this.deployments.add(owner);
              else this.replicaSets.addSoon(owner);
            }
            break;
          case "deploymentOf":
            for (const owner of await deploymentKeysOfReplicaSets(db, [wake.replicaSetUid])) this.deployments.addSoon(owner);
            break;
        }
      },
    });
  }

  async start(): Promise<void> {
    const { feed, config } = this.#o;
    this.#unsubscribe.push(feed.subscribe((batch) => this.#enqueue(batch)));
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

  #wake(wake: Wake): void {
    this.wakes.add(JSON.stringify(wake));
  }

  #enqueue(batch: Change[]): void {
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
          // an orphan may be adopted by any owner in its namespace whose selector matches
          else this.#wake({ lookup: "adopters", kind: "Deployment", namespace: change.namespace });
          if (deleting) this.gc.add("all");
          break;
        case "Pod":
          if (owner) this.replicaSets.addSoon(keyOf(change.namespace, owner.name));
          else if (change.type !== "DELETED") this.#wake({ lookup: "adopters", kind: "ReplicaSet", namespace: change.namespace });
          // A pod that is gone changes no ReplicaSet status when it was already terminating, so
          // its Deployment is woken directly (upstream's deletePod handler); Recreate waits for it.
          const ownerUid = ownerUidOf(change);
          if (owner && change.type === "DELETED" && ownerUid !== null) this.#wake({ lookup: "deploymentOf", replicaSetUid: ownerUid });
          // without a kubelet the garbage collector removes a terminating pod when it is due
          if (!this.#o.config.simulator && deleting && change.type !== "DELETED") this.gc.add("all");
          break;
      }
    }
  }

  async stop(): Promise<void> {
    this.#resyncTimer?.clear();
    for (const u of this.#unsubscribe) u();
    await Promise.all([this.deployments.shutdown(), this.replicaSets.shutdown(), this.gc.shutdown(), this.wakes.shutdown()]);
  }
}

/** A wake-up that needs a query: the owners of a kind in a namespace, or the Deployment of a ReplicaSet. */
type Wake = { lookup: "adopters"; kind: "Deployment" | "ReplicaSet"; namespace: string } | { lookup: "deploymentOf"; replicaSetUid: string };

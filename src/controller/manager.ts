// Runs the controllers of one process. Event handlers only enqueue keys, as upstream's do:
// every change from the change feed maps to the keys it affects (the object, its controller
// owner, the owner's owner), a periodic resync enqueues every object, and each queue's workers
// run the idempotent per-key syncs. Several processes may run on one database: each sync takes
// its object's advisory lock, so one object is never reconciled by two processes at once, and a
// process that dies holds no lock (takeover is immediate: the next sync anywhere proceeds).
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import type { Change, ChangeFeed } from "../db/change-feed.ts";
import type { Logger } from "../log.ts";
import { setRepeatingTimer, type Timer } from "../timers.ts";
import { syncPod } from "../kubelet/kubelet.ts";
import { collectGarbage } from "./garbage-collector.ts";
import { keyOf } from "./keys.ts";
import { syncReplicaSet } from "./replicaset-controller.ts";
import { syncDeployment } from "./deployment-controller.ts";
import { WorkQueue } from "./workqueue.ts";

export interface ControllerManagerOptions {
  db: Db;
  feed: ChangeFeed;
  config: Pick<Config, "workers" | "resyncMs" | "simulator" | "nodes" | "podStartupMs" | "maxGraceSeconds">;
  log: Logger;
  now?: () => Date;
}

interface OwnerRef {
  kind: string;
  name: string;
  controller: boolean;
}

export class ControllerManager {
  readonly deployments: WorkQueue;
  readonly replicaSets: WorkQueue;
  readonly pods: WorkQueue | null;
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
    const onError = (queue: string) => (key: string, error: unknown) => log.warn(`${queue} sync failed; retrying with back-off`, { key, error: String(error) });
    this.deployments = new WorkQueue({
      workers: config.workers,
      onError: onError("deployment"),
      handler: async (key) => {
        const { requeueAfterMs } = await syncDeployment(db, key, this.#now);
        if (requeueAfterMs !== null) this.deployments.addAfter(key, requeueAfterMs);
      },
    });
    this.replicaSets = new WorkQueue({
      workers: config.workers,
      onError: onError("replicaset"),
      handler: async (key) => {
        const { requeueAfterMs } = await syncReplicaSet(db, key, this.#now);
        if (requeueAfterMs !== null) this.replicaSets.addAfter(key, requeueAfterMs);
      },
    });
    this.pods = config.simulator
      ? new WorkQueue({
          workers: config.workers,
          onError: onError("kubelet"),
          handler: async (key) => {
            const after = await syncPod(db, key, config, this.#now);
            if (after !== null) this.pods!.addAfter(key, after);
          },
        })
      : null;
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
      const [deployments, replicaSets, pods] = await Promise.all([
        db.deployment.findMany({ select: { namespace: true, name: true } }),
        db.replicaSet.findMany({ select: { namespace: true, name: true } }),
        this.pods ? db.pod.findMany({ select: { namespace: true, name: true } }) : Promise.resolve([]),
      ]);
      for (const d of deployments) this.deployments.add(keyOf(d.namespace, d.name));
      for (const r of replicaSets) this.replicaSets.add(keyOf(r.namespace, r.name));
      for (const p of pods) this.pods?.add(keyOf(p.namespace, p.name));
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
      const owner = ((change.object.owner_references ?? []) as OwnerRef[]).find((r) => r.controller);
      const deleting = change.type === "DELETED" || change.object.deletion_timestamp != null;
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
          this.pods?.add(key);
          if (owner) this.replicaSets.add(keyOf(change.namespace, owner.name));
          else if (change.type !== "DELETED") orphanNamespaces.Pod.add(change.namespace);
          // A pod that is gone changes no ReplicaSet status when it was already terminating, so
          // its Deployment is woken directly (upstream's deletePod handler).
          if (owner && change.type === "DELETED" && typeof change.object.owner_uid === "string") lostPodOwners.add(change.object.owner_uid);
          // without a kubelet the garbage collector removes a terminating pod when it is due
          if (!this.pods && deleting && change.type !== "DELETED") this.gc.add("all");
          break;
      }
    }
    // An orphan may be adopted by any owner in its namespace whose selector matches: wake them.
    try {
      for (const namespace of orphanNamespaces.ReplicaSet) {
        for (const d of await this.#o.db.deployment.findMany({ where: { namespace }, select: { name: true } })) this.deployments.add(keyOf(namespace, d.name));
      }
      for (const namespace of orphanNamespaces.Pod) {
        for (const r of await this.#o.db.replicaSet.findMany({ where: { namespace }, select: { name: true } })) this.replicaSets.add(keyOf(namespace, r.name));
      }
      if (lostPodOwners.size > 0) {
        const owners = await this.#o.db.replicaSet.findMany({ where: { uid: { in: [...lostPodOwners] } }, select: { namespace: true, ownerReferences: true } });
        for (const rs of owners) {
          const d = ((rs.ownerReferences ?? []) as unknown as OwnerRef[]).find((r) => r.controller && r.kind === "Deployment");
          if (d) this.deployments.add(keyOf(rs.namespace, d.name));
        }
      }
    } catch (err) {
      this.#o.log.warn("could not look up the owners a change may wake", { error: String(err) });
    }
  }

  async stop(): Promise<void> {
    this.#resyncTimer?.clear();
    for (const u of this.#unsubscribe) u();
    await Promise.all([this.deployments.shutdown(), this.replicaSets.shutdown(), this.pods?.shutdown(), this.gc.shutdown()]);
  }
}

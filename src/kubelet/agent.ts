// The node agent: what a real node would run, talking to the database only. It registers its nodes
// (SIM_NODES) with a lease it renews every quarter of SIM_NODE_LEASE_MS, and gives the leases up
// when it stops; new pods are bound to live nodes only (src/db/nodes.ts). It runs the pods bound to
// its nodes, and binds the unbound ones (created while no node was live); on each heartbeat it also
// takes over the nodes with pods and no live lease (their agent is gone; `takenOverNodes`) and runs
// their pods too, until a lease on them appears again. Its own queue of pod keys is fed by its own
// subscription to the change feed (the changes of those pods), a re-list after a lost feed
// connection and a periodic resync. The keys the queue hands out together (up to BATCH_MAX at once)
// are synced together: one read and at most two writes per tick (syncPods).
// It runs when SIMULATOR=on, whether or not this process also runs the controllers.
import { randomUUID } from "node:crypto";
import { setRepeatingTimer, type Timer } from "../timers.ts";
import type { Config } from "../config.ts";
import type { ChangeFeed } from "../db/change-feed.ts";
import type { Db } from "../db/client.ts";
import { listPodKeysFor, nodeNameOf, readNodesWithPods, releaseLeases, renewLeases } from "../db/nodes.ts";
import type { Logger } from "../log.ts";
import { WorkQueue } from "../workqueue.ts";
import { servesPod, takenOverNodes } from "../domain/kubelet.ts";
import { keyOf } from "../domain/names.ts";
import { syncPods } from "./kubelet.ts";

/** pods synced in one tick at most (the queue's workers) */
export const BATCH_MAX = 500;
/** ticks running at once at most */
const TICKS_IN_FLIGHT = 2;

export interface NodeAgentOptions {
  db: Db;
  feed: ChangeFeed;
  config: Pick<Config, "resyncMs" | "nodes" | "nodeLeaseMs" | "podStartupMs" | "maxGraceSeconds">;
  log: Logger;
  now?: () => Date;
}

export class NodeAgent {
  readonly pods: WorkQueue;
  #unsubscribe: (() => void)[] = [];
  #resyncTimer: Timer | null = null;
  #heartbeat: Timer | null = null;
  /** the nodes of gone agents it runs the pods of too, as of its last heartbeat */
  #takenOver: string[] = [];
  /** this agent's name on its leases */
  readonly #holder = randomUUID();
  readonly #o: NodeAgentOptions;

  constructor(options: NodeAgentOptions) {
    this.#o = options;
    const { db, config, log } = options;
    const now = options.now ?? (() => new Date());
    const tick = new Tick((keys) => syncPods(db, keys, { ...config, takenOver: this.#takenOver }, now));
    this.pods = new WorkQueue({
      workers: BATCH_MAX,
      onError: (key, error) => log.warn("kubelet sync failed; retrying with back-off", { key, error: String(error) }),
      handler: async (key) => {
        const after = await tick.sync(key);
        if (after !== null) this.pods.addAfter(key, after);
      },
    });
  }

  async start(): Promise<void> {
    const { db, feed, config } = this.#o;
    await renewLeases(db, this.#holder, config.nodes, config.nodeLeaseMs);
    await this.#takeOver();
    this.#heartbeat = setRepeatingTimer(() => void this.#renew(), config.nodeLeaseMs / 4, { unref: true });
    this.#unsubscribe.push(
      feed.subscribe((batch) => {
        for (const change of batch) {
          if (change.kind === "Pod" && servesPod(nodeNameOf(change), config.nodes, this.#takenOver)) this.pods.add(keyOf(change.namespace, change.name));
        }
      }),
    );
    this.#unsubscribe.push(feed.onRelist(() => void this.resync()));
    await this.resync();
    this.#resyncTimer = setRepeatingTimer(() => void this.resync(), config.resyncMs, { unref: true });
  }

  async #renew(): Promise<void> {
    const { db, config, log } = this.#o;
    try {
      await renewLeases(db, this.#holder, config.nodes, config.nodeLeaseMs);
    } catch (err) {
      log.warn("node lease renewal failed; retrying at the next heartbeat", { nodes: config.nodes, error: String(err) });
    }
    await this.#takeOver();
  }

  /** Takes over the nodes with pods and no live lease, enqueuing the pods of the new ones; gives back those live again. */
  async #takeOver(): Promise<void> {
    const { db, config, log } = this.#o;
    try {
      const takenOver = takenOverNodes(config.nodes, await readNodesWithPods(db));
      const added = takenOver.filter((n) => !this.#takenOver.includes(n));
      const given = this.#takenOver.filter((n) => !takenOver.includes(n));
      this.#takenOver = takenOver;
      if (added.length > 0 || given.length > 0) log.info("node agent serving the nodes whose agents are gone", { takenOver, added, given });
      if (added.length > 0) for (const key of await listPodKeysFor(db, added)) this.pods.add(key);
    } catch (err) {
      log.warn("reading the nodes whose agents are gone failed; retrying at the next heartbeat", { error: String(err) });
    }
  }

  /** Enqueues every pod of its nodes and of those it took over, and the unbound (level-triggered safety net: a lost event costs latency only). */
  async resync(): Promise<void> {
    try {
      for (const key of await listPodKeysFor(this.#o.db, [...this.#o.config.nodes, ...this.#takenOver])) this.pods.add(key);
    } catch (err) {
      this.#o.log.warn("kubelet resync failed", { error: String(err) });
    }
  }

  async stop(): Promise<void> {
    this.#heartbeat?.clear();
    this.#resyncTimer?.clear();
    for (const u of this.#unsubscribe) u();
    await releaseLeases(this.#o.db, this.#holder).catch((err) => this.#o.log.warn("node lease release failed; the leases expire", { error: String(err) }));
    await this.pods.shutdown();
  }
}

/**
 * Gathers the keys handed in during one turn of the event loop and runs them as one batch. Up to
 * TICKS_IN_FLIGHT batches run at once (a batch stuck on a dead connection does not stop the agent;
 * the agent never takes more pooled connections than that); the next keys gather meanwhile. A
 * failed batch fails each of its keys.
 */
class Tick {
  #pending: { key: string; resolve: (after: number | null) => void; reject: (error: unknown) => void }[] = [];
  #scheduled = false;
  #inFlight = 0;
  readonly #run: (keys: string[]) => Promise<Map<string, number | null>>;

  constructor(run: (keys: string[]) => Promise<Map<string, number | null>>) {
    this.#run = run;
  }

  /** When to look at the key again (ms from now), or null, once its batch is done. */
  sync(key: string): Promise<number | null> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ key, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= TICKS_IN_FLIGHT) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    this.#inFlight++;
    try {
      const after = await this.#run(batch.map((b) => b.key));
      for (const b of batch) b.resolve(after.get(b.key) ?? null);
    } catch (error) {
      for (const b of batch) b.reject(error);
    } finally {
      this.#inFlight--;
      if (this.#pending.length > 0) this.#schedule();
    }
  }
}

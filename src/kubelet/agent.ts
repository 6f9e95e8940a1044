// The node agent: what a real node would run, talking to the database only. It has its own
// queue of pod keys, fed by its own subscription to the change feed (every pod change), a re-list
// after a lost feed connection and a periodic resync. The keys the queue hands out together (up to
// BATCH_MAX at once) are synced together: one read and at most two writes per tick (syncPods).
// It runs when SIMULATOR=on, whether or not this process also runs the controllers.
import { setRepeatingTimer, type Timer } from "../timers.ts";
import type { Config } from "../config.ts";
import type { ChangeFeed } from "../db/change-feed.ts";
import type { Db } from "../db/client.ts";
import { listKeys } from "../db/keys.ts";
import type { Logger } from "../log.ts";
import { WorkQueue } from "../workqueue.ts";
import { keyOf } from "../domain/names.ts";
import { syncPods } from "./kubelet.ts";

/** pods synced in one tick at most (the queue's workers) */
export const BATCH_MAX = 500;
/** ticks running at once at most */
const TICKS_IN_FLIGHT = 2;

export interface NodeAgentOptions {
  db: Db;
  feed: ChangeFeed;
  config: Pick<Config, "resyncMs" | "nodes" | "podStartupMs" | "maxGraceSeconds">;
  log: Logger;
  now?: () => Date;
}

export class NodeAgent {
  readonly pods: WorkQueue;
  #unsubscribe: (() => void)[] = [];
  #resyncTimer: Timer | null = null;
  readonly #o: NodeAgentOptions;

  constructor(options: NodeAgentOptions) {
    this.#o = options;
    const { db, config, log } = options;
    const now = options.now ?? (() => new Date());
    const tick = new Tick((keys) => syncPods(db, keys, config, now));
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
    const { feed, config } = this.#o;
    this.#unsubscribe.push(
      feed.subscribe((batch) => {
        for (const change of batch) if (change.kind === "Pod") this.pods.add(keyOf(change.namespace, change.name));
      }),
    );
    this.#unsubscribe.push(feed.onRelist(() => void this.resync()));
    await this.resync();
    this.#resyncTimer = setRepeatingTimer(() => void this.resync(), config.resyncMs, { unref: true });
  }

  /** Enqueues every pod (level-triggered safety net: a lost event costs latency only). */
  async resync(): Promise<void> {
    try {
      for (const key of await listKeys(this.#o.db, "Pod")) this.pods.add(key);
    } catch (err) {
      this.#o.log.warn("kubelet resync failed", { error: String(err) });
    }
  }

  async stop(): Promise<void> {
    this.#resyncTimer?.clear();
    for (const u of this.#unsubscribe) u();
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

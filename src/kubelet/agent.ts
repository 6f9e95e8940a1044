// The node agent: what a real node would run, talking to the database only. It has its own
// queue of pod keys, fed by its own subscription to the change feed (every pod change), a re-list
// after a lost feed connection and a periodic resync; each key runs syncPod. It runs when
// SIMULATOR=on, whether or not this process also runs the controllers.
import { setRepeatingTimer, type Timer } from "../timers.ts";
import type { Config } from "../config.ts";
import type { ChangeFeed } from "../db/change-feed.ts";
import type { Db } from "../db/client.ts";
import { listKeys } from "../db/keys.ts";
import type { Logger } from "../log.ts";
import { WorkQueue } from "../workqueue.ts";
import { keyOf } from "../domain/names.ts";
import { syncPod } from "./kubelet.ts";

export interface NodeAgentOptions {
  db: Db;
  feed: ChangeFeed;
  config: Pick<Config, "workers" | "resyncMs" | "nodes" | "podStartupMs" | "maxGraceSeconds">;
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
    this.pods = new WorkQueue({
      workers: config.workers,
      onError: (key, error) => log.warn("kubelet sync failed; retrying with back-off", { key, error: String(error) }),
      handler: async (key) => {
        const after = await syncPod(db, key, config, now);
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

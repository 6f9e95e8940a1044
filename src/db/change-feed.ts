// The change feed: one dedicated LISTEN connection per process (outside any pool). A notification
// only says "look": on each one the feed reads every change-log row after the last id it has seen,
// so coalesced or lost notifications lose nothing. On connection loss it reconnects with capped
// exponential backoff, catches up from the change log, and tells consumers to re-list.
import pg from "pg";
import { controllerRef } from "../domain/ownership.ts";
import type { OwnerReference, StringMap } from "../domain/types.ts";
import { ownerReferencesOf } from "./rows.ts";
import type { Logger } from "../log.ts";
import { setRepeatingTimer, setTimer, type Timer } from "../timers.ts";

export const CHANNEL = "deploye_changes";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface Change {
  /** change-log id = the object's resourceVersion after this change */
  id: bigint;
  kind: "Deployment" | "ReplicaSet" | "Pod" | "Event";
  namespace: string;
  name: string;
  uid: string;
  type: ChangeType;
  /** the row as it was after the change (before it, for DELETED): column names, JSON values */
  object: Record<string, unknown>;
  /** MODIFIED only: the labels before the change (null for rows logged before it was recorded) */
  prevLabels: Record<string, string> | null;
  createdAt: Date;
}

export interface ChangeRow {
  /** bigint from Prisma, a decimal string from pg */
  id: bigint | string;
  kind: Change["kind"];
  namespace: string;
  name: string;
  uid: string;
  type: ChangeType;
  object: Record<string, unknown>;
  prev_labels: Record<string, string> | null;
  created_at: Date;
}

export function changeOf(row: ChangeRow): Change {
  return {
    id: BigInt(row.id),
    kind: row.kind,
    namespace: row.namespace,
    name: row.name,
    uid: row.uid,
    type: row.type,
    object: row.object,
    prevLabels: row.prev_labels,
    createdAt: row.created_at,
  };
}

// Typed reads of a change's object (the row as to_jsonb wrote it): the only place besides
// watch.ts's row converter that names its columns.

/** The changed object's controller owner reference, or null. */
export function controllerOf(change: Pick<Change, "object">): OwnerReference | null {
  return controllerRef({ ownerReferences: ownerReferencesOf(change.object.owner_references) });
}

/** The changed object's controller owner's uid, or null. */
export function ownerUidOf(change: Pick<Change, "object">): string | null {
  return typeof change.object.owner_uid === "string" ? change.object.owner_uid : null;
}

/** The changed object's labels. */
export function labelsOf(change: Pick<Change, "object">): StringMap {
  return (change.object.labels ?? {}) as StringMap;
}

/** Whether the change deleted the object or marked it for deletion. */
export function isDeleting(change: Pick<Change, "type" | "object">): boolean {
  return change.type === "DELETED" || change.object.deletion_timestamp != null;
}

/** An Event change's involvedObject name. */
export function involvedNameOf(change: Pick<Change, "object">): unknown {
  return change.object.involved_name;
}

// `id` stays a bigint: an `id::text AS id` would make `ORDER BY id` sort the text ("100" < "99").
export const CHANGE_COLUMNS = "id, kind, namespace, name, uid::text AS uid, type, object, prev_labels, created_at";

export interface ChangeFeedOptions {
  log: Logger;
  /** rows read per query */
  batchSize?: number;
  /** reconnect backoff: first delay and cap (ms) */
  backoffMs?: [number, number];
  /** read even without a notification this often (ms): a safety net, not the mechanism */
  pollMs?: number;
}

export interface ChangeFeedStats {
  lastId: bigint;
  batches: number;
  rows: number;
  reconnects: number;
  listeners: number;
}

type BatchListener = (batch: Change[]) => void;

export class ChangeFeed {
  #client: pg.Client | null = null;
  #lastId = 0n;
  #listeners = new Set<BatchListener>();
  #relistListeners = new Set<() => void>();
  #reading: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #reconnectTimer: Timer | null = null;
  #pollTimer: Timer | null = null;
  #stats = { batches: 0, rows: 0, reconnects: 0 };
  readonly #url: string;
  readonly #opts: Required<ChangeFeedOptions>;

  constructor(url: string, options: ChangeFeedOptions) {
    this.#url = url;
    this.#opts = { batchSize: 1000, backoffMs: [100, 30_000], pollMs: 5_000, ...options };
  }

  /** Connects, LISTENs, and starts from the newest change (consumers list current state themselves). */
  async start(): Promise<void> {
    await this.#connect(async (client) => {
      const { rows } = await client.query<{ id: string | null }>("SELECT max(id)::text AS id FROM change_log");
      this.#lastId = BigInt(rows[0].id ?? 0);
    });
    void this.#read(); // anything committed while connecting
    this.#pollTimer = setRepeatingTimer(() => this.#read(), this.#opts.pollMs, { unref: true });
  }

  get lastId(): bigint {
    return this.#lastId;
  }

  stats(): ChangeFeedStats {
    return { lastId: this.#lastId, ...this.#stats, listeners: this.#listeners.size };
  }

  /** Every batch of changes, in commit order, each change once. Returns the unsubscribe. */
  subscribe(listener: BatchListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called after a reconnect: state may have changed in ways a consumer must re-list. */
  onRelist(listener: () => void): () => void {
    this.#relistListeners.add(listener);
    return () => this.#relistListeners.delete(listener);
  }

  /** Resolves once every change committed before this call has been dispatched. */
  sync(): Promise<void> {
    return this.#read();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#pollTimer?.clear();
    this.#reconnectTimer?.clear();
    if (this.#reading) await this.#reading.catch(() => {});
    const client = this.#client;
    this.#client = null;
    if (client) await client.end().catch(() => {});
  }

  /**
   * Connects and LISTENs; `prepare` runs before the connection is used for reads (at start: where
   * to begin), so no notification can start a read from the wrong place. A half-made connection
   * is closed.
   */
  async #connect(prepare?: (client: pg.Client) => Promise<void>): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url, application_name: "deploye-change-feed" });
    client.on("notification", (msg) => {
      if (msg.channel === CHANNEL && msg.payload && BigInt(msg.payload) > this.#lastId) void this.#read();
    });
    client.on("error", (err) => this.#lost(client, err));
    client.on("end", () => this.#lost(client, new Error("connection ended")));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      await prepare?.(client);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    this.#client = client;
  }

  #lost(client: pg.Client, err: Error) {
    if (this.#client !== client || this.#stopped) return;
    this.#client = null;
    client.end().catch(() => {});
    this.#opts.log.warn("change feed lost its connection; reconnecting", { error: err.message });
    this.#scheduleReconnect(this.#opts.backoffMs[0]);
  }

  #scheduleReconnect(delay: number) {
    this.#reconnectTimer = setTimer(async () => {
      if (this.#stopped) return;
      try {
        await this.#connect();
        this.#stats.reconnects++;
        this.#opts.log.info("change feed reconnected", { reconnects: this.#stats.reconnects, lastId: String(this.#lastId) });
        await this.#read();
        for (const l of this.#relistListeners) l();
      } catch (err) {
        const next = Math.min(delay * 2, this.#opts.backoffMs[1]);
        this.#opts.log.warn("change feed reconnect failed", { error: (err as Error).message, retryInMs: next });
        this.#scheduleReconnect(next);
      }
    }, delay);
  }

  /** Reads all rows after lastId; concurrent calls coalesce into one more pass. */
  #read(): Promise<void> {
    if (this.#reading) {
      this.#again = true;
      return this.#reading;
    }
    this.#reading = (async () => {
      do {
        this.#again = false;
        await this.#drain();
      } while (this.#again && !this.#stopped);
    })()
      .catch((err) => this.#opts.log.warn("change feed read failed", { error: (err as Error).message }))
      .finally(() => (this.#reading = null));
    return this.#reading;
  }

  async #drain(): Promise<void> {
    for (;;) {
      const client = this.#client;
      if (!client || this.#stopped) return;
      const { rows } = await client.query<ChangeRow>(
        `SELECT ${CHANGE_COLUMNS} FROM change_log WHERE id > $1 ORDER BY id LIMIT $2`,
        [String(this.#lastId), this.#opts.batchSize],
      );
      if (rows.length === 0) return;
      const batch = rows.map(changeOf);
      this.#lastId = batch[batch.length - 1].id;
      this.#stats.batches++;
      this.#stats.rows += batch.length;
      for (const listener of this.#listeners) {
        try {
          listener(batch);
        } catch (err) {
          this.#opts.log.error("change feed listener failed", { error: String(err) });
        }
      }
      if (rows.length < this.#opts.batchSize) return;
    }
  }
}

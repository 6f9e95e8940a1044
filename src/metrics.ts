// Prometheus metrics (prom-client), one registry per server, plus Node's default process metrics
// (collected once per process, however many servers it runs). Counters and histograms are moved by
// the code that does the work (the GraphQL plugin in graphql/observe.ts, the work-queue observer
// and the REST watches' wrapper below, the rollout tracker in rollout-tracker.ts); gauges that mirror state (queue depth, pool,
// change-feed lag, rollouts in progress) are read when Prometheus scrapes. Label values are
// bounded: operation names are capped (see boundedName), every other label comes from a fixed set.
import { performance } from "node:perf_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ChangeFeed } from "./db/change-feed.ts";
import { poolOf, type Db } from "./db/client.ts";
import type { HubItem, WatchHub } from "./kube/watch.ts";
import type { WorkQueue, WorkQueueObserver } from "./workqueue.ts";
import { sendJson } from "./http/respond.ts";
import { IN_PROGRESS_REASONS } from "./rollout-tracker.ts";

export const METRICS_PATH = "/metrics";

/** distinct operation names kept as label values; later ones are counted as "other" */
const MAX_OPERATION_NAMES = 200;
const MAX_OPERATION_NAME_LENGTH = 64;

const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricsSources {
  db: Db;
  feed: ChangeFeed;
}

let processRegistry: Registry | null = null;

/** prom-client's default metrics, started once per process (they run timers and observers). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class Metrics {
  /** this server's metrics and the process's */
  readonly registry: Registry;
  readonly operations: Counter<"type" | "operation" | "outcome">;
  readonly operationSeconds: Histogram<"type" | "operation">;
  readonly subscribers: Gauge<"transport" | "field">;
  readonly subscriptionEvents: Counter<"transport" | "field">;
  readonly subscriptionsDropped: Counter<"transport" | "field">;
  readonly rolloutsCompleted: Counter;
  readonly rolloutsFailed: Counter;
  readonly #queueAdds: Counter<"queue">;
  readonly #queueRetries: Counter<"queue">;
  readonly #queueLatency: Histogram<"queue">;
  readonly #reconcileSeconds: Histogram<"queue" | "outcome">;
  readonly #queues = new Map<string, WorkQueue>();
  readonly #names = new Set<string>();

  constructor(sources: MetricsSources) {
    const own = new Registry();
    const registers = [own];
    this.operations = new Counter({ name: "deploye_graphql_operations_total", help: "GraphQL operations by type, operation name and outcome (ok or the first error code)", labelNames: ["type", "operation", "outcome"], registers });
    this.operationSeconds = new Histogram({ name: "deploye_graphql_operation_duration_seconds", help: "Execution time of GraphQL queries and mutations", labelNames: ["type", "operation"], buckets: SECONDS_BUCKETS, registers });
    this.subscribers = new Gauge({ name: "deploye_subscribers", help: "Open subscriptions by transport and subscription field", labelNames: ["transport", "field"], registers });
    this.subscriptionEvents = new Counter({ name: "deploye_subscription_events_sent_total", help: "Subscription events sent", labelNames: ["transport", "field"], registers });
    this.subscriptionsDropped = new Counter({ name: "deploye_subscriptions_dropped_total", help: "Subscriptions ended with RESUBSCRIBE (the subscriber fell behind, or the change feed was lost)", labelNames: ["transport", "field"], registers });
    this.rolloutsCompleted = new Counter({ name: "deploye_rollouts_completed_total", help: "Rollouts seen completing (Progressing reason NewReplicaSetAvailable) on the change feed", registers });
    this.rolloutsFailed = new Counter({ name: "deploye_rollouts_failed_total", help: "Rollouts seen exceeding their progress deadline on the change feed", registers });
    this.#queueAdds = new Counter({ name: "deploye_workqueue_adds_total", help: "Keys added to a work queue", labelNames: ["queue"], registers });
    this.#queueRetries = new Counter({ name: "deploye_workqueue_retries_total", help: "Failed syncs retried with back-off", labelNames: ["queue"], registers });
    this.#queueLatency = new Histogram({ name: "deploye_workqueue_queue_duration_seconds", help: "Time a key waits in the queue before a worker takes it", labelNames: ["queue"], buckets: SECONDS_BUCKETS, registers });
    this.#reconcileSeconds = new Histogram({ name: "deploye_reconcile_duration_seconds", help: "Time of one sync (reconcile) by queue and outcome", labelNames: ["queue", "outcome"], buckets: SECONDS_BUCKETS, registers });
    const queues = this.#queues;
    new Gauge({
      name: "deploye_workqueue_depth",
      help: "Keys ready and waiting for a worker",
      labelNames: ["queue"],
      registers,
      collect() {
        for (const [name, queue] of queues) this.set({ queue: name }, queue.depth);
      },
    });
    new Gauge({
      name: "deploye_db_pool_connections",
      help: "Connections of the database pool by state (in_use, idle)",
      labelNames: ["state"],
      registers,
      collect() {
        const pool = poolOf(sources.db);
        if (!pool) return;
        this.set({ state: "in_use" }, pool.totalCount - pool.idleCount);
        this.set({ state: "idle" }, pool.idleCount);
      },
    });
    let reconnects = 0;
    new Counter({
      name: "deploye_change_feed_reconnects_total",
      help: "Times the change feed's LISTEN connection was re-established",
      registers,
      collect() {
        const now = sources.feed.stats().reconnects;
        if (now > reconnects) this.inc(now - reconnects);
        reconnects = now;
      },
    });
    // the three database-wide gauges share one query per scrape (their collects run together); a
    // database outage leaves them unset rather than failing the scrape
    let reading: Promise<DatabaseGauges | null> | null = null;
    const read = () => (reading ??= readDatabaseGauges(sources).finally(() => (reading = null)));
    const fromDatabase = (name: string, help: string, value: (g: DatabaseGauges) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const gauges = await read();
          if (gauges) this.set(value(gauges));
          else this.reset();
        },
      });
    fromDatabase("deploye_change_feed_lag_rows", "Newest change-log id minus the last one the change feed handed out", (g) => g.lagRows);
    fromDatabase("deploye_change_feed_lag_seconds", "Age of the oldest change not yet handed out (0 when caught up)", (g) => g.lagSeconds);
    fromDatabase("deploye_rollouts_in_progress", "Deployments whose rollout is progressing (database-wide)", (g) => g.rolloutsInProgress);
    this.registry = Registry.merge([processMetrics(), own]);
  }

  /** The operation name as a label value: anonymous, itself, or "other" past the cap. */
  boundedName(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (this.#names.has(name)) return name;
    if (name.length > MAX_OPERATION_NAME_LENGTH || this.#names.size >= MAX_OPERATION_NAMES) return "other";
    this.#names.add(name);
    return name;
  }

  /**
   * The REST facade's watches (`kubectl get -w`), counted as subscriptions of transport "rest",
   * field "watch". The facade takes an item only when its client has taken the last one, so an
   * item taken is an event sent.
   */
  observeWatches(hub: WatchHub): WatchHub {
    const labels = { transport: "rest", field: "watch" };
    return {
      watch: (filter, resourceVersion) => {
        const items = hub.watch(filter, resourceVersion);
        this.subscribers.inc(labels);
        let open = true;
        const end = () => {
          if (open) this.subscribers.dec(labels);
          open = false;
        };
        const observed: AsyncIterableIterator<HubItem | Error> = {
          [Symbol.asyncIterator]: () => observed,
          next: async () => {
            const result = await items.next().catch((err: unknown) => {
              end();
              throw err;
            });
            if (result.done) end();
            else this.subscriptionEvents.inc(labels);
            if (result.value instanceof Error && (result.value as Error & { extensions?: { code?: string } }).extensions?.code === "RESUBSCRIBE") this.subscriptionsDropped.inc(labels);
            return result;
          },
          return: async (value?: unknown) => {
            end();
            return (await items.return?.(value)) ?? { done: true, value: undefined };
          },
        };
        return observed;
      },
    };
  }

  /** Counts a work queue's adds, retries, queue latency, sync durations, and its depth at scrape. */
  observeQueue(name: string, queue: WorkQueue): void {
    this.#queues.set(name, queue);
    queue.observe(this.#queueObserver(name));
  }

  #queueObserver(queue: string): WorkQueueObserver {
    // keys are unique in the queue and among keys being processed, so these maps are bounded by them
    const queuedAt = new Map<string, number>();
    const startedAt = new Map<string, number>();
    return {
      queued: (key) => {
        this.#queueAdds.inc({ queue });
        queuedAt.set(key, performance.now());
      },
      started: (key) => {
        const now = performance.now();
        const at = queuedAt.get(key);
        queuedAt.delete(key);
        if (at !== undefined) this.#queueLatency.observe({ queue }, (now - at) / 1000);
        startedAt.set(key, now);
      },
      finished: (key, failed) => {
        const at = startedAt.get(key);
        startedAt.delete(key);
        if (at !== undefined) this.#reconcileSeconds.observe({ queue, outcome: failed ? "error" : "ok" }, (performance.now() - at) / 1000);
        if (failed) this.#queueRetries.inc({ queue });
      },
    };
  }

  /** The exposition text (Prometheus text format). */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

interface DatabaseGauges {
  lagRows: number;
  lagSeconds: number;
  rolloutsInProgress: number;
}

async function readDatabaseGauges({ db, feed }: MetricsSources): Promise<DatabaseGauges | null> {
  const lastId = feed.lastId;
  try {
    const [row] = await db.$queryRawUnsafe<{ newest: bigint | null; pending_age: number | null; in_progress: bigint }[]>(
      `SELECT (SELECT max(id) FROM change_log) AS newest,
              (SELECT extract(epoch FROM now() - created_at)::float8 FROM change_log WHERE id > $1::bigint ORDER BY id LIMIT 1) AS pending_age,
              (SELECT count(*) FROM deployments d WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(d.conditions) c
                 WHERE c->>'type' = 'Progressing' AND c->>'status' = 'True' AND c->>'reason' = ANY($2::text[]))) AS in_progress`,
      String(lastId),
      [...IN_PROGRESS_REASONS],
    );
    const lag = row.newest === null ? 0 : Math.max(0, Number(row.newest - lastId));
    return { lagRows: lag, lagSeconds: lag > 0 ? Math.max(0, row.pending_age ?? 0) : 0, rolloutsInProgress: Number(row.in_progress) };
  } catch {
    return null;
  }
}

/**
 * Who may scrape: everyone when METRICS_PUBLIC is on or no authorizer is wired; otherwise the
 * authorizer decides (auth: a token of any role).
 */
export interface MetricsAccess {
  public: boolean;
  authorize?: (req: IncomingMessage) => Promise<boolean>;
}

/** GET /metrics (a route for server.ts's list). */
export function metricsRoute(metrics: Metrics, access: MetricsAccess) {
  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if (path !== METRICS_PATH) return false;
    void (async () => {
      if (!access.public && access.authorize && !(await access.authorize(req))) {
        return sendJson(res, 401, { errors: [{ message: "/metrics needs a token (or METRICS_PUBLIC=on)", extensions: { code: "UNAUTHENTICATED" } }] });
      }
      const body = await metrics.text();
      res.writeHead(200, { "content-type": metrics.registry.contentType });
      res.end(body);
    })().catch(() => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "metrics unavailable", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      else res.destroy();
    });
    return true;
  };
}

// Composition root: database (URL or embedded) → migrations → controllers → change-log compaction
// → server.
// main.ts runs it as a process; tests run it in-process the same way.
import type { Config } from "./config.ts";
import { ChangeFeed } from "./db/change-feed.ts";
import { createDb } from "./db/client.ts";
import { startCompaction } from "./db/compaction.ts";
import { startEmbeddedPostgres } from "./db/embedded.ts";
import { migrate } from "./db/migrate.ts";
import { ControllerManager } from "./controller/manager.ts";
import type { SubscriptionHub } from "./graphql/subscription-hub.ts";
import { createLogger, type Logger } from "./log.ts";
import { Metrics } from "./metrics.ts";
import { trackRollouts } from "./rollout-tracker.ts";
import { startServer } from "./server.ts";

export interface App {
  url: string;
  databaseUrl: string;
  feed: ChangeFeed;
  /** the server's subscribers */
  hub: SubscriptionHub;
  controllers: ControllerManager | null;
  metrics: Metrics;
  stop(): Promise<void>;
}

export async function startApp(config: Config, log: Logger = createLogger(config.logLevel)): Promise<App> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => log.error("shutdown step failed", { error: String(err) }));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      log.info("starting embedded Postgres", { dataDir: config.dataDir });
      const embedded = await startEmbeddedPostgres(config.dataDir, log);
      stops.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    const applied = await migrate(databaseUrl);
    if (applied.length) log.info("applied migrations", { migrations: applied });
    const db = createDb(databaseUrl);
    stops.push(() => db.$disconnect());
    const feed = new ChangeFeed(databaseUrl, { log });
    await feed.start();
    stops.push(() => feed.stop());
    const metrics = new Metrics({ db, feed });
    const untrackRollouts = trackRollouts(feed, { completed: metrics.rolloutsCompleted, failed: metrics.rolloutsFailed }, log);
    stops.push(async () => untrackRollouts());
    const controllers = config.controllers ? new ControllerManager({ db, feed, config, log }) : null;
    if (controllers) {
      const queues = { deployment: controllers.deployments, replicaset: controllers.replicaSets, kubelet: controllers.pods, gc: controllers.gc };
      for (const [name, queue] of Object.entries(queues)) if (queue) metrics.observeQueue(name, queue);
      await controllers.start();
      stops.push(() => controllers.stop());
    }
    const compactor = startCompaction(db, { retentionMs: config.changeLogRetentionMs, maxRows: config.changeLogMaxRows }, log);
    stops.push(() => compactor.stop());
    const server = await startServer(
      { db, feed },
      { host: config.host, port: config.port, log, subscriptionBuffer: config.subscriptionBuffer, metrics, metricsPublic: config.metricsPublic, drainMs: config.shutdownTimeoutMs / 2 },
    );
    stops.push(() => server.close());
    return { url: server.url, databaseUrl, feed, hub: server.hub, controllers, metrics, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

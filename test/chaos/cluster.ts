// What a campaign runs on: its own embedded Postgres in a temp dir (the only Postgres it ever
// restarts), the fault proxy in front of it, and 1–3 server processes that reach the database only
// through the proxy. A process that exits without being killed by the campaign is recorded.
import { mkdtempSync, rmSync } from "node:fs";
import pg from "pg";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../src/db/embedded.ts";
import { migrate } from "../../src/db/migrate.ts";
import { spawnServer, type ServerProcess } from "../helpers/process.ts";
import { FaultProxy } from "./proxy.ts";

export interface Instance {
  id: number;
  server: ServerProcess;
  /** set by the campaign before it kills the process */
  killed: boolean;
}

export class Cluster {
  readonly #dir = mkdtempSync(join(tmpdir(), "deploye-chaos-"));
  #pg: EmbeddedDatabase | null = null;
  #proxy: FaultProxy | null = null;
  /** the campaign's own reads, straight to Postgres (remade when Postgres moves) */
  #pool: pg.Pool | null = null;
  #nextId = 1;
  readonly instances: Instance[] = [];
  /** processes that exited on their own: output tail per process */
  readonly unexpectedExits: string[] = [];
  /** direct URL (no proxy): the campaign's own reads */
  directUrl = "";
  readonly env: Record<string, string>;

  constructor(env: Record<string, string>) {
    this.env = env;
  }

  get proxy(): FaultProxy {
    return this.#proxy!;
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

  async #startPostgres(): Promise<void> {
    this.#pg = await startEmbeddedPostgres(join(this.#dir, "pgdata"));
    this.directUrl = this.#pg.url;
    this.#pool = new pg.Pool({ connectionString: this.directUrl, max: 2 });
    this.#pool.on("error", () => {}); // an idle connection lost to a restart
    if (this.#proxy) this.#proxy.upstreamPort = Number(new URL(this.directUrl).port);
  }

  /** Stops the campaign's own Postgres; `restartPostgres` brings it back (on another port, behind the same proxy). */
  async stopPostgres(): Promise<void> {
    await this.#pool?.end().catch(() => {});
    this.#pool = null;
    await this.#pg?.stop();
    this.#pg = null;
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
    const server = await spawnServer({ ...this.env, ...extraEnv, DATABASE_URL: this.proxiedUrl }, { startTimeoutMs: 90_000 });
    const instance: Instance = { id: this.#nextId++, server, killed: false };
    server.child.once("exit", (code, signal) => {
      if (!instance.killed) this.unexpectedExits.push(`instance ${instance.id} exited (${code ?? signal}):\n${server.output().slice(-4000)}`);
      const i = this.instances.indexOf(instance);
      if (i >= 0) this.instances.splice(i, 1);
    });
    this.instances.push(instance);
    return instance;
  }

  async kill9(instance: Instance): Promise<void> {
    instance.killed = true;
    await instance.server.kill9();
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.slice().map((i) => this.kill9(i)));
    await this.#proxy?.close();
    await this.stopPostgres().catch(() => {});
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

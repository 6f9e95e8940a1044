// Several server processes on one database, and a server killed with SIGKILL mid-reconcile.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDb, type Db } from "../../src/db/client.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { insertStandaloneReplicaSet } from "../helpers/fixtures.ts";
import { spawnServer, type ServerProcess } from "../helpers/process.ts";
import { waitFor } from "../helpers/wait.ts";

// each test starts server processes (start-up alone takes seconds on a busy machine): the budget is
// for the whole scenario; the convergence bounds inside stay as they are
vi.setConfig({ testTimeout: 120_000 });

let database: TestDatabase;
let db: Db;
const servers: ServerProcess[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => (s.child.exitCode === null ? s.kill9() : undefined)));
  await db.$disconnect();
  await database.drop();
});

const activeCount = (namespace: string) => db.pod.count({ where: { namespace, deletionTimestamp: null } });
const env = () => ({ DATABASE_URL: database.url, SIM_STARTUP_MS: "10", SIM_MAX_GRACE_SECONDS: "0" });

describe("two server processes on one database", () => {
  it("scale 20 ReplicaSets concurrently with no duplicate pod and exact final counts", async () => {
    servers.push(await spawnServer(env()), await spawnServer(env()));
    const sets = await Promise.all(Array.from({ length: 20 }, (_, i) => insertStandaloneReplicaSet(db, "multi", `rs-${i}`, 0, "manual")));
    // every ReplicaSet scaled several times, concurrently
    for (const replicas of [7, 3, 5]) {
      await Promise.all(sets.map((rs) => db.replicaSet.update({ where: { uid: rs.uid }, data: { replicas } })));
    }
    await waitFor(() => activeCount("multi"), (n) => n === 100, { timeoutMs: 30_000, what: "100 active pods" });
    await waitFor(
      () => Promise.all(sets.map((rs) => db.replicaSet.findUniqueOrThrow({ where: { uid: rs.uid } }))),
      (rows) => rows.every((r) => r.statusReplicas === 5),
      { timeoutMs: 30_000, what: "every status at 5" },
    );
    for (const rs of sets) expect(await db.pod.count({ where: { ownerUid: rs.uid, deletionTimestamp: null } })).toBe(5);
    // both processes were up and listening throughout
    const listeners = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'deploye-change-feed'`;
    expect(Number(listeners[0].n)).toBe(2);
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
});

describe("kill -9", () => {
  it("of the server during a 200-pod scale-up converges to exactly 200 pods after a restart", async () => {
    const first = await spawnServer(env());
    servers.push(first);
    const rs = await insertStandaloneReplicaSet(db, "crash", "big", 0, "manual");
    await db.replicaSet.update({ where: { uid: rs.uid }, data: { replicas: 200 } });
    // kill while the ReplicaSet's sync holds its lock (mid-transaction), or as soon as pods appear
    const key = "crash/big";
    await waitFor(
      async () => {
        const [{ held }] = await db.$queryRaw<{ held: boolean }[]>`
          SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = hashtext('ReplicaSet')::oid AND objid = hashtext(${key})::oid) AS held`;
        return held || (await db.pod.count({ where: { namespace: "crash" } })) > 0;
      },
      Boolean,
      { intervalMs: 1, what: "the scale-up to start" },
    );
    await first.kill9();
    const partial = await db.pod.count({ where: { namespace: "crash" } });
    expect([0, 200]).toContain(partial); // one transaction: all or nothing

    const second = await spawnServer(env());
    servers.push(second);
    await waitFor(() => activeCount("crash"), (n) => n === 200, { timeoutMs: 30_000, what: "200 pods" });
    await waitFor(() => db.replicaSet.findUniqueOrThrow({ where: { uid: rs.uid } }), (r) => r.statusReplicas === 200, { what: "status 200" });
    expect(await db.pod.count({ where: { namespace: "crash" } })).toBe(200);
    await second.stop();
  });
});

describe("a bad setting", () => {
  it("prints one line naming the variable and exits with status 2, without a stack trace", async () => {
    const { spawnSync } = await import("node:child_process");
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: new URL("../..", import.meta.url).pathname,
      env: { ...process.env, PORT: "eighty" },
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual(['deploye: PORT must be an integer, got "eighty"']);
  });
});

describe("without DATABASE_URL", () => {
  it("serves on an embedded Postgres, and Ctrl-C stops both, leaving no postgres process behind", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { execFileSync } = await import("node:child_process");
    const dir = mkdtempSync(join(tmpdir(), "deploye-embedded-"));
    const dataDir = join(dir, "pgdata");
    const postgresOf = () => {
      try {
        return execFileSync("pgrep", ["-f", dataDir], { encoding: "utf8" }).trim();
      } catch {
        return ""; // pgrep exits 1 when nothing matches
      }
    };
    try {
      const server = await spawnServer({ DATABASE_URL: "", DATA_DIR: dataDir });
      const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ deployments { totalCount } }" }) });
      expect(await res.json()).toEqual({ data: { deployments: { totalCount: 0 } } });
      expect(postgresOf()).not.toBe("");
      const exited = new Promise<number | null>((resolve) => server.child.once("exit", resolve));
      server.child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(postgresOf()).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

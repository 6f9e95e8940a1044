// 1. Rollout convergence: create → all ready, then a 25%/25% rolling update (setImage) → done,
// through the public API of a real server process, pods Ready at once. Counts statements and
// write transactions per phase. Floor: raw pg doing the same row work (insert the pods, update their
// status; for the update also mark the old ones terminating and delete them) through the same
// triggers in the same number of write transactions, one connection.
// Scale-out: --instances 1,2,3 runs each size with that many server processes on one database,
// side by side, each with its own node agent and nodes (instance 1: node-a1..a3, 2: node-b1..b3, …);
// the API calls go to the first; --extra-controllers off makes the others pure node agents.
//   --sizes 100,1000,3000[,10000]   --instances 1   --extra-controllers on   --timeout-s 900   --top 0 (statements to list per phase)
import { readFileSync } from "node:fs";
import pg from "pg";
import { CREATE_DEPLOYMENT, Counter, flag, freshDatabase, gql, listFlag, numFlag, readySpec, report, rolloutDone, runBench, SET_IMAGE, sql, startServer, until, type Counts, type Row } from "./lib.ts";

const sizes = listFlag("sizes", [100, 1000, 3000]);
const instanceCounts = listFlag("instances", [1]);
const extraControllers = (flag("extra-controllers") ?? "on") === "on";
const timeoutMs = numFlag("timeout-s", 900) * 1000;
const top = numFlag("top", 0);

/** `inserts` new pods, `updates` status writes, `terminates` + `deletes` of old pods, spread over `txs` transactions. */
async function floor(url: string, n: number, txs: number, rolling: boolean): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const ns = `floor-${n}-${rolling ? "u" : "c"}`;
  // the old pods of a rolling update exist before the clock starts
  if (rolling) await c.query(`INSERT INTO pods (namespace, name, labels, spec, phase, ready) SELECT $1, 'old-' || i, '{"app":"f"}', '{"containers":[]}', 'Running', true FROM generate_series(1, $2::int) i`, [ns, n]);
  const steps: string[] = [
    `INSERT INTO pods (namespace, name, labels, spec) SELECT $1, 'new-' || i, '{"app":"f"}', '{"containers":[]}' FROM generate_series($2::int, $3::int) i`,
    `UPDATE pods SET phase = 'Running', ready = true, start_time = now(), node_name = 'node-1' WHERE namespace = $1 AND name IN (SELECT 'new-' || i FROM generate_series($2::int, $3::int) i)`,
    ...(rolling
      ? [
          `UPDATE pods SET deletion_timestamp = now(), deletion_grace_period_seconds = 0 WHERE namespace = $1 AND name IN (SELECT 'old-' || i FROM generate_series($2::int, $3::int) i)`,
          `DELETE FROM pods WHERE namespace = $1 AND name IN (SELECT 'old-' || i FROM generate_series($2::int, $3::int) i)`,
        ]
      : []),
  ];
  // each step's rows in chunks, so that all steps together take `txs` transactions
  const chunks = Math.max(1, Math.floor(txs / steps.length));
  const size = Math.ceil(n / chunks);
  const t0 = performance.now();
  for (const step of steps) {
    for (let from = 1; from <= n; from += size) await c.query(step, [ns, from, Math.min(n, from + size - 1)]);
  }
  const ms = performance.now() - t0;
  await c.end();
  return ms;
}

/** CPU time a process has used so far (ms), from /proc (user + system, at 100 ticks/s). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/** Instance i's three nodes: node-a1..a3, node-b1..b3, … */
const nodesOf = (i: number) => [1, 2, 3].map((k) => `node-${String.fromCharCode(97 + i)}${k}`).join(",");

await runBench(async (pgs) => {
  const rows: Row[] = [];
  const profiles: Record<string, Counts> = {};
  for (const n of sizes) for (const instances of instanceCounts) {
    const db = await freshDatabase(pgs, `rollout${n}`);
    const servers = await Promise.all(Array.from({ length: instances }, (_, i) => startServer(db.url, { SIM_NODES: nodesOf(i), CONTROLLERS: i === 0 || extraControllers ? "on" : "off" })));
    const server = servers[0];
    try {
      const name = `web-${n}`;
      const counter = new Counter(db, pgs);
      const phase = async (label: string, act: () => Promise<unknown>, rolling: boolean) => {
        await counter.start();
        const cpu0 = servers.map((s) => cpuMs(s.pid));
        const t0 = performance.now();
        await act();
        await until(() => rolloutDone(server.url, name), timeoutMs, `${label} of ${n}`, 50);
        const ms = performance.now() - t0;
        const cpu = servers.map((s, i) => cpuMs(s.pid) - cpu0[i]);
        const counts = await counter.stop(top);
        profiles[`${label} ${n} ×${instances}`] = counts;
        // the pods bound to each instance's nodes when the phase is done
        const bound = await sql<{ instance: string; pods: number }>(db.url, `SELECT substr(node_name, 6, 1) AS instance, count(*)::int AS pods FROM pods WHERE namespace = 'default' GROUP BY 1 ORDER BY 1`);
        const txs = Math.max(1, counts.writeTransactions);
        const floorMs = await floor(db.url, n, txs, rolling);
        rows.push({
          phase: label,
          replicas: n,
          instances,
          controllers: extraControllers ? instances : 1,
          ms: Math.round(ms),
          "ms/replica": ms / n,
          statements: counts.statements,
          "write txs": counts.writeTransactions,
          "stmts/replica": counts.statements === null ? null : counts.statements / n,
          "floor ms": Math.round(floorMs),
          "× floor": ms / floorMs,
          "pods per instance": bound.map((b) => b.pods).join("/"),
          "server CPU s": cpu.reduce((a, b) => a + b, 0) / 1000,
          "CPU s per instance": cpu.map((c) => (c / 1000).toFixed(1)).join("/"),
        });
        console.log(JSON.stringify(rows.at(-1)));
      };
      await phase("create → ready", () => gql(server.url, CREATE_DEPLOYMENT, { m: { name }, s: readySpec(name, n) }), false);
      await phase("rolling update", () => gql(server.url, SET_IMAGE, { n: name, ns: "default", i: "nginx:1.27" }), true);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await db.drop();
    }
  }
  report("rollout", "Rollout convergence (pods ready at once, 25%/25%)", rows, { profiles });
});

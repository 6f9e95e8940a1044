// 2. Write path: scaleDeployment and setImage over HTTP at concurrency 1, 10 and 50, on a server
// with controllers on and on an API-only one (CONTROLLERS=off). Each client works on its own
// Deployment (no conflicts). Floor: the same UPDATE through the same triggers over raw pg, one
// connection per client.
//   --concurrency 1,10,50   --seconds 8   --modes on,off   --top 0 (statements to list per cell)
import pg from "pg";
import { CREATE_DEPLOYMENT, Counter, type Counts, flag, freshDatabase, gql, listFlag, numFlag, percentile, readySpec, report, runBench, SCALE, SET_IMAGE, startServer, type Row } from "./lib.ts";

const levels = listFlag("concurrency", [1, 10, 50]);
const seconds = numFlag("seconds", 8);
const modes = (flag("modes") ?? "on,off").split(",");
const top = numFlag("top", 0);
const MAX_C = Math.max(...levels);

interface Result {
  ops: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** `c` workers run `op(worker)` back to back for `seconds`. */
async function load(c: number, op: (worker: number) => Promise<unknown>): Promise<Result> {
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async (_, w) => {
      while (performance.now() < end) {
        const s = performance.now();
        await op(w);
        samples.push(performance.now() - s);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  return { ops: samples.length, perSecond: (samples.length / elapsed) * 1000, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

// the UPDATEs the mutations make, as plain SQL (generation moves with the spec, as the API's does)
const FLOOR_SQL = {
  scaleDeployment: `UPDATE deployments SET replicas = $3, generation = generation + 1 WHERE namespace = $1 AND name = $2`,
  setImage: `UPDATE deployments SET template = jsonb_set(template, '{spec,containers,0,image}', to_jsonb($3::text)), generation = generation + 1 WHERE namespace = $1 AND name = $2`,
};

await runBench(async (pgs) => {
  const rows: Row[] = [];
  const profiles: Record<string, Counts> = {};
  for (const mode of modes) {
    const db = await freshDatabase(pgs, `write${mode}`);
    // the per-client mutation limit (50/s by default, and every bench client has one address) off:
    // the bench measures the write path, not the limiter
    const server = await startServer(db.url, { CONTROLLERS: mode, MUTATION_RATE: "1000000", MUTATION_BURST: "1000000" });
    try {
      // one small Deployment per client (1 replica: with controllers on, each write makes real work)
      // Each client's n-th write differs from its (n-1)-th, across cells too: replicas alternate 2, 1,
      // 2, … from the 1 created, each image is new. So every write writes (1 write tx per op).
      const writes = new Array<number>(MAX_C).fill(0);
      const scale = (w: number) => gql(server.url, SCALE, { n: `w${w}`, ns: "default", r: 1 + (++writes[w] % 2) });
      const setImage = (w: number) => gql(server.url, SET_IMAGE, { n: `w${w}`, ns: "default", i: `nginx:1.${++writes[w]}` });
      for (let w = 0; w < MAX_C; w++) await gql(server.url, CREATE_DEPLOYMENT, { m: { name: `w${w}` }, s: readySpec(`w${w}`, 1) });
      const clients = await Promise.all(
        Array.from({ length: MAX_C }, async () => {
          const c = new pg.Client({ connectionString: db.url });
          await c.connect();
          return c;
        }),
      );
      try {
        // warm-up (JIT, plan caches, pools), not measured
        for (let i = 0; i < 30; i++) await scale(0);
        for (const mutation of ["scaleDeployment", "setImage"] as const) {
          for (const c of levels) {
            const counter = new Counter(db, pgs);
            await counter.start();
            const api = await load(c, mutation === "scaleDeployment" ? scale : setImage);
            const counts = await counter.stop(top);
            if (top > 0) profiles[`${mutation} controllers ${mode} × ${c}`] = counts;
            const raw = await load(c, (w) => clients[w].query(FLOOR_SQL[mutation], ["default", `w${w}`, mutation === "scaleDeployment" ? 1 + (++writes[w] % 2) : `nginx:floor.${++writes[w]}`]));
            rows.push({
              mutation,
              controllers: mode,
              concurrency: c,
              "ops/s": api.perSecond,
              "p50 ms": api.p50,
              "p99 ms": api.p99,
              "floor ops/s": raw.perSecond,
              "floor p50": raw.p50,
              "floor p99": raw.p99,
              "× floor (throughput)": api.perSecond / raw.perSecond,
              // with controllers on this includes the reconciling each write causes
              "SQL stmts/op": counts.statements === null ? null : counts.statements / api.ops,
              "write txs/op": counts.writeTransactions / api.ops,
            });
            console.log(JSON.stringify(rows.at(-1)));
          }
        }
      } finally {
        await Promise.all(clients.map((c) => c.end()));
      }
    } finally {
      await server.stop();
      await db.drop();
    }
  }
  report("write-path", `Write path (${seconds} s per cell; floor: same UPDATE, same triggers, raw pg)`, rows, top > 0 ? { profiles } : {});
});

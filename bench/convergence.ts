// Convergence and write-path figures on the real server and Postgres, with a floor measured side
// by side in the same run. `npm run bench` (never part of `npm test`). Prints a table and, with
// --json, the same figures as JSON.
//   scale-up:   ReplicaSet 0 → N, until N pods are Running+Ready (simulated kubelet, startup 0 ms)
//               floor: one INSERT of N pod rows through the same triggers
//   rollout:    setImage on an N-replica Deployment until `successfully rolled out`
//   mutations:  sequential scaleDeployment latency (p50/p99) and throughput
//               floor: the same number of single-row UPDATEs, each its own transaction
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { createDb } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { createLogger } from "../src/log.ts";

const ADMIN = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const json = process.argv.includes("--json");

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `deploye_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  try {
    await migrate(url.toString());
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function until(check: () => Promise<boolean>, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("bench step timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  const rows: { figure: string; value: number; unit: string }[] = [];
  await withDatabase(async (url) => {
    const app = await startApp({ ...loadConfig({}), databaseUrl: url, port: 0, podStartupMs: 0, maxGraceSeconds: 0 }, createLogger("warn"));
    const db = createDb(url);
    const gql = async (query: string, variables?: unknown) => {
      const res = await fetch(app.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const spec = (name: string, replicas: number) => ({
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "nginx:1.25" }], terminationGracePeriodSeconds: 0 } },
    });
    try {
      for (const n of [100, 500, 1000]) {
        const name = `rs-${n}`;
        await gql(`mutation($m: ObjectMetaInput!, $s: ReplicaSetSpecInput!) { createReplicaSet(metadata: $m, spec: $s) { id } }`, { m: { name }, s: { ...spec(name, 0) } });
        const t0 = performance.now();
        await gql(`mutation($n: String!, $r: Int!) { scaleReplicaSet(name: $n, replicas: $r) { id } }`, { n: name, r: n });
        await until(async () => (await db.pod.count({ where: { labels: { equals: { app: name } }, ready: true } })) === n);
        rows.push({ figure: `scale-up 0→${n} pods, all Ready`, value: performance.now() - t0, unit: "ms" });

        const t1 = performance.now();
        await db.$executeRawUnsafe(
          `INSERT INTO pods (namespace, name, labels, spec) SELECT 'floor', 'floor-${n}-' || i, '{"app":"floor"}', '{}' FROM generate_series(1, ${n}) i`,
        );
        rows.push({ figure: `  floor: one INSERT of ${n} pod rows (triggers, change log)`, value: performance.now() - t1, unit: "ms" });
        await db.$executeRawUnsafe(`DELETE FROM pods WHERE namespace = 'floor'`);
      }

      for (const n of [10, 100]) {
        const name = `web-${n}`;
        await gql(`mutation($m: ObjectMetaInput!, $s: DeploymentSpecInput!) { createDeployment(metadata: $m, spec: $s) { id } }`, { m: { name }, s: spec(name, n) });
        const done = async () => (await gql(`query($n: String!) { deployment(name: $n) { rolloutStatus { done } } }`, { n: name })).deployment.rolloutStatus.done;
        await until(done);
        const t0 = performance.now();
        await gql(`mutation($n: String!) { setImage(name: $n, container: "app", image: "nginx:1.27") { id } }`, { n: name });
        await until(async () => (await gql(`query($n: String!) { deployment(name: $n) { rolloutStatus { done } metadata { generation } status { observedGeneration } } }`, { n: name })).deployment.rolloutStatus.done);
        rows.push({ figure: `rolling update of ${n} replicas (25%/25%) to done`, value: performance.now() - t0, unit: "ms" });
      }

      const samples: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < 300; i++) {
        const s = performance.now();
        await gql(`mutation($r: Int!) { scaleDeployment(name: "web-10", replicas: $r) { metadata { generation } } }`, { r: 10 + (i % 2) });
        samples.push(performance.now() - s);
      }
      const total = performance.now() - t0;
      rows.push({ figure: "scaleDeployment latency p50 (sequential, controllers running)", value: percentile(samples, 50), unit: "ms" });
      rows.push({ figure: "scaleDeployment latency p99", value: percentile(samples, 99), unit: "ms" });
      rows.push({ figure: "scaleDeployment throughput (sequential)", value: (300 / total) * 1000, unit: "ops/s" });
      const floor = new pg.Client({ connectionString: url });
      await floor.connect();
      const f0 = performance.now();
      for (let i = 0; i < 300; i++) await floor.query(`UPDATE deployments SET replicas = $1 WHERE name = 'web-100'`, [100 + (i % 2)]);
      rows.push({ figure: "  floor: single-row UPDATE per transaction (pg, no GraphQL)", value: (300 / (performance.now() - f0)) * 1000, unit: "ops/s" });
      await floor.end();
    } finally {
      await db.$disconnect();
      await app.stop();
    }
  });
  if (json) console.log(JSON.stringify(rows, null, 2));
  else {
    const width = Math.max(...rows.map((r) => r.figure.length));
    for (const r of rows) console.log(`${r.figure.padEnd(width)}  ${r.value.toFixed(1).padStart(9)} ${r.unit}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

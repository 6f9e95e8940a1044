// 5. Query throughput: autocannon on a nested list (50 Deployments × 3 ReplicaSets × 10 pods,
// inserted as fixtures) against an API-only deploye server, and against PostGraphile 5 on the same
// database asked the equivalent query. Also SQL statements per request (pg_stat_statements).
//   --seconds 10   --connections 10   --deployments 50
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Counter, freePort, freshDatabase, gql, numFlag, report, runBench, sql, startServer, until, ROOT, type Row } from "./lib.ts";

const seconds = numFlag("seconds", 10);
const connections = numFlag("connections", 10);
const deployments = numFlag("deployments", 50);

const DEPLOYE_QUERY = `{ deployments(first: 50) { edges { node { metadata { name } spec { replicas } replicaSets(limit: 3) { metadata { name } spec { replicas } pods(limit: 10) { metadata { name } status { phase ready } } } } } } }`;
const POSTGRAPHILE_QUERY = `{ allDeployments(first: 50) { nodes { name replicas replicaSets { nodes { name replicas pods { nodes { name phase ready } } } } } } }`;

/** 50 Deployments × 3 ReplicaSets × 10 pods, owned as the controllers would own them. */
async function fixtures(url: string) {
  const tmpl = `'{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"app","image":"nginx"}]}}'::jsonb`;
  await sql(url, `INSERT INTO deployments (namespace, name, labels, replicas, selector, template, strategy, min_ready_seconds, revision_history_limit, progress_deadline_seconds, paused)
    SELECT 'default', 'd' || i, jsonb_build_object('app', 'd' || i), 10, jsonb_build_object('matchLabels', jsonb_build_object('app', 'd' || i)), ${tmpl},
           '{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}', 0, 10, 600, false
    FROM generate_series(1, ${deployments}) i`);
  await sql(url, `INSERT INTO replica_sets (namespace, name, labels, owner_references, replicas, selector, template, min_ready_seconds)
    SELECT 'default', d.name || '-' || r, jsonb_build_object('app', d.name, 'pod-template-hash', 'h' || r),
           jsonb_build_array(jsonb_build_object('apiVersion', 'apps/v1', 'kind', 'Deployment', 'name', d.name, 'uid', d.uid, 'controller', true, 'blockOwnerDeletion', true)),
           CASE r WHEN 3 THEN 10 ELSE 0 END, d.selector, d.template, 0
    FROM deployments d, generate_series(1, 3) r`);
  await sql(url, `INSERT INTO pods (namespace, name, labels, owner_references, spec, node_name, phase, ready, start_time)
    SELECT 'default', rs.name || '-' || p, rs.labels,
           jsonb_build_array(jsonb_build_object('apiVersion', 'apps/v1', 'kind', 'ReplicaSet', 'name', rs.name, 'uid', rs.uid, 'controller', true, 'blockOwnerDeletion', true)),
           '{"containers":[{"name":"app","image":"nginx"}]}', 'node-1', 'Running', true, now()
    FROM replica_sets rs, generate_series(1, 10) p`);
}

async function cannon(url: string, query: string) {
  const body = JSON.stringify({ query });
  const r = await autocannon({ url, method: "POST", headers: { "content-type": "application/json" }, body, connections, duration: seconds });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

await runBench(async (pgs) => {
  const db = await freshDatabase(pgs, "query");
  await fixtures(db.url);
  const server = await startServer(db.url, { CONTROLLERS: "off" });
  const pgPort = await freePort();
  const pgl = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./postgraphile-server.ts", import.meta.url)), db.url, String(pgPort)], { cwd: ROOT, env: { ...process.env, GRAPHILE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] });
  let pglOut = "";
  pgl.stdout.on("data", (d) => (pglOut += d));
  pgl.stderr.on("data", (d) => (pglOut += d));
  const pglUrl = `http://127.0.0.1:${pgPort}/graphql`;
  const rows: Row[] = [];
  try {
    const check = await gql(server.url, DEPLOYE_QUERY);
    const pods = check.deployments.edges.reduce((s: number, e: any) => s + e.node.replicaSets.reduce((t: number, rs: any) => t + rs.pods.length, 0), 0);
    console.log(`deploye answers ${check.deployments.edges.length} Deployments, ${pods} pods`);
    let pglOk = true;
    try {
      await until(async () => /listening/.test(pglOut) || pgl.exitCode !== null, 60_000, "postgraphile start", 200);
      const p = await gql(pglUrl, POSTGRAPHILE_QUERY);
      const ppods = p.allDeployments.nodes.reduce((s: number, d: any) => s + d.replicaSets.nodes.reduce((t: number, rs: any) => t + rs.pods.nodes.length, 0), 0);
      console.log(`postgraphile answers ${p.allDeployments.nodes.length} Deployments, ${ppods} pods`);
    } catch (e) {
      pglOk = false;
      console.error(`PostGraphile baseline unavailable: ${String(e)}\n${pglOut}`);
    }
    const counter = new Counter(db, pgs);
    const targets: [string, string, string][] = [["deploye (graphql-yoga + Pothos + Prisma)", server.url, DEPLOYE_QUERY]];
    if (pglOk) targets.push(["PostGraphile 5 (amber)", pglUrl, POSTGRAPHILE_QUERY]);
    for (const [name, url, query] of targets) {
      for (let i = 0; i < 20; i++) await gql(url, query); // warm-up
      await counter.start();
      for (let i = 0; i < 20; i++) await gql(url, query);
      const counts = await counter.stop();
      const r = await cannon(url, query);
      rows.push({ server: name, "req/s": r.rps, "p50 ms": r.p50, "p99 ms": r.p99, errors: r.errors, "SQL statements/request": counts.statements === null ? null : counts.statements / 20 });
      console.log(JSON.stringify(rows.at(-1)));
    }
    if (rows.length === 2) rows.push({ server: "deploye ÷ PostGraphile", "req/s": (rows[0]["req/s"] as number) / (rows[1]["req/s"] as number), "p99 ms": (rows[0]["p99 ms"] as number) / (rows[1]["p99 ms"] as number) });
    report("query", `Nested query throughput (${deployments}×3×10, autocannon ${connections} connections, ${seconds} s)`, rows);
  } finally {
    pgl.kill("SIGTERM");
    await server.stop();
    // killed by the signal, it has a signalCode and no exitCode; waiting for "exit" then would hang
    await new Promise((r) => (pgl.exitCode !== null || pgl.signalCode !== null ? r(null) : pgl.once("exit", r)));
    await db.drop();
  }
});

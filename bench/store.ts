// 6. Cluster-sized store: --namespaces × --per-namespace pods (default 50 × 3,000 = 150,000),
// inserted directly as fixtures (one Deployment, one ReplicaSet owning all pods, per namespace).
// Measures: a full start-up of an instance with controllers (to "serving", and RSS), listing one
// namespace's pods by label selector in pages of 500 on an API-only instance (p50/p99 of the whole
// list; floor: the same keyset SQL over raw pg), and one Deployment's and one ReplicaSet's sync
// time (the controllers' functions called directly on the fixture).
//   --namespaces 50   --per-namespace 3000   --lists 20
import pg from "pg";
import { createDb } from "../src/db/client.ts";
import { syncDeployment } from "../src/controller/deployment-controller.ts";
import { syncReplicaSet } from "../src/controller/replicaset-controller.ts";
import { CREATE_DEPLOYMENT, freshDatabase, gql, readySpec, numFlag, percentile, report, rssKb, runBench, sleep, sql, startServer, type Row } from "./lib.ts";

const namespaces = numFlag("namespaces", 50);
const perNs = numFlag("per-namespace", 3000);
const lists = numFlag("lists", 20);
const LIST = `query($ns: String!, $after: String) { pods(namespace: $ns, labelSelector: "app=web,tier in (a,b,c)", first: 500, after: $after) { edges { node { metadata { name labels } status { phase ready } } } pageInfo { hasNextPage endCursor } } }`;

/** Deployments through the API (API-only instance), their ReplicaSets by one Deployment sync each, pods owned by them by SQL. */
async function fixtures(url: string) {
  const api = await startServer(url, { CONTROLLERS: "off" });
  try {
    for (let i = 1; i <= namespaces; i++) await gql(api.url, CREATE_DEPLOYMENT, { m: { name: "web", namespace: `ns-${i}`, labels: { app: "web" } }, s: readySpec("web", perNs) });
  } finally {
    await api.stop();
  }
  const prisma = createDb(url);
  for (let i = 1; i <= namespaces; i++) await syncDeployment(prisma, `ns-${i}/web`, () => new Date());
  await prisma.$disconnect();
  for (let i = 1; i <= namespaces; i++) {
    await sql(url, `INSERT INTO pods (namespace, name, labels, owner_references, spec, node_name, phase, ready, start_time, conditions)
      SELECT rs.namespace, rs.name || '-' || p, rs.labels || jsonb_build_object('tier', (ARRAY['a','b','c','d'])[1 + p % 4]),
             jsonb_build_array(jsonb_build_object('apiVersion', 'apps/v1', 'kind', 'ReplicaSet', 'name', rs.name, 'uid', rs.uid, 'controller', true, 'blockOwnerDeletion', true)),
             jsonb_build_object('containers', rs.template->'spec'->'containers', 'terminationGracePeriodSeconds', 0),
             'node-' || (1 + p % 3), 'Running', true, now(), '[{"type":"Ready","status":"True"}]'
      FROM replica_sets rs, generate_series(1, ${perNs}) p WHERE rs.namespace = 'ns-${i}'`);
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

await runBench(async (pgs) => {
  const db = await freshDatabase(pgs, "store");
  const rows: Row[] = [];
  try {
    const tf = await timed(() => fixtures(db.url));
    const [{ n }] = await sql(db.url, "SELECT count(*)::int AS n FROM pods");
    console.log(`${n} pods inserted in ${Math.round(tf)} ms`);
    rows.push({ figure: "fixture insert (pods, through the triggers)", value: n, unit: "pods", ms: Math.round(tf) });

    // syncs, called directly: the first ones write the statuses, the later ones find nothing to do
    const prisma = createDb(db.url);
    const now = () => new Date();
    const dSync: number[] = [];
    const rsSync: number[] = [];
    for (let i = 0; i < 6; i++) {
      dSync.push(await timed(() => syncDeployment(prisma, "ns-1/web", now)));
      const [rs] = await sql(db.url, "SELECT name FROM replica_sets WHERE namespace = 'ns-1' ORDER BY creation_timestamp DESC LIMIT 1");
      if (rs) rsSync.push(await timed(() => syncReplicaSet(prisma, `ns-1/${rs.name}`, now)));
    }
    await prisma.$disconnect();
    rows.push({ figure: `Deployment sync, ${perNs} pods (first: writes status)`, value: dSync[0], unit: "ms", "then p50 ms": percentile(dSync.slice(1), 50) });
    rows.push({ figure: `ReplicaSet sync, ${perNs} pods (first: writes status)`, value: rsSync[0], unit: "ms", "then p50 ms": percentile(rsSync.slice(1), 50) });

    // start-up of a full instance (controllers, kubelet) on the whole store
    const t0 = performance.now();
    const full = await startServer(db.url);
    const startMs = performance.now() - t0;
    const rssStart = rssKb(full.pid);
    await sleep(10_000);
    const rss10 = rssKb(full.pid);
    await full.stop();
    rows.push({ figure: "instance start → serving (controllers on)", value: startMs, unit: "ms" });
    rows.push({ figure: "RSS at serving / 10 s later", value: Math.round(rssStart / 1024), unit: "MB", "then": Math.round(rss10 / 1024) });

    // listing one namespace by label selector: API-only instance vs the same SQL over raw pg
    const api = await startServer(db.url, { CONTROLLERS: "off" });
    const floorClient = new pg.Client({ connectionString: db.url });
    await floorClient.connect();
    try {
      const apiTimes: number[] = [];
      const floorTimes: number[] = [];
      let listed = 0;
      for (let i = 0; i < lists; i++) {
        const ns = `ns-${1 + (i % namespaces)}`;
        apiTimes.push(
          await timed(async () => {
            listed = 0;
            let after: string | null = null;
            for (;;) {
              const page: any = (await gql(api.url, LIST, { ns, after })).pods;
              listed += page.edges.length;
              if (!page.pageInfo.hasNextPage) break;
              after = page.pageInfo.endCursor;
            }
          }),
        );
        floorTimes.push(
          await timed(async () => {
            let last = "";
            for (;;) {
              const { rows: page } = await floorClient.query(
                `SELECT * FROM pods WHERE namespace = $1 AND labels @> '{"app":"web"}' AND labels->>'tier' IN ('a','b','c') AND name > $2 ORDER BY namespace, name LIMIT 500`,
                [ns, last],
              );
              if (page.length < 500) break;
              last = page[page.length - 1].name;
            }
          }),
        );
      }
      rows.push({ figure: `list one namespace by label selector (${listed} of ${perNs} pods, pages of 500) p50`, value: percentile(apiTimes, 50), unit: "ms", "floor ms": percentile(floorTimes, 50), "× floor": percentile(apiTimes, 50) / percentile(floorTimes, 50) });
      rows.push({ figure: "  same, p99 (target ≤ 200 ms)", value: percentile(apiTimes, 99), unit: "ms", "floor ms": percentile(floorTimes, 99), "× floor": percentile(apiTimes, 99) / percentile(floorTimes, 99) });
    } finally {
      await floorClient.end();
      await api.stop();
    }
    report("store", `Cluster-sized store (${namespaces} namespaces × ${perNs} pods)`, rows);
  } finally {
    await db.drop();
  }
});

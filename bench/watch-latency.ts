// 4. Change → watcher latency under load: while `--rollouts` Deployments roll (setImage on all at
// once, then again when done), a probe writes a label on a probe Deployment over raw pg every
// `--interval-ms`, and a graphql-ws `watch` subscriber (selector on the probe) records when each
// change arrives. Latency = arrival − the moment the probe's COMMIT returned (one clock: the bench).
//   --rollouts 50   --replicas 10   --probes 200   --interval-ms 50
import pg from "pg";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { CREATE_DEPLOYMENT, freshDatabase, gql, numFlag, percentile, readySpec, report, rolloutDone, runBench, SET_IMAGE, sleep, startServer, until, type Row } from "./lib.ts";

const rollouts = numFlag("rollouts", 50);
const replicas = numFlag("replicas", 10);
const probes = numFlag("probes", 200);
const intervalMs = numFlag("interval-ms", 50);

await runBench(async (pgs) => {
  const db = await freshDatabase(pgs, "watch");
  const server = await startServer(db.url);
  const ws = createClient({ url: server.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, lazy: false });
  const writer = new pg.Client({ connectionString: db.url });
  await writer.connect();
  try {
    await gql(server.url, CREATE_DEPLOYMENT, { m: { name: "probe", labels: { app: "probe" } }, s: readySpec("probe", 0) });
    for (let i = 0; i < rollouts; i++) await gql(server.url, CREATE_DEPLOYMENT, { m: { name: `r${i}` }, s: readySpec(`r${i}`, replicas) });
    await until(async () => (await Promise.all(Array.from({ length: rollouts }, (_, i) => rolloutDone(server.url, `r${i}`)))).every(Boolean), 600_000, "initial rollouts", 200);

    console.log(`${rollouts} Deployments ready; subscribing`);
    const arrivals = new Map<string, number>();
    let subscribed!: () => void;
    let failed!: (e: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => ((subscribed = resolve), (failed = reject)));
    const stopWatch = ws.subscribe<{ watch: { type: string; object: { metadata: { labels: Record<string, string> } } } }>(
      { query: `subscription { watch(kind: Deployment, labelSelector: "app=probe") { type object { ... on Deployment { metadata { labels } } } } }` },
      {
        next: ({ data }) => {
          const seq = data?.watch.object.metadata.labels.seq;
          if (data?.watch.type === "ADDED") subscribed();
          else if (seq) arrivals.set(seq, performance.now());
        },
        error: (e) => failed(new Error(`watch failed: ${JSON.stringify(e)}`)),
        complete: () => {},
      },
    );
    await ready;

    // the load: every Deployment rolls, and rolls again when done, until the probes are through
    let loading = true;
    let rolled = 0;
    const load = Promise.all(
      Array.from({ length: rollouts }, async (_, i) => {
        for (let gen = 0; loading; gen++) {
          await gql(server.url, SET_IMAGE, { n: `r${i}`, ns: "default", i: `nginx:1.${gen}` });
          while (loading && !(await rolloutDone(server.url, `r${i}`))) await sleep(100);
          rolled++;
        }
      }),
    );
    console.log("subscribed; rollouts running; probing");
    await sleep(1000);
    const commits = new Map<string, number>();
    for (let seq = 1; seq <= probes; seq++) {
      await writer.query(`UPDATE deployments SET labels = labels || jsonb_build_object('seq', $1::text) WHERE name = 'probe'`, [String(seq)]);
      commits.set(String(seq), performance.now());
      await sleep(intervalMs);
    }
    await until(async () => arrivals.size >= probes, 60_000, "all probe events", 50).catch((e) => console.error(String(e)));
    loading = false;
    await load;
    stopWatch();
    const lat = [...commits].filter(([s]) => arrivals.has(s)).map(([s, t]) => arrivals.get(s)! - t);
    const rows: Row[] = [
      {
        rollouts,
        "replicas each": replicas,
        "rollouts completed during probes": rolled,
        probes,
        received: lat.length,
        "p50 ms": percentile(lat, 50),
        "p99 ms": percentile(lat, 99),
        "max ms": Math.max(...lat),
        "target p99 ms": 50,
      },
    ];
    report("watch-latency", `Change → watch event latency under ${rollouts} concurrent rollouts`, rows);
  } finally {
    await ws.dispose();
    await writer.end();
    await server.stop();
    await db.drop();
  }
});

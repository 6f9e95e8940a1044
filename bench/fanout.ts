// 3. Subscription fan-out: N graphql-ws subscribers (a separate client process, opened at --rate/s)
// to one Deployment's rolloutStatus on an API-only server. The bench commits K status changes over
// raw pg (status.updatedReplicas = k, so each is a new RolloutStatus) and measures commit → arrival
// at every subscriber, plus server RSS per idle subscriber. Floor: a bare `ws` server process
// sending the same bytes to the same number of sockets (timed from its send).
//   --subscribers 1000,10000   --rate 1000   --changes 20   --gap-ms 1000
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { CREATE_DEPLOYMENT, freshDatabase, gql, listFlag, numFlag, percentile, readySpec, report, rssKb, runBench, sleep, startServer, until, type Row } from "./lib.ts";

const counts = listFlag("subscribers", [1000, 10000]);
const rate = numFlag("rate", 1000);
const changes = numFlag("changes", 20);
const gapMs = numFlag("gap-ms", 1000);
const PEER = fileURLToPath(new URL("./fanout-peer.ts", import.meta.url));
const now = () => performance.timeOrigin + performance.now();

interface Status { open: number; first: number; errors: number; errorMessages: Record<string, number>; closed: number; closeCodes: Record<number, number>; failures: number; firstFailure: string }
interface Collected extends Status { arrivals: [number, number[]][]; sample: string }

function peer(args: string[]): { child: ChildProcess; last: () => Status; next: <T>(type: string) => Promise<T> } {
  const child = fork(PEER, args, { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let last: Status = { open: 0, first: 0, errors: 0, errorMessages: {}, closed: 0, closeCodes: {}, failures: 0, firstFailure: "" };
  const waiting: { type: string; resolve: (m: any) => void; reject: (e: Error) => void }[] = [];
  // a peer that dies fails the benchmark instead of leaving it waiting
  child.on("exit", (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`fan-out peer ${args[0]} exited with ${code} while waiting for "${w.type}"`));
  });
  child.on("message", (m: any) => {
    if (m.type === "status") last = m;
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0].resolve(m);
  });
  return { child, last: () => last, next: (type) => new Promise((resolve, reject) => waiting.push({ type, resolve, reject })) };
}

/** the largest number (spreading 200,000 arrivals into Math.max overflows the stack) */
const maxOf = (xs: number[]) => xs.reduce((m, x) => Math.max(m, x), -Infinity);

/** latencies (ms) of every arrival after its change's commit/send time */
function latencies(sent: Map<number, number>, collected: Collected) {
  const all: number[] = [];
  const lastPerChange: number[] = [];
  for (const [seq, times] of collected.arrivals) {
    const t = sent.get(seq);
    if (t === undefined) continue;
    for (const a of times) all.push(a - t);
    lastPerChange.push(maxOf(times) - t);
  }
  return { all, lastPerChange, deliveries: all.length };
}

await runBench(async (pgs) => {
  const rows: Row[] = [];
  for (const n of counts) {
    const db = await freshDatabase(pgs, `fanout${n}`);
    // the security caps (#11) are per token or address: every subscriber here comes from one address
    const caps = String(n + 100);
    const server = await startServer(db.url, { CONTROLLERS: "off", WS_CONNECTIONS_PER_TOKEN: caps, WS_CONNECTIONS: caps, SUBSCRIPTIONS_PER_TOKEN: caps, SUBSCRIPTIONS: caps });
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    try {
      await gql(server.url, CREATE_DEPLOYMENT, { m: { name: "fan" }, s: readySpec("fan", 1) });
      const rss0 = rssKb(server.pid);
      const clients = peer(["clients", server.url.replace(/^http/, "ws"), String(n), String(rate), "graphql"]);
      const t0 = now();
      let allFirstMs: number | null = null;
      try {
        await until(async () => clients.last().first >= n, 120_000, `first status at ${n} subscribers`, 100);
        allFirstMs = now() - t0;
      } catch (e) {
        console.error(String(e), JSON.stringify(clients.last()));
      }
      const connected = clients.last();
      await sleep(3000);
      const rssIdle = rssKb(server.pid);
      const sent = new Map<number, number>();
      for (let k = 1; k <= changes; k++) {
        await writer.query(`UPDATE deployments SET updated_replicas = $1 WHERE name = 'fan'`, [k]);
        sent.set(k, now());
        await sleep(gapMs);
      }
      await sleep(2000);
      clients.child.send({ type: "collect" });
      const got = await clients.next<Collected>("arrivals");
      clients.child.send({ type: "exit" });
      const lat = latencies(sent, got);

      // the floor: the same bytes to the same number of bare sockets
      const floor = peer(["floor"]);
      const { port } = await floor.next<{ port: number }>("listening");
      const floorRss0 = rssKb(floor.child.pid!);
      const bare = peer(["clients", `ws://127.0.0.1:${port}`, String(n), String(rate), "bare"]);
      await until(async () => bare.last().open >= got.open, 120_000, `bare sockets at ${n}`, 100).catch((e) => console.error(String(e)));
      await sleep(3000);
      const floorRssIdle = rssKb(floor.child.pid!);
      const fsent = new Map<number, number>();
      const template = JSON.parse(got.sample);
      for (let k = 1; k <= changes; k++) {
        template.payload.data.rolloutStatus.updatedReplicas = k;
        floor.child.send({ type: "broadcast", seq: k, bytes: JSON.stringify(template) });
        const { at } = await floor.next<{ at: number }>("sent");
        fsent.set(k, at);
        await sleep(gapMs);
      }
      await sleep(2000);
      bare.child.send({ type: "collect" });
      const fgot = await bare.next<Collected>("arrivals");
      bare.child.send({ type: "exit" });
      floor.child.send({ type: "exit" });
      const flat = latencies(fsent, fgot);

      rows.push({
        subscribers: n,
        connected: connected.open,
        "first status": connected.first,
        "all first status s": allFirstMs === null ? null : allFirstMs / 1000,
        "conn errors": connected.errors,
        "conn error messages": JSON.stringify(got.errorMessages),
        closed: got.closed,
        "close codes": JSON.stringify(got.closeCodes),
        "error results": got.failures,
        deliveries: `${lat.deliveries}/${changes * n}`,
        "p50 ms": percentile(lat.all, 50),
        "p99 ms": percentile(lat.all, 99),
        "max ms": maxOf(lat.all),
        "every subscriber p50 ms": percentile(lat.lastPerChange, 50),
        "floor p50": percentile(flat.all, 50),
        "floor p99": percentile(flat.all, 99),
        "floor max": maxOf(flat.all),
        "p99 × floor": percentile(lat.all, 99) / percentile(flat.all, 99),
        "KB/idle subscriber": (rssIdle - rss0) / Math.max(1, connected.open),
        "floor KB/socket": (floorRssIdle - floorRss0) / Math.max(1, fgot.open),
      });
      if (got.firstFailure) console.log(`first error result: ${got.firstFailure}\nserver output (tail):\n${server.output().slice(-2000)}`);
      console.log(JSON.stringify(rows.at(-1)));
    } finally {
      await writer.end();
      await server.stop();
      await db.drop();
    }
  }
  report("fanout", `rolloutStatus fan-out (${changes} changes, ${gapMs} ms apart; clients in a separate process)`, rows);
});

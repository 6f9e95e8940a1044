// The fault campaign: a quiet phase with the periodic resync off (every rollout step must follow
// from notifications alone), then `minutes` of random workload under random faults, then
// convergence, then the checks against the change log. Everything random comes from the seed.
// Every await has a bound (./deadline.ts) and the whole campaign a hard deadline: a hang fails
// naming what it waited for, and every process and Postgres the campaign started is stopped.
import { Cluster, type Instance } from "./cluster.ts";
import { checkAcknowledged, checkStates, checkWakeups, CHECKS, readLog, type Check, type Log, type Violation } from "./checks.ts";
import { Deadline } from "./deadline.ts";
import { Rng } from "./rng.ts";
import { ResumingWatch, rawSubscriber } from "./watchers.ts";
import { BEHAVIOR, DELETE_POLICIES, post, Workload, type DeletePolicy } from "./workload.ts";

export const FAULTS = ["kill9", "instances", "postgresRestart", "network", "subscribers"] as const;
export type Fault = (typeof FAULTS)[number];
/** a long campaign's round: every fault, kills and network faults twice */
export const LONG_ROUND: readonly Fault[] = [...FAULTS, "kill9", "network"];

export interface CampaignOptions {
  seed: number;
  /** length of the faulty phase */
  minutes: number;
  /** at least this many rounds of faults (each round injects every kind), however short `minutes` */
  rounds?: number;
  /** the faults of one round, injected in seeded order (default LONG_ROUND) */
  round?: readonly Fault[];
  /** concurrent Deployments of the workload */
  deployments?: number;
  /** the hard deadline of the whole campaign, ms (default: `defaultDeadlineMs`) */
  deadlineMs?: number;
  log?: (line: string) => void;
}

/** Room for the set-up, the quiet phase, the faults' own length, convergence and the checks. */
export function defaultDeadlineMs(options: Pick<CampaignOptions, "minutes" | "rounds">): number {
  return (options.minutes + 10 + 3 * (options.rounds ?? 0)) * 60_000;
}

export interface CampaignResult {
  seed: number;
  minutes: number;
  durationMs: number;
  faults: Record<Fault, number>;
  violations: Record<Check, number>;
  details: Violation[];
  convergenceMs: { p50: number; max: number; deployments: number };
  wakeupMaxGapMs: number;
  outage: { probes: number; maxFailMs: number; maxRecoveryMs: number };
  mutations: { ok: number; refused: number; unknown: number };
  /** acknowledged deletes by propagation policy */
  deletes: Record<DeletePolicy, number>;
  watch: { events: number; resumes: number; relists: number };
  changes: number;
}

/** bounds of the checks */
export const BOUNDS = {
  /**
   * a quiet rollout's consecutive steps (pods start in 100 ms): a missed wake-up waits for the
   * 10-minute resync; the bound leaves room for a loaded 2-core machine
   */
  wakeupGapMs: 20_000,
  /** an API call while Postgres is down must fail within this */
  outageFailMs: 5_000,
  /** /readyz 200 again after Postgres is back */
  recoveryMs: 30_000,
  /** every Deployment done (or past its 10 s progress deadline) after the last fault */
  convergenceMs: 90_000,
};

/** bounds of the campaign's own steps (each also ends at the hard deadline) */
const STEP_MS = {
  /** a server process starting (spawnServer's own bound is 90 s) */
  start: 100_000,
  /** one fault and the restarts it makes (a Postgres outage: stop 30 s, probes 25 s, start 60 s, /readyz 30 s) */
  fault: 150_000,
  /** a background loop finishing its current pass (each call has a 10 s bound) */
  loop: 30_000,
};

const SERVER_ENV = {
  LOG_LEVEL: "warn",
  SIM_MAX_GRACE_SECONDS: "0",
  RESYNC_MS: "600000", // the periodic resync is effectively off for the whole campaign
  SUBSCRIPTION_BUFFER: "200",
  WORKERS: "2",
  // the checks replay every state: nothing of the change log is compacted, however long the run
  CHANGELOG_RETENTION_MS: "off",
  CHANGELOG_MAX_ROWS: "off",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Loop {
  /** ends the loop after its current pass; resolves when it has ended */
  stop(): Promise<void>;
}

/** Runs `body` again and again, `pause()` ms apart, until stopped; `body` is told when a stop is asked for. */
function loop(body: (stopping: () => boolean) => Promise<void>, pause: () => number): Loop {
  let stopping = false;
  const done = (async () => {
    while (!stopping) {
      await body(() => stopping);
      if (!stopping) await sleep(pause());
    }
  })();
  return {
    stop() {
      stopping = true;
      return done;
    },
  };
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const deadline = new Deadline(options.deadlineMs ?? defaultDeadlineMs(options));
  const say = (line: string) => options.log?.(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}`);
  const rng = new Rng(options.seed);
  const cluster = new Cluster(SERVER_ENV);
  const violations: Violation[] = [];
  const faults = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
  const urls = () => cluster.instances.map((i) => i.server.url);
  const outage = { probes: 0, maxFailMs: 0, maxRecoveryMs: 0 };
  const watchers: ResumingWatch[] = [];
  const loops: Loop[] = [];
  try {
    await deadline.within("the campaign's Postgres, proxy and migrations", 120_000, cluster.start());
    await deadline.within("the first two server processes to start", STEP_MS.start, Promise.all([cluster.addInstance(), cluster.addInstance()]));
    say(`cluster up: Postgres ${cluster.directUrl}, proxy :${cluster.proxy.port}, 2 instances`);

    // each quiet rollout has two 60 s bounds of its own
    const quiet = await deadline.within("the quiet phase's rollouts", 150_000, quietPhase(urls()[0], cluster, violations));
    say(`quiet phase: ${quiet.size} rollouts`);

    const maxId = async () => (await cluster.query<{ id: string }>("SELECT coalesce(max(id), 0)::text AS id FROM change_log"))[0].id;
    const from = await deadline.within("the change log's newest id", 30_000, maxId());
    for (const kind of ["Deployment", "ReplicaSet", "Pod"]) {
      const w = new ResumingWatch(kind, from, urls, rng);
      w.start();
      watchers.push(w);
    }

    // the faulty phase
    const workload = new Workload(rng, options.deployments ?? 20, urls);
    const until = Date.now() + options.minutes * 60_000;
    const workers = Array.from({ length: 4 }, (_, w) => {
      const mine = workload.slots.filter((_, i) => i % 4 === w);
      return loop(() => workload.step(mine), () => rng.int(20, 300));
    });
    // the external agent runs until the Deployments have converged (it reports manual pods ready)
    const agent = loop((stopping) => workload.agent(stopping), () => 400);
    loops.push(...workers, agent);
    const subscribers: Promise<void>[] = [];
    let round: Fault[] = [];
    let rounds = 0;
    while (Date.now() < until || rounds < (options.rounds ?? 0) || round.length > 0) {
      if (round.length === 0) {
        round = shuffle(rng, [...(options.round ?? LONG_ROUND)]);
        rounds++;
      }
      const fault = round.pop()!;
      await sleep(rng.int(500, 3_000));
      faults[fault]++;
      say(`fault ${fault} (${cluster.instances.length} instances)`);
      await deadline.within(`fault ${fault} (its injection and the restarts it makes)`, STEP_MS.fault, inject(fault));
    }
    await deadline.within("the workload's workers to finish their last mutation", STEP_MS.loop, Promise.all(workers.map((w) => w.stop())));
    cluster.proxy.latencyMs = 0;
    while (cluster.instances.length < 2) await deadline.within("a server process to start after the faults", STEP_MS.start, cluster.addInstance());
    const lastFault = Date.now();
    say("faults over; waiting for convergence");

    // converge polls within its own bound; each of its reads has a 30 s query timeout
    const convergence = await deadline.within("every Deployment to converge", BOUNDS.convergenceMs + 60_000, converge(cluster, lastFault, violations));
    say(`converged: p50 ${convergence.p50} ms, max ${convergence.max} ms`);
    await deadline.within("the node agent to finish its last pass", STEP_MS.loop, agent.stop());
    // each ends within its hold time + 10 s
    await deadline.within("the slow and vanishing subscribers to end", 30_000, Promise.all(subscribers));
    await deadline.within("the watches to catch up with the change log", 40_000, catchUp(cluster, watchers));
    say(`watches caught up`);

    const log = await deadline.within("the change log to be read", 60_000, readLog(cluster.directUrl));
    checkStates(log, violations);
    checkAcknowledged(log, workload.acks, violations);
    const wakeupMaxGapMs = checkWakeups(log, quiet, BOUNDS.wakeupGapMs, violations);
    checkWatches(log, watchers, violations);
    for (const exit of cluster.unexpectedExits) violations.push({ check: "processExit", detail: exit });

    const count = (o: string) => workload.acks.filter((a) => a.outcome === o).length;
    return {
      seed: options.seed,
      minutes: options.minutes,
      durationMs: Date.now() - started,
      faults,
      violations: Object.fromEntries(CHECKS.map((c) => [c, violations.filter((v) => v.check === c).length])) as Record<Check, number>,
      details: violations,
      convergenceMs: convergence,
      wakeupMaxGapMs,
      outage,
      mutations: { ok: count("ok"), refused: count("refused"), unknown: count("unknown") },
      deletes: Object.fromEntries(DELETE_POLICIES.map((p) => [p, workload.acks.filter((a) => a.op === "delete" && a.outcome === "ok" && a.propagationPolicy === p).length])) as Record<DeletePolicy, number>,
      watch: {
        events: watchers.reduce((n, w) => n + w.segments.reduce((m, s) => m + s.rvs.length, 0), 0),
        resumes: watchers.reduce((n, w) => n + w.resumes, 0),
        relists: watchers.reduce((n, w) => n + w.relists, 0),
      },
      changes: log.rows.length,
    };

    async function inject(fault: Fault): Promise<void> {
      switch (fault) {
        case "kill9": {
          const victim = rng.pick(cluster.instances);
          if (victim) await cluster.kill9(victim);
          await cluster.addInstance();
          return;
        }
        case "instances": {
          // two and three instances, with kills among them
          if (cluster.instances.length < 3) await cluster.addInstance();
          else await cluster.kill9(rng.pick(cluster.instances));
          return;
        }
        case "postgresRestart":
          return postgresOutage();
        case "network": {
          const kind = rng.pick(["latency", "stall", "reset", "halfOpen"] as const);
          say(`  network: ${kind}`);
          if (kind === "latency") {
            cluster.proxy.latencyMs = rng.int(10, 100);
            await sleep(rng.int(2_000, 5_000));
            cluster.proxy.latencyMs = 0;
          } else if (kind === "stall") {
            const ms = rng.int(2_000, 5_000);
            cluster.proxy.stall(ms);
            await sleep(ms);
          } else if (kind === "reset") {
            cluster.proxy.resetAll();
          } else {
            await cluster.proxy.halfOpen(rng.int(2_000, 4_000));
          }
          return;
        }
        case "subscribers": {
          for (let i = 0; i < 3; i++) {
            const url = rng.pick(urls());
            if (url) subscribers.push(rawSubscriber(url, rng.pick(["slow", "vanish"] as const), rng.int(500, 3_000)));
          }
          // a resuming watch loses its connection: it resumes from its last resourceVersion, or lists afresh
          const watcher = rng.pick(watchers);
          if (rng.chance(0.5)) watcher.relist();
          else watcher.drop();
          return;
        }
      }
    }

    /** Postgres stopped: calls fail fast with UNAVAILABLE, /readyz 503; back: /readyz 200. */
    async function postgresOutage(): Promise<void> {
      await deadline.within("the campaign's Postgres to stop", 30_000, cluster.stopPostgres());
      try {
        await Promise.all(cluster.instances.map((i) => probeOutage(i)));
      } finally {
        await deadline.within("the campaign's Postgres to start again", 60_000, cluster.restartPostgres());
      }
      const back = Date.now();
      await Promise.all(
        cluster.instances.map(async (i) => {
          const readyz = i.server.url.replace(/\/graphql$/, "/readyz");
          while (Date.now() - back < BOUNDS.recoveryMs) {
            const status = await fetch(readyz, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status, () => 0);
            if (status === 200) {
              outage.maxRecoveryMs = Math.max(outage.maxRecoveryMs, Date.now() - back);
              return;
            }
            if (i.killed) return;
            await sleep(100);
          }
          violations.push({ check: "outage", detail: `instance ${i.id}: /readyz not 200 within ${BOUNDS.recoveryMs} ms after Postgres came back` });
        }),
      );
    }

    async function probeOutage(i: Instance): Promise<void> {
      const calls = [
        ["query", `{ deployments(first: 1) { totalCount } }`],
        ["mutation", `mutation { scaleDeployment(name: "c0-0", replicas: 1) { metadata { name } } }`],
      ];
      for (const [what, query] of calls) {
        const t = Date.now();
        outage.probes++;
        const answer = await post(i.server.url, query, {}, BOUNDS.outageFailMs * 2).catch((e) => ({ errors: [{ message: String(e), extensions: { code: "NO_ANSWER" } }] }));
        const ms = Date.now() - t;
        outage.maxFailMs = Math.max(outage.maxFailMs, ms);
        const code = answer.errors?.[0]?.extensions?.code;
        if (code !== "UNAVAILABLE" || ms > BOUNDS.outageFailMs) {
          violations.push({ check: "outage", detail: `instance ${i.id}: a ${what} while Postgres was down answered ${code ?? "data"} after ${ms} ms (want UNAVAILABLE within ${BOUNDS.outageFailMs} ms)` });
        }
      }
      const status = await fetch(i.server.url.replace(/\/graphql$/, "/readyz"), { signal: AbortSignal.timeout(BOUNDS.outageFailMs) }).then((r) => r.status, () => 0);
      if (status !== 503) violations.push({ check: "outage", detail: `instance ${i.id}: /readyz answered ${status} while Postgres was down (want 503)` });
    }
  } finally {
    for (const l of loops) void l.stop();
    for (const w of watchers) w.stop();
    await cluster.stop();
    say("cluster stopped");
  }
}

/** Polls (30 s at most) until each watch has seen its kind's newest change, then stops it (checkWatches reports one that did not). */
async function catchUp(db: Cluster, watchers: ResumingWatch[]): Promise<void> {
  const until = Date.now() + 30_000;
  await Promise.all(
    watchers.map(async (w) => {
      const [{ id }] = await db.query<{ id: string }>("SELECT coalesce(max(id), 0)::text AS id FROM change_log WHERE kind = $1", [w.kind]);
      while (BigInt(w.lastRv) < BigInt(id) && Date.now() < until) await sleep(100);
      w.stop();
    }),
  );
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Quiet rollouts with no fault (and the periodic resync off): a rolling update and a Recreate,
 * each created and then updated. Returns their uids for the wake-up check.
 */
async function quietPhase(url: string, db: Cluster, violations: Violation[]): Promise<Set<string>> {
  const names = ["quiet-rolling", "quiet-recreate", "quiet-surge"];
  const replicas = 4;
  const strategies = [
    { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    { type: "Recreate" },
    { type: "RollingUpdate", rollingUpdate: { maxSurge: "50%", maxUnavailable: 0 } },
  ];
  const uids = new Set<string>();
  await Promise.all(
    names.map(async (name, i) => {
      const spec = {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name }, annotations: { [BEHAVIOR]: "ready", "sim.deploye.dev/startup-ms": "100" } },
          spec: { containers: [{ name: "app", image: "app:1" }], terminationGracePeriodSeconds: 0 },
        },
        strategy: strategies[i],
      };
      const created = await post(url, `mutation($m: ObjectMetaInput!, $s: DeploymentSpecInput!) { createDeployment(metadata: $m, spec: $s) { metadata { uid } } }`, { m: { name }, s: spec });
      if (!created.data) throw new Error(`quiet phase: ${JSON.stringify(created.errors)}`);
      uids.add(created.data.createDeployment.metadata.uid);
      if (!(await waitDone(db, name))) return violations.push({ check: "wakeup", detail: `quiet ${name} was not created within 60 s` });
      await post(url, `mutation($n: String!) { setImage(name: $n, container: "app", image: "app:2") { metadata { name } } }`, { n: name });
      if (!(await waitDone(db, name))) violations.push({ check: "wakeup", detail: `quiet ${name} did not finish its rollout within 60 s` });
    }),
  );
  return uids;
}

async function waitDone(db: Cluster, name: string): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const rows = await db.query(
      `SELECT 1 FROM deployments WHERE name = $1 AND observed_generation = generation AND updated_replicas = replicas AND available_replicas = replicas AND status_replicas = replicas`,
      [name],
    );
    if (rows.length) return true;
    await sleep(50);
  }
  return false;
}

/**
 * Polls until every Deployment is done (complete, paused and observed, or past its progress
 * deadline) and no dependent of a deleted owner is left; the time from the last fault to when each
 * Deployment was first seen done is its convergence time.
 */
async function converge(db: Cluster, since: number, violations: Violation[]): Promise<CampaignResult["convergenceMs"]> {
  const doneAt = new Map<string, number>();
  let pending: string[] = [];
  while (Date.now() - since < BOUNDS.convergenceMs) {
    const rows = await db.query<{ name: string; done: boolean }>(`
      SELECT name, deletion_timestamp IS NULL AND observed_generation = generation AND (
          paused
          OR (updated_replicas = replicas AND available_replicas = replicas AND status_replicas = replicas)
          OR conditions @> '[{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]'
        ) AS done
      FROM deployments`);
    const garbage = await db.query<{ what: string }>(`
      SELECT 'ReplicaSet ' || name AS what FROM replica_sets r WHERE owner_uid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deployments d WHERE d.uid = r.owner_uid)
      UNION ALL
      SELECT 'Pod ' || name FROM pods p WHERE owner_uid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM replica_sets r WHERE r.uid = p.owner_uid)`);
    for (const r of rows) if (r.done && !doneAt.has(r.name)) doneAt.set(r.name, Date.now() - since);
    pending = [...rows.filter((r) => !r.done).map((r) => `Deployment ${r.name}`), ...garbage.map((g) => g.what)];
    if (pending.length === 0) break;
    await sleep(200);
  }
  for (const what of pending.slice(0, 20)) {
    violations.push({ check: "convergence", detail: `${what} not converged ${BOUNDS.convergenceMs} ms after the last fault: ${await evidence(db, what.split(" ")[1])}` });
  }
  const times = [...doneAt.values()].sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)] ?? 0, max: times[times.length - 1] ?? 0, deployments: times.length };
}

/** The rows of an object that did not converge and of its dependents, for the report. */
async function evidence(db: Cluster, name: string): Promise<string> {
  const rows = await db.query(`
    SELECT 'Deployment' AS kind, name, uid, resource_version::text AS rv, deletion_timestamp, finalizers, null::text AS owner, replicas, paused, generation, observed_generation, updated_replicas, available_replicas, conditions
      FROM deployments WHERE name = $1
    UNION ALL
    SELECT 'ReplicaSet', name, uid, resource_version::text, deletion_timestamp, finalizers, owner_uid::text, replicas, null, generation, observed_generation, status_replicas, available_replicas, null
      FROM replica_sets WHERE name LIKE $1 || '-%'
    UNION ALL
    SELECT 'Pod', name, uid, resource_version::text, deletion_timestamp, finalizers, owner_uid::text, null, null, null, null, null, null, null
      FROM pods WHERE name LIKE $1 || '-%'`, [name]);
  return JSON.stringify(rows);
}

/**
 * A watch that resumed from a resourceVersion saw every change of its kind after it exactly once and
 * in order; whatever re-listed ends with the same objects and versions as the database.
 */
function checkWatches(log: Log, watchers: ResumingWatch[], violations: Violation[]): void {
  for (const w of watchers) {
    const ids = log.rows.filter((r) => r.kind === w.kind).map((r) => r.id);
    for (const [n, segment] of w.segments.entries()) {
      if (segment.from === null || segment.rvs.length === 0) continue;
      const from = BigInt(segment.from);
      const to = BigInt(segment.rvs[segment.rvs.length - 1]);
      const want = ids.filter((id) => BigInt(id) > from && BigInt(id) <= to);
      if (want.join() !== segment.rvs.join()) {
        const got = new Set(segment.rvs);
        const missing = want.filter((id) => !got.has(id));
        violations.push({ check: "watch", detail: `${w.kind} watch, segment ${n} after ${segment.from}: ${segment.rvs.length} events, the log has ${want.length}; missing ${missing.slice(0, 5).join(",")}; first of the sequence ${segment.rvs.slice(0, 5).join(",")}` });
      }
    }
    const last = ids[ids.length - 1];
    // a watch that re-listed last may know every change without having seen the newest id (a
    // listing holds no deleted object); its state is checked below
    const relisted = w.segments[w.segments.length - 1]?.from === null;
    if (last && !relisted && BigInt(w.lastRv) < BigInt(last)) violations.push({ check: "watch", detail: `${w.kind} watch stopped at ${w.lastRv}, the log goes to ${last}` });
    const live = new Map<string, string>();
    for (const r of log.rows) {
      if (r.kind !== w.kind) continue;
      if (r.type === "DELETED") live.delete(r.uid);
      else live.set(r.uid, r.id);
    }
    // a watch that resumed knows the objects that changed after it began, and all after a re-list
    const begin = BigInt(w.segments[0]?.from ?? "0");
    const expected = [...live.keys()].filter((uid) => BigInt(live.get(uid)!) > begin);
    const known = [...new Set([...expected, ...w.state.keys()])].filter((uid) => live.get(uid) !== w.state.get(uid));
    if (known.length) violations.push({ check: "watch", detail: `${w.kind} watch ends with ${known.length} objects differing from the database (e.g. ${known[0]}: watch ${w.state.get(known[0])}, database ${live.get(known[0])})` });
  }
}

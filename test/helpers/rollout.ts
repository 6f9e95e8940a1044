// Rollout tests through the public GraphQL API: Deployments whose pods are `manual` (only the test
// makes them ready, with updatePodStatus), a settle that waits for the controllers to run out of
// work, a driver that makes one new pod ready at a time, and a replay of the change log that
// derives every state a Deployment and its ReplicaSets went through, in commit order.
import pg from "pg";
import { canonicalEncoding, POD_TEMPLATE_HASH_LABEL } from "../../src/domain/hash.ts";
import { maxSurge, maxUnavailable } from "../../src/domain/intstr.ts";
import type { Deployment, DeploymentStrategy } from "../../src/domain/types.ts";
import { startTestApp, type TestApp } from "./app.ts";
import { waitFor } from "./wait.ts";

const BEHAVIOR = "sim.deploye.dev/behavior";

/** The GraphQL caller of an in-process app or a spawned server. */
export interface Api {
  data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

/** `data` for a server at `url` (a spawned process). */
export function apiAt(url: string): Api {
  return {
    async data(query, variables) {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Deployments through the API.

export interface DeploymentOptions {
  replicas: number;
  image?: string;
  strategy?: { type: "RollingUpdate"; maxSurge: number | string; maxUnavailable: number | string } | { type: "Recreate" };
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  /** pod behavior (template annotation); default manual */
  behavior?: string;
  /** default 0: a deleted pod disappears at once */
  terminationGracePeriodSeconds?: number;
}

/** A DeploymentSpecInput selecting app=<name>, one container "app". */
export function deploymentSpec(name: string, o: DeploymentOptions) {
  const strategy =
    o.strategy?.type === "Recreate"
      ? { type: "Recreate" }
      : { type: "RollingUpdate", rollingUpdate: { maxSurge: o.strategy?.maxSurge ?? "25%", maxUnavailable: o.strategy?.maxUnavailable ?? "25%" } };
  return {
    replicas: o.replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name }, annotations: { [BEHAVIOR]: o.behavior ?? "manual" } },
      spec: { containers: [{ name: "app", image: o.image ?? "nginx:1" }], terminationGracePeriodSeconds: o.terminationGracePeriodSeconds ?? 0 },
    },
    strategy,
    ...(o.minReadySeconds !== undefined && { minReadySeconds: o.minReadySeconds }),
    ...(o.progressDeadlineSeconds !== undefined && { progressDeadlineSeconds: o.progressDeadlineSeconds }),
    ...(o.revisionHistoryLimit !== undefined && { revisionHistoryLimit: o.revisionHistoryLimit }),
  };
}

export async function createDeployment(api: Api, name: string, o: DeploymentOptions): Promise<{ uid: string }> {
  const { createDeployment } = await api.data(
    `mutation($metadata: ObjectMetaInput!, $spec: DeploymentSpecInput!) { createDeployment(metadata: $metadata, spec: $spec) { metadata { uid } } }`,
    { metadata: { name }, spec: deploymentSpec(name, o) },
  );
  return createDeployment.metadata;
}

/** kubectl set image; returns the rollout status as the mutation's response shows it. */
export async function setImage(api: Api, name: string, image: string, changeCause?: string): Promise<RolloutStatusView> {
  const { setImage } = await api.data(
    `mutation($name: String!, $image: String!, $changeCause: String) {
      setImage(name: $name, container: "app", image: $image, changeCause: $changeCause) { rolloutStatus { ${ROLLOUT_STATUS} } } }`,
    { name, image, changeCause },
  );
  return setImage.rolloutStatus;
}

export async function scaleDeployment(api: Api, name: string, replicas: number): Promise<void> {
  await api.data(`mutation($name: String!, $replicas: Int!) { scaleDeployment(name: $name, replicas: $replicas) { metadata { name } } }`, { name, replicas });
}

/** pauseRollout / resumeRollout / restartRollout by name. */
export async function rolloutAction(api: Api, action: "pauseRollout" | "resumeRollout" | "restartRollout", name: string): Promise<void> {
  await api.data(`mutation($name: String!) { ${action}(name: $name) { metadata { name } } }`, { name });
}

export async function rollback(api: Api, name: string, toRevision = 0): Promise<void> {
  await api.data(`mutation($name: String!, $to: Int) { rollbackDeployment(name: $name, toRevision: $to) { metadata { name } } }`, { name, to: toRevision });
}

/** What a node agent reports for a manual pod that started and passes its readiness probe. */
export async function markReady(api: Api, pod: string): Promise<void> {
  await api.data(`mutation($name: String!) { updatePodStatus(name: $name, status: { phase: Running, ready: true }) { metadata { name } } }`, { name: pod });
}

export const ROLLOUT_STATUS = "phase done message revision observedGeneration generation desiredReplicas updatedReplicas readyReplicas availableReplicas oldReplicas";
const CONDITION = "type status reason message lastUpdateTime lastTransitionTime";
const TEMPLATE = "metadata { labels annotations } spec { terminationGracePeriodSeconds containers { name image } }";

export interface RolloutStatusView {
  phase: "Progressing" | "Complete" | "Paused" | "Failed";
  done: boolean;
  message: string;
  revision: number;
  updatedReplicas: number;
  availableReplicas: number;
  oldReplicas: number;
}

export interface ConditionView {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string | null;
  message: string | null;
  lastUpdateTime: string | null;
  lastTransitionTime: string | null;
}

export interface PodView {
  metadata: { name: string; deletionTimestamp: string | null };
  status: { phase: string; ready: boolean };
}

export interface TemplateView {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: { terminationGracePeriodSeconds: number; containers: { name: string; image: string }[] };
}

export interface ReplicaSetView {
  metadata: { name: string; uid: string; generation: number; annotations: Record<string, string>; creationTimestamp: string };
  spec: { replicas: number; template: TemplateView };
  status: { replicas: number; readyReplicas: number; availableReplicas: number; observedGeneration: number };
  revision: number | null;
  pods: PodView[];
}

export interface DeploymentView {
  metadata: { uid: string; generation: number; annotations: Record<string, string> };
  spec: { replicas: number; paused: boolean; template: TemplateView };
  status: { observedGeneration: number; replicas: number; updatedReplicas: number; availableReplicas: number; collisionCount: number; conditions: ConditionView[] };
  revision: number;
  rolloutStatus: RolloutStatusView;
  /** highest revision first */
  replicaSets: ReplicaSetView[];
  history: { revision: number; changeCause: string | null; replicaSet: { metadata: { name: string } } }[];
  events: { type: string; reason: string; message: string }[];
}

export async function getDeployment(api: Api, name: string): Promise<DeploymentView> {
  const { deployment } = await api.data(
    `query($name: String!) { deployment(name: $name) {
      metadata { uid generation annotations }
      spec { replicas paused template { ${TEMPLATE} } }
      status { observedGeneration replicas updatedReplicas availableReplicas collisionCount conditions { ${CONDITION} } }
      revision
      rolloutStatus { ${ROLLOUT_STATUS} }
      replicaSets {
        metadata { name uid generation annotations creationTimestamp }
        spec { replicas template { ${TEMPLATE} } }
        status { replicas readyReplicas availableReplicas observedGeneration }
        revision
        pods { metadata { name deletionTimestamp } status { phase ready } }
      }
      history { revision changeCause replicaSet { metadata { name } } }
      events(first: 500) { type reason message }
    } }`,
    { name },
  );
  if (!deployment) throw new Error(`deployment ${name} not found`);
  return deployment;
}

export function condition(d: DeploymentView, type: string): ConditionView | undefined {
  return d.status.conditions.find((c) => c.type === type);
}

function withoutHash(t: TemplateView): string {
  const { [POD_TEMPLATE_HASH_LABEL]: _hash, ...labels } = t.metadata.labels;
  return canonicalEncoding({ ...t, metadata: { ...t.metadata, labels } });
}

/** The ReplicaSet running the Deployment's template (as far as the fields read here tell), if it exists yet. */
export function findNewReplicaSet(d: DeploymentView): ReplicaSetView | undefined {
  return d.replicaSets.find((rs) => withoutHash(rs.spec.template) === withoutHash(d.spec.template));
}

export function newReplicaSet(d: DeploymentView): ReplicaSetView {
  const rs = findNewReplicaSet(d);
  if (!rs) throw new Error(`no ReplicaSet of the current template: ${JSON.stringify(d.replicaSets.map((r) => r.metadata.name))}`);
  return rs;
}

function activeNotReady(rs: ReplicaSetView | undefined): PodView[] {
  return (rs?.pods ?? []).filter((p) => p.metadata.deletionTimestamp === null && !p.status.ready);
}

// ---------------------------------------------------------------------------------------------
// Settling: the controllers have nothing left to do.

/**
 * The test's own connection to the database (one client, not a pool: its end() waits until the
 * connection is closed, so dropping the database afterwards terminates nobody).
 */
export class Database {
  readonly #client: pg.Client;
  readonly #connected: Promise<unknown>;
  constructor(url: string) {
    this.#client = new pg.Client({ connectionString: url });
    this.#connected = this.#client.connect();
  }
  async query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    await this.#connected;
    return this.#client.query<R>(text, values);
  }
  async maxChangeId(): Promise<bigint> {
    const { rows } = await this.query<{ id: string | null }>("SELECT max(id)::text AS id FROM change_log");
    return BigInt(rows[0].id ?? 0);
  }
  async close(): Promise<void> {
    await this.#connected.catch(() => {});
    await this.#client.end();
  }
}

function idle(app: TestApp): boolean {
  const c = app.controllers!;
  return [c.deployments, c.replicaSets, c.gc, c.wakes, app.nodeAgent?.pods].every((q) => !q || (q.depth === 0 && q.inFlight === 0 && q.coalescing === 0));
}

/**
 * Waits until the change feed has read every committed change and every controller, wake-up
 * lookup and node-agent queue is idle (nothing queued, nothing running, no coalesced wake-up
 * waiting), observed twice in a row. Timers set with addAfter (progress
 * deadline, minReadySeconds) are not waited for.
 */
export async function settle(app: TestApp, db: Database, timeoutMs = 10_000): Promise<void> {
  let streak = 0;
  await waitFor(
    async () => {
      const maxId = await db.maxChangeId();
      const caughtUp = app.feed.lastId >= maxId && idle(app);
      streak = caughtUp ? streak + 1 : 0;
      return streak;
    },
    (n) => n >= 2,
    { timeoutMs, intervalMs: 5, what: "the controllers to settle" },
  );
}

/**
 * Drives the rollout of `name` to completion: settle, and while it is not done, make one pod of the
 * new ReplicaSet ready (the first by name) and settle again. When no such pod exists yet (Recreate
 * waits for old pods to terminate), keeps settling until one does. Returns the rollout-status
 * messages seen after the settles, consecutive repeats collapsed, the final one included.
 */
export async function driveRollout(app: TestApp, db: Database, name: string, { maxSteps = 50, timeoutMs = 10_000 } = {}): Promise<string[]> {
  const messages: string[] = [];
  for (let step = 0; step <= maxSteps; step++) {
    const d = await waitFor(
      async () => {
        await settle(app, db);
        const d = await getDeployment(app, name);
        if (messages[messages.length - 1] !== d.rolloutStatus.message) messages.push(d.rolloutStatus.message);
        return d;
      },
      (d) => d.rolloutStatus.done || activeNotReady(findNewReplicaSet(d)).length > 0,
      { timeoutMs, what: `a pod of the new ReplicaSet of ${name} to make ready` },
    );
    if (d.rolloutStatus.done) return messages;
    await markReady(app, activeNotReady(newReplicaSet(d))[0].metadata.name);
  }
  throw new Error(`rollout of ${name} not done after ${maxSteps} pods were made ready`);
}

/** Makes every active, not-ready pod of the Deployment ready (all at once) and settles. */
export async function readyAll(app: TestApp, db: Database, name: string): Promise<DeploymentView> {
  await settle(app, db);
  const d = await getDeployment(app, name);
  for (const rs of d.replicaSets) for (const pod of activeNotReady(rs)) await markReady(app, pod.metadata.name);
  await settle(app, db);
  return getDeployment(app, name);
}

/**
 * The in-process server a rollout test file drives (`manual` pods start in 10 ms) and the test's
 * own connection to its database. Grace periods come from the templates (0 unless a test says
 * otherwise); no periodic resync: every sync is caused by a change (none runs behind a test's
 * back), so a change that wakes nobody shows as a stuck rollout.
 */
export async function startRolloutApp(): Promise<{ app: TestApp; db: Database }> {
  const app = await startTestApp({ podStartupMs: 10, resyncMs: 3_600_000 });
  return { app, db: new Database(app.databaseUrl) };
}

/** Undoes startRolloutApp (either may be missing when it failed). */
export async function stopRolloutApp(app: TestApp | undefined, db: Database | undefined): Promise<void> {
  await db?.close();
  await app?.stop();
}

/** Creates a Deployment and brings it up healthy: every pod ready, rollout complete. */
export async function createHealthy(app: TestApp, db: Database, name: string, o: DeploymentOptions): Promise<{ uid: string }> {
  const created = await createDeployment(app, name, o);
  const d = await readyAll(app, db, name);
  if (!d.rolloutStatus.done) throw new Error(`${name} did not come up: ${d.rolloutStatus.message}`);
  return created;
}

// ---------------------------------------------------------------------------------------------
// Replaying the change log.

export interface ReplicaSetState {
  uid: string;
  name: string;
  /** spec.replicas */
  replicas: number;
  statusReplicas: number;
  available: number;
  revision: number;
  createdAt: string;
}

export interface RolloutState {
  /** the change-log id of the write that made this state */
  id: bigint;
  /** the last write of its transaction: a state every reader could see (others only watchers see) */
  committed: boolean;
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  strategy: DeploymentStrategy["type"];
  /** conditions of the Deployment's stored status */
  conditions: ConditionView[];
  /** the owned ReplicaSets, oldest first */
  replicaSets: ReplicaSetState[];
}

interface LogRow {
  id: string;
  /** the writing transaction */
  xid: string;
  kind: "Deployment" | "ReplicaSet";
  type: "ADDED" | "MODIFIED" | "DELETED";
  uid: string;
  object: Record<string, any>;
}

/**
 * Every state of the Deployment `uid` and the ReplicaSets it owns, in commit order: one per
 * change-log row of either (what a watcher sees), those after the last row of a transaction marked
 * `committed` (what any reader could see). Rows of ReplicaSets it does not own are ignored (one it
 * stops owning leaves the state).
 */
export async function replay(db: Database, uid: string): Promise<RolloutState[]> {
  const { rows } = await db.query<LogRow>(
    `SELECT id::text, xmin::text AS xid, kind, type, uid::text, object FROM change_log
      WHERE (kind = 'Deployment' AND uid::text = $1) OR (kind = 'ReplicaSet' AND object->>'owner_uid' = $1)
      ORDER BY change_log.id`,
    [uid],
  );
  const states: RolloutState[] = [];
  const sets = new Map<string, ReplicaSetState>();
  let deployment: Record<string, any> | null = null;
  for (const [i, row] of rows.entries()) {
    if (row.kind === "Deployment") {
      deployment = row.type === "DELETED" ? null : row.object;
    } else if (row.type === "DELETED" || row.object.owner_uid !== uid) {
      sets.delete(row.uid);
    } else {
      const o = row.object;
      sets.set(row.uid, {
        uid: row.uid,
        name: o.name,
        replicas: Number(o.replicas),
        statusReplicas: Number(o.status_replicas),
        available: Number(o.available_replicas),
        revision: Number(o.annotations?.["deployment.kubernetes.io/revision"] ?? 0),
        createdAt: o.creation_timestamp,
      });
    }
    if (!deployment) continue;
    const d = { spec: { replicas: Number(deployment.replicas), strategy: deployment.strategy } } as unknown as Deployment;
    states.push({
      id: BigInt(row.id),
      committed: rows[i + 1]?.xid !== row.xid,
      replicas: d.spec.replicas,
      maxSurge: maxSurge(d),
      maxUnavailable: maxUnavailable(d),
      strategy: d.spec.strategy.type,
      conditions: deployment.conditions ?? [],
      replicaSets: [...sets.values()].map((s) => ({ ...s })).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name)),
    });
  }
  return states;
}

/**
 * (new, old) spec.replicas after every transaction (one sync of the Deployment controller is one)
 * in which the ReplicaSet `newName` exists — old is the sum over the others — with consecutive
 * equal pairs collapsed.
 */
export function sizeSequence(states: RolloutState[], newName: string): [number, number][] {
  const out: [number, number][] = [];
  for (const s of states.filter((s) => s.committed)) {
    const newRS = s.replicaSets.find((rs) => rs.name === newName);
    if (!newRS) continue;
    const old = s.replicaSets.filter((rs) => rs !== newRS).reduce((sum, rs) => sum + rs.replicas, 0);
    const last = out[out.length - 1];
    if (!last || last[0] !== newRS.replicas || last[1] !== old) out.push([newRS.replicas, old]);
  }
  return out;
}

/**
 * The rolling-update invariants upstream keeps, checked at every state, within transactions too
 * (upstream makes each write separately, so each must keep them): Σ spec.replicas ≤ replicas +
 * maxSurge, and Σ status.availableReplicas ≥ replicas − maxUnavailable. Returns one line per
 * violation (empty when none).
 */
export function invariantViolations(states: RolloutState[], { availability = true }: { availability?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const s of states) {
    const spec = s.replicaSets.reduce((sum, rs) => sum + rs.replicas, 0);
    const available = s.replicaSets.reduce((sum, rs) => sum + rs.available, 0);
    const sizes = s.replicaSets.map((rs) => `${rs.name}:${rs.replicas}/${rs.available}`).join(" ");
    if (spec > s.replicas + s.maxSurge) out.push(`id ${s.id}: Σ spec ${spec} > ${s.replicas} + surge ${s.maxSurge} (${sizes})`);
    if (availability && available < s.replicas - s.maxUnavailable) {
      out.push(`id ${s.id}: Σ available ${available} < ${s.replicas} − unavailable ${s.maxUnavailable} (${sizes})`);
    }
  }
  return out;
}

/** The states from the first one at or after change-log id `fromId`. */
export function statesFrom(states: RolloutState[], fromId: bigint): RolloutState[] {
  return states.filter((s) => s.id >= fromId);
}

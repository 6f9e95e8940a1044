// Rollouts interrupted and steered through the public API (real server, real Postgres, `manual`
// pods): pause and resume with a template edit, a scaling event mid-rollout (proportional
// scaling), scale to 0 then a template edit, a rollout that misses its progress deadline and then
// recovers, and an edit that commits while a sync of the Deployment is under way.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyOf } from "../../src/domain/names.ts";
import { CHANGE_LOG_LOCK } from "../../src/db/tx.ts";
import type { TestApp } from "../helpers/app.ts";
import {
  condition,
  createHealthy,
  Database,
  driveRollout,
  getDeployment,
  invariantViolations,
  markReady,
  newReplicaSet,
  replay,
  rolloutAction,
  scaleDeployment,
  setImage,
  settle,
  sizeSequence,
  startRolloutApp,
  statesFrom,
  stopRolloutApp,
} from "../helpers/rollout.ts";
import { waitFor } from "../helpers/wait.ts";

let app: TestApp;
let db: Database;
// no periodic resync: every sync is caused by a change (see startRolloutApp)
beforeAll(async () => void ({ app, db } = await startRolloutApp()));
afterAll(() => stopRolloutApp(app, db));

const scalingMessages = async (name: string) =>
  (await getDeployment(app, name)).events.filter((e) => e.reason === "ScalingReplicaSet").map((e) => e.message);

describe("pause and resume", () => {
  it("a template edit waits while paused (scaling does not), and rolls out on resume", async () => {
    const name = "paused";
    const { uid } = await createHealthy(app, db, name, { replicas: 2, strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 } });
    const start = await db.maxChangeId();
    const [oldRS] = (await getDeployment(app, name)).replicaSets;

    await rolloutAction(app, "pauseRollout", name);
    await setImage(app, name, "nginx:2");
    await scaleDeployment(app, name, 3);
    await settle(app, db);
    let d = await getDeployment(app, name);
    expect(d.spec.paused).toBe(true);
    expect(d.status.observedGeneration).toBe(d.metadata.generation);
    expect(condition(d, "Progressing")).toMatchObject({ status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" });
    // no new ReplicaSet; the scale went to the one there is
    expect(d.replicaSets.map((rs) => [rs.metadata.name, rs.spec.replicas])).toEqual([[oldRS.metadata.name, 3]]);
    expect(d.rolloutStatus).toMatchObject({ phase: "Paused", done: false, revision: 1, message: `Waiting for deployment "${name}" rollout to finish: 0 out of 3 new replicas have been updated...` });
    const whilePaused = statesFrom(await replay(db, uid), start);
    expect(whilePaused.every((s) => s.replicaSets.length === 1)).toBe(true);

    await rolloutAction(app, "resumeRollout", name);
    const resumedAt = await db.maxChangeId();
    await driveRollout(app, db, name);
    d = await getDeployment(app, name);
    expect(d.spec.paused).toBe(false);
    expect(d.replicaSets.map((rs) => [rs.revision, rs.spec.replicas])).toEqual([[2, 3], [1, 0]]);
    expect(condition(d, "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });
    // the resume was reported (Progressing Unknown DeploymentResumed) before the rollout went on
    const reasons = statesFrom(await replay(db, uid), resumedAt).map((s) => s.conditions.find((c) => c.type === "Progressing")?.reason);
    const resumed = reasons.indexOf("DeploymentResumed");
    expect(resumed).toBeGreaterThanOrEqual(0);
    expect(reasons.indexOf("NewReplicaSetCreated")).toBeGreaterThan(resumed);
  });
});

describe("scaling mid-rollout", () => {
  it("spreads a scale-up over the ReplicaSets in proportion (section 6: (5, 8) at max 13, 10→15 with surge 3 → (7, 11))", async () => {
    const name = "proportional";
    const { uid } = await createHealthy(app, db, name, { replicas: 10, strategy: { type: "RollingUpdate", maxSurge: 3, maxUnavailable: 2 } });
    const [oldRS] = (await getDeployment(app, name)).replicaSets;
    const start = await db.maxChangeId();
    await setImage(app, name, "nginx:2");
    await settle(app, db);
    let d = await getDeployment(app, name);
    const newRS = newReplicaSet(d);
    // stuck: no new pod is ready
    expect(d.replicaSets.map((rs) => [rs.spec.replicas, rs.metadata.annotations["deployment.kubernetes.io/max-replicas"]])).toEqual([[5, "13"], [8, "13"]]);

    await scaleDeployment(app, name, 15);
    await settle(app, db);
    d = await getDeployment(app, name);
    expect(d.replicaSets.map((rs) => [rs.metadata.name, rs.spec.replicas])).toEqual([[newRS.metadata.name, 7], [oldRS.metadata.name, 11]]);
    for (const rs of d.replicaSets) {
      expect(rs.metadata.annotations).toMatchObject({ "deployment.kubernetes.io/desired-replicas": "15", "deployment.kubernetes.io/max-replicas": "18" });
    }
    expect(await scalingMessages(name)).toEqual(
      expect.arrayContaining([`Scaled up replica set ${oldRS.metadata.name} to 11 from 8`, `Scaled up replica set ${newRS.metadata.name} to 7 from 5`]),
    );

    await driveRollout(app, db, name);
    d = await getDeployment(app, name);
    expect(d.replicaSets.map((rs) => [rs.spec.replicas, rs.status.availableReplicas])).toEqual([[15, 15], [0, 0]]);
    const states = statesFrom(await replay(db, uid), start);
    expect(sizeSequence(states, newRS.metadata.name).slice(0, 3)).toEqual([[3, 8], [5, 8], [7, 11]]);
    // a scale-up leaves availability below the new minimum for a while; the surge bound holds throughout
    expect(invariantViolations(states, { availability: false })).toEqual([]);
  });

  it("scaled to 0, a template edit creates the new ReplicaSet at 0 and the rollout is complete", async () => {
    const name = "zero";
    await createHealthy(app, db, name, { replicas: 2 });
    await scaleDeployment(app, name, 0);
    await settle(app, db);
    let d = await getDeployment(app, name);
    expect(d.replicaSets.map((rs) => [rs.spec.replicas, rs.pods.length])).toEqual([[0, 0]]);
    expect(d.rolloutStatus).toMatchObject({ done: true, message: `deployment "${name}" successfully rolled out` });

    await setImage(app, name, "nginx:2");
    await settle(app, db);
    d = await getDeployment(app, name);
    expect(d.replicaSets.map((rs) => [rs.revision, rs.spec.replicas, rs.spec.template.spec.containers[0].image])).toEqual([
      [2, 0, "nginx:2"],
      [1, 0, "nginx:1"],
    ]);
    expect(d.revision).toBe(2);
    expect(d.rolloutStatus).toMatchObject({ phase: "Complete", done: true, revision: 2, message: `deployment "${name}" successfully rolled out` });
    expect(condition(d, "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });
    // nothing was scaled up: the new RS was created at 0
    expect((await scalingMessages(name)).filter((m) => m.includes(newReplicaSet(d).metadata.name))).toEqual([]);
  });
});

describe("progress deadline", () => {
  it("a stalled rollout reports ProgressDeadlineExceeded, and recovers when its pods become ready", async () => {
    const name = "stalled";
    const { uid } = await createHealthy(app, db, name, { replicas: 2, progressDeadlineSeconds: 1, strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 } });
    const start = await db.maxChangeId();
    await setImage(app, name, "nginx:2");
    await settle(app, db);
    const newName = newReplicaSet(await getDeployment(app, name)).metadata.name;

    // nobody makes the new pod ready: the deadline passes, and the controller notices by itself
    let d = await waitFor(() => getDeployment(app, name), (d) => condition(d, "Progressing")?.reason === "ProgressDeadlineExceeded", {
      timeoutMs: 5000,
      what: "ProgressDeadlineExceeded",
    });
    expect(condition(d, "Progressing")).toMatchObject({ status: "False", message: `ReplicaSet "${newName}" has timed out progressing.` });
    expect(d.rolloutStatus).toMatchObject({ phase: "Failed", done: false, message: `deployment "${name}" exceeded its progress deadline` });
    expect(d.replicaSets.map((rs) => rs.spec.replicas)).toEqual([1, 2]);

    // progress flips it back
    await markReady(app, newReplicaSet(d).pods[0].metadata.name);
    await settle(app, db);
    d = await getDeployment(app, name);
    expect(condition(d, "Progressing")).toMatchObject({ status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "${newName}" is progressing.` });
    expect(d.rolloutStatus.phase).toBe("Progressing");

    await driveRollout(app, db, name);
    d = await getDeployment(app, name);
    expect(condition(d, "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${newName}" has successfully progressed.` });
    expect(d.rolloutStatus).toMatchObject({ phase: "Complete", done: true, message: `deployment "${name}" successfully rolled out` });
    expect(invariantViolations(statesFrom(await replay(db, uid), start))).toEqual([]);
  });
});

describe("an edit committed during a sync", () => {
  /** A session of its own holding a session-level advisory lock (key: one bigint, or two ints from hashtext). */
  async function holdLock(key: [string] | [string, string]): Promise<{ release(): Promise<void> }> {
    const client = new pg.Client({ connectionString: app.databaseUrl });
    await client.connect();
    await client.query(key.length === 1 ? "SELECT pg_advisory_lock($1::bigint)" : "SELECT pg_advisory_lock(hashtext($1), hashtext($2))", [...key]);
    return { release: () => client.end() };
  }
  /** Sessions waiting for the change-log lock. */
  const changeLogWaiters = async () => {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
         AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
      [String(CHANGE_LOG_LOCK)],
    );
    return Number(rows[0].n);
  };

  it("is not overwritten by the sync's writes, which were planned from what it read before", async () => {
    const name = "concurrent";
    await createHealthy(app, db, name, { replicas: 1 });
    // The Deployment's sync is held before it reads, the API's second edit before it writes:
    const deploymentLock = await holdLock(["Deployment", keyOf("default", name)]);
    await setImage(app, name, "nginx:2", "first");
    const changeLog = await holdLock([String(CHANGE_LOG_LOCK)]);
    const second = setImage(app, name, "nginx:3", "second");
    await waitFor(changeLogWaiters, (n) => n === 1, { what: "the second edit to wait for the change-log lock" });
    // the sync reads (the first edit only) and queues for the change-log lock behind the edit
    await deploymentLock.release();
    await waitFor(changeLogWaiters, (n) => n === 2, { what: "the sync to wait for the change-log lock" });
    await changeLog.release();
    await second;
    await settle(app, db);

    const d = await getDeployment(app, name);
    expect(d.metadata.annotations["kubernetes.io/change-cause"]).toBe("second");
    await driveRollout(app, db, name);
    const done = await getDeployment(app, name);
    expect(newReplicaSet(done).spec.template.spec.containers[0].image).toBe("nginx:3");
    expect(done.history.map((h) => h.changeCause).slice(-1)).toEqual(["second"]);
  });
});

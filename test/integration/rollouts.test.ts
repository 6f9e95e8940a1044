// Rollouts on a real server and a real Postgres, driven through the public API: pods are `manual`,
// so a new pod becomes ready only when the test reports it with updatePodStatus (one at a time,
// the controllers settling in between). The sizes the ReplicaSets went through are not sampled:
// they are replayed from the change log, every committed state in commit order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app.ts";
import {
  condition,
  createHealthy,
  Database,
  driveRollout,
  getDeployment,
  invariantViolations,
  newReplicaSet,
  replay,
  setImage,
  sizeSequence,
  startRolloutApp,
  statesFrom,
  stopRolloutApp,
} from "../helpers/rollout.ts";

let app: TestApp;
let db: Database;
// no periodic resync: every sync is caused by a change (see startRolloutApp)
beforeAll(async () => void ({ app, db } = await startRolloutApp()));
afterAll(() => stopRolloutApp(app, db));

type Pair = [number, number];

/**
 * The ScalingReplicaSet events a (new, old) size sequence implies, upstream's wording: the new RS
 * created at its first size, then every change of either side.
 */
function scalingEvents(sequence: Pair[], replicas: number, newName: string, oldName: string): string[] {
  const events = [`Scaled up replica set ${oldName} to ${replicas}`];
  const scaled = (name: string, from: number, to: number) => `Scaled ${to > from ? "up" : "down"} replica set ${name} to ${to} from ${from}`;
  let [prevNew, prevOld]: Pair = [0, replicas];
  for (const [i, [n, o]] of sequence.entries()) {
    if (i === 0 && n > 0) events.push(`Scaled up replica set ${newName} to ${n}`);
    else if (n !== prevNew) events.push(scaled(newName, prevNew, n));
    if (o !== prevOld) events.push(scaled(oldName, prevOld, o));
    [prevNew, prevOld] = [n, o];
  }
  return events.sort();
}

// controller-semantics §10: (new, old) spec.replicas after each sync of an image change, one new pod
// becoming available at a time.
const WORKED_SEQUENCES: { replicas: number; maxSurge: number | string; maxUnavailable: number | string; sequence: Pair[] }[] = [
  { replicas: 3, maxSurge: 1, maxUnavailable: 0, sequence: [[1, 3], [1, 2], [2, 2], [2, 1], [3, 1], [3, 0]] },
  { replicas: 4, maxSurge: 1, maxUnavailable: 1, sequence: [[1, 3], [2, 3], [2, 2], [3, 2], [3, 1], [4, 1], [4, 0]] },
  {
    replicas: 10,
    maxSurge: "25%",
    maxUnavailable: "25%",
    sequence: [[3, 8], [5, 8], [5, 7], [6, 7], [6, 6], [7, 6], [7, 5], [8, 5], [8, 4], [9, 4], [9, 3], [10, 3], [10, 2], [10, 1], [10, 0]],
  },
  { replicas: 3, maxSurge: 0, maxUnavailable: 1, sequence: [[0, 2], [1, 2], [1, 1], [2, 1], [2, 0], [3, 0]] },
  { replicas: 3, maxSurge: 3, maxUnavailable: 0, sequence: [[3, 3], [3, 2], [3, 1], [3, 0]] },
];

describe("rolling update", () => {
  it.each(WORKED_SEQUENCES)(
    "replicas $replicas, surge $maxSurge, unavailable $maxUnavailable: the worked sequence, within the bounds at every state",
    async ({ replicas, maxSurge, maxUnavailable, sequence }) => {
      const name = `roll-${replicas}-${String(maxSurge).replace("%", "pc")}-${String(maxUnavailable).replace("%", "pc")}`;
      const { uid } = await createHealthy(app, db, name, { replicas, strategy: { type: "RollingUpdate", maxSurge, maxUnavailable } });
      const [oldName] = (await getDeployment(app, name)).replicaSets.map((rs) => rs.metadata.name);

      const start = await db.maxChangeId();
      const accepted = await setImage(app, name, "nginx:2");
      expect(accepted.message).toBe("Waiting for deployment spec update to be observed...");
      await driveRollout(app, db, name);

      const d = await getDeployment(app, name);
      const newName = newReplicaSet(d).metadata.name;
      expect(newName).not.toBe(oldName);
      expect(d.replicaSets.map((rs) => [rs.revision, rs.spec.replicas, rs.status.availableReplicas])).toEqual([[2, replicas, replicas], [1, 0, 0]]);
      const states = await replay(db, uid);
      expect(sizeSequence(states, newName)).toEqual(sequence);
      expect(invariantViolations(statesFrom(states, start))).toEqual([]);
      const scaling = d.events.filter((e) => e.reason === "ScalingReplicaSet").map((e) => e.message).sort();
      expect(scaling).toEqual(scalingEvents(sequence, replicas, newName, oldName));
      // every resize is a spec change: generation + 1, which the ReplicaSet controller observed
      const resizes = (sizes: number[]) => sizes.filter((size, i) => i > 0 && size !== sizes[i - 1]).length;
      expect(d.replicaSets.map((rs) => [rs.metadata.generation, rs.status.observedGeneration])).toEqual([
        [1 + resizes(sequence.map(([n]) => n)), 1 + resizes(sequence.map(([n]) => n))],
        [1 + resizes([replicas, ...sequence.map(([, o]) => o)]), 1 + resizes([replicas, ...sequence.map(([, o]) => o)])],
      ]);
    },
  );

  it("reports kubectl's rollout-status text at every step, and the conditions of a finished rollout", async () => {
    const name = "status-text";
    await createHealthy(app, db, name, { replicas: 3, strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 } });
    await setImage(app, name, "nginx:2");
    const messages = await driveRollout(app, db, name);
    expect(messages).toEqual([
      `Waiting for deployment "${name}" rollout to finish: 1 out of 3 new replicas have been updated...`,
      `Waiting for deployment "${name}" rollout to finish: 2 out of 3 new replicas have been updated...`,
      `Waiting for deployment "${name}" rollout to finish: 1 old replicas are pending termination...`,
      `deployment "${name}" successfully rolled out`,
    ]);
    const d = await getDeployment(app, name);
    const newName = newReplicaSet(d).metadata.name;
    expect(d.rolloutStatus).toMatchObject({ phase: "Complete", done: true, revision: 2, updatedReplicas: 3, availableReplicas: 3, oldReplicas: 0 });
    expect(d.revision).toBe(2);
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("2");
    expect(condition(d, "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." });
    expect(condition(d, "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${newName}" has successfully progressed.` });
    expect(newReplicaSet(d).metadata.annotations).toMatchObject({
      "deployment.kubernetes.io/revision": "2",
      "deployment.kubernetes.io/desired-replicas": "3",
      "deployment.kubernetes.io/max-replicas": "4",
    });
  });
});

describe("Recreate", () => {
  it("scales the old ReplicaSet to 0 first and creates the new one only once the old pods are gone", async () => {
    const name = "recreate";
    // old pods linger, terminating, for a second: the new RS must wait for them to be gone
    const { uid } = await createHealthy(app, db, name, { replicas: 3, strategy: { type: "Recreate" }, terminationGracePeriodSeconds: 1 });
    const oldRS = (await getDeployment(app, name)).replicaSets[0];
    await setImage(app, name, "nginx:2");
    const messages = await driveRollout(app, db, name);
    expect(messages).toEqual([
      `Waiting for deployment "${name}" rollout to finish: 0 out of 3 new replicas have been updated...`,
      `Waiting for deployment "${name}" rollout to finish: 0 of 3 updated replicas are available...`,
      `Waiting for deployment "${name}" rollout to finish: 1 of 3 updated replicas are available...`,
      `Waiting for deployment "${name}" rollout to finish: 2 of 3 updated replicas are available...`,
      `deployment "${name}" successfully rolled out`,
    ]);

    const d = await getDeployment(app, name);
    const newRS = newReplicaSet(d);
    expect(newRS.revision).toBe(2);
    const states = await replay(db, uid);
    expect(sizeSequence(states, newRS.metadata.name)).toEqual([[3, 0]]);
    const born = states.findIndex((s) => s.replicaSets.some((rs) => rs.name === newRS.metadata.name));
    const before = states.slice(0, born);
    // the old RS went to 0 and reported no pods before the new one existed, and meanwhile the
    // Deployment reported that it lacked minimum availability
    const oldAt = (s: (typeof states)[number]) => s.replicaSets.find((rs) => rs.uid === oldRS.metadata.uid)!;
    expect(oldAt(before[before.length - 1])).toMatchObject({ replicas: 0, statusReplicas: 0, available: 0 });
    const scaledDown = before.findIndex((s) => oldAt(s)?.replicas === 0);
    expect(before.slice(scaledDown).some((s) => s.conditions.some((c) => c.type === "Available" && c.status === "False"))).toBe(true);
    // every old pod's row was gone before the new RS was created
    const { rows } = await db.query<{ gone: string | null; live: string }>(
      `SELECT max(id) FILTER (WHERE type = 'DELETED')::text AS gone, count(DISTINCT uid) FILTER (WHERE type = 'ADDED')::text AS live
         FROM change_log WHERE kind = 'Pod' AND object->>'owner_uid' = $1`,
      [oldRS.metadata.uid],
    );
    expect(rows[0].live).toBe("3");
    expect(BigInt(rows[0].gone!)).toBeLessThan(states[born].id);
    expect(await db.query(`SELECT 1 FROM pods WHERE owner_uid = $1::uuid`, [oldRS.metadata.uid]).then((r) => r.rowCount)).toBe(0);
    // created at full size: "Scaled up replica set X to 3", no step in between
    expect(states[born].replicaSets.find((rs) => rs.name === newRS.metadata.name)).toMatchObject({ replicas: 3, revision: 2 });
    const scaling = d.events.filter((e) => e.reason === "ScalingReplicaSet").map((e) => e.message).sort();
    expect(scaling).toEqual(
      [`Scaled up replica set ${oldRS.metadata.name} to 3`, `Scaled down replica set ${oldRS.metadata.name} to 0 from 3`, `Scaled up replica set ${newRS.metadata.name} to 3`].sort(),
    );
  });
});

// Revisions through the public API (real server, real Postgres, `manual` pods): rollback to the
// previous and to a named revision, history cleanup by revisionHistoryLimit, restartRollout, and a
// pod-template-hash collision with a ReplicaSet that is not the Deployment's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computePodTemplateHash } from "../../src/domain/hash.ts";
import type { PodTemplateSpec } from "../../src/domain/types.ts";
import type { TestApp } from "../helpers/app.ts";
import {
  createHealthy,
  Database,
  driveRollout,
  getDeployment,
  invariantViolations,
  newReplicaSet,
  replay,
  rollback,
  rolloutAction,
  setImage,
  sizeSequence,
  startRolloutApp,
  statesFrom,
  stopRolloutApp,
  type DeploymentView,
} from "../helpers/rollout.ts";

let app: TestApp;
let db: Database;
// no periodic resync: every sync is caused by a change (see startRolloutApp)
beforeAll(async () => void ({ app, db } = await startRolloutApp()));
afterAll(() => stopRolloutApp(app, db));

const REVISION = "deployment.kubernetes.io/revision";
const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";

/** [revision, image, spec.replicas] of every ReplicaSet, highest revision first. */
const revisions = (d: DeploymentView) => d.replicaSets.map((rs) => [rs.revision, rs.spec.template.spec.containers[0].image, rs.spec.replicas]);

describe("rollback", () => {
  it("to the previous revision and to a named one: that ReplicaSet becomes new again with the next revision", async () => {
    const name = "undo";
    const { uid } = await createHealthy(app, db, name, { replicas: 2, image: "nginx:1" });
    const start = await db.maxChangeId();
    await setImage(app, name, "nginx:2", "upgrade to 2");
    await driveRollout(app, db, name);
    const v1 = (await getDeployment(app, name)).replicaSets[1];

    await rollback(app, name);
    await driveRollout(app, db, name);
    let d = await getDeployment(app, name);
    expect(revisions(d)).toEqual([
      [3, "nginx:1", 2],
      [2, "nginx:2", 0],
    ]);
    expect(newReplicaSet(d).metadata.name).toBe(v1.metadata.name);
    expect(newReplicaSet(d).metadata.annotations).toMatchObject({ [REVISION]: "3", [REVISION_HISTORY]: "1" });
    expect(d.revision).toBe(3);
    // the RS of revision 1 grew back while the one of revision 2 shrank
    expect(sizeSequence(statesFrom(await replay(db, uid), start), v1.metadata.name).slice(-1)).toEqual([[2, 0]]);

    await setImage(app, name, "nginx:3");
    await driveRollout(app, db, name);
    const v2 = (await getDeployment(app, name)).replicaSets.find((rs) => rs.revision === 2)!;
    await rollback(app, name, 2);
    await driveRollout(app, db, name);
    d = await getDeployment(app, name);
    expect(revisions(d)).toEqual([
      [5, "nginx:2", 2],
      [4, "nginx:3", 0],
      [3, "nginx:1", 0],
    ]);
    expect(newReplicaSet(d).metadata.name).toBe(v2.metadata.name);
    expect(newReplicaSet(d).metadata.annotations).toMatchObject({ [REVISION]: "5", [REVISION_HISTORY]: "2" });
    // the change cause travels with the template: undone with revision 1 (which had none), back with revision 2
    expect(d.history.map((h) => [h.revision, h.changeCause])).toEqual([
      [3, null],
      [4, null],
      [5, "upgrade to 2"],
    ]);
    expect(d.rolloutStatus).toMatchObject({ done: true, revision: 5, message: `deployment "${name}" successfully rolled out` });
    // every rollout started healthy: the bounds held throughout
    expect(invariantViolations(statesFrom(await replay(db, uid), start))).toEqual([]);

    const unknown = await app.gql(`mutation { rollbackDeployment(name: "${name}", toRevision: 1) { metadata { name } } }`);
    expect(unknown.errors?.[0].message).toBe("unable to find specified revision 1 in history");
  });
});

describe("history cleanup", () => {
  it("keeps revisionHistoryLimit (2) old ReplicaSets once the rollout is complete, deleting the oldest", async () => {
    const name = "limited";
    const { uid } = await createHealthy(app, db, name, { replicas: 1, revisionHistoryLimit: 2, image: "nginx:1" });
    for (const version of [2, 3, 4, 5]) {
      await setImage(app, name, `nginx:${version}`);
      await driveRollout(app, db, name);
      const d = await getDeployment(app, name);
      expect(d.replicaSets.length).toBeLessThanOrEqual(3);
    }
    const d = await getDeployment(app, name);
    expect(revisions(d)).toEqual([
      [5, "nginx:5", 1],
      [4, "nginx:4", 0],
      [3, "nginx:3", 0],
    ]);
    expect(d.history.map((h) => h.revision)).toEqual([3, 4, 5]);
    // the two that went are the ReplicaSets of revisions 1 and 2, deleted once at 0
    const { rows } = await db.query<{ revision: string; replicas: string }>(
      `SELECT object->'annotations'->>'${REVISION}' AS revision, object->>'replicas' AS replicas FROM change_log
        WHERE kind = 'ReplicaSet' AND type = 'DELETED' AND object->>'owner_uid' = $1 ORDER BY change_log.id`,
      [uid],
    );
    expect(rows).toEqual([
      { revision: "1", replicas: "0" },
      { revision: "2", replicas: "0" },
    ]);
  });
});

describe("restartRollout", () => {
  it("sets kubectl.kubernetes.io/restartedAt in the template, which rolls out a new ReplicaSet of the same image", async () => {
    const name = "restarted";
    const { uid } = await createHealthy(app, db, name, { replicas: 2, strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 } });
    const start = await db.maxChangeId();
    const before = Date.now();
    await rolloutAction(app, "restartRollout", name);
    await driveRollout(app, db, name);
    const d = await getDeployment(app, name);
    expect(revisions(d)).toEqual([
      [2, "nginx:1", 2],
      [1, "nginx:1", 0],
    ]);
    const restartedAt = newReplicaSet(d).spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"];
    expect(restartedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    expect(Date.parse(restartedAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(d.replicaSets[1].spec.template.metadata.annotations).not.toHaveProperty("kubectl.kubernetes.io/restartedAt");
    expect(sizeSequence(statesFrom(await replay(db, uid), start), newReplicaSet(d).metadata.name)).toEqual([[1, 2], [1, 1], [2, 1], [2, 0]]);
    expect(invariantViolations(statesFrom(await replay(db, uid), start))).toEqual([]);
  });
});

describe("hash collision", () => {
  it("a foreign ReplicaSet holding <deployment>-<hash>: collisionCount becomes 1 and the rollout completes under another name", async () => {
    const name = "clash";
    await createHealthy(app, db, name, { replicas: 2, image: "nginx:1" });
    // the name the next template would get
    const { rows } = await db.query<{ template: PodTemplateSpec }>(`SELECT template FROM deployments WHERE name = $1`, [name]);
    const next = structuredClone(rows[0].template);
    next.spec.containers[0].image = "nginx:2";
    const taken = `${name}-${computePodTemplateHash(next, 0)}`;
    const foreign = { app: "someone-else" };
    await app.data(
      `mutation($metadata: ObjectMetaInput!, $spec: ReplicaSetSpecInput!) { createReplicaSet(metadata: $metadata, spec: $spec) { metadata { name } } }`,
      {
        metadata: { name: taken, labels: foreign },
        spec: { replicas: 0, selector: { matchLabels: foreign }, template: { metadata: { labels: foreign }, spec: { containers: [{ name: "app", image: "busybox" }] } } },
      },
    );

    await setImage(app, name, "nginx:2");
    await driveRollout(app, db, name);
    const d = await getDeployment(app, name);
    expect(d.status.collisionCount).toBe(1);
    expect(newReplicaSet(d).metadata.name).toBe(`${name}-${computePodTemplateHash(next, 1)}`);
    expect(newReplicaSet(d).metadata.name).not.toBe(taken);
    expect(revisions(d)).toEqual([
      [2, "nginx:2", 2],
      [1, "nginx:1", 0],
    ]);
    expect(d.rolloutStatus).toMatchObject({ done: true, message: `deployment "${name}" successfully rolled out` });
    // the foreign ReplicaSet is left as it was
    const { replicaSet } = await app.data(`query($name: String!) { replicaSet(name: $name) { spec { replicas } revision owner { metadata { name } } } }`, { name: taken });
    expect(replicaSet).toEqual({ spec: { replicas: 0 }, revision: null, owner: null });
  });
});

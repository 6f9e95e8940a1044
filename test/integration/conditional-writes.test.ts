// The write paths' optimistic concurrency (src/db/writes.ts): a write is one statement conditional
// on the resourceVersion it read, answered from its RETURNING; a stale one reads and decides again,
// and after a few stale tries reads under the change-log lock. Real Postgres, no controllers.
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { scaleDeployment, setImage } from "../../src/db/deployment-writes.ts";
import { json, podStatusColumns } from "../../src/db/rows.ts";
import { CHANGE_LOG_LOCK, type Tx } from "../../src/db/tx.ts";
import { deleteIfCurrent, guaranteedWrite, respond, STALE, updateIfCurrent } from "../../src/db/writes.ts";
import { fileDatabase } from "../helpers/db.ts";
import { insertDeployment, insertPods, insertReplicaSet, template } from "../helpers/fixtures.ts";

const file = fileDatabase({ max: 10 });

describe("updateIfCurrent", () => {
  it("answers with the row as the client's model queries read it, for every kind and column type", async () => {
    const d = await insertDeployment(file.db, "rows", "web");
    const rs = await insertReplicaSet(file.db, d, "abc", 1);
    await insertPods(file.db, { ...rs, labels: rs.labels }, 1);
    const pod = await file.db.pod.findFirstOrThrow({ where: { ownerUid: rs.uid } });

    const written = {
      Deployment: await updateIfCurrent(file.db, "Deployment", d, { replicas: 3, generation: 2, labels: json({ app: "web", tier: "x" }), deletionTimestamp: new Date("2026-01-02T03:04:05.678Z") }),
      ReplicaSet: await updateIfCurrent(file.db, "ReplicaSet", rs, { replicas: 0, finalizers: json(["foregroundDeletion"]) }),
      Pod: await updateIfCurrent(
        file.db,
        "Pod",
        pod,
        podStatusColumns({
          phase: "Running",
          ready: true,
          conditions: [{ type: "Ready", status: "True", reason: null, message: null, lastUpdateTime: null, lastTransitionTime: new Date("2026-01-02T00:00:00Z") }],
          containerStatuses: [],
          startTime: new Date("2026-01-02T00:00:00Z"),
          podIP: "10.0.0.7",
        }),
      ),
    };
    expect(written.Deployment).toEqual({ written: await file.db.deployment.findUnique({ where: { uid: d.uid } }) });
    expect(written.ReplicaSet).toEqual({ written: await file.db.replicaSet.findUnique({ where: { uid: rs.uid } }) });
    expect(written.Pod).toEqual({ written: await file.db.pod.findUnique({ where: { uid: pod.uid } }) });
    expect(written.Deployment).toMatchObject({ written: { replicas: 3, labels: { tier: "x" }, deletionTimestamp: new Date("2026-01-02T03:04:05.678Z") } });
    expect(written.Pod).toMatchObject({ written: { podIP: "10.0.0.7", ready: true, podConditions: [{ type: "Ready" }] } });
    expect((await file.db.deployment.findUniqueOrThrow({ where: { uid: d.uid } })).resourceVersion).toBeGreaterThan(d.resourceVersion);
  });

  it("keeps the relations the read loaded: the answer when the re-read after the write finds the object gone", async () => {
    const d = await insertDeployment(file.db, "gone", "web");
    const rs = await insertReplicaSet(file.db, d, "abc", 1);
    const query = { include: { replicaSets: true } };
    const read = await file.db.deployment.findUniqueOrThrow({ where: { uid: d.uid }, ...query });
    const result = await updateIfCurrent<typeof read>(file.db, "Deployment", read, { replicas: 4 });
    if (result === STALE) throw new Error("the write was stale");
    // e.g. the garbage collector finished a Foreground deletion before the response was read
    const answer = await respond(result, query, async () => null);
    expect(answer).toMatchObject({ replicas: 4, replicaSets: [{ uid: rs.uid }] });
    expect(answer.resourceVersion).toBeGreaterThan(read.resourceVersion);
  });

  it("writes nothing and answers STALE when the row is no longer the version read, or is gone", async () => {
    const d = await insertDeployment(file.db, "stale", "web");
    const result = await updateIfCurrent<typeof d>(file.db, "Deployment", d, { replicas: 2 });
    if (result === STALE) throw new Error("the first write was stale");
    const current = result.written;
    const changes = await file.db.changeLog.count();
    expect(await updateIfCurrent(file.db, "Deployment", d, { replicas: 5 })).toBe(STALE);
    expect(await deleteIfCurrent(file.db, "Deployment", d)).toBe(STALE);
    expect(await file.db.deployment.findUniqueOrThrow({ where: { uid: d.uid } })).toMatchObject({ replicas: 2 });
    expect(await file.db.changeLog.count()).toBe(changes);
    expect(await deleteIfCurrent(file.db, "Deployment", current)).toBe(true);
    expect(await updateIfCurrent(file.db, "Deployment", current, { replicas: 5 })).toBe(STALE);
  });
});

/** Whether this connection holds the change-log lock now. */
async function holdsChangeLogLock(client: Tx): Promise<boolean> {
  const [{ held }] = await client.$queryRaw<{ held: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
      AND ((classid::bigint << 32) | objid::bigint) = ${CHANGE_LOG_LOCK}::bigint) AS held`;
  return held;
}

describe("guaranteedWrite", () => {
  it("tries without the lock while the write is stale, then once reading under the change-log lock", async () => {
    const held: [boolean, boolean][] = [];
    const result = await guaranteedWrite(file.db, async (client, atomically) => {
      // a write of several statements runs in the try's transaction: the locked one's, or its own
      held.push([await holdsChangeLogLock(client), await atomically((tx) => holdsChangeLogLock(tx))]);
      return held.length < 4 ? STALE : "done";
    });
    expect(result).toBe("done");
    expect(held).toEqual([[false, false], [false, false], [false, false], [true, true]]);
  });

  it("answers on the first try that is not stale", async () => {
    let tries = 0;
    expect(await guaranteedWrite(file.db, async () => (++tries === 2 ? "done" : STALE))).toBe("done");
    expect(tries).toBe(2);
  });
});

describe("concurrent edits of one Deployment", () => {
  it("lose none: each of 8 racing setImage calls on its own container is kept, one generation each", async () => {
    const containers = Array.from({ length: 8 }, (_, i) => ({ ...template({}).spec.containers[0], name: `c${i}` }));
    const d = await insertDeployment(file.db, "race", "web");
    await file.db.deployment.update({ where: { uid: d.uid }, data: { template: json({ ...template({ app: "web" }), spec: { ...template({}).spec, containers } }) } });
    await Promise.all(containers.map((c, i) => setImage(file.db, { namespace: "race", name: "web" }, { container: c.name, image: `v${i}` })));
    const after = await file.db.deployment.findUniqueOrThrow({ where: { uid: d.uid } });
    expect((after.template as { spec: { containers: { image: string }[] } }).spec.containers.map((c) => c.image)).toEqual(containers.map((_, i) => `v${i}`));
    expect(after.generation).toBe(1 + containers.length);
    expect(await file.db.changeLog.count({ where: { uid: d.uid, type: "MODIFIED" } })).toBe(1 + containers.length);
  });
});

describe("a Deployment edit", () => {
  it("is one read and one conditional UPDATE, answered from its RETURNING unless the selection reads relations", async () => {
    const statements: string[] = [];
    const counting = createDb(file.database.url, { max: 2, onQuery: (sql) => statements.push(sql) });
    try {
      const d = await insertDeployment(file.db, "count", "web");
      const rs = await insertReplicaSet(file.db, d, "abc", 1);
      const key = { namespace: "count", name: "web" };

      const scaled = await scaleDeployment(counting, key, 3);
      expect(statements).toHaveLength(2);
      expect(statements[0]).toMatch(/^SELECT .* FROM "public"."deployments"/);
      expect(statements[1]).toMatch(/^\s*UPDATE deployments SET replicas = \$1,generation = \$2\s+WHERE uid = \$3::uuid AND resource_version = \$4\s+RETURNING/);
      expect(scaled).toEqual(await file.db.deployment.findUnique({ where: { uid: d.uid } }));

      statements.length = 0;
      const withOwned = await scaleDeployment(counting, key, 4, { query: { include: { replicaSets: true } } });
      // the relation is read after the write, not under the change-log lock
      expect(statements.findIndex((sql) => /^\s*UPDATE/.test(sql))).toBeLessThan(statements.findLastIndex((sql) => /"public"."replica_sets"/.test(sql)));
      expect(withOwned).toMatchObject({ replicas: 4, generation: 3, replicaSets: [{ uid: rs.uid }] });
    } finally {
      await counting.$disconnect();
    }
  });
});

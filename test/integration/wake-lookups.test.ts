// A change whose wake-up needs a query (here: an orphan ReplicaSet wakes the Deployments of its
// namespace, one of which may adopt it) must not be lost when that query fails. The failure is
// real: the server connects as its own role, and SELECT on deployments is revoked from it while
// the orphan appears, then granted back. The periodic resync is an hour away, so only the retried
// lookup can wake the Deployment in time.
import { afterAll, beforeAll, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "../../src/db/client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { json } from "../../src/db/rows.ts";
import { template } from "../helpers/fixtures.ts";
import { createDeployment, Database, settle } from "../helpers/rollout.ts";
import { waitFor } from "../helpers/wait.ts";

const role = `deploye_wakes_${randomBytes(4).toString("hex")}`;
let database: TestDatabase;
let app: TestApp;
let db: Db;
let changes: Database;

/** runs SQL as the superuser in the test database */
async function asAdmin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  await asAdmin(`CREATE ROLE ${role} LOGIN;
    GRANT USAGE, CREATE ON SCHEMA public TO ${role};
    GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role};
    GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${role};`);
  const url = new URL(database.url);
  url.username = role;
  app = await startTestApp({ resyncMs: 3_600_000 }, { ...database, url: url.toString() });
  db = createDb(database.url);
  changes = new Database(database.url);
});
afterAll(async () => {
  await db?.$disconnect();
  await changes?.close();
  await app?.stop();
  await database?.drop();
  const c = new pg.Client({ connectionString: database.url.replace(/\/[^/]+$/, "/postgres") });
  await c.connect();
  await c.query(`DROP ROLE IF EXISTS ${role}`);
  await c.end();
});

it("retries a failed owner lookup: the orphan is adopted long before the next resync", async () => {
  const deployment = await createDeployment(app, "w", { replicas: 0 });
  await settle(app, changes); // nothing queued: only a wake-up can make the Deployment sync again

  await asAdmin(`REVOKE SELECT ON deployments FROM ${role}`);
  const failedBefore = app.controllers!.wakes.retries;
  // an old revision's ReplicaSet, selected by the Deployment's selector (app=w), owned by nobody
  const orphan = await db.replicaSet.create({
    data: { namespace: "default", name: "w-old", labels: { app: "w" }, replicas: 0, selector: json({ matchLabels: { app: "w" }, matchExpressions: [] }), template: json(template({ app: "w" })), minReadySeconds: 0 },
  });
  await waitFor(async () => app.controllers!.wakes.retries, (n) => n > failedBefore, { what: "the owner lookup failed" });
  expect((await db.replicaSet.findUniqueOrThrow({ where: { uid: orphan.uid } })).ownerUid).toBeNull();

  await asAdmin(`GRANT SELECT ON deployments TO ${role}`);
  const adopted = await waitFor(() => db.replicaSet.findUniqueOrThrow({ where: { uid: orphan.uid } }), (rs) => rs.ownerUid === deployment.uid, {
    what: "the orphan adopted by the Deployment",
    timeoutMs: 20_000,
  });
  expect(adopted.ownerReferences).toEqual([expect.objectContaining({ kind: "Deployment", name: "w", uid: deployment.uid, controller: true })]);
});

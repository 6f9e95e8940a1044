// The change feed on its own: it starts at the newest change even while writers are busy, and
// delivers every later change once, in commit order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { ChangeFeed, type Change } from "../../src/db/change-feed.ts";
import { createLogger } from "../../src/log.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { waitFor } from "../helpers/wait.ts";

let database: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await database.drop();
});

const insertEvents = (count: number, from: number) =>
  client.query(
    `INSERT INTO events (namespace, name, type, reason, message, involved_kind, involved_name, involved_uid)
     SELECT 'feed', 'e-' || i, 'Normal', 'Test', 'event ' || i, 'Pod', 'p', gen_random_uuid() FROM generate_series($1::int, $2::int) i`,
    [from, from + count - 1],
  );

describe("change feed", () => {
  it("starts after the newest change while writers are busy, then delivers each later change once, in order", async () => {
    await insertEvents(1500, 0); // more than one read batch of history
    let writing = true;
    let next = 1500;
    const writer = (async () => {
      while (writing) await insertEvents(1, next++);
    })();
    const { rows } = await client.query<{ id: string }>("SELECT max(id)::text AS id FROM change_log");
    const committedBeforeStart = BigInt(rows[0].id);
    const feed = new ChangeFeed(database.url, { log: createLogger("silent") });
    const seen: Change[] = [];
    feed.subscribe((batch) => seen.push(...batch));
    await feed.start();
    await waitFor(async () => seen.length, (n) => n >= 50, { what: "50 live changes" });
    writing = false;
    await writer;
    await feed.sync();
    await feed.stop();
    const ids = seen.map((c) => c.id);
    expect(ids[0]).toBeGreaterThan(committedBeforeStart);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]);
    const { rows: last } = await client.query<{ id: string }>("SELECT max(id)::text AS id FROM change_log");
    expect(ids.at(-1)).toBe(BigInt(last[0].id));
  });
});

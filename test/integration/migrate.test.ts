import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { migrate, readMigrations, MigrationError } from "../../src/db/migrate.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(() => db.drop());

async function ledger(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`);
    return rows;
  } finally {
    await c.end();
  }
}

describe("migrator", () => {
  it("applies every migration once, even when two servers start at the same moment", async () => {
    const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);
    const names = readMigrations().map((m) => m.name);
    expect(results.flat().sort()).toEqual(names.sort());
    const rows = await ledger(db.url);
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    expect(rows.map((r) => r.checksum)).toEqual(readMigrations().map((m) => m.checksum));
  });

  it("is a no-op the second time", async () => {
    expect(await migrate(db.url)).toEqual([]);
    expect((await ledger(db.url)).length).toBe(readMigrations().length);
  });

  it("refuses an applied migration whose file changed", async () => {
    const changed = readMigrations().map((m, i) => (i === 0 ? { ...m, sql: m.sql + "\n-- edited", checksum: "0".repeat(64) } : m));
    await expect(migrate(db.url, changed)).rejects.toThrow(MigrationError);
    await expect(migrate(db.url, changed)).rejects.toThrow(/was changed after it was applied/);
  });
});

// Each test file gets its own fresh database on the admin Postgres, migrated, and dropped after.
import { afterAll, beforeAll, inject } from "vitest";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function adminUrl(): string {
  return inject("adminUrl");
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `deploye_test_${randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  if (options.migrate !== false) await migrate(url.toString());
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/** A database of the test file's own with a client: made before its tests, dropped after them. */
export function fileDatabase(options: { max?: number } = {}): { database: TestDatabase; db: Db } {
  const file = {} as { database: TestDatabase; db: Db };
  beforeAll(async () => {
    file.database = await createTestDatabase();
    file.db = createDb(file.database.url, options);
  });
  afterAll(async () => {
    await file.db.$disconnect();
    await file.database.drop();
  });
  return file;
}

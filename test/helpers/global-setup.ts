// Finds the admin Postgres for tests: TEST_DATABASE_URL (default: the local server). When none
// answers, starts an embedded Postgres for the run, so `npm test` passes on a bare machine.
import type { TestProject } from "vitest/node";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../src/db/embedded.ts";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
  }
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  if (await reachable(url)) {
    project.provide("adminUrl", url);
    return;
  }
  console.warn(`no Postgres at ${url}: starting an embedded one for this run`);
  const dir = mkdtempSync(join(tmpdir(), "deploye-test-pg-"));
  const db = await startEmbeddedPostgres(join(dir, "data"));
  project.provide("adminUrl", db.url);
  return async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

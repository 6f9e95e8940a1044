// For a test file that runs rollouts on server processes: its own database, a reader on it, and
// spawn() for servers that are SIGKILLed after the file if still running.
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "./db.ts";
import { spawnServer, type ServerProcess } from "./process.ts";
import { Database } from "./rollout.ts";

export interface RolloutProcesses {
  database: TestDatabase;
  db: Database;
  spawn(env: Record<string, string>): Promise<ServerProcess>;
}

export function rolloutProcesses(): RolloutProcesses {
  const servers: ServerProcess[] = [];
  const fixture = {
    async spawn(env: Record<string, string>) {
      const server = await spawnServer(env);
      servers.push(server);
      return server;
    },
  } as RolloutProcesses;
  beforeAll(async () => {
    fixture.database = await createTestDatabase();
    fixture.db = new Database(fixture.database.url);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => (s.child.exitCode === null ? s.kill9() : undefined)));
    await fixture.db?.close();
    await fixture.database?.drop();
  });
  return fixture;
}

// Starts the real server (real Postgres, own database) in-process for a test file.
import { startApp, type App } from "../../src/app.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

export interface TestApp extends App {
  database: TestDatabase;
  /** POST a GraphQL operation; returns the whole response body */
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ data?: T; errors?: any[] }>;
  /** like gql, but throws on errors and returns data */
  data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export async function startTestApp(overrides: Partial<Config> = {}, database?: TestDatabase): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const config: Config = { ...loadConfig({}), port: 0, logLevel: "silent", databaseUrl: db.url, ...overrides };
  const app = await startApp(config, createLogger(process.env.TEST_LOG_LEVEL ? (process.env.TEST_LOG_LEVEL as Config["logLevel"]) : "silent"));
  const gql = async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return res.json() as Promise<{ data?: any; errors?: any[] }>;
  };
  return {
    ...app,
    database: db,
    gql,
    async data(query, variables) {
      const body = await gql(query, variables);
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
    async stop() {
      await app.stop();
      if (!database) await db.drop();
    },
  };
}

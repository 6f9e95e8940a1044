// Shared by the mutation tests: the API server alone (real HTTP server, real Postgres, no
// controllers, so nothing but the mutations under test writes), a dump of every table, and
// small request builders.
import { graphql } from "graphql";
import { ChangeFeed } from "../../src/db/change-feed.ts";
import { createDb, type Db } from "../../src/db/client.ts";
import { createContext } from "../../src/graphql/context.ts";
import { schema } from "../../src/graphql/schema.ts";
import { createLogger } from "../../src/log.ts";
import { startServer } from "../../src/server.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; fieldErrors?: { field: string; message: string }[] } }[];
}

export interface ApiServer {
  url: string;
  database: TestDatabase;
  db: Db;
  /** POST over HTTP */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  /** like gql, but throws on errors */
  data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** executes against the schema in-process (no HTTP), for many requests */
  execute<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  stop(): Promise<void>;
}

export async function startApiServer(): Promise<ApiServer> {
  const database = await createTestDatabase();
  const db = createDb(database.url);
  const log = createLogger("silent");
  // never started: mutations do not read the change feed
  const feed = new ChangeFeed(database.url, { log });
  const server = await startServer({ db, feed }, { host: "127.0.0.1", port: 0, log });
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult;
  };
  const context = createContext({ db, feed, hub: server.hub }, {});
  return {
    url: server.url,
    database,
    db,
    gql,
    async data(query, variables) {
      const body = await gql(query, variables);
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
    async execute(query, variables) {
      // variables as JSON carries them (undefined entries dropped), like the HTTP transport
      const variableValues = variables && JSON.parse(JSON.stringify(variables));
      const result = await graphql({ schema, source: query, variableValues, contextValue: context });
      return JSON.parse(JSON.stringify(result)) as GqlResult;
    },
    async stop() {
      await server.close();
      await db.$disconnect();
      await database.drop();
    },
  };
}

const TABLES = { deployments: "uid", replica_sets: "uid", pods: "uid", events: "uid", change_log: "id" } as const;

/** Every row of every object table and of the change log, in a stable order, as JSON. */
export async function dumpTables(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(TABLES)) {
    const rows = await db.$queryRawUnsafe<{ row: unknown }[]>(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY ${key}`);
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

/** A valid DeploymentSpecInput selecting app=<app>. */
export function deploymentSpec(app: string, overrides: Record<string, unknown> = {}) {
  return {
    selector: { matchLabels: { app } },
    template: { metadata: { labels: { app } }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } },
    ...overrides,
  };
}

export const META_FIELDS = "metadata { name namespace uid resourceVersion generation labels annotations deletionTimestamp ownerReferences { name uid controller } }";
export const DEPLOYMENT_FIELDS = `${META_FIELDS}
  spec { replicas paused minReadySeconds revisionHistoryLimit progressDeadlineSeconds
    selector { matchLabels matchExpressions { key operator values } }
    strategy { type rollingUpdate { maxSurge maxUnavailable } }
    template { metadata { labels annotations } spec { terminationGracePeriodSeconds containers { name image command args env { name value } ports { name containerPort protocol } resources { requests limits } } } } }`;

export const CREATE_DEPLOYMENT = `mutation($metadata: ObjectMetaInput!, $spec: DeploymentSpecInput!, $dryRun: Boolean) {
  createDeployment(metadata: $metadata, spec: $spec, dryRun: $dryRun) { ${DEPLOYMENT_FIELDS} } }`;

/** The fields of a BAD_USER_INPUT error, sorted; throws when the result is anything else. */
export function fieldErrorPaths(result: GqlResult): string[] {
  const error = result.errors?.[0];
  if (result.errors?.length !== 1 || error?.extensions?.code !== "BAD_USER_INPUT") {
    throw new Error(`expected one BAD_USER_INPUT error, got ${JSON.stringify(result)}`);
  }
  return [...new Set(error.extensions.fieldErrors!.map((e) => e.field))].sort();
}

export function errorCode(result: GqlResult): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

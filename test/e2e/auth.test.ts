// Auth on: tokens and roles against every mutation, namespaced tokens against lists, node, watch
// and writes, the bootstrap token, the token CLI round trip, rate limits, batching, and no secret
// in the logs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenCommand } from "../../src/auth/cli.ts";
import { TokenStore } from "../../src/auth/tokens.ts";
import { startApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createDb, type Db } from "../../src/db/client.ts";
import { createLogger } from "../../src/log.ts";
import { schema } from "../../src/graphql/schema.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { Stream } from "./subscriptions-helpers.ts";

const BOOT = "bootstrap-secret-for-tests-0123456789";
const SPEC = { replicas: 1, selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } } };

let database: TestDatabase;
let db: Db;
let app: App;
const logLines: string[] = [];
const secrets: string[] = [BOOT];

async function post(body: unknown, token?: string | null, url = app.url) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const gql = async (token: string | null, query: string, variables?: Record<string, unknown>) => (await post({ query, variables }, token)).body;
const codes = (body: any): string[] => (body.errors ?? []).map((e: any) => e.extensions?.code);

async function token(name: string, role: string, namespaces?: string[], expiresAt?: Date): Promise<string> {
  const body = await gql(BOOT, `mutation($name: String!, $role: ApiTokenRole!, $ns: [String!], $exp: DateTime) { createApiToken(name: $name, role: $role, namespaces: $ns, expiresAt: $exp) { secret token { name role namespaces prefix } } }`, {
    name,
    role,
    ns: namespaces,
    exp: expiresAt?.toISOString(),
  });
  expect(body.errors).toBeUndefined();
  const secret = body.data.createApiToken.secret as string;
  expect(body.data.createApiToken.token).toEqual({ name, role, namespaces: namespaces ?? null, prefix: secret.slice(0, 10) });
  secrets.push(secret);
  return secret;
}

async function deploy(namespace: string, name: string) {
  const body = await gql(BOOT, `mutation($ns: String!, $name: String!, $spec: DeploymentSpecInput!) { createDeployment(metadata: { namespace: $ns, name: $name }, spec: $spec) { id } }`, { ns: namespace, name, spec: SPEC });
  expect(body.errors).toBeUndefined();
  return body.data.createDeployment.id as string;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url);
  const config = { ...loadConfig({}), port: 0, databaseUrl: database.url, auth: true, bootstrapToken: BOOT, simulator: false, mutationRate: 1000, mutationBurst: 1000 };
  app = await startApp(config, createLogger("debug", { write: (line: string) => void logLines.push(line) }));
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await db?.$disconnect();
  await database?.drop();
});

describe("credentials", () => {
  it("answers UNAUTHENTICATED without a token or with a bad one, and serves the bootstrap admin", async () => {
    expect(codes(await gql(null, `{ namespaces }`))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await gql("garbage", `{ namespaces }`))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await gql("dpl_" + "A".repeat(43), `mutation { pauseRollout(name: "x") { id } }`))).toEqual(["UNAUTHENTICATED"]);
    expect((await gql(BOOT, `{ namespaces }`)).data).toEqual({ namespaces: [] });
  });

  it("stores only a hash of each secret, and the bootstrap token once however often it starts", async () => {
    const again = await startApp({ ...loadConfig({}), port: 0, databaseUrl: database.url, auth: true, bootstrapToken: BOOT, controllers: false }, createLogger("silent"));
    await again.stop();
    const rows = await db.$queryRaw<{ name: string; token_hash: Buffer; prefix: string }[]>`SELECT name, token_hash, prefix FROM api_tokens WHERE name = 'bootstrap'`;
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toHaveLength(32);
    const dump = JSON.stringify(await db.$queryRaw`SELECT * FROM api_tokens`);
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });

  it("writes last-used at most once a minute", async () => {
    const secret = await token("last-used", "viewer");
    let now = new Date("2030-01-01T00:00:00Z");
    const store = new TokenStore(db, () => now);
    await store.verify(secret);
    const read = async () => (await db.$queryRaw<{ last_used_at: Date }[]>`SELECT last_used_at FROM api_tokens WHERE name = 'last-used'`)[0].last_used_at.toISOString();
    expect(await read()).toBe("2030-01-01T00:00:00.000Z");
    now = new Date("2030-01-01T00:00:59Z");
    await store.verify(secret);
    expect(await read()).toBe("2030-01-01T00:00:00.000Z");
    now = new Date("2030-01-01T00:01:00Z");
    await store.verify(secret);
    expect(await read()).toBe("2030-01-01T00:01:00.000Z");
  });

  it("refuses an expired token", async () => {
    const secret = await token("short-lived", "viewer", undefined, new Date(Date.now() + 1500));
    expect((await gql(secret, `{ namespaces }`)).errors).toBeUndefined();
    await expect.poll(async () => codes(await gql(secret, `{ namespaces }`)), { timeout: 5000, interval: 100 }).toEqual(["UNAUTHENTICATED"]);
  });
});

/** One operation per Mutation field, on objects that need not exist: the answer shows the auth decision. */
const MUTATIONS: Record<string, [string, Record<string, unknown>?]> = {
  createDeployment: [`mutation($spec: DeploymentSpecInput!) { createDeployment(metadata: { name: "roles" }, spec: $spec, dryRun: true) { id } }`, { spec: SPEC }],
  updateDeployment: [`mutation($spec: DeploymentSpecInput!) { updateDeployment(name: "none", spec: $spec) { id } }`, { spec: SPEC }],
  setImage: [`mutation { setImage(name: "none", container: "c", image: "i:2") { id } }`],
  scaleDeployment: [`mutation { scaleDeployment(name: "none", replicas: 2) { id } }`],
  pauseRollout: [`mutation { pauseRollout(name: "none") { id } }`],
  resumeRollout: [`mutation { resumeRollout(name: "none") { id } }`],
  restartRollout: [`mutation { restartRollout(name: "none") { id } }`],
  rollbackDeployment: [`mutation { rollbackDeployment(name: "none") { id } }`],
  deleteDeployment: [`mutation { deleteDeployment(name: "none") { id } }`],
  createReplicaSet: [`mutation($spec: ReplicaSetSpecInput!) { createReplicaSet(metadata: { name: "none" }, spec: $spec) { id } }`, { spec: { selector: { matchLabels: { app: "rs" } }, template: { metadata: { labels: { app: "rs" } }, spec: { containers: [{ name: "c", image: "i" }] } } } }],
  scaleReplicaSet: [`mutation { scaleReplicaSet(name: "none-rs", replicas: 1) { id } }`],
  deleteReplicaSet: [`mutation { deleteReplicaSet(name: "none-rs") { id } }`],
  deletePod: [`mutation { deletePod(name: "none") { id } }`],
  updatePodStatus: [`mutation { updatePodStatus(name: "none", status: { phase: Running, ready: true }) { id } }`],
  createApiToken: [`mutation { createApiToken(name: "made-by-role", role: viewer) { secret } }`],
  revokeApiToken: [`mutation { revokeApiToken(name: "made-by-role") { name } }`],
};
const TOKEN_ADMIN = ["createApiToken", "revokeApiToken"];

describe("roles", () => {
  it("has an operation for every Mutation field", () => {
    expect(Object.keys(MUTATIONS).sort()).toEqual(Object.keys(schema.getMutationType()!.getFields()).sort());
  });

  it("lets viewers read and subscribe, editors also write, admins also manage tokens", async () => {
    const viewer = await token("a-viewer", "viewer");
    const editor = await token("an-editor", "editor");
    const admin = await token("an-admin", "admin");
    const namespacedAdmin = await token("a-default-admin", "admin", ["default"]);
    for (const t of [viewer, editor, admin]) expect((await gql(t, `{ deployments { totalCount } }`)).errors).toBeUndefined();
    const outcomes: Record<string, Record<string, string>> = {};
    for (const [field, [query, variables]] of Object.entries(MUTATIONS)) {
      for (const [who, secret] of Object.entries({ anonymous: null, viewer, editor, admin, namespacedAdmin })) {
        const code = codes(await gql(secret, query, variables))[0] ?? "ok";
        (outcomes[field] ??= {})[who] = ["UNAUTHENTICATED", "FORBIDDEN"].includes(code) ? code : "allowed";
      }
    }
    for (const field of Object.keys(MUTATIONS)) {
      const admins = TOKEN_ADMIN.includes(field) ? { editor: "FORBIDDEN", namespacedAdmin: "FORBIDDEN" } : { editor: "allowed", namespacedAdmin: "allowed" };
      expect(outcomes[field], field).toEqual({ anonymous: "UNAUTHENTICATED", viewer: "FORBIDDEN", admin: "allowed", ...admins });
    }
    expect(codes(await gql(viewer, `{ apiTokens { name } }`))).toEqual(["FORBIDDEN"]);
    expect((await gql(admin, `{ apiTokens { name prefix } }`)).data.apiTokens.map((t: any) => t.name)).toContain("a-viewer");
  });
});

describe("a namespaced token", () => {
  let teamA: string;
  let idA: string;
  let idB: string;

  beforeAll(async () => {
    idA = await deploy("team-a", "web");
    idB = await deploy("team-b", "web");
    teamA = await token("team-a-editor", "editor", ["team-a"]);
  });

  it("lists only its namespaces, without failing", async () => {
    const all = await gql(teamA, `{ namespaces deployments { totalCount edges { node { metadata { namespace } } } } pods { totalCount } }`);
    expect(all.errors).toBeUndefined();
    expect(all.data.namespaces).toEqual(["team-a"]);
    expect(all.data.deployments.edges.map((e: any) => e.node.metadata.namespace)).toEqual(["team-a"]);
    expect(all.data.deployments.totalCount).toBe(1);
    expect((await gql(teamA, `{ deployments(namespace: "team-b") { totalCount } }`)).data.deployments.totalCount).toBe(0);
    expect((await gql(teamA, `{ deployment(namespace: "team-b", name: "web") { id } }`)).data.deployment).toBeNull();
    expect((await gql(BOOT, `{ deployments { totalCount } }`)).data.deployments.totalCount).toBe(2);
  });

  it("finds nothing outside by node(id): NOT_FOUND, as for an id of no object", async () => {
    const node = `query($id: ID!) { node(id: $id) { id } }`;
    expect((await gql(teamA, node, { id: idA })).data.node).toEqual({ id: idA });
    const outside = await gql(teamA, node, { id: idB });
    expect(codes(outside)).toEqual(["NOT_FOUND"]);
    const missing = await gql(teamA, node, { id: Buffer.from("Deployment:00000000-0000-4000-8000-000000000000").toString("base64") });
    expect(codes(missing)).toEqual(["NOT_FOUND"]);
    expect(outside.errors[0].message).toBe(missing.errors[0].message);
  });

  it("writes inside its namespaces and is FORBIDDEN outside", async () => {
    expect((await gql(teamA, `mutation { scaleDeployment(namespace: "team-a", name: "web", replicas: 2) { spec { replicas } } }`)).data.scaleDeployment.spec.replicas).toBe(2);
    expect(codes(await gql(teamA, `mutation { scaleDeployment(namespace: "team-b", name: "web", replicas: 2) { id } }`))).toEqual(["FORBIDDEN"]);
    expect(codes(await gql(teamA, `mutation { scaleDeployment(name: "web", replicas: 2) { id } }`))).toEqual(["FORBIDDEN"]); // "default"
    expect(codes(await gql(teamA, MUTATIONS.createDeployment[0], MUTATIONS.createDeployment[1]))).toEqual(["FORBIDDEN"]);
    const created = await gql(teamA, `mutation($spec: DeploymentSpecInput!) { createDeployment(metadata: { namespace: "team-a", name: "api" }, spec: $spec, dryRun: true) { metadata { namespace } } }`, { spec: SPEC });
    expect(created.errors).toBeUndefined();
    const [{ replicas }] = await db.$queryRaw<{ replicas: number }[]>`SELECT replicas FROM deployments WHERE namespace = 'team-b' AND name = 'web'`;
    expect(replicas).toBe(1);
  });

  it("watches only its namespaces", async () => {
    const ws = authedWs(teamA);
    try {
      const query = `subscription($ns: String) { watch(kind: Deployment, namespace: $ns) { type object { ... on Deployment { metadata { namespace name } spec { paused } } } } }`;
      const watch = new Stream(ws, query);
      const outside = new Stream(ws, query, { ns: "team-b" });
      const events = new Stream(ws, `subscription { events { involvedObject { namespace name } reason } }`);
      await watch.take(1);
      // in commit order: team-b's changes come first, so a leak would show before team-a's pause
      await gql(BOOT, `mutation { scaleDeployment(namespace: "team-b", name: "web", replicas: 3) { id } }`);
      await gql(BOOT, `mutation { pauseRollout(namespace: "team-b", name: "web") { id } }`);
      await gql(BOOT, `mutation { pauseRollout(namespace: "team-a", name: "web") { id } }`);
      await watch.until((s) => s.values.some((v) => v.object.spec.paused), 10_000, "team-a paused");
      expect(watch.values[0]).toMatchObject({ type: "ADDED", object: { metadata: { namespace: "team-a" } } });
      expect(watch.values.every((v) => v.object.metadata.namespace === "team-a")).toBe(true);
      expect(outside.results).toEqual([]);
      expect(watch.errors).toEqual([]);
      expect(events.values.every((e) => e.involvedObject.namespace === "team-a")).toBe(true);
      const status = new Stream(ws, `subscription { rolloutStatus(namespace: "team-b", name: "web") { message } }`);
      await status.ended();
      expect(status.errors.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
      watch.unsubscribe();
      outside.unsubscribe();
      events.unsubscribe();
    } finally {
      await ws.dispose();
    }
  });
});

const authedWs = (secret: string) =>
  createClient({ url: app.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${secret}` } });

describe("the token CLI", () => {
  it("creates a token that works, lists it without its secret, and revokes it", async () => {
    const out: string[] = [];
    const env = { DATABASE_URL: database.url };
    await tokenCommand(["create", "--name", "ci", "--role", "editor", "--namespace", "team-a", "--expires", "30d"], env, (l) => out.push(l));
    const secret = out.at(-1)!;
    secrets.push(secret);
    expect(secret).toMatch(/^dpl_/);
    expect(out[0]).toMatch(/^created ci \(editor, namespaces team-a, expires \d{4}-/);
    expect(codes(await gql(secret, `mutation { scaleDeployment(namespace: "team-a", name: "web", replicas: 1) { id } }`))).toEqual([]);
    const listed: string[] = [];
    await tokenCommand(["list"], env, (l) => listed.push(l));
    const line = listed.find((l) => l.startsWith("ci\t"))!;
    expect(line).toContain(`${secret.slice(0, 10)}…`);
    expect(line).not.toContain(secret);
    await tokenCommand(["revoke", "--name", "ci"], env, () => {});
    expect(codes(await gql(secret, `{ namespaces }`))).toEqual(["UNAUTHENTICATED"]);
    await expect(tokenCommand(["revoke", "--name", "ci"], env, () => {})).rejects.toThrow('no token named "ci"');
    await expect(tokenCommand(["create", "--name", "x", "--role", "root"], env, () => {})).rejects.toThrow("--role must be one of viewer, editor, admin");
  });
});

describe("abuse limits", () => {
  it("rate-limits mutations per token with a retry-after hint, and keeps serving others", async () => {
    const limited = await startApp(
      { ...loadConfig({}), port: 0, databaseUrl: database.url, auth: true, controllers: false, mutationRate: 1, mutationBurst: 2 },
      createLogger("silent"),
    );
    try {
      const a = await token("bucket-a", "editor");
      const b = await token("bucket-b", "editor");
      const scale = (secret: string) => post({ query: `mutation { scaleDeployment(namespace: "team-a", name: "web", replicas: 1) { id } }` }, secret, limited.url);
      expect(codes((await scale(a)).body)).toEqual([]);
      expect(codes((await scale(a)).body)).toEqual([]);
      const refused = (await scale(a)).body;
      expect(codes(refused)).toEqual(["RATE_LIMITED"]);
      expect(refused.errors[0].extensions.retryAfterSeconds).toBe(1);
      expect(codes((await scale(b)).body)).toEqual([]);
      expect((await post({ query: `{ namespaces }` }, a, limited.url)).body.errors).toBeUndefined(); // queries are not limited
    } finally {
      await limited.stop();
    }
  });

  it("accepts at most MAX_BATCH operations in one HTTP request", async () => {
    const one = { query: `{ namespaces }` };
    const ok = await post([one, one], BOOT);
    expect(ok.body).toHaveLength(2);
    expect(ok.body[0].data.namespaces).toContain("team-a");
    expect(ok.body[1]).toEqual(ok.body[0]);
    const tooMany = await post(Array.from({ length: 11 }, () => one), BOOT);
    expect(tooMany.status).toBe(413);
    expect(JSON.stringify(tooMany.body)).toContain("Batching is limited to 10 operations");
  });
});

describe("logs", () => {
  it("never contain a token", async () => {
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of secrets) for (const line of logLines) expect(line).not.toContain(secret);
  });
});

// Subscriptions with auth on, over graphql-ws (connectionParams), yoga's SSE and graphql-sse
// (Authorization header): good, missing, bad, revoked and expired tokens; WebSocket and
// subscription caps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient as createWsClient } from "graphql-ws";
import { createClient as createSseClient } from "graphql-sse";
import WebSocket from "ws";
import { startApp, type App } from "../../src/app.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { Stream, type SubscribeClient } from "./subscriptions-helpers.ts";

const BOOT = "bootstrap-secret-for-subscriptions-42";
const WATCH = `subscription { watch(kind: Deployment) { type object { ... on Deployment { metadata { name } } } } }`;
const SPEC = { selector: { matchLabels: { app: "w" } }, template: { metadata: { labels: { app: "w" } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } } };

let database: TestDatabase;
let app: App;
const config = (overrides: Partial<Config> = {}): Config => ({ ...loadConfig({}), port: 0, databaseUrl: database.url, auth: true, bootstrapToken: BOOT, simulator: false, ...overrides });

async function gql(url: string, token: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

let names = 0;
async function token(expiresAt?: Date): Promise<string> {
  const data = await gql(app.url, BOOT, `mutation($n: String!, $e: DateTime) { createApiToken(name: $n, role: viewer, expiresAt: $e) { secret } }`, { n: `sub-${++names}`, e: expiresAt?.toISOString() });
  return data.createApiToken.secret;
}
const revoke = (secret: string) =>
  gql(app.url, BOOT, `{ apiTokens { name prefix } }`).then(({ apiTokens }) =>
    gql(app.url, BOOT, `mutation($n: String!) { revokeApiToken(name: $n) { name } }`, { n: apiTokens.find((t: any) => secret.startsWith(t.prefix)).name }),
  );

const TRANSPORTS: Record<string, (url: string, token: string | null) => SubscribeClient & { dispose(): unknown }> = {
  "graphql-ws": (url, token) =>
    createWsClient({ url: url.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: token ? { authorization: `Bearer ${token}` } : {} }),
  "yoga SSE": (url, token) => createSseClient({ url, retryAttempts: 0, headers: () => (token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>)) }),
  "graphql-sse": (url, token) => createSseClient({ url: `${url}/stream`, singleConnection: true, retryAttempts: 0, headers: () => (token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>)) }),
};

/** how the stream was refused: a graphql-ws close code, or the GraphQL error code */
const refusal = (stream: Stream) => (stream.error && (stream.error as { code?: unknown }).code) || stream.errors.map((e) => e.extensions?.code).join(",");

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startApp(config(), createLogger("silent"));
  await gql(app.url, BOOT, `mutation($spec: DeploymentSpecInput!) { createDeployment(metadata: { name: "w" }, spec: $spec) { id } }`, { spec: SPEC });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

describe.each(Object.keys(TRANSPORTS))("%s", (transport) => {
  const connect = (token: string | null) => TRANSPORTS[transport](app.url, token);

  it("serves a good token, and refuses a missing or bad one", async () => {
    const good = connect(await token());
    const none = connect(null);
    const bad = connect("dpl_not-a-token");
    try {
      const ok = new Stream(good, WATCH);
      expect((await ok.take(1))[0]).toEqual({ type: "ADDED", object: { metadata: { name: "w" } } });
      const [missing, wrong] = [new Stream(none, WATCH), new Stream(bad, WATCH)];
      await Promise.all([missing.ended(), wrong.ended()]);
      const expected = transport === "graphql-ws" ? 4403 : "UNAUTHENTICATED";
      expect([refusal(missing), refusal(wrong)]).toEqual([expected, expected]);
      ok.unsubscribe();
    } finally {
      await Promise.all([good, none, bad].map((c) => c.dispose()));
    }
  });

  it("ends an open subscription with UNAUTHENTICATED within 5 s of its token's revocation, and of its expiry", async () => {
    const revoked = await token();
    const expiresAt = new Date(Date.now() + 3000);
    const expiring = await token(expiresAt);
    const clients = [connect(revoked), connect(expiring)];
    try {
      const [a, b] = clients.map((c) => new Stream(c, WATCH));
      await Promise.all([a.take(1), b.take(1)]);
      const revokedAt = Date.now();
      await revoke(revoked);
      await a.until((s) => s.errors.length > 0 && s, 5000, "the end of the revoked token's subscription");
      expect(Date.now() - revokedAt).toBeLessThan(5000);
      expect(a.errors.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
      await b.until((s) => s.errors.length > 0 && s, expiresAt.getTime() - Date.now() + 5000, "the end of the expired token's subscription");
      expect(b.errors.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });
});

describe("caps", () => {
  it("caps WebSocket connections per token (4429) and per process (503 at the upgrade), and subscriptions per token", async () => {
    const capped = await startApp(config({ controllers: false, wsConnectionsPerToken: 2, wsConnections: 3, subscriptionsPerToken: 2 }), createLogger("silent"));
    const [a, b] = [await token(), await token()];
    const clients: (SubscribeClient & { dispose(): unknown })[] = [];
    const open = (secret: string) => {
      const client = TRANSPORTS["graphql-ws"](capped.url, secret);
      clients.push(client);
      return new Stream(client, WATCH);
    };
    try {
      const [a1, a2] = [open(a), open(a)];
      await Promise.all([a1.take(1), a2.take(1)]);
      const a3 = open(a);
      await a3.ended();
      expect(refusal(a3)).toBe(4429);
      const b1 = open(b);
      await b1.take(1);
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(capped.url.replace(/^http/, "ws"), "graphql-transport-ws");
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode!));
        ws.on("open", () => reject(new Error("a fourth connection was accepted")));
      });
      expect(status).toBe(503);
      // subscriptions: b has one open; one more is fine, a third is refused
      const b2 = new Stream(clients.at(-1)!, WATCH);
      await b2.take(1);
      const b3 = new Stream(clients.at(-1)!, WATCH);
      await b3.ended();
      expect(refusal(b3)).toBe("RATE_LIMITED");
      b2.unsubscribe();
      const b4 = new Stream(clients.at(-1)!, WATCH);
      await b4.take(1); // a slot freed by the end of b2
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
      await capped.stop();
    }
  });
});

// Operations' view of a running server: /metrics in Prometheus format moving with a rollout,
// request ids (header, log lines, context), and unexpected errors logged with the request id and
// answered INTERNAL_SERVER_ERROR without a stack or path on every transport.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import WebSocket from "ws";
import { startApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createDb } from "../../src/db/client.ts";
import { INTERNAL_MESSAGE } from "../../src/graphql/unexpected-errors.ts";
import { createLogger } from "../../src/log.ts";
import { startServer, type ApiServer } from "../../src/server.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { parsePrometheus, scrape, total } from "../helpers/prometheus.ts";
import { apiAt, createDeployment, getDeployment, setImage } from "../helpers/rollout.ts";
import { waitFor } from "../helpers/wait.ts";
import { sseClient, Stream, wsClient, ROLLOUT_STATUS } from "./subscriptions-helpers.ts";

/** log lines the server wrote, parsed */
const lines: Record<string, any>[] = [];
const capture = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let database: TestDatabase;
let app: App;
beforeAll(async () => {
  database = await createTestDatabase();
  app = await startApp({ ...loadConfig({}), port: 0, databaseUrl: database.url, podStartupMs: 50, maxGraceSeconds: 0 }, createLogger("debug", capture));
});
afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

describe("/metrics", () => {
  it("parses as Prometheus text, and its counters and histograms move when a rollout runs", async () => {
    const before = await scrape(app.url);
    expect(before.families.get("process_cpu_user_seconds_total")?.type).toBe("COUNTER");
    expect(before.families.get("deploye_graphql_operation_duration_seconds")?.type).toBe("HISTOGRAM");
    const completedBefore = total(before, "deploye_rollouts_completed_total");

    const api = apiAt(app.url);
    const status = wsClient(app.url);
    await createDeployment(api, "web", { replicas: 3, behavior: "ready" });
    const watching = new Stream(status, ROLLOUT_STATUS, { namespace: "default", name: "web" });
    await waitFor(() => getDeployment(api, "web"), (d) => d.rolloutStatus.done, { timeoutMs: 20_000, what: "the first rollout" });
    await setImage(api, "web", "nginx:2");
    await waitFor(() => getDeployment(api, "web"), (d) => d.rolloutStatus.done && d.rolloutStatus.revision === 2, { timeoutMs: 20_000, what: "the second rollout" });

    const after = await waitFor(() => scrape(app.url), (m) => total(m, "deploye_rollouts_completed_total") >= completedBefore + 2, { timeoutMs: 10_000, what: "two completed rollouts counted" });
    expect(total(after, "deploye_graphql_operations_total", { type: "mutation", outcome: "ok" })).toBeGreaterThanOrEqual(2);
    expect(total(after, "deploye_graphql_operation_duration_seconds", { type: "mutation" })).toBeGreaterThanOrEqual(2);
    for (const queue of ["deployment", "replicaset", "kubelet"]) {
      expect(total(after, "deploye_workqueue_adds_total", { queue }), queue).toBeGreaterThan(total(before, "deploye_workqueue_adds_total", { queue }));
      expect(total(after, "deploye_reconcile_duration_seconds", { queue, outcome: "ok" }), queue).toBeGreaterThan(0);
      expect(total(after, "deploye_workqueue_queue_duration_seconds", { queue }), queue).toBeGreaterThan(0);
    }
    expect(after.families.get("deploye_workqueue_depth")?.metrics.map((m) => m.labels?.queue).sort()).toEqual(["deployment", "gc", "kubelet", "replicaset", "wakes"]);
    expect(total(after, "deploye_subscribers", { transport: "ws", field: "rolloutStatus" })).toBe(1);
    expect(total(after, "deploye_subscription_events_sent_total", { transport: "ws", field: "rolloutStatus" })).toBeGreaterThan(0);
    expect(total(after, "deploye_rollouts_in_progress")).toBe(0);
    expect(total(after, "deploye_change_feed_lag_rows")).toBeGreaterThanOrEqual(0);
    expect(total(after, "deploye_db_pool_connections", { state: "idle" }) + total(after, "deploye_db_pool_connections", { state: "in_use" })).toBeGreaterThan(0);
    expect(lines.some((l) => l.msg === "rollout completed" && l.deployment === "default/web")).toBe(true);
    expect(lines.some((l) => l.msg === "rollout: new ReplicaSet" && l.deployment === "default/web")).toBe(true);

    watching.unsubscribe();
    await status.dispose();
    await waitFor(() => scrape(app.url), (m) => total(m, "deploye_subscribers", { field: "rolloutStatus" }) === 0, { timeoutMs: 5000, what: "the subscriber gauge to go back" });
  });

  it("bounds the operation-name label", async () => {
    const api = apiAt(app.url);
    for (let i = 0; i < 205; i += 41) await Promise.all(Array.from({ length: 41 }, (_, j) => api.data(`query Q${i + j} { namespaces }`)));
    const m = await scrape(app.url);
    const names = new Set(m.families.get("deploye_graphql_operations_total")!.metrics.map((s) => s.labels!.operation));
    expect(names.size).toBeLessThanOrEqual(202); // 200 names, "anonymous", "other"
    expect(names.has("other")).toBe(true);
  });
});

describe("request ids", () => {
  it("echoes the caller's X-Request-Id, makes one otherwise, and logs the request's lines under it", async () => {
    const given = await fetch(app.url, { method: "POST", headers: { "content-type": "application/json", "x-request-id": "ops-test-1" }, body: JSON.stringify({ query: "mutation M { __typename }" }) });
    expect(given.headers.get("x-request-id")).toBe("ops-test-1");
    const made = await fetch(new URL("/healthz", app.url));
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const insane = await fetch(new URL("/healthz", app.url), { headers: { "x-request-id": "a b\u00e9" } });
    expect(insane.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(async () => lines.filter((l) => l.requestId === "ops-test-1").map((l) => l.msg), (msgs) => msgs.includes("mutation") && msgs.includes("request"), { timeoutMs: 5000, what: "the request's log lines" });
  });

  it("answers the WebSocket upgrade with one", async () => {
    const ws = new WebSocket(app.url.replace(/^http/, "ws"), "graphql-transport-ws", { headers: { "x-request-id": "ops-ws-1" } });
    const header = await new Promise<string | undefined>((resolve, reject) => {
      ws.once("upgrade", (res) => resolve(res.headers["x-request-id"] as string | undefined));
      ws.once("error", reject);
    });
    ws.close();
    expect(header).toBe("ops-ws-1");
  });
});

describe("unexpected errors", () => {
  // a server whose database does not exist: every read fails inside a resolver
  let broken: ApiServer;
  let brokenDb: ReturnType<typeof createDb>;
  beforeAll(async () => {
    const url = new URL(database.url);
    url.pathname = "/deploye_test_no_such_database";
    brokenDb = createDb(url.toString());
    broken = await startServer({ db: brokenDb, feed: app.feed }, { host: "127.0.0.1", port: 0, log: createLogger("debug", capture) });
  });
  afterAll(async () => {
    await broken?.close();
    await brokenDb?.$disconnect();
  });
  const QUERY = `query Broken { deployment(name: "x") { metadata { name } } }`;

  const expectMasked = (errors: any[] | undefined) => {
    expect(errors).toHaveLength(1);
    expect(errors![0].message).toBe(INTERNAL_MESSAGE);
    expect(errors![0].extensions.code).toBe("INTERNAL_SERVER_ERROR");
    expect(errors![0].path).toBeUndefined();
    expect(JSON.stringify(errors)).not.toMatch(/deploye_test_no_such_database|at .*\.ts:\d+|stack/);
    return errors![0].extensions.requestId as string;
  };
  const expectLogged = (requestId: string) => {
    const line = lines.find((l) => l.msg === "unexpected error" && l.requestId === requestId);
    expect(line, `a log line for ${requestId}`).toBeDefined();
    expect(line!.level).toBe("error");
    expect(line!.error).toMatch(/deploye_test_no_such_database/);
  };

  it("over HTTP", async () => {
    const res = await fetch(broken.url, { method: "POST", headers: { "content-type": "application/json", "x-request-id": "ops-broken-http" }, body: JSON.stringify({ query: QUERY }) });
    const body = (await res.json()) as { errors?: any[] };
    expect(expectMasked(body.errors)).toBe("ops-broken-http");
    expectLogged("ops-broken-http");
  });

  it("over graphql-ws", async () => {
    const client = wsClient(broken.url);
    const stream = new Stream(client, QUERY);
    await waitFor(async () => stream, (s) => s.completed || s.error !== null, { timeoutMs: 10_000, what: "the ws operation to end" });
    await client.dispose();
    expectLogged(expectMasked(stream.errors));
  });

  it("over graphql-sse", async () => {
    const client = sseClient(broken.url, true);
    const stream = new Stream(client, QUERY);
    await waitFor(async () => stream, (s) => s.completed || s.error !== null, { timeoutMs: 10_000, what: "the sse operation to end" });
    client.dispose();
    expectLogged(expectMasked(stream.errors));
  });
});

describe("the Prometheus text", () => {
  it("is what the parser reads (sanity of the helper)", () => {
    expect(parsePrometheus("# HELP x_total a\n# TYPE x_total counter\nx_total{a=\"b\"} 3\n")[0]).toMatchObject({ name: "x_total", type: "COUNTER", metrics: [{ labels: { a: "b" }, value: "3" }] });
  });
});

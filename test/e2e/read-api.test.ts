// The read side of the API against a real server and a real Postgres: health, GraphiQL, queries,
// connections, label selectors, node(id), the WebSocket transport, and the statement count of a
// deeply nested list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createDb, type Db } from "../../src/db/client.ts";
import { createLogger } from "../../src/log.ts";
import { startServer } from "../../src/server.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { insertDeployment, insertPods, insertReplicaSet } from "../helpers/fixtures.ts";

let app: TestApp;
let db: Db;
beforeAll(async () => {
  app = await startTestApp({ controllers: false, simulator: false });
  db = createDb(app.databaseUrl);
  // prod: web (2 RSs × 3 pods), api, db; staging: web
  const web = await insertDeployment(db, "prod", "web", { app: "web", tier: "frontend", env: "prod" });
  await insertDeployment(db, "prod", "api", { app: "api", tier: "backend", env: "prod" });
  await insertDeployment(db, "prod", "db", { app: "db", tier: "backend" });
  await insertDeployment(db, "staging", "web", { app: "web", tier: "frontend", env: "staging", canary: "true" });
  const rs1 = await insertReplicaSet(db, web, "5d4f7b9c8", 1);
  const rs2 = await insertReplicaSet(db, web, "66b6c48dd5", 2);
  await insertPods(db, rs1, 3);
  await insertPods(db, rs2, 3);
});
afterAll(async () => {
  await db.$disconnect();
  await app.stop();
});

describe("health", () => {
  it("answers /healthz and /readyz with JSON", async () => {
    const base = new URL(app.url).origin;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", database: true, migrations: true });
  });

  it("refuses request bodies over 4 MiB, or of undeclared size, before reading them", async () => {
    const big = await fetch(app.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ namespaces }", pad: "x".repeat(5 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(app.url, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(JSON.stringify({ query: "{ namespaces }" }));
    });
    expect(status).toBe(411);
  });

  it("serves GraphiQL on the GraphQL path", async () => {
    const res = await fetch(app.url, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/graphiql/i);
  });
});

describe("queries", () => {
  it("reads one deployment with its metadata, spec and owned replica sets, highest revision first", async () => {
    const data = await app.data(`{ deployment(namespace: "prod", name: "web") {
      id metadata { name namespace uid resourceVersion generation labels ownerReferences { name } }
      spec { replicas selector { matchLabels } strategy { type rollingUpdate { maxSurge maxUnavailable } } template { spec { containers { name image } } } }
      revision replicaSets { metadata { name } revision podTemplateHash owner { metadata { name } } pods { metadata { name } } }
    } }`);
    const d = data.deployment;
    expect(d.metadata).toMatchObject({ name: "web", namespace: "prod", generation: 1, labels: { app: "web", tier: "frontend", env: "prod" }, ownerReferences: [] });
    expect(Number(d.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
    expect(d.replicaSets.map((r: any) => [r.metadata.name, r.revision, r.podTemplateHash])).toEqual([
      ["web-66b6c48dd5", 2, "66b6c48dd5"],
      ["web-5d4f7b9c8", 1, "5d4f7b9c8"],
    ]);
    expect(d.replicaSets[0].owner.metadata.name).toBe("web");
    expect(d.replicaSets[0].pods).toHaveLength(3);
  });

  it("returns null for a missing object and lists namespaces", async () => {
    const data = await app.data(`{ deployment(name: "nope") { id } namespaces }`);
    expect(data).toEqual({ deployment: null, namespaces: ["prod", "staging"] });
  });

  it("fetches any object by its global id through node(id)", async () => {
    const { deployment } = await app.data(`{ deployment(namespace: "staging", name: "web") { id } }`);
    const data = await app.data(`query($id: ID!) { node(id: $id) { __typename ... on Deployment { metadata { namespace name } } } }`, { id: deployment.id });
    expect(data.node).toEqual({ __typename: "Deployment", metadata: { namespace: "staging", name: "web" } });
  });

  it("pages through a connection with cursors and totalCount", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 4; page++) {
      const data: any = await app.data(`query($after: String) { deployments(first: 1, after: $after) {
        totalCount edges { cursor node { metadata { namespace name } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, { after });
      const conn = data.deployments;
      expect(conn.totalCount).toBe(4);
      expect(conn.edges).toHaveLength(1);
      expect(conn.pageInfo.hasPreviousPage).toBe(page > 0);
      expect(conn.pageInfo.hasNextPage).toBe(page < 3);
      expect(conn.pageInfo.endCursor).toBe(conn.edges[0].cursor);
      seen.push(`${conn.edges[0].node.metadata.namespace}/${conn.edges[0].node.metadata.name}`);
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(["prod/api", "prod/db", "prod/web", "staging/web"]);
  });

  it("pages backward with last/before, in the same order, and joins the forward pages", async () => {
    const name = (n: any) => `${n.metadata.namespace}/${n.metadata.name}`;
    const page = `totalCount nodes { metadata { namespace name } } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
    const seen: string[][] = [];
    let before: string | null = null;
    for (let i = 0; i < 2; i++) {
      const data: any = await app.data(`query($before: String) { deployments(last: 2, before: $before) { ${page} } }`, { before });
      const conn = data.deployments;
      expect(conn.totalCount).toBe(4);
      expect(conn.pageInfo.hasPreviousPage).toBe(i === 0);
      expect(conn.pageInfo.hasNextPage).toBe(i > 0);
      expect(conn.pageInfo.startCursor).toBe(conn.edges[0].cursor);
      seen.unshift(conn.nodes.map(name));
      before = conn.pageInfo.startCursor;
    }
    expect(seen).toEqual([["prod/api", "prod/db"], ["prod/web", "staging/web"]]);
    // a backward page from a forward page's cursor, and the reverse, give the neighbours
    const forward: any = await app.data(`{ deployments(first: 3) { ${page} } }`);
    const back: any = await app.data(`query($c: String) { deployments(last: 1, before: $c) { ${page} } }`, { c: forward.deployments.pageInfo.endCursor });
    expect(back.deployments.nodes.map(name)).toEqual(["prod/db"]);
    const labelled: any = await app.data(`{ deployments(last: 5, labelSelector: "app=web") { ${page} } }`);
    expect(labelled.deployments.nodes.map(name)).toEqual(["prod/web", "staging/web"]);
    expect(labelled.deployments.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: false });
  });

  it("serves nodes beside edges: the same objects, with nested fields loaded", async () => {
    const data: any = await app.data(`{ pods(namespace: "prod", first: 4) { nodes { metadata { name } owner { metadata { name } } } edges { node { metadata { name } } } } }`);
    expect(data.pods.nodes.map((n: any) => n.metadata.name)).toEqual(data.pods.edges.map((e: any) => e.node.metadata.name));
    expect(data.pods.nodes[0].owner.metadata.name).toBe("web-5d4f7b9c8");
    const only: any = await app.data(`{ replicaSets(namespace: "prod") { nodes { metadata { name } pods(limit: 1) { metadata { name } } } } }`);
    expect(only.replicaSets.nodes.map((n: any) => n.pods.length)).toEqual([1, 1]);
  });

  it.each([
    [`{ deployments(first: 1, last: 1) { totalCount } }`, "first"],
    [`{ deployments(after: "x", before: "y") { totalCount } }`, "after"],
    [`{ deployments(last: 501) { totalCount } }`, "last"],
    [`{ deployments(last: -1) { totalCount } }`, "last"],
    [`{ deployments(before: "not-a-cursor") { totalCount } }`, "before"],
  ])("refuses %s with BAD_USER_INPUT naming %s", async (query, field) => {
    const body = await app.gql(query);
    expect(body.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0].extensions.fieldErrors[0].field).toBe(field);
  });

  it.each([
    ["app=web", ["prod/web", "staging/web"]],
    ["app==web", ["prod/web", "staging/web"]],
    ["tier!=frontend", ["prod/api", "prod/db"]],
    ["env in (prod,staging),tier=frontend", ["prod/web", "staging/web"]],
    ["env notin (prod)", ["prod/db", "staging/web"]],
    ["canary", ["staging/web"]],
    ["!canary,!env", ["prod/db"]],
    ["", ["prod/api", "prod/db", "prod/web", "staging/web"]],
  ])("filters by labelSelector %j in SQL", async (selector, expected) => {
    const data = await app.data(`query($s: String) { deployments(labelSelector: $s) { totalCount edges { node { metadata { namespace name } } } } }`, { s: selector });
    expect(data.deployments.edges.map((e: any) => `${e.node.metadata.namespace}/${e.node.metadata.name}`)).toEqual(expected);
    expect(data.deployments.totalCount).toBe(expected.length);
  });

  it("finds nothing, without an error, under a namespace or name no object can have", async () => {
    const data = await app.data(`{ pods(namespace: "a\\u0000b") { totalCount } events(involvedObjectName: "x\\u0000") { totalCount } pod(namespace: "a\\u0000", name: "b") { id } }`);
    expect(data).toEqual({ pods: { totalCount: 0 }, events: { totalCount: 0 }, pod: null });
  });

  it("filters by namespace", async () => {
    const data = await app.data(`{ pods(namespace: "prod", labelSelector: "pod-template-hash=66b6c48dd5") { totalCount } replicaSets(namespace: "staging") { totalCount } }`);
    expect(data).toEqual({ pods: { totalCount: 3 }, replicaSets: { totalCount: 0 } });
  });

  it("rejects a bad label selector with BAD_USER_INPUT naming the argument", async () => {
    const body = await app.gql(`{ deployments(labelSelector: "app in (a") { totalCount } }`);
    expect(body.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0].extensions.fieldErrors[0].field).toBe("labelSelector");
  });

  it.each([
    [`query($n: Int) { deployments(first: $n) { totalCount } }`, { n: "many" }],
    [`{ deployments(first: "many") { totalCount } }`, {}],
    [`{ noSuchField }`, {}],
    [`{ pods(first: 500) { edges { node { owner { pods { owner { pods { metadata { name } } } } } } } } }`, {}],
  ])("answers a malformed request %j with BAD_USER_INPUT", async (query, variables) => {
    const body = await app.gql(query, variables);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.map((e: any) => e.extensions.code)).toEqual(["BAD_USER_INPUT"]);
  });

  it("rejects a forged cursor with BAD_USER_INPUT", async () => {
    const body = await app.gql(`{ deployments(after: "not-a-cursor") { totalCount } }`);
    expect(body.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("nested reads", () => {
  it.each([
    ["", ["web-5d4f7b9c8-p0", "web-5d4f7b9c8-p1", "web-5d4f7b9c8-p2"]],
    ["track=canary", ["web-5d4f7b9c8-p0"]],
    ["track!=canary", ["web-5d4f7b9c8-p1", "web-5d4f7b9c8-p2"]], // p2 has no track: != matches it
    ["track notin (canary,stable)", ["web-5d4f7b9c8-p2"]],
    ["track in (canary,stable)", ["web-5d4f7b9c8-p0", "web-5d4f7b9c8-p1"]],
    ["!track", ["web-5d4f7b9c8-p2"]],
    ["track,app=web", ["web-5d4f7b9c8-p0", "web-5d4f7b9c8-p1"]],
  ])("ReplicaSet.pods(labelSelector: %j) filters in SQL, then takes the limit", async (selector, expected) => {
    // p0 track=canary, p1 track=stable, p2 no track (set once; idempotent)
    for (const [i, track] of [[0, "canary"], [1, "stable"]] as const) {
      await db.pod.update({ where: { namespace_name: { namespace: "prod", name: `web-5d4f7b9c8-p${i}` } }, data: { labels: { app: "web", "pod-template-hash": "5d4f7b9c8", track } } });
    }
    const q = `query($s: String, $l: Int) { replicaSet(namespace: "prod", name: "web-5d4f7b9c8") { pods(labelSelector: $s, limit: $l) { metadata { name } owner { metadata { name } } } } }`;
    const all: any = await app.data(q, { s: selector });
    expect(all.replicaSet.pods.map((p: any) => p.metadata.name)).toEqual(expected);
    expect(all.replicaSet.pods.every((p: any) => p.owner.metadata.name === "web-5d4f7b9c8")).toBe(true);
    const one: any = await app.data(q, { s: selector, l: 1 });
    expect(one.replicaSet.pods.map((p: any) => p.metadata.name)).toEqual(expected.slice(0, 1));
  });

  it.each([
    ["pod-template-hash=66b6c48dd5", ["web-66b6c48dd5"]],
    ["pod-template-hash!=66b6c48dd5", ["web-5d4f7b9c8"]],
    ["pod-template-hash notin (x)", ["web-66b6c48dd5", "web-5d4f7b9c8"]],
    ["!pod-template-hash", []],
    ["app", ["web-66b6c48dd5", "web-5d4f7b9c8"]],
  ])("Deployment.replicaSets(labelSelector: %j) filters, highest revision first", async (selector, expected) => {
    const data: any = await app.data(`query($s: String) { deployment(namespace: "prod", name: "web") { replicaSets(labelSelector: $s) { metadata { name } } } }`, { s: selector });
    expect(data.deployment.replicaSets.map((r: any) => r.metadata.name)).toEqual(expected);
  });

  it("lists objects with their relations, however deep, exactly as the single-object reads answer them", async () => {
    // lists read rows and relations as JSON in SQL (src/db/pages.ts); pod(...) reads through Prisma
    const meta = `metadata { name namespace uid resourceVersion generation creationTimestamp deletionTimestamp labels annotations ownerReferences { kind name uid controller } }`;
    const deployment = `${meta} spec { replicas selector { matchLabels } strategy { type } } status { replicas conditions { type status } } revision rolloutStatus { revision message }`;
    const replicaSet = `${meta} spec { replicas } status { replicas readyReplicas } revision podTemplateHash`;
    const pod = `${meta} spec { nodeName containers { name image } } status { phase ready startTime podIP conditions { type status lastTransitionTime } }`;
    const pods: any = await app.data(`{ pods(namespace: "prod") { nodes { ${pod} owner { ${replicaSet} owner { ${deployment} } } } } }`);
    expect(pods.pods.nodes).toHaveLength(6);
    for (const node of pods.pods.nodes) {
      const one: any = await app.data(`query($n: String!) { pod(namespace: "prod", name: $n) { ${pod} owner { ${replicaSet} owner { ${deployment} } } } }`, { n: node.metadata.name });
      expect(node).toEqual(one.pod);
    }
    const owned = `${deployment} replicaSets(limit: 5) { ${replicaSet} owner { metadata { name } } pods(limit: 2) { ${pod} owner { metadata { name } } } }`;
    const deployments: any = await app.data(`{ deployments(namespace: "prod", first: 10) { nodes { ${owned} } } }`);
    expect(deployments.deployments.nodes).toHaveLength(3);
    for (const node of deployments.deployments.nodes) {
      const one: any = await app.data(`query($n: String!) { deployment(namespace: "prod", name: $n) { ${owned} } }`, { n: node.metadata.name });
      expect(node).toEqual(one.deployment);
    }
    expect(deployments.deployments.nodes.find((d: any) => d.metadata.name === "web").replicaSets.map((r: any) => r.metadata.name)).toEqual(["web-66b6c48dd5", "web-5d4f7b9c8"]);
  });

  it("refuses a malformed nested labelSelector with BAD_USER_INPUT", async () => {
    const refusals = (body: { errors?: any[] }) => body.errors?.map((e: any) => [e.extensions.code, e.extensions.fieldErrors?.[0].field]);
    const nested = await app.gql(`{ deployment(namespace: "prod", name: "web") { replicaSets(labelSelector: "!") { id } } }`);
    expect(refusals(nested)).toEqual([["BAD_USER_INPUT", "labelSelector"]]);
    const { replicaSets } = await app.data(`{ replicaSets(namespace: "prod", first: 1) { nodes { metadata { name } } } }`);
    const [rs] = replicaSets.nodes;
    expect(rs).toBeDefined();
    const pods = await app.gql(`query($name: String!) { replicaSet(namespace: "prod", name: $name) { pods(labelSelector: "a in (b") { id } } }`, { name: rs.metadata.name });
    expect(refusals(pods)).toEqual([["BAD_USER_INPUT", "labelSelector"]]);
  });

  it("run a constant number of SQL statements whatever the row counts", async () => {
    const query = `{ deployments(first: 20) { totalCount edges { node { metadata { name } replicaSets { metadata { name } pods { metadata { name } } } } } }
      back: deployments(last: 5) { nodes { metadata { name } replicaSets(limit: 5) { metadata { name } pods(limit: 10, labelSelector: "app,x notin (y)") { metadata { name } owner { metadata { name } } } } } } }`;
    const count = async () => {
      const statements: string[] = [];
      const counted = createDb(app.databaseUrl, { onQuery: (sql) => statements.push(sql) });
      try {
        const server = await startServer({ db: counted, feed: app.feed }, { host: "127.0.0.1", port: 0, log: createLogger("silent") });
        try {
          const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
          const body = await res.json();
          expect(body.errors).toBeUndefined();
          return { statements: statements.filter((s) => !/^(BEGIN|COMMIT|DEALLOCATE)/i.test(s.trim())).length, body };
        } finally {
          await server.close();
        }
      } finally {
        await counted.$disconnect();
      }
    };
    const small = await count();
    // grow every level: more deployments, more replica sets, more pods
    for (let i = 0; i < 10; i++) {
      const d = await insertDeployment(db, "bulk", `svc-${i}`);
      for (let r = 0; r < 3; r++) {
        const rs = await insertReplicaSet(db, d, `h${i}x${r}`, r + 1);
        await insertPods(db, rs, 5);
      }
    }
    const large = await count();
    expect(large.body.data.deployments.totalCount).toBe(small.body.data.deployments.totalCount + 10);
    expect(large.statements).toBe(small.statements);
    // per list: the page with its included relations, and the count (totalCount asked for: the
    // first list only); per ReplicaSet.pods batch: one
    expect(large.statements).toBe(5);
  });
});

describe("WebSocket transport", () => {
  const run = (client: ReturnType<typeof createClient>, query: string) =>
    new Promise<any>((resolve) => {
      let value: unknown;
      client.subscribe({ query }, { next: (v) => (value = v), error: (e) => resolve({ error: e }), complete: () => resolve(value) });
    });

  it("fails a malformed operation alone, leaving the socket and its other operations alive", async () => {
    const client = createClient({ url: app.url.replace("http", "ws"), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
    try {
      const bad = await run(client, "{ deployments { totalCount ");
      expect(bad.error?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      const nul = await run(client, `subscription { rolloutStatus(namespace: "a\\u0000", name: "x") { done } }`);
      expect(nul.errors?.[0]?.extensions?.code ?? nul.error?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      const good = await run(client, "{ deployments { totalCount } }");
      expect(good.data.deployments.totalCount).toBeGreaterThanOrEqual(4);
    } finally {
      await client.dispose();
    }
  });

  it("runs operations over graphql-ws on the same path", async () => {
    const client = createClient({ url: app.url.replace("http", "ws"), webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
    try {
      const result = await new Promise<any>((resolve, reject) => {
        let value: unknown;
        client.subscribe({ query: `{ deployments { totalCount } }` }, { next: (v) => (value = v), error: reject, complete: () => resolve(value) });
      });
      expect(result.data.deployments.totalCount).toBeGreaterThanOrEqual(4);
    } finally {
      await client.dispose();
    }
  });
});

// The REST facade against GraphQL on one server: an object created through one transport reads
// the same through the other, field by field; watches resume from a resourceVersion, bookmark,
// and end with 410 Expired once the change log is compacted past them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { compactChangeLog } from "../../src/db/compaction.ts";
import { unknownFields } from "../../src/kube/field-validation.ts";
import { typeOfKind } from "../../src/kube/schema.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { waitFor } from "../helpers/wait.ts";

let app: TestApp;
let base: string;

beforeAll(async () => {
  app = await startTestApp({ podStartupMs: 50 });
  base = app.url.replace(/\/graphql$/, "");
});
afterAll(async () => {
  await app?.stop();
});

async function rest(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, { method, headers: body === undefined ? {} : { "content-type": contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const DEPLOYMENT_FIELDS = `metadata { name namespace uid resourceVersion generation creationTimestamp labels annotations }
  spec { replicas minReadySeconds revisionHistoryLimit progressDeadlineSeconds paused
    selector { matchLabels }
    strategy { type rollingUpdate { maxSurge maxUnavailable } }
    template { metadata { labels annotations } spec { terminationGracePeriodSeconds containers { name image args env { name value } ports { containerPort protocol } } } } }
  status { observedGeneration replicas updatedReplicas readyReplicas availableReplicas conditions { type status reason message } }`;

/** The REST object next to the GraphQL one, field by field. */
function expectSameDeployment(k: any, g: any) {
  expect(k.metadata.name).toBe(g.metadata.name);
  expect(k.metadata.namespace).toBe(g.metadata.namespace);
  expect(k.metadata.uid).toBe(g.metadata.uid);
  expect(k.metadata.resourceVersion).toBe(g.metadata.resourceVersion);
  expect(k.metadata.generation).toBe(g.metadata.generation);
  expect(Date.parse(k.metadata.creationTimestamp)).toBe(Math.floor(Date.parse(g.metadata.creationTimestamp) / 1000) * 1000);
  expect(k.metadata.labels ?? {}).toEqual(g.metadata.labels);
  expect(k.metadata.annotations ?? {}).toEqual(g.metadata.annotations);
  expect(k.spec.replicas).toBe(g.spec.replicas);
  expect(k.spec.minReadySeconds ?? 0).toBe(g.spec.minReadySeconds);
  expect(k.spec.revisionHistoryLimit).toBe(g.spec.revisionHistoryLimit);
  expect(k.spec.progressDeadlineSeconds).toBe(g.spec.progressDeadlineSeconds);
  expect(k.spec.paused ?? false).toBe(g.spec.paused);
  expect(k.spec.selector.matchLabels).toEqual(g.spec.selector.matchLabels);
  expect(k.spec.strategy).toEqual(g.spec.strategy.type === "Recreate" ? { type: "Recreate" } : g.spec.strategy);
  expect(k.spec.template.metadata.labels).toEqual(g.spec.template.metadata.labels);
  expect(k.spec.template.metadata.annotations ?? {}).toEqual(g.spec.template.metadata.annotations);
  expect(k.spec.template.spec.terminationGracePeriodSeconds).toBe(g.spec.template.spec.terminationGracePeriodSeconds);
  expect(k.spec.template.spec.containers.map((c: any) => [c.name, c.image, c.args ?? [], c.env ?? [], c.ports ?? []])).toEqual(
    g.spec.template.spec.containers.map((c: any) => [c.name, c.image, c.args, c.env, c.ports]),
  );
  expect(k.status.observedGeneration ?? 0).toBe(g.status.observedGeneration);
  for (const f of ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"]) expect(k.status[f] ?? 0).toBe(g.status[f]);
  expect((k.status.conditions ?? []).map((c: any) => [c.type, c.status, c.reason, c.message])).toEqual(g.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]));
}

describe("GraphQL and REST agree", () => {
  it("created through GraphQL, read through REST", async () => {
    await app.data(
      `mutation { createDeployment(metadata: { name: "from-gql", namespace: "agree", labels: { app: "from-gql" }, annotations: { note: "x" } },
        spec: { replicas: 2, selector: { matchLabels: { app: "from-gql" } }, strategy: { type: Recreate },
          template: { metadata: { labels: { app: "from-gql" } }, spec: { containers: [{ name: "c", image: "nginx:1.25", args: ["-g"], env: [{ name: "A", value: "1" }], ports: [{ containerPort: 80 }] }] } } }) { metadata { uid } } }`,
    );
    await waitFor(() => rest("GET", "/apis/apps/v1/namespaces/agree/deployments/from-gql"), (r) => r.body.status?.readyReplicas === 2, { what: "the rollout" });
    const { deployment } = await app.data(`{ deployment(namespace: "agree", name: "from-gql") { ${DEPLOYMENT_FIELDS} } }`);
    const { body } = await rest("GET", "/apis/apps/v1/namespaces/agree/deployments/from-gql");
    expectSameDeployment(body, deployment);
  });

  it("created through REST, read through GraphQL", async () => {
    const created = await rest("POST", "/apis/apps/v1/namespaces/agree/deployments", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "from-rest", labels: { app: "from-rest" } },
      spec: {
        replicas: 1,
        minReadySeconds: 1,
        selector: { matchLabels: { app: "from-rest" } },
        template: { metadata: { labels: { app: "from-rest" }, annotations: { a: "b" } }, spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 8080, protocol: "UDP" }] }] } },
      },
    });
    expect(created.status).toBe(201);
    const { deployment } = await app.data(`{ deployment(namespace: "agree", name: "from-rest") { ${DEPLOYMENT_FIELDS} } }`);
    const { body } = await rest("GET", "/apis/apps/v1/namespaces/agree/deployments/from-rest");
    expectSameDeployment(body, deployment);
    expect(deployment.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 8080, protocol: "UDP" }]);
  });

  it("invalid input: the same field errors as GraphQL's fieldErrors, as Status causes", async () => {
    const spec = { replicas: -1, selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "y" } }, spec: { containers: [{ name: "c", image: "i" }] } } };
    const r = await rest("POST", "/apis/apps/v1/namespaces/agree/deployments", { metadata: { name: "bad" }, spec });
    const g = await app.gql(`mutation($spec: DeploymentSpecInput!) { createDeployment(metadata: { name: "bad", namespace: "agree" }, spec: $spec) { metadata { uid } } }`, { spec });
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe("Invalid");
    expect(r.body.details.causes.map((c: any) => ({ field: c.field, message: c.message }))).toEqual(g.errors![0].extensions.fieldErrors);
    expect(r.body.details.causes[0].reason).toBe("FieldValueInvalid");
  });

  it("patch types and preconditions", async () => {
    const path = "/apis/apps/v1/namespaces/agree/deployments/from-rest";
    const merged = await rest("PATCH", path, { metadata: { labels: { tier: "web" } } }, "application/merge-patch+json");
    expect(merged.body.metadata.labels).toEqual({ app: "from-rest", tier: "web" });
    const patched = await rest("PATCH", path, [{ op: "replace", path: "/spec/replicas", value: 2 }], "application/json-patch+json");
    expect(patched.body.spec.replicas).toBe(2);
    const stale = await rest("PATCH", path, { metadata: { resourceVersion: "1" }, spec: { replicas: 3 } }, "application/merge-patch+json");
    expect([stale.status, stale.body.reason]).toEqual([409, "Conflict"]);
    const unsupported = await rest("PATCH", path, { spec: {} }, "application/apply-patch+yaml");
    expect([unsupported.status, unsupported.body.reason]).toEqual([415, "UnsupportedMediaType"]);
    const failing = await rest("PATCH", path, [{ op: "test", path: "/spec/replicas", value: 9 }], "application/json-patch+json");
    expect(failing.status).toBe(422);
    const selector = await rest("PATCH", path, { spec: { selector: { matchLabels: { app: "other" } } } }, "application/merge-patch+json");
    // the domain's update rules: the selector no longer selects the template's labels
    expect([selector.status, selector.body.reason]).toEqual([422, "Invalid"]);
    expect(selector.body.details.causes.map((c: any) => c.field)).toContain("spec.template.metadata.labels");
  });
});

describe("paged lists", () => {
  it("limit and continue walk every object once; remainingItemCount counts the rest, and is left out under a selector", async () => {
    const all = (await rest("GET", "/apis/apps/v1/namespaces/agree/replicasets")).body.items.map((o: any) => o.metadata.name);
    expect(all.length).toBeGreaterThanOrEqual(2);
    const seen: string[] = [];
    let token = "";
    for (;;) {
      const page = await rest("GET", `/apis/apps/v1/namespaces/agree/replicasets?limit=1${token ? `&continue=${token}` : ""}`);
      seen.push(...page.body.items.map((o: any) => o.metadata.name));
      if (!page.body.metadata.continue) {
        expect(page.body.metadata.remainingItemCount).toBeUndefined();
        break;
      }
      expect(page.body.metadata.remainingItemCount).toBe(all.length - seen.length);
      token = page.body.metadata.continue;
    }
    expect(seen).toEqual(all);
    const selected = await rest("GET", `/apis/apps/v1/namespaces/agree/replicasets?limit=1&labelSelector=app`);
    expect(selected.body.metadata.continue).toBeDefined();
    expect(selected.body.metadata.remainingItemCount).toBeUndefined();
    const forged = await rest("GET", `/apis/apps/v1/namespaces/agree/replicasets?limit=1&continue=${Buffer.from('{"key":["agree"],"listed":-1}').toString("base64url")}`);
    expect([forged.status, forged.body.reason]).toEqual([400, "BadRequest"]);
  });
});

describe("dryRun=All", () => {
  it("on every verb: the answer is the object as it would be, and nothing is written", async () => {
    const deployment = "/apis/apps/v1/namespaces/agree/deployments/from-rest";
    const before = (await rest("GET", deployment)).body;
    const template = { metadata: { labels: { app: "dry" } }, spec: { containers: [{ name: "c", image: "nginx:1.25" }] } };
    const writes: [string, string, unknown, string?][] = [
      ["POST", "/apis/apps/v1/namespaces/agree/deployments", { metadata: { name: "dry" }, spec: { replicas: 1, selector: { matchLabels: { app: "dry" } }, template } }],
      ["POST", "/apis/apps/v1/namespaces/agree/replicasets", { metadata: { name: "dry-rs" }, spec: { replicas: 1, selector: { matchLabels: { app: "dry" } }, template } }],
      ["PUT", deployment, { ...before, metadata: { ...before.metadata, resourceVersion: undefined }, spec: { ...before.spec, replicas: 4 } }],
      ["PATCH", deployment, { spec: { replicas: 4 } }, "application/strategic-merge-patch+json"],
      ["PUT", `${deployment}/scale`, { spec: { replicas: 4 } }],
      ["PATCH", `${deployment}/scale`, { spec: { replicas: 4 } }, "application/merge-patch+json"],
      ["DELETE", deployment, undefined],
    ];
    for (const [method, path, body, type] of writes) {
      const answer = await rest(method, `${path}?dryRun=All`, body, type);
      expect(answer.status, `${method} ${path}`).toBeLessThan(300);
      if (method === "PUT" || method === "PATCH") expect(answer.body.spec.replicas, `${method} ${path}`).toBe(4);
    }
    expect((await rest("GET", "/apis/apps/v1/namespaces/agree/deployments/dry")).status).toBe(404);
    expect((await rest("GET", "/apis/apps/v1/namespaces/agree/replicasets/dry-rs")).status).toBe(404);
    const after = (await rest("GET", deployment)).body;
    // (the controller may still write status meanwhile: the spec and generation are the API's)
    expect([after.metadata.generation, after.spec.replicas]).toEqual([before.metadata.generation, before.spec.replicas]);
  });
});

describe("the kinds' description", () => {
  it("covers every field the codec writes, so an object read can be written back under fieldValidation=Strict", async () => {
    await waitFor(() => rest("GET", "/api/v1/namespaces/agree/events"), (r) => r.body.items.length > 0, { what: "events" });
    for (const path of ["/apis/apps/v1/namespaces/agree/deployments", "/apis/apps/v1/namespaces/agree/replicasets", "/api/v1/namespaces/agree/pods", "/api/v1/namespaces/agree/events", "/api/v1/namespaces"]) {
      const { body } = await rest("GET", path);
      expect(body.items.length, path).toBeGreaterThan(0);
      expect(unknownFields(typeOfKind(body.kind), body).unknown, path).toEqual([]);
    }
    const scale = await rest("GET", "/apis/apps/v1/namespaces/agree/deployments/from-gql/scale");
    expect(unknownFields(typeOfKind("Scale"), scale.body).unknown).toEqual([]);
    const missing = await rest("GET", "/apis/apps/v1/namespaces/agree/deployments/nope");
    expect(unknownFields(typeOfKind("Status"), missing.body).unknown).toEqual([]);
    const path = "/apis/apps/v1/namespaces/agree/deployments/from-gql";
    const put = await rest("PUT", `${path}?fieldValidation=Strict`, (await rest("GET", path)).body);
    expect(put.status).toBe(200);
  });

  it("fieldValidation: Strict refuses an unknown field, Warn answers a Warning header, an unknown mode is a BadRequest", async () => {
    const path = "/apis/apps/v1/namespaces/agree/deployments/from-gql";
    const strict = await rest("PATCH", `${path}?fieldValidation=Strict`, { spec: { foo: 1, template: { spec: { containers: [{ name: "c", bar: 2 }] } } } }, "application/strategic-merge-patch+json");
    expect([strict.status, strict.body.reason, strict.body.message]).toEqual([400, "BadRequest", 'strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].bar"']);
    const res = await fetch(`${base}${path}`, { method: "PATCH", headers: { "content-type": "application/merge-patch+json" }, body: JSON.stringify({ spec: { foo: 1 } }) });
    expect([res.status, res.headers.get("warning")]).toEqual([200, '299 - "unknown field \\"spec.foo\\""']);
    expect((await res.json()).spec.foo).toBeUndefined();
    const bad = await rest("PATCH", `${path}?fieldValidation=Loose`, { spec: {} }, "application/merge-patch+json");
    expect([bad.status, bad.body.reason]).toEqual([400, "BadRequest"]);
  });
});

/** Reads a watch's lines until `done` says stop; then aborts it. */
async function watchLines(path: string, done: (events: any[]) => boolean): Promise<any[]> {
  const controller = new AbortController();
  const res = await fetch(`${base}${path}`, { signal: controller.signal });
  const events: any[] = [];
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      events.push(...parts.filter(Boolean).map((l) => JSON.parse(l)));
      if (done(events)) break;
    }
  } finally {
    controller.abort();
  }
  return events;
}

describe("watch", () => {
  it("resumes from a resourceVersion with every later change of the scope, and bookmarks", async () => {
    const list = await rest("GET", "/apis/apps/v1/namespaces/agree/deployments");
    const from = list.body.metadata.resourceVersion;
    await rest("PATCH", "/apis/apps/v1/namespaces/agree/deployments/from-rest", { spec: { replicas: 1 } }, "application/merge-patch+json");
    const events = await watchLines(`/apis/apps/v1/namespaces/agree/deployments?watch=1&resourceVersion=${from}&fieldSelector=metadata.name%3Dfrom-rest&allowWatchBookmarks=true`, (e) => e.some((x) => x.type === "BOOKMARK"));
    const modified = events.filter((e) => e.type === "MODIFIED");
    expect(modified.length).toBeGreaterThan(0);
    expect(modified.every((e) => e.object.metadata.name === "from-rest")).toBe(true);
    expect(BigInt(modified[0].object.metadata.resourceVersion)).toBeGreaterThan(BigInt(from));
    expect(modified.some((e) => e.object.spec.replicas === 1)).toBe(true);
    const bookmark = events.find((e) => e.type === "BOOKMARK");
    expect(bookmark.object.kind).toBe("Deployment");
    expect(BigInt(bookmark.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(BigInt(modified.at(-1).object.metadata.resourceVersion));
  }, 20_000);

  it("is a subscriber of the GraphQL subscription hub (one feed read per batch for every watcher), freed when the client goes", async () => {
    // the earlier watches of this file were aborted: they leave the hub too
    await waitFor(async () => app.hub.stats().subscribers, (n) => n === 0, { what: "earlier watches to leave the hub" });
    const before = 0;
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/namespaces/agree/pods?watch=1`, { signal: controller.signal });
    expect(res.status).toBe(200);
    await waitFor(async () => app.hub.stats().subscribers, (n) => n === before + 1, { what: "the REST watch to join the hub" });
    controller.abort();
    await waitFor(async () => app.hub.stats().subscribers, (n) => n === before, { what: "the REST watch to leave the hub" });
  });

  it("events (not replayed by the hub) are read from the change log: the existing ones, then new ones", async () => {
    const existing = (await rest("GET", "/api/v1/namespaces/agree/events")).body.items.length;
    const watching = watchLines("/api/v1/namespaces/agree/events?watch=1", (e) => e.length > existing);
    await waitFor(() => rest("PATCH", "/apis/apps/v1/namespaces/agree/deployments/from-rest", { spec: { replicas: 3 } }, "application/merge-patch+json"), (r) => r.status === 200, { what: "the scale" });
    const events = await watching;
    expect(events.length).toBeGreaterThan(existing);
    expect(events.every((e) => e.type === "ADDED" && e.object.kind === "Event")).toBe(true);
    expect(events.at(-1).object.reason).toBe("ScalingReplicaSet");
  });

  it("ends with 410 Expired from a compacted resourceVersion", async () => {
    const db = createDb(app.databaseUrl);
    try {
      expect(await compactChangeLog(db, { retentionMs: null, maxRows: 1 })).toBeGreaterThan(0);
    } finally {
      await db.$disconnect();
    }
    const events = await watchLines(`/apis/apps/v1/deployments?watch=1&resourceVersion=1`, (e) => e.length > 0);
    expect(events[0].type).toBe("ERROR");
    expect([events[0].object.code, events[0].object.reason]).toEqual([410, "Expired"]);
    expect(events[0].object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });
});

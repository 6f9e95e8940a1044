// The contract's mutations through the GraphQL API against a real server and a real Postgres:
// validation (semantics section 8) and its error shape, every error code, all-or-nothing, dry-run
// (no row, no change-log entry, no NOTIFY), generation/resourceVersion rules, each mutation's
// effect, and a race on one resourceVersion. The server here runs without controllers, so every
// write in the database is the mutation's own; the garbage collector's part of deletion is
// checked at the end against the full application.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { json } from "../../src/db/rows.ts";
import { LIMITS } from "../../src/domain/validation.ts";
import { startTestApp } from "../helpers/app.ts";
import { insertPods } from "../helpers/fixtures.ts";
import { waitFor } from "../helpers/wait.ts";
import {
  CREATE_DEPLOYMENT,
  DEPLOYMENT_FIELDS,
  META_FIELDS,
  deploymentSpec,
  dumpTables,
  errorCode,
  fieldErrorPaths,
  startApiServer,
  type ApiServer,
  type GqlResult,
} from "./mutations-helpers.ts";

let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer();
});
afterAll(async () => {
  await api.stop();
});

const UPDATE = `mutation($name: String!, $spec: DeploymentSpecInput!, $labels: StringMap, $annotations: StringMap, $resourceVersion: String, $changeCause: String, $dryRun: Boolean) {
  updateDeployment(name: $name, spec: $spec, labels: $labels, annotations: $annotations, resourceVersion: $resourceVersion, changeCause: $changeCause, dryRun: $dryRun) { ${DEPLOYMENT_FIELDS} } }`;
const SET_IMAGE = `mutation($name: String!, $container: String!, $image: String!, $resourceVersion: String, $changeCause: String) {
  setImage(name: $name, container: $container, image: $image, resourceVersion: $resourceVersion, changeCause: $changeCause) { ${DEPLOYMENT_FIELDS} } }`;
const SCALE = `mutation($name: String!, $replicas: Int!) { scaleDeployment(name: $name, replicas: $replicas) { ${DEPLOYMENT_FIELDS} } }`;
const PAUSE = `mutation($name: String!) { pauseRollout(name: $name) { ${DEPLOYMENT_FIELDS} } }`;
const RESUME = `mutation($name: String!) { resumeRollout(name: $name) { ${DEPLOYMENT_FIELDS} } }`;
const RESTART = `mutation($name: String!) { restartRollout(name: $name) { ${DEPLOYMENT_FIELDS} } }`;
const ROLLBACK = `mutation($name: String!, $toRevision: Int) { rollbackDeployment(name: $name, toRevision: $toRevision) { ${DEPLOYMENT_FIELDS} events { type reason message count } } }`;
const DELETE = `mutation($name: String!, $policy: DeletionPropagation) { deleteDeployment(name: $name, propagationPolicy: $policy) { ${META_FIELDS} } }`;
const CREATE_RS = `mutation($metadata: ObjectMetaInput!, $spec: ReplicaSetSpecInput!) { createReplicaSet(metadata: $metadata, spec: $spec) { ${META_FIELDS} spec { replicas } } }`;
const SCALE_RS = `mutation($name: String!, $replicas: Int!) { scaleReplicaSet(name: $name, replicas: $replicas) { ${META_FIELDS} spec { replicas } } }`;
const DELETE_RS = `mutation($name: String!, $policy: DeletionPropagation) { deleteReplicaSet(name: $name, propagationPolicy: $policy) { ${META_FIELDS} } }`;
const POD_FIELDS = `metadata { name resourceVersion deletionTimestamp } status { phase ready startTime podIP
  conditions { type status reason message lastTransitionTime }
  containerStatuses { name image ready restartCount state { waiting { reason } running { startedAt } terminated { exitCode reason } } } }`;
const DELETE_POD = `mutation($name: String!, $grace: Int) { deletePod(name: $name, gracePeriodSeconds: $grace) { ${POD_FIELDS} } }`;
const POD_STATUS = `mutation($name: String!, $status: PodStatusInput!) { updatePodStatus(name: $name, status: $status) { ${POD_FIELDS} } }`;

let counter = 0;
/** A fresh name per test, so tests share one database without seeing each other's objects. */
const fresh = (prefix: string) => `${prefix}-${++counter}`;

async function create(name: string, spec: Record<string, unknown> = deploymentSpec(name), metadata: Record<string, unknown> = {}) {
  const data = await api.data(CREATE_DEPLOYMENT, { metadata: { name, ...metadata }, spec });
  return data.createDeployment;
}

/** Runs `mutate`, expects it to fail with `code`, and checks that no table changed. */
async function rejected(code: string, mutate: () => Promise<GqlResult>): Promise<GqlResult> {
  const before = await dumpTables(api.db);
  const result = await mutate();
  expect(result.data ?? null, JSON.stringify(result)).toBeNull();
  expect(errorCode(result), JSON.stringify(result)).toBe(code);
  expect(await dumpTables(api.db)).toEqual(before);
  return result;
}

async function changeCount(): Promise<number> {
  const [{ n }] = await api.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM change_log`;
  return Number(n);
}

describe("createDeployment", () => {
  it("stores the object with the contract's defaults applied, at generation 1", async () => {
    const d = await create("web", {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] } },
    }, { labels: { team: "a" }, annotations: { note: "hello" } });
    expect(d.metadata).toMatchObject({ name: "web", namespace: "default", generation: 1, labels: { team: "a" }, annotations: { note: "hello" }, deletionTimestamp: null });
    expect(Number(d.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(d.spec).toMatchObject({
      replicas: 1,
      paused: false,
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    });
    expect(d.spec.template.spec).toEqual({
      terminationGracePeriodSeconds: 30,
      containers: [{ name: "app", image: "nginx:1.25", command: [], args: [], env: [], ports: [{ name: null, containerPort: 80, protocol: "TCP" }], resources: { requests: {}, limits: {} } }],
    });
    const [row] = await api.db.$queryRaw<{ rv: bigint }[]>`SELECT resource_version AS rv FROM deployments WHERE name = 'web'`;
    expect(String(row.rv)).toBe(d.metadata.resourceVersion);
  });

  it("refuses a name that exists in the namespace with ALREADY_EXISTS, and allows it in another namespace", async () => {
    const name = fresh("dup");
    await create(name);
    await rejected("ALREADY_EXISTS", () => api.gql(CREATE_DEPLOYMENT, { metadata: { name }, spec: deploymentSpec(name) }));
    await rejected("ALREADY_EXISTS", () => api.gql(CREATE_DEPLOYMENT, { metadata: { name }, spec: deploymentSpec(name), dryRun: true }));
    const other = await create(name, deploymentSpec(name), { namespace: "other" });
    expect(other.metadata.namespace).toBe("other");
  });

  it("answers two racing creates of one name with one object and one ALREADY_EXISTS", async () => {
    const name = fresh("race-create");
    const results = await Promise.all([1, 2, 3].map(() => api.gql(CREATE_DEPLOYMENT, { metadata: { name }, spec: deploymentSpec(name) })));
    expect(results.filter((r) => r.data?.createDeployment).length).toBe(1);
    expect(results.filter((r) => errorCode(r) === "ALREADY_EXISTS").length).toBe(2);
  });
});

describe("validation (semantics section 8) through the API", () => {
  type Case = [string, (input: { metadata: any; spec: any }) => void, string[]];
  const long = (n: number) => "a".repeat(n);
  const cases: Case[] = [
    ["name not DNS-1123", (i) => (i.metadata.name = "Web_1"), ["metadata.name"]],
    ["name longer than 253", (i) => (i.metadata.name = long(254)), ["metadata.name"]],
    ["empty name", (i) => (i.metadata.name = ""), ["metadata.name"]],
    ["namespace not a DNS-1123 label", (i) => (i.metadata.namespace = "a.b"), ["metadata.namespace"]],
    ["label key syntax", (i) => (i.metadata.labels = { "-bad": "x" }), ["metadata.labels"]],
    ["label value longer than 63", (i) => (i.metadata.labels = { ok: long(64) }), ["metadata.labels"]],
    ["annotations over 256 KiB", (i) => (i.metadata.annotations = { big: long(LIMITS.annotationBytes) }), ["metadata.annotations"]],
    ["annotation key syntax", (i) => (i.metadata.annotations = { "a/b/c": "x" }), ["metadata.annotations"]],
    ["replicas < 0", (i) => (i.spec.replicas = -1), ["spec.replicas"]],
    ["replicas over the limit", (i) => (i.spec.replicas = LIMITS.replicas + 1), ["spec.replicas"]],
    ["minReadySeconds < 0", (i) => (i.spec.minReadySeconds = -1), ["spec.minReadySeconds"]],
    ["revisionHistoryLimit < 0", (i) => (i.spec.revisionHistoryLimit = -1), ["spec.revisionHistoryLimit"]],
    ["progressDeadlineSeconds not above minReadySeconds", (i) => Object.assign(i.spec, { minReadySeconds: 10, progressDeadlineSeconds: 10 }), ["spec.progressDeadlineSeconds"]],
    ["empty selector", (i) => (i.spec.selector = {}), ["spec.selector"]],
    ["selector not matching the template labels", (i) => (i.spec.selector = { matchLabels: { app: "other" } }), ["spec.template.metadata.labels"]],
    ["In expression without values", (i) => (i.spec.selector.matchExpressions = [{ key: "app", operator: "In" }]), ["spec.selector.matchExpressions[0].values"]],
    ["no containers", (i) => (i.spec.template.spec.containers = []), ["spec.template.spec.containers"]],
    ["too many containers", (i) => (i.spec.template.spec.containers = Array.from({ length: LIMITS.containers + 1 }, (_, n) => ({ name: `c${n}`, image: "x" }))), ["spec.template.spec.containers"]],
    ["container name not a DNS-1123 label", (i) => (i.spec.template.spec.containers[0].name = "App"), ["spec.template.spec.containers[0].name"]],
    ["duplicate container names", (i) => i.spec.template.spec.containers.push({ name: "app", image: "x" }), ["spec.template.spec.containers[1].name"]],
    ["empty image", (i) => (i.spec.template.spec.containers[0].image = ""), ["spec.template.spec.containers[0].image"]],
    ["NUL character in an image", (i) => (i.spec.template.spec.containers[0].image = "nginx\u0000"), ["spec.template.spec.containers[0].image"]],
    ["unpaired surrogate in an annotation", (i) => (i.metadata.annotations = { note: "\ud800" }), ["metadata.annotations.note"]],
    ["rollingUpdate with Recreate", (i) => (i.spec.strategy = { type: "Recreate", rollingUpdate: { maxSurge: 1 } }), ["spec.strategy.rollingUpdate"]],
    ["maxSurge not an int or percentage", (i) => (i.spec.strategy = { rollingUpdate: { maxSurge: "abc" } }), ["spec.strategy.rollingUpdate.maxSurge"]],
    ["maxSurge < 0", (i) => (i.spec.strategy = { rollingUpdate: { maxSurge: -1 } }), ["spec.strategy.rollingUpdate.maxSurge"]],
    ["maxSurge and maxUnavailable both zero", (i) => (i.spec.strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } }), ["spec.strategy.rollingUpdate.maxUnavailable"]],
    ["maxUnavailable above 100%", (i) => (i.spec.strategy = { rollingUpdate: { maxUnavailable: "101%" } }), ["spec.strategy.rollingUpdate.maxUnavailable"]],
    ["terminationGracePeriodSeconds < 0", (i) => (i.spec.template.spec.terminationGracePeriodSeconds = -1), ["spec.template.spec.terminationGracePeriodSeconds"]],
    ["container port out of range", (i) => (i.spec.template.spec.containers[0].ports = [{ containerPort: 70000 }]), ["spec.template.spec.containers[0].ports[0].containerPort"]],
    [
      "several at once",
      (i) => {
        i.metadata.name = "Bad";
        i.spec.replicas = -2;
        i.spec.minReadySeconds = -1;
        i.spec.strategy = { type: "Recreate", rollingUpdate: {} };
        i.spec.template.spec.containers = [{ name: "a", image: "" }, { name: "a", image: "x" }, { name: "B", image: "y" }];
      },
      [
        "metadata.name",
        "spec.minReadySeconds",
        "spec.replicas",
        "spec.strategy.rollingUpdate",
        "spec.template.spec.containers[0].image",
        "spec.template.spec.containers[1].name",
        "spec.template.spec.containers[2].name",
      ],
    ],
  ];

  it.each(cases)("refuses %s with one BAD_USER_INPUT naming exactly those fields, writing nothing", async (_name, mutate, paths) => {
    const input = { metadata: { name: fresh("valid") } as any, spec: deploymentSpec("v") as any };
    mutate(input);
    for (const dryRun of [false, true]) {
      const result = await rejected("BAD_USER_INPUT", () => api.gql(CREATE_DEPLOYMENT, { ...input, dryRun }));
      expect(fieldErrorPaths(result)).toEqual([...paths].sort());
      for (const e of result.errors![0].extensions!.fieldErrors!) expect(e.message).toMatch(/\S/);
    }
  });

  it("refuses the same rules on update, and a selector change as immutable", async () => {
    const name = fresh("upd");
    const d = await create(name);
    const bad = deploymentSpec(name, { replicas: -1, strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } });
    let result = await rejected("BAD_USER_INPUT", () => api.gql(UPDATE, { name, spec: bad, labels: { "bad key": "x" } }));
    expect(fieldErrorPaths(result)).toEqual(["metadata.labels", "spec.replicas", "spec.strategy.rollingUpdate.maxUnavailable"]);
    const moved = { selector: { matchLabels: { app: name, tier: "web" } }, template: { metadata: { labels: { app: name, tier: "web" } }, spec: { containers: [{ name: "app", image: "x" }] } } };
    result = await rejected("BAD_USER_INPUT", () => api.gql(UPDATE, { name, spec: moved }));
    expect(result.errors![0].extensions!.fieldErrors).toEqual([{ field: "spec.selector", message: expect.stringContaining("field is immutable") }]);
    result = await rejected("BAD_USER_INPUT", () => api.gql(UPDATE, { name, spec: moved, dryRun: true, resourceVersion: d.metadata.resourceVersion }));
    expect(fieldErrorPaths(result)).toEqual(["spec.selector"]);
  });

  it("validates the arguments of the other mutations", async () => {
    const name = fresh("args");
    await create(name);
    const paths = async (query: string, variables: Record<string, unknown>) => fieldErrorPaths(await rejected("BAD_USER_INPUT", () => api.gql(query, variables)));
    expect(await paths(SET_IMAGE, { name, container: "nope", image: "x" })).toEqual(["container"]);
    expect(await paths(SET_IMAGE, { name, container: "nope", image: " x" })).toEqual(["container", "image"]);
    expect(await paths(SET_IMAGE, { name, container: "app", image: "x", changeCause: long(LIMITS.annotationBytes) })).toEqual(["changeCause"]);
    expect(await paths(SCALE, { name, replicas: -1 })).toEqual(["replicas"]);
    expect(await paths(SCALE, { name, replicas: LIMITS.replicas + 1 })).toEqual(["replicas"]);
    expect(await paths(CREATE_RS, { metadata: { name: "Bad" }, spec: { selector: {}, template: { metadata: {}, spec: { containers: [] } } } })).toEqual([
      "metadata.name",
      "spec.selector",
      "spec.template.spec.containers",
    ]);
  });
});

describe("error codes", () => {
  it("answers NOT_FOUND for every mutation on an object that does not exist", async () => {
    const spec = deploymentSpec("x");
    const missing: [string, Record<string, unknown>][] = [
      [UPDATE, { name: "missing", spec }],
      [SET_IMAGE, { name: "missing", container: "app", image: "x" }],
      [SCALE, { name: "missing", replicas: 1 }],
      [PAUSE, { name: "missing" }],
      [RESUME, { name: "missing" }],
      [RESTART, { name: "missing" }],
      [ROLLBACK, { name: "missing" }],
      [DELETE, { name: "missing" }],
      [SCALE_RS, { name: "missing", replicas: 1 }],
      [DELETE_RS, { name: "missing" }],
      [DELETE_POD, { name: "missing" }],
      [POD_STATUS, { name: "missing", status: { phase: "Running", ready: true } }],
      [SCALE, { name: "not a name\u0000", replicas: 1 }],
    ];
    for (const [query, variables] of missing) {
      const result = await rejected("NOT_FOUND", () => api.gql(query, variables));
      expect(result.errors![0].message).toMatch(/not found in namespace "default"/);
    }
  });

  it("answers CONFLICT to a stale resourceVersion, and accepts the current one", async () => {
    const name = fresh("rv");
    const stale = (await create(name)).metadata.resourceVersion;
    const current = (await api.data(SCALE, { name, replicas: 2 })).scaleDeployment.metadata.resourceVersion;
    const result = await rejected("CONFLICT", () => api.gql(SET_IMAGE, { name, container: "app", image: "v2", resourceVersion: stale }));
    expect(result.errors![0].message).toMatch(/the object has been modified/);
    await rejected("CONFLICT", () => api.gql(UPDATE, { name, spec: deploymentSpec(name, { replicas: 3 }), resourceVersion: stale }));
    await rejected("CONFLICT", () => api.gql(UPDATE, { name, spec: deploymentSpec(name, { replicas: 3 }), resourceVersion: stale, dryRun: true }));
    await rejected("CONFLICT", () => api.gql(UPDATE, { name, spec: deploymentSpec(name, { replicas: 3 }), resourceVersion: "not-a-version" }));
    const ok = await api.data(SET_IMAGE, { name, container: "app", image: "v2", resourceVersion: current });
    expect(ok.setImage.spec.template.spec.containers[0].image).toBe("v2");
  });

  it("lets exactly one of two clients racing on one resourceVersion win; the other gets CONFLICT", async () => {
    const name = fresh("race");
    await create(name);
    for (let round = 1; round <= 5; round++) {
      const { deployment } = await api.data(`query($name: String!) { deployment(name: $name) { metadata { resourceVersion } } }`, { name });
      const resourceVersion = deployment.metadata.resourceVersion;
      const results = await Promise.all(
        [10, 20].map((base) => api.gql(UPDATE, { name, spec: deploymentSpec(name, { replicas: base + round }), resourceVersion })),
      );
      expect(results.filter((r) => r.data?.updateDeployment).length).toBe(1);
      expect(results.filter((r) => errorCode(r) === "CONFLICT").length).toBe(1);
    }
  });

  it("answers CONFLICT to operations the object's state forbids", async () => {
    const name = fresh("state");
    await create(name);
    expect((await rejected("CONFLICT", () => api.gql(RESUME, { name }))).errors![0].message).toMatch(/is not paused/);
    await api.data(PAUSE, { name });
    expect((await rejected("CONFLICT", () => api.gql(PAUSE, { name }))).errors![0].message).toMatch(/is already paused/);
    expect((await rejected("CONFLICT", () => api.gql(RESTART, { name }))).errors![0].message).toMatch(/paused/);
    expect((await rejected("CONFLICT", () => api.gql(ROLLBACK, { name }))).errors![0].message).toBe("cannot rollback a paused deployment");
  });
});

describe("generation and resourceVersion", () => {
  it("keeps both on a no-op update and writes no change-log row", async () => {
    const name = fresh("noop");
    const d = await create(name, deploymentSpec(name), { labels: { a: "1" } });
    const changes = await changeCount();
    // the same spec spelled differently (defaults written out) is the same spec
    const spelled = deploymentSpec(name, { replicas: 1, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%" } }, paused: false });
    const again = (await api.data(UPDATE, { name, spec: spelled, labels: { a: "1" } })).updateDeployment;
    expect(again.metadata).toEqual(d.metadata);
    expect(await changeCount()).toBe(changes);
  });

  it("bumps only the resourceVersion on a metadata-only update", async () => {
    const name = fresh("meta");
    const d = await create(name);
    const u = (await api.data(UPDATE, { name, spec: deploymentSpec(name), labels: { tier: "web" }, changeCause: "relabel" })).updateDeployment;
    expect(u.metadata.generation).toBe(1);
    expect(u.metadata.labels).toEqual({ tier: "web" });
    expect(u.metadata.annotations).toEqual({ "kubernetes.io/change-cause": "relabel" });
    expect(BigInt(u.metadata.resourceVersion)).toBeGreaterThan(BigInt(d.metadata.resourceVersion));
  });

  it("bumps generation on a spec change, and keeps the controller's annotations when annotations are replaced", async () => {
    const name = fresh("spec");
    await create(name);
    await api.db.$executeRaw`UPDATE deployments SET annotations = '{"deployment.kubernetes.io/revision": "4", "old": "x"}' WHERE name = ${name}`;
    const u = (await api.data(UPDATE, { name, spec: deploymentSpec(name, { replicas: 3 }), annotations: { new: "y", "deployment.kubernetes.io/revision": "99" } })).updateDeployment;
    expect(u.metadata.generation).toBe(2);
    expect(u.spec.replicas).toBe(3);
    expect(u.metadata.annotations).toEqual({ new: "y", "deployment.kubernetes.io/revision": "4" });
  });

  it("setImage: a new image is a spec change with its change-cause, the same image writes nothing", async () => {
    const name = fresh("img");
    const d = await create(name, deploymentSpec(name, { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "v1" }, { name: "side", image: "s1" }] } } }));
    const s = (await api.data(SET_IMAGE, { name, container: "side", image: "s2", changeCause: "side to s2" })).setImage;
    expect(s.spec.template.spec.containers.map((c: any) => c.image)).toEqual(["v1", "s2"]);
    expect(s.metadata.generation).toBe(d.metadata.generation + 1);
    expect(s.metadata.annotations["kubernetes.io/change-cause"]).toBe("side to s2");
    const changes = await changeCount();
    const same = (await api.data(SET_IMAGE, { name, container: "side", image: "s2", changeCause: "again" })).setImage;
    expect(same.metadata).toEqual(s.metadata);
    expect(await changeCount()).toBe(changes);
  });

  it("scale, pause, resume and restart are spec changes; scaling to the same size writes nothing", async () => {
    const name = fresh("ops");
    const d = await create(name);
    const scaled = (await api.data(SCALE, { name, replicas: 4 })).scaleDeployment;
    expect([scaled.spec.replicas, scaled.metadata.generation]).toEqual([4, 2]);
    expect((await api.data(SCALE, { name, replicas: 4 })).scaleDeployment.metadata).toEqual(scaled.metadata);
    const paused = (await api.data(PAUSE, { name })).pauseRollout;
    expect([paused.spec.paused, paused.metadata.generation]).toEqual([true, 3]);
    const resumed = (await api.data(RESUME, { name })).resumeRollout;
    expect([resumed.spec.paused, resumed.metadata.generation]).toEqual([false, 4]);
    const before = Date.now();
    const restarted = (await api.data(RESTART, { name })).restartRollout;
    const restartedAt = restarted.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"];
    expect(restartedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(restartedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(restarted.metadata.generation).toBe(5);
    const again = (await api.data(RESTART, { name })).restartRollout;
    expect(again.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]).not.toBe(restartedAt);
    expect(d.metadata.generation).toBe(1);
  });
});

describe("dryRun", () => {
  it("returns the object as it would be stored and writes nothing: no row, no change-log entry, no NOTIFY", async () => {
    const name = fresh("dry");
    const listener = new pg.Client({ connectionString: api.database.url });
    await listener.connect();
    const notifications: string[] = [];
    listener.on("notification", (n) => notifications.push(n.payload ?? ""));
    await listener.query("LISTEN deploye_changes");
    try {
      const before = await dumpTables(api.db);
      const dry = (await api.data(CREATE_DEPLOYMENT, { metadata: { name, labels: { a: "b" } }, spec: deploymentSpec(name, { replicas: 2 }), dryRun: true })).createDeployment;
      expect(dry.metadata).toMatchObject({ name, namespace: "default", generation: 1, resourceVersion: "0", labels: { a: "b" } });
      expect(dry.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(dry.spec).toMatchObject({ replicas: 2, revisionHistoryLimit: 10, strategy: { type: "RollingUpdate" } });
      expect(await dumpTables(api.db)).toEqual(before);

      // a real write: its notification is the first and only one, so the dry run sent none
      const real = await create(name);
      await waitFor(async () => notifications.length, (n) => n > 0, { what: "the notification of the create" });
      const updatedDry = (await api.data(UPDATE, { name, spec: deploymentSpec(name, { replicas: 5 }), dryRun: true })).updateDeployment;
      expect(updatedDry.spec.replicas).toBe(5);
      expect(updatedDry.metadata).toMatchObject({ generation: 2, resourceVersion: real.metadata.resourceVersion });
      const second = (await api.data(SCALE, { name, replicas: 7 })).scaleDeployment;
      await waitFor(async () => notifications.length, (n) => n > 1, { what: "the notification of the scale" });
      expect(notifications).toEqual([real.metadata.resourceVersion, second.metadata.resourceVersion]);
      expect(second.metadata.generation).toBe(2);
    } finally {
      await listener.end();
    }
  });

  it("answers nested fields of an unsaved object", async () => {
    const name = fresh("dry-nested");
    const data = await api.data(
      `mutation($spec: DeploymentSpecInput!) { createDeployment(metadata: {name: "${name}"}, spec: $spec, dryRun: true) {
        id revision replicaSets { metadata { name } } history { revision } events { reason } rolloutStatus { desiredReplicas } } }`,
      { spec: deploymentSpec(name) },
    );
    expect(data.createDeployment).toMatchObject({ revision: 0, replicaSets: [], history: [], events: [], rolloutStatus: { desiredReplicas: 1 } });
  });
});

/** A ReplicaSet row owned by the Deployment, as the controller would have made it. */
async function insertOwnedReplicaSet(owner: { uid: string; name: string }, hash: string, revision: number, image: string, changeCause?: string) {
  const labels = { app: owner.name, "pod-template-hash": hash };
  const template = { metadata: { labels, annotations: {} }, spec: { containers: [{ name: "app", image, command: [], args: [], env: [], ports: [], resources: { requests: {}, limits: {} } }], terminationGracePeriodSeconds: 30 } };
  return api.db.replicaSet.create({
    data: {
      namespace: "default",
      name: `${owner.name}-${hash}`,
      labels,
      annotations: { "deployment.kubernetes.io/revision": String(revision), ...(changeCause ? { "kubernetes.io/change-cause": changeCause } : {}) },
      ownerReferences: json([{ kind: "Deployment", name: owner.name, uid: owner.uid, controller: true }]),
      replicas: 0,
      selector: json({ matchLabels: labels, matchExpressions: [] }),
      template: json(template),
      minReadySeconds: 0,
    },
  });
}

describe("rollbackDeployment", () => {
  async function withHistory() {
    const name = fresh("hist");
    const spec = deploymentSpec(name, { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "v3" }] } } });
    const d = await create(name, spec, { annotations: { "kubernetes.io/change-cause": "to v3" } });
    const owner = { uid: d.metadata.uid, name };
    await insertOwnedReplicaSet(owner, "h1", 1, "v1", "to v1");
    await insertOwnedReplicaSet(owner, "h2", 2, "v2");
    await insertOwnedReplicaSet(owner, "h3", 3, "v3", "to v3");
    await api.db.$executeRaw`UPDATE deployments SET annotations = annotations || '{"deployment.kubernetes.io/revision": "3"}' WHERE name = ${name}`;
    return name;
  }

  it("copies the previous revision's template (without the hash label) and change-cause, with a Normal event", async () => {
    const name = await withHistory();
    const r = (await api.data(ROLLBACK, { name })).rollbackDeployment;
    expect(r.spec.template.spec.containers[0].image).toBe("v2");
    expect(r.spec.template.metadata.labels).toEqual({ app: name });
    expect(r.metadata.generation).toBe(2);
    // upstream replaces the annotations: bookkeeping kept, the rest from the ReplicaSet (which has no change-cause)
    expect(r.metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "3" });
    expect(r.events).toEqual([{ type: "Normal", reason: "DeploymentRollback", message: `Rolled back deployment "${name}" to revision 2`, count: 1 }]);
    const toOne = (await api.data(ROLLBACK, { name, toRevision: 1 })).rollbackDeployment;
    expect(toOne.spec.template.spec.containers[0].image).toBe("v1");
    expect(toOne.metadata.annotations["kubernetes.io/change-cause"]).toBe("to v1");
  });

  it("rolling back to the running template changes nothing and records that it was skipped, counting repeats", async () => {
    const name = await withHistory();
    const before = (await api.data(`query($name: String!) { deployment(name: $name) { ${META_FIELDS} } }`, { name })).deployment;
    await api.data(ROLLBACK, { name, toRevision: 3 });
    const r = (await api.data(ROLLBACK, { name, toRevision: 3 })).rollbackDeployment;
    expect(r.metadata).toEqual(before.metadata);
    expect(r.events).toEqual([
      { type: "Normal", reason: "DeploymentRollbackTemplateUnchanged", message: "skipped rollback (current template already matches revision 3)", count: 2 },
    ]);
    const { events } = await api.data(`query($name: String!) { events(involvedObjectName: $name) { edges { node { involvedObject { kind name uid } } } } }`, { name });
    expect(events.edges.map((e: any) => e.node.involvedObject)).toEqual([{ kind: "Deployment", name, uid: before.metadata.uid }]);
  });

  it("answers NOT_FOUND for an unknown revision and for a Deployment without history", async () => {
    const name = await withHistory();
    expect((await rejected("NOT_FOUND", () => api.gql(ROLLBACK, { name, toRevision: 9 }))).errors![0].message).toBe("unable to find specified revision 9 in history");
    const lonely = fresh("lonely");
    await create(lonely);
    expect((await rejected("NOT_FOUND", () => api.gql(ROLLBACK, { name: lonely }))).errors![0].message).toMatch(/no rollout history/);
  });
});

describe("deletion records the intent", () => {
  it("Background removes a Deployment at once and returns it as it was", async () => {
    const name = fresh("bg");
    const d = await create(name);
    const deleted = (await api.data(DELETE, { name })).deleteDeployment;
    expect(deleted.metadata).toEqual(d.metadata);
    expect((await api.data(`query($name: String!) { deployment(name: $name) { id } }`, { name })).deployment).toBeNull();
    const [log] = await api.db.$queryRaw<{ type: string }[]>`SELECT type FROM change_log WHERE name = ${name} ORDER BY id DESC LIMIT 1`;
    expect(log.type).toBe("DELETED");
  });

  it.each([
    ["Foreground", "foregroundDeletion"],
    ["Orphan", "orphan"],
  ])("%s sets deletionTimestamp and the %s finalizer; deleting again changes nothing", async (policy, finalizer) => {
    for (const [query, make, field] of [
      [DELETE, (n: string) => create(n), "deleteDeployment"],
      [DELETE_RS, async (n: string) => (await api.data(CREATE_RS, { metadata: { name: n }, spec: deploymentSpec(n) })).createReplicaSet, "deleteReplicaSet"],
    ] as const) {
      const name = fresh(policy.toLowerCase());
      await make(name);
      const marked = (await api.data(query, { name, policy }))[field];
      expect(Date.parse(marked.metadata.deletionTimestamp)).toBeGreaterThan(Date.now() - 60_000);
      const table = field === "deleteDeployment" ? "deployments" : "replica_sets";
      const [row] = await api.db.$queryRawUnsafe<{ finalizers: string[] }[]>(`SELECT finalizers FROM ${table} WHERE name = $1`, name);
      expect(row.finalizers).toEqual([finalizer]);
      const again = (await api.data(query, { name, policy: "Background" }))[field];
      expect(again.metadata).toEqual(marked.metadata);
    }
  });
});

describe("ReplicaSet mutations", () => {
  it("create (no owner), scale (generation +1, same size writes nothing), ALREADY_EXISTS", async () => {
    const name = fresh("rs");
    const rs = (await api.data(CREATE_RS, { metadata: { name }, spec: deploymentSpec(name) })).createReplicaSet;
    expect(rs.metadata).toMatchObject({ generation: 1, ownerReferences: [] });
    expect(rs.spec.replicas).toBe(1);
    await rejected("ALREADY_EXISTS", () => api.gql(CREATE_RS, { metadata: { name }, spec: deploymentSpec(name) }));
    const scaled = (await api.data(SCALE_RS, { name, replicas: 3 })).scaleReplicaSet;
    expect([scaled.spec.replicas, scaled.metadata.generation]).toEqual([3, 2]);
    expect((await api.data(SCALE_RS, { name, replicas: 3 })).scaleReplicaSet.metadata).toEqual(scaled.metadata);
    const gone = (await api.data(DELETE_RS, { name })).deleteReplicaSet;
    expect(gone.metadata).toEqual(scaled.metadata);
  });
});

describe("pod mutations", () => {
  async function pod(containers = ["app"]) {
    const name = fresh("pods");
    const rs = (await api.data(CREATE_RS, { metadata: { name }, spec: { ...deploymentSpec(name), replicas: 0 } })).createReplicaSet;
    await insertPods(api.db, { uid: rs.metadata.uid, name, namespace: "default", labels: { app: name } }, 1);
    if (containers.length > 1) {
      const spec = { containers: containers.map((c) => ({ name: c, image: `${c}:1`, command: [], args: [], env: [], ports: [], resources: { requests: {}, limits: {} } })), terminationGracePeriodSeconds: 20 };
      await api.db.pod.update({ where: { namespace_name: { namespace: "default", name: `${name}-p0` } }, data: { spec: json(spec) } });
    }
    return `${name}-p0`;
  }

  it("updatePodStatus merges the report, moves Ready's lastTransitionTime only when it flips, and writes nothing when nothing changes", async () => {
    const name = await pod(["app", "side"]);
    const running = (await api.data(POD_STATUS, { name, status: { phase: "Running", ready: true, podIP: "10.1.2.3", containerStatuses: [{ name: "app", ready: true, restartCount: 2 }, { name: "side", ready: true }] } })).updatePodStatus;
    expect(running.status).toMatchObject({ phase: "Running", ready: true, podIP: "10.1.2.3" });
    expect(running.status.startTime).not.toBeNull();
    const ready = running.status.conditions.find((c: any) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "True", reason: null });
    expect(running.status.containerStatuses).toEqual([
      { name: "app", image: "app:1", ready: true, restartCount: 2, state: { waiting: null, running: { startedAt: expect.any(String) }, terminated: null } },
      { name: "side", image: "side:1", ready: true, restartCount: 0, state: { waiting: null, running: { startedAt: expect.any(String) }, terminated: null } },
    ]);

    const same = (await api.data(POD_STATUS, { name, status: { phase: "Running", ready: true } })).updatePodStatus;
    expect(same).toEqual(running);

    const unready = (await api.data(POD_STATUS, { name, status: { phase: "Running", ready: false, containerStatuses: [{ name: "side", ready: false, waitingReason: "CrashLoopBackOff", restartCount: 1 }] } })).updatePodStatus;
    const notReady = unready.status.conditions.find((c: any) => c.type === "Ready");
    expect(notReady).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [side]" });
    expect(Date.parse(notReady.lastTransitionTime)).toBeGreaterThanOrEqual(Date.parse(ready.lastTransitionTime));
    expect(unready.status.containerStatuses[0]).toEqual(running.status.containerStatuses[0]);
    expect(unready.status.containerStatuses[1]).toMatchObject({ ready: false, restartCount: 1, state: { waiting: { reason: "CrashLoopBackOff" }, running: null } });
    expect(unready.status.startTime).toBe(running.status.startTime);

    const stillUnready = (await api.data(POD_STATUS, { name, status: { phase: "Running", ready: false, podIP: "10.1.2.4" } })).updatePodStatus;
    expect(stillUnready.status.conditions.find((c: any) => c.type === "Ready").lastTransitionTime).toBe(notReady.lastTransitionTime);
  });

  it("updatePodStatus refuses unknown containers, duplicate reports and bad IPs in one error", async () => {
    const name = await pod();
    const result = await rejected("BAD_USER_INPUT", () =>
      api.gql(POD_STATUS, { name, status: { phase: "Running", ready: true, podIP: "999.1.1.1", containerStatuses: [{ name: "app", ready: true }, { name: "app", ready: true }, { name: "ghost", ready: true, restartCount: -1 }] } }),
    );
    expect(fieldErrorPaths(result)).toEqual(["status.containerStatuses[1].name", "status.containerStatuses[2].name", "status.containerStatuses[2].restartCount", "status.podIP"]);
  });

  it("deletePod marks the pod terminating for its grace period, may only shorten it, and 0 removes it", async () => {
    const name = await pod();
    const marked = (await api.data(DELETE_POD, { name })).deletePod;
    expect(marked.metadata.deletionTimestamp).not.toBeNull();
    const [row] = await api.db.$queryRaw<{ grace: number }[]>`SELECT deletion_grace_period_seconds AS grace FROM pods WHERE name = ${name}`;
    expect(row.grace).toBe(30);
    expect((await api.data(DELETE_POD, { name, grace: 60 })).deletePod.metadata).toEqual(marked.metadata);
    expect((await api.data(DELETE_POD, { name })).deletePod.metadata).toEqual(marked.metadata);
    const shorter = (await api.data(DELETE_POD, { name, grace: 5 })).deletePod;
    expect(BigInt(shorter.metadata.resourceVersion)).toBeGreaterThan(BigInt(marked.metadata.resourceVersion));
    const [short] = await api.db.$queryRaw<{ grace: number }[]>`SELECT deletion_grace_period_seconds AS grace FROM pods WHERE name = ${name}`;
    expect(short.grace).toBe(5);
    const removed = (await api.data(DELETE_POD, { name, grace: 0 })).deletePod;
    expect(removed.metadata).toEqual(shorter.metadata);
    expect(await api.db.pod.findFirst({ where: { name } })).toBeNull();

    const other = await pod();
    await rejected("BAD_USER_INPUT", () => api.gql(DELETE_POD, { name: other, grace: -1 }));
    expect((await api.data(DELETE_POD, { name: other, grace: 0 })).deletePod.metadata.deletionTimestamp).toBeNull();
    expect(await api.db.pod.findFirst({ where: { name: other } })).toBeNull();
  });
});

describe("deletion, finished by the garbage collector of the full application", () => {
  it("Background, Orphan and Foreground deletions of ReplicaSets end as upstream's do", { timeout: 60_000 }, async () => {
    const app = await startTestApp({ simulator: false, maxGraceSeconds: 0 });
    try {
      const podsOf = async (name: string) =>
        (await app.data(`query($s: String!) { pods(labelSelector: $s) { edges { node { metadata { name deletionTimestamp ownerReferences { name } } } } } }`, { s: `app=${name}` })).pods.edges.map((e: any) => e.node);
      const rsExists = async (name: string) => (await app.data(`query($n: String!) { replicaSet(name: $n) { id } }`, { n: name })).replicaSet !== null;
      const start = async (name: string) => {
        await app.data(CREATE_RS, { metadata: { name }, spec: { ...deploymentSpec(name), replicas: 2 } });
        await waitFor(() => podsOf(name), (pods) => pods.length === 2, { what: `two pods of ${name}` });
      };

      await start("orphan-rs");
      await app.data(DELETE_RS, { name: "orphan-rs", policy: "Orphan" });
      await waitFor(() => rsExists("orphan-rs"), (exists) => !exists, { what: "orphan-rs to go" });
      const orphans = await podsOf("orphan-rs");
      expect(orphans.map((p: any) => [p.metadata.deletionTimestamp, p.metadata.ownerReferences])).toEqual([[null, []], [null, []]]);

      await start("fg-rs");
      const marked = (await app.data(DELETE_RS, { name: "fg-rs", policy: "Foreground" })).deleteReplicaSet;
      expect(marked.metadata.deletionTimestamp).not.toBeNull();
      await waitFor(async () => [await rsExists("fg-rs"), (await podsOf("fg-rs")).length], ([exists, pods]) => !exists && pods === 0, { what: "fg-rs and its pods to go" });

      await start("bg-rs");
      await app.data(DELETE_RS, { name: "bg-rs" });
      expect(await rsExists("bg-rs")).toBe(false);
      await waitFor(() => podsOf("bg-rs"), (pods) => pods.length === 0, { what: "the pods of bg-rs to go" });
    } finally {
      await app.stop();
    }
  });
});

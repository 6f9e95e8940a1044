// Namespace quotas (issue 10 §7): QUOTA_PODS_PER_NAMESPACE, QUOTA_REPLICASETS_PER_NAMESPACE and
// QUOTA_DEPLOYMENTS_PER_NAMESPACE refuse creates and scale-ups with QUOTA_EXCEEDED, in the write's
// transaction (concurrent creates cannot overshoot together), and a ReplicaSet's pods past the pod
// quota fail admission as upstream's do: FailedCreate, the rest never created.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { waitFor } from "../helpers/wait.ts";
import { CREATE_DEPLOYMENT, deploymentSpec } from "./mutations-helpers.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ quotaPods: 5, quotaReplicaSets: 3, quotaDeployments: 2, simulator: false });
});
afterAll(async () => {
  await app?.stop();
});

const createDeployment = (namespace: string, name: string, replicas = 0) =>
  app.gql(CREATE_DEPLOYMENT, { metadata: { namespace, name }, spec: deploymentSpec(name, { replicas }) });
const createReplicaSet = (namespace: string, name: string, replicas = 0) =>
  app.gql(`mutation($metadata: ObjectMetaInput!, $spec: ReplicaSetSpecInput!) { createReplicaSet(metadata: $metadata, spec: $spec) { metadata { name } } }`, {
    metadata: { namespace, name },
    spec: { replicas, ...deploymentSpec(name) },
  });
const codes = (body: { errors?: any[] }) => body.errors?.map((e) => e.extensions?.code) ?? [];
const count = async (kind: "deployments" | "replicaSets" | "pods", namespace: string) =>
  (await app.data(`query($ns: String) { ${kind}(namespace: $ns) { totalCount } }`, { ns: namespace }))[kind].totalCount as number;

describe("creates", () => {
  it("the Deployment past the quota is QUOTA_EXCEEDED and writes nothing; another namespace has its own", async () => {
    expect(codes(await createDeployment("q1", "a"))).toEqual([]);
    expect(codes(await createDeployment("q1", "b"))).toEqual([]);
    const refused = await createDeployment("q1", "c");
    expect(codes(refused)).toEqual(["QUOTA_EXCEEDED"]);
    expect(refused.errors![0].message).toMatch(/exceeded quota: count\/deployments\.apps, requested: 1, used: 2, limited: 2/);
    expect(await count("deployments", "q1")).toBe(2);
    expect(codes(await createDeployment("q1-other", "c"))).toEqual([]);
  });

  it("concurrent creates cannot overshoot together", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => createDeployment("q2", `d${i}`)));
    expect(results.filter((r) => codes(r).length === 0)).toHaveLength(2);
    expect(results.filter((r) => codes(r)[0] === "QUOTA_EXCEEDED")).toHaveLength(4);
    expect(await count("deployments", "q2")).toBe(2);
  });

  it("the ReplicaSet past the quota is QUOTA_EXCEEDED", async () => {
    for (const name of ["r1", "r2", "r3"]) expect(codes(await createReplicaSet("q3", name))).toEqual([]);
    expect(codes(await createReplicaSet("q3", "r4"))).toEqual(["QUOTA_EXCEEDED"]);
    expect(await count("replicaSets", "q3")).toBe(3);
  });
});

describe("replicas", () => {
  it("a create or scale-up to more replicas than the pod quota is QUOTA_EXCEEDED; scaling within it is not", async () => {
    expect(codes(await createDeployment("q4", "big", 6))).toEqual(["QUOTA_EXCEEDED"]);
    expect(codes(await createReplicaSet("q4", "big", 6))).toEqual(["QUOTA_EXCEEDED"]);
    expect(codes(await createDeployment("q4", "web", 1))).toEqual([]);
    const scale = (replicas: number) => app.gql(`mutation($r: Int!) { scaleDeployment(namespace: "q4", name: "web", replicas: $r) { spec { replicas } } }`, { r: replicas });
    expect(codes(await scale(6))).toEqual(["QUOTA_EXCEEDED"]);
    expect(codes(await scale(5))).toEqual([]);
  });

  it("pods past the quota fail admission: the ReplicaSet stops at the quota and reports FailedCreate", async () => {
    expect(codes(await createDeployment("q5", "one", 3))).toEqual([]);
    expect(codes(await createDeployment("q5", "two", 3))).toEqual([]);
    const events = await waitFor(
      async () => (await app.data(`{ events(namespace: "q5") { edges { node { reason message } } } }`)).events.edges.map((e: any) => e.node),
      (evs: any[]) => evs.some((e) => e.reason === "FailedCreate"),
      { what: "a FailedCreate event" },
    );
    expect(events.find((e: any) => e.reason === "FailedCreate").message).toMatch(/exceeded quota: count\/pods/);
    expect(await count("pods", "q5")).toBe(5);
  });
});

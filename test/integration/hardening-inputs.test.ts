// Inputs that upstream refuses or that made the simulator spin (issue 10 §4, §6), through the API
// of a running server with its controllers and simulated kubelet.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { waitFor } from "../helpers/wait.ts";
import { CREATE_DEPLOYMENT, deploymentSpec, fieldErrorPaths } from "./mutations-helpers.ts";

let app: TestApp;
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
beforeAll(async () => {
  process.on("warning", onWarning);
  app = await startTestApp({ podStartupMs: 0 });
});
afterAll(async () => {
  process.off("warning", onWarning);
  await app?.stop();
});

const withContainer = (name: string, container: Record<string, unknown>, annotations: Record<string, string> = {}) => {
  const spec = deploymentSpec(name);
  return { ...spec, template: { metadata: { ...spec.template.metadata, annotations }, spec: { containers: [{ name: "app", image: "nginx:1.25", ...container }] } } };
};
const create = (name: string, spec: unknown) => app.gql(CREATE_DEPLOYMENT, { metadata: { name }, spec });
const C = "spec.template.spec.containers[0]";

describe("validation upstream applies (issue 10 §6)", () => {
  it.each([
    ["cpu: lots", { resources: { requests: { cpu: "lots" } } }, {}, [`${C}.resources.requests[cpu]`]],
    ["memory: -1Gi", { resources: { limits: { memory: "-1Gi" } } }, {}, [`${C}.resources.limits[memory]`]],
    ["env name 1 bad", { env: [{ name: "1 bad", value: "x" }] }, {}, [`${C}.env[0].name`]],
    ["duplicate env", { env: [{ name: "A", value: "1" }, { name: "A", value: "2" }] }, {}, [`${C}.env[1].name`]],
    ["startup-ms past a Date", {}, { "sim.deploye.dev/startup-ms": "99999999999999999999" }, ["spec.template.metadata.annotations[sim.deploye.dev/startup-ms]"]],
    ["startup-ms 3e9", {}, { "sim.deploye.dev/startup-ms": "3000000000" }, ["spec.template.metadata.annotations[sim.deploye.dev/startup-ms]"]],
  ])("refuses %s with BAD_USER_INPUT at its field, and creates nothing", async (what, container, annotations, fields) => {
    const name = `v-${what.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.replace(/-$/, "");
    expect(fieldErrorPaths(await create(name, withContainer(name, container, annotations)))).toEqual(fields);
    expect((await app.data(`query($n: String!) { deployment(name: $n) { id } }`, { n: name })).deployment).toBeNull();
  });

  it("accepts upstream's quantities and env names", async () => {
    const ok = await create("v-ok", withContainer("v-ok", { resources: { requests: { cpu: "100m", memory: "1.5Gi" }, limits: { cpu: "1e3" } }, env: [{ name: "MY.VAR-2", value: "" }, { name: "_x", value: "y" }] }));
    expect(ok.errors).toBeUndefined();
  });

  it("updatePodStatus refuses a terminated pod that is ready", async () => {
    await create("term", { ...deploymentSpec("term"), replicas: 1 });
    const [pod] = await waitFor(
      async () => (await app.data(`{ pods(labelSelector: "app=term") { edges { node { metadata { name } } } } }`)).pods.edges,
      (edges: any[]) => edges.length === 1,
      { what: "the pod of term" },
    );
    const result = await app.gql(`mutation($n: String!, $s: PodStatusInput!) { updatePodStatus(name: $n, status: $s) { id } }`, {
      n: pod.node.metadata.name,
      s: { phase: "Succeeded", ready: true },
    });
    expect(fieldErrorPaths(result)).toEqual(["status.ready"]);
  });
});

describe("far-future timers (issue 10 §4)", () => {
  it("a pod deleted with gracePeriodSeconds 2147483647 arms no timer Node would overflow", async () => {
    await create("grace", { ...deploymentSpec("grace"), replicas: 2 });
    const podsOf = async () => (await app.data(`{ pods(labelSelector: "app=grace") { edges { node { metadata { name deletionTimestamp } status { phase } } } } }`)).pods.edges.map((e: any) => e.node);
    const [slow, fast] = await waitFor(podsOf, (pods: any[]) => pods.length === 2 && pods.every((p) => p.status.phase === "Running"), { what: "two running pods" });
    const DELETE = `mutation($n: String!, $g: Int) { deletePod(name: $n, gracePeriodSeconds: $g) { metadata { deletionTimestamp } } }`;
    expect((await app.data(DELETE, { n: slow.metadata.name, g: 2147483647 })).deletePod.metadata.deletionTimestamp).not.toBeNull();
    // the kubelet handles the second deletion after the first: once that pod is gone, the first's timer was armed
    await app.data(DELETE, { n: fast.metadata.name, g: 1 });
    await waitFor(podsOf, (pods: any[]) => !pods.some((p) => p.metadata.name === fast.metadata.name), { what: `${fast.metadata.name} to go` });
    expect(warnings.filter((w) => w.name === "TimeoutOverflowWarning").map((w) => w.message)).toEqual([]);
  });
});

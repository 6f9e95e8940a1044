// rolloutStatus through a real rollout: the controllers and the simulated kubelet run, clients
// follow over graphql-ws and over yoga's SSE, sharing one status computation per change; and
// rolloutStatus(untilDone: true), which ends like `kubectl rollout status`.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { CREATE_DEPLOYMENT, DELETE_DEPLOYMENT, deploymentInput, ROLLOUT_STATUS, sseClient, Stream, wsClient } from "./subscriptions-helpers.ts";

let app: TestApp;
const clients: { dispose(): void | Promise<void> }[] = [];

beforeAll(async () => {
  app = await startTestApp({ podStartupMs: 50, maxGraceSeconds: 0 });
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await app?.stop();
});

const done = (message: string) => (s: Stream) => {
  const last = s.values.at(-1);
  return last?.done === true && last.message === message && s.values;
};

it("follows a rollout to done, on every transport, with one status computation per change", async () => {
  await app.data(CREATE_DEPLOYMENT, deploymentInput("ro", "web", {}, { replicas: 3 }));
  const ws = wsClient(app.url);
  const sse = sseClient(app.url, false);
  clients.push(ws, sse);
  const streams = [new Stream(ws, ROLLOUT_STATUS, { namespace: "ro", name: "web" }), new Stream(sse, ROLLOUT_STATUS, { namespace: "ro", name: "web" })];
  await Promise.all(streams.map((s) => s.take(1)));
  expect(app.hub.stats()).toMatchObject({ subscribers: 2, rolloutTopics: 1 });

  const finished = `deployment "web" successfully rolled out`;
  const first = await Promise.all(streams.map((s) => s.until(done(finished), 20_000, "the first rollout")));
  expect(first[0].at(-1)).toMatchObject({ phase: "Complete", revision: 1, desiredReplicas: 3, updatedReplicas: 3, availableReplicas: 3, oldReplicas: 0, progress: 1 });

  // the next rollout: the stream goes on after done
  const seen = streams.map((s) => s.values.length);
  await app.data(`mutation { setImage(namespace: "ro", name: "web", container: "app", image: "nginx:1.27") { metadata { generation } } }`);
  const second = await Promise.all(streams.map((s, i) => s.until((x) => x.values.length > seen[i] + 1 && done(finished)(x), 20_000, "the second rollout")));
  for (const values of second) {
    const rollout = values.slice(seen[0]);
    expect(rollout.some((v: any) => v.message.startsWith(`Waiting for deployment "web" rollout to finish`))).toBe(true);
    expect(rollout.at(-1)).toMatchObject({ done: true, phase: "Complete", revision: 2, message: finished });
    // a value is sent only when it differs from the one before
    values.slice(1).forEach((v: any, i: number) => expect(v).not.toEqual(values[i]));
  }

  await app.data(DELETE_DEPLOYMENT, { namespace: "ro", name: "web" });
  await Promise.all(streams.map((s) => s.ended()));
  expect(streams.map((s) => [s.completed, s.errors])).toEqual([[true, []], [true, []]]);
  expect(app.hub.stats()).toMatchObject({ subscribers: 0, rolloutTopics: 0 });
});

it("resolves a watched Deployment's relations (ReplicaSets, rollout status) like a queried one", async () => {
  await app.data(CREATE_DEPLOYMENT, deploymentInput("ro", "api", {}, { replicas: 1 }));
  const ws = wsClient(app.url);
  clients.push(ws);
  const stream = new Stream(ws, `subscription { watch(kind: Deployment, namespace: "ro") {
    type object { ... on Deployment { metadata { name } rolloutStatus { done message } replicaSets { metadata { name } pods { metadata { name } } } } } } }`);
  const event = await stream.until((s) => s.values.find((v) => v.object.rolloutStatus.done), 20_000, "a rolled-out Deployment");
  expect(event.object.rolloutStatus.message).toBe(`deployment "api" successfully rolled out`);
  expect(event.object.replicaSets).toHaveLength(1);
  expect(event.object.replicaSets[0].pods).toHaveLength(1);
  expect(stream.errors).toEqual([]);
  stream.unsubscribe();
});

// rolloutStatus(untilDone: true): the stream `kubectl rollout status` prints. It completes after the
// first done status of the current generation, and ends with PROGRESS_DEADLINE_EXCEEDED or DELETED.

const UNTIL_DONE = `subscription($name: String!) {
  rolloutStatus(namespace: "until", name: $name, untilDone: true) { phase done message revision generation observedGeneration }
}`;

function follow(name: string): Stream {
  const ws = wsClient(app.url);
  clients.push(ws);
  return new Stream(ws, UNTIL_DONE, { name });
}

/** a Deployment whose pods behave as `behavior` (sim.deploye.dev/behavior) */
async function create(name: string, behavior: string, spec: Record<string, unknown> = {}) {
  const input = deploymentInput("until", name, {}, { replicas: 1, ...spec });
  (input.spec.template.metadata as Record<string, unknown>).annotations = { "sim.deploye.dev/behavior": behavior };
  await app.data(CREATE_DEPLOYMENT, input);
}

it("completes after the first done status of the current generation, not of the one before", async () => {
  await create("web", "ready");
  const first = follow("web");
  await first.ended(20_000);
  expect([first.completed, first.errors]).toEqual([true, []]);
  expect(first.values.at(-1)).toMatchObject({ done: true, phase: "Complete", revision: 1 });

  // right after a template change the stored status is still the old generation's done one
  await app.data(`mutation { setImage(namespace: "until", name: "web", container: "app", image: "nginx:1.27") { metadata { generation } } }`);
  const second = follow("web");
  await second.ended(20_000);
  expect([second.completed, second.errors]).toEqual([true, []]);
  expect(second.values.filter((v) => v.done)).toEqual([{ phase: "Complete", done: true, message: `deployment "web" successfully rolled out`, revision: 2, generation: 2, observedGeneration: 2 }]);
  expect(second.values.at(-1).done).toBe(true);
  expect(app.hub.stats().subscribers).toBe(0);
});

it("ends with PROGRESS_DEADLINE_EXCEEDED after the Failed status, as kubectl rollout status fails", async () => {
  await create("stuck", "unready", { progressDeadlineSeconds: 1 });
  const stream = follow("stuck");
  await stream.ended(20_000);
  expect(stream.values.at(-1)).toMatchObject({ phase: "Failed", done: false, message: `deployment "stuck" exceeded its progress deadline` });
  expect(stream.errors).toEqual([expect.objectContaining({ message: `deployment "stuck" exceeded its progress deadline`, extensions: expect.objectContaining({ code: "PROGRESS_DEADLINE_EXCEEDED" }) })]);
  expect(stream.completed).toBe(true);
});

it("ends with DELETED when the Deployment goes away before its rollout is done", async () => {
  await create("gone", "manual");
  const stream = follow("gone");
  await stream.take(1);
  await app.data(DELETE_DEPLOYMENT, { namespace: "until", name: "gone" });
  await stream.ended();
  expect(stream.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "DELETED" }), message: expect.stringContaining(`"gone"`) })]);
  expect(app.hub.stats().subscribers).toBe(0);
});

it("frees the hub's subscriber at once when the client stops waiting; NOT_FOUND for no such Deployment", async () => {
  await create("waiting", "manual");
  const stream = follow("waiting");
  await stream.take(1);
  expect(app.hub.stats().subscribers).toBe(1);
  stream.unsubscribe();
  await expect.poll(() => app.hub.stats().subscribers).toBe(0);

  const missing = follow("nope");
  await missing.ended();
  expect(missing.errors.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
});

// rolloutStatus(untilDone: true): the stream `kubectl rollout status` prints. It completes after the
// first done status of the current generation, and ends with PROGRESS_DEADLINE_EXCEEDED or DELETED.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { CREATE_DEPLOYMENT, DELETE_DEPLOYMENT, deploymentInput, Stream, wsClient } from "./subscriptions-helpers.ts";

let app: TestApp;
const clients: { dispose(): void | Promise<void> }[] = [];

beforeAll(async () => {
  app = await startTestApp({ podStartupMs: 50, maxGraceSeconds: 0 });
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await app?.stop();
});

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

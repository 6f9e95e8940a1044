// graphql-sse reservations that never connect (issue 10 §3: 80 PUT+POST pairs without a GET held
// 1.1 GB): results wait in the subscriber's bounded buffer (it ends with RESUBSCRIBE past
// SUBSCRIPTION_BUFFER), and the reservation ends after SSE_RESERVATION_MS.
import { afterAll, beforeAll, expect, it } from "vitest";
import { TOKEN_HEADER_KEY } from "graphql-sse";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { waitFor } from "../helpers/wait.ts";
import { CREATE_DEPLOYMENT, deploymentSpec } from "../integration/mutations-helpers.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ controllers: false, simulator: false, subscriptionBuffer: 5, sseReservationMs: 1500 });
});
afterAll(async () => {
  await app?.stop();
});

const url = () => `${app.url}/stream`;

async function reserveAndSubscribe(query: string, server = app): Promise<string> {
  const url = () => `${server.url}/stream`;
  const put = await fetch(url(), { method: "PUT", headers: { accept: "text/plain" } });
  expect(put.status).toBe(201);
  const token = await put.text();
  const post = await fetch(url(), {
    method: "POST",
    headers: { "content-type": "application/json", [TOKEN_HEADER_KEY]: token },
    body: JSON.stringify({ query, extensions: { operationId: "1" } }),
  });
  expect(post.status).toBe(202);
  return token;
}


it("a reservation without its event stream ends after SSE_RESERVATION_MS; a later GET finds nothing", async () => {
  const token = await reserveAndSubscribe("subscription { watch(kind: Pod) { type } }");
  await waitFor(async () => app.hub.stats().subscribers, (n) => n === 1, { what: "the watch to start" });
  await waitFor(async () => app.hub.stats().subscribers, (n) => n === 0, { what: "the reservation to expire" });
  const get = await fetch(`${url()}?token=${encodeURIComponent(token)}`, { headers: { accept: "text/event-stream" } });
  expect(get.status).toBeGreaterThanOrEqual(400); // graphql-sse knows no such stream (400: no query either)
  await get.body?.cancel();
});

it("results for a reservation nobody reads stay in the subscriber's bounded buffer, which ends it (RESUBSCRIBE) long before the reservation expires", async () => {
  const patient = await startTestApp({ controllers: false, simulator: false, subscriptionBuffer: 5, sseReservationMs: 600_000 });
  try {
    await reserveAndSubscribe("subscription { watch(kind: Deployment) { type resourceVersion } }", patient);
    await waitFor(async () => patient.hub.stats().subscribers, (n) => n === 1, { what: "the watch to start" });
    for (let i = 0; i < 12; i++) await patient.data(CREATE_DEPLOYMENT, { metadata: { namespace: "sse", name: `d${i}` }, spec: deploymentSpec(`d${i}`) });
    await waitFor(async () => patient.hub.stats().subscribers, (n) => n === 0, { what: "the subscriber to end" });
  } finally {
    await patient.stop();
  }
});

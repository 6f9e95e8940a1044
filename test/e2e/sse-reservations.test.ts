// graphql-sse reservations that never connect (issue 10 §3: 80 PUT+POST pairs without a GET held
// 1.1 GB): results wait in the subscriber's bounded buffer (it ends with RESUBSCRIBE past
// SUBSCRIPTION_BUFFER), the reservation ends after SSE_RESERVATION_MS, and reservations waiting at
// once are capped per client address and in all.
import { request } from "node:http";
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

/** PUT /graphql/stream from a given loopback address: the status and the body. */
function reserveFrom(server: TestApp, localAddress: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/graphql/stream", method: "PUT", localAddress, headers: { accept: "text/plain" } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

it("reservations waiting for their event stream are capped per address (SSE_RESERVATIONS_PER_ADDRESS) and in all (SSE_RESERVATIONS): 429 RATE_LIMITED, a slot frees when one connects", async () => {
  const capped = await startTestApp({ controllers: false, simulator: false, sseReservationsPerAddress: 2, sseReservations: 3, sseReservationMs: 600_000 });
  try {
    const first = await reserveFrom(capped, "127.0.0.1");
    expect((await reserveFrom(capped, "127.0.0.1")).status).toBe(201);
    const refused = await reserveFrom(capped, "127.0.0.1");
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).errors[0].extensions).toEqual({ code: "RATE_LIMITED", limit: "sseReservations" });
    expect((await reserveFrom(capped, "127.0.0.2")).status).toBe(201); // another address has room…
    expect((await reserveFrom(capped, "127.0.0.3")).status).toBe(429); // …until the process's cap
    // the first reservation connects: its slot is free again
    const get = await fetch(`${capped.url}/stream?token=${encodeURIComponent(first.body)}`, { headers: { accept: "text/event-stream" } });
    expect(get.status).toBe(200);
    expect((await reserveFrom(capped, "127.0.0.1")).status).toBe(201);
    await get.body?.cancel();
  } finally {
    await capped.stop();
  }
});

it("a single-connection stream runs at most SSE_OPERATIONS_PER_STREAM operations at once: one more is answered RATE_LIMITED on the stream, and runs once another ends", async () => {
  const capped = await startTestApp({ controllers: false, simulator: false, sseOperationsPerStream: 2, sseReservationMs: 600_000 });
  try {
    const stream = `${capped.url}/stream`;
    const token = await (await fetch(stream, { method: "PUT", headers: { accept: "text/plain" } })).text();
    const post = (id: string, query: string) =>
      fetch(stream, { method: "POST", headers: { "content-type": "application/json", [TOKEN_HEADER_KEY]: token }, body: JSON.stringify({ query, extensions: { operationId: id } }) });
    for (const id of ["1", "2"]) expect((await post(id, "subscription { watch(kind: Pod) { type } }")).status).toBe(202);
    expect((await post("3", "{ namespaces }")).status).toBe(202);
    const get = await fetch(`${stream}?token=${encodeURIComponent(token)}`, { headers: { accept: "text/event-stream" } });
    const reader = get.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const until = async (what: RegExp) => {
      while (!what.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${what}: ${text}`);
        text += value;
      }
    };
    await until(/"id":"3".*"code":"RATE_LIMITED","limit":"operationsPerStream"/);
    expect((await fetch(`${stream}?operationId=1`, { method: "DELETE", headers: { [TOKEN_HEADER_KEY]: token } })).status).toBe(200);
    await until(/event: complete\ndata: \{"id":"1"\}/); // the first watch has ended
    expect((await post("4", "{ namespaces }")).status).toBe(202);
    await until(/"id":"4","payload":\{"data":\{"namespaces"/);
    await reader.cancel();
  } finally {
    await capped.stop();
  }
});

// SIGTERM during an active rollout with open subscriptions on every transport: the process stops
// accepting, lets the request in flight finish, /readyz turns 503, graphql-ws closes with 1001, SSE
// streams end, in-flight reconciles finish, and it exits 0 well within SHUTDOWN_TIMEOUT_MS. A restart then completes the rollout
// with every stored state inside the rolling-update bounds.
import { describe, expect, it } from "vitest";
import { connect } from "node:net";
import { rolloutProcesses } from "../helpers/rollout-processes.ts";
import { apiAt, createDeployment, getDeployment, invariantViolations, replay, setImage, statesFrom } from "../helpers/rollout.ts";
import { waitFor } from "../helpers/wait.ts";
import { sseClient, Stream, wsClient, ROLLOUT_STATUS, WATCH } from "./subscriptions-helpers.ts";

const processes = rolloutProcesses();

const SHUTDOWN_TIMEOUT_MS = 8000;
const env = () => ({ DATABASE_URL: processes.database.url, SIM_STARTUP_MS: "200", SIM_MAX_GRACE_SECONDS: "0", SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), LOG_LEVEL: "info" });

/**
 * A request in flight when shutdown begins, with /readyz pipelined behind it: the POST's headers
 * are sent (the server answers 100 Continue once it has taken the request), its body and the
 * /readyz request only when `finish` is called, so /readyz is parsed after shutdown began.
 */
function inFlightRequest(url: string) {
  const { hostname, port, pathname } = new URL(url);
  const body = JSON.stringify({ query: "{ namespaces }" });
  const socket = connect(Number(port), hostname);
  let response = "";
  const waiters = new Set<() => void>();
  socket.on("data", (d) => {
    response += d;
    for (const w of waiters) w();
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.once("connect", () => socket.write(`POST ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`));
  return {
    taken: new Promise<void>((resolve) => waiters.add(() => response.includes("100 Continue") && resolve())),
    async finish(): Promise<string> {
      socket.write(body + `GET /readyz HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
      await closed;
      return response;
    },
  };
}

describe("graceful shutdown", () => {
  it("during a rollout with open subscriptions: exits 0 within the bound; a restart converges within the bounds", async () => {
    const name = "web";
    const first = await processes.spawn(env());
    let api = apiAt(first.url);
    const { uid } = await createDeployment(api, name, { replicas: 10, behavior: "ready", strategy: { type: "RollingUpdate", maxSurge: "25%", maxUnavailable: "25%" } });
    await waitFor(() => getDeployment(api, name), (d) => d.rolloutStatus.done, { timeoutMs: 30_000, what: "10 replicas up" });

    const ws = wsClient(first.url);
    let closeCode: number | null = null;
    ws.on("closed", (event) => (closeCode = (event as { code: number }).code));
    const overWs = new Stream(ws, ROLLOUT_STATUS, { namespace: "default", name });
    const sse = sseClient(first.url, false);
    const overSse = new Stream(sse, WATCH, { kind: "Pod", namespace: "default" });
    const single = sseClient(first.url, true);
    const overSingle = new Stream(single, ROLLOUT_STATUS, { namespace: "default", name });
    await Promise.all([overWs.take(1), overSse.take(1), overSingle.take(1)]);

    const start = await processes.db.maxChangeId();
    await setImage(api, name, "nginx:2");
    await waitFor(() => getDeployment(api, name), (d) => d.replicaSets.length === 2 && d.replicaSets[0].spec.replicas > 0 && !d.rolloutStatus.done, { timeoutMs: 30_000, intervalMs: 10, what: "the rollout to be under way" });

    const held = inFlightRequest(first.url);
    await held.taken;
    const t0 = Date.now();
    const exited = first.stop();
    await waitFor(async () => first.output(), (out) => out.includes('"msg":"shutting down"'), { timeoutMs: 5000, what: "shutdown to begin" });
    const answers = await held.finish();
    expect(answers).toMatch(/^HTTP\/1\.1 100 Continue[^]*HTTP\/1\.1 200 OK[^]*"namespaces"[^]*HTTP\/1\.1 503 Service Unavailable[^]*shutting down/);
    const code = await exited;
    const took = Date.now() - t0;
    expect(code).toBe(0);
    expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(closeCode).toBe(1001);
    await Promise.all([overWs.ended(5000), overSse.ended(5000), overSingle.ended(5000)]);
    expect(overSse.completed).toBe(true);
    const logged = first.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(logged.map((l) => l.msg)).toEqual(expect.arrayContaining(["shutting down", "shut down"]));
    ws.dispose();
    sse.dispose();
    single.dispose();

    const restartedAt = await processes.db.maxChangeId();
    const second = await processes.spawn(env());
    api = apiAt(second.url);
    const d = await waitFor(() => getDeployment(api, name), (d) => d.rolloutStatus.done && d.rolloutStatus.revision === 2, { timeoutMs: 60_000, what: "the rollout to complete after the restart" });
    expect(d.rolloutStatus).toMatchObject({ updatedReplicas: 10, availableReplicas: 10, oldReplicas: 0 });
    const states = await replay(processes.db, uid);
    expect(statesFrom(states, restartedAt + 1n).length).toBeGreaterThan(0);
    expect(invariantViolations(statesFrom(states, start))).toEqual([]);
    expect(await second.stop()).toBe(0);
  }, 120_000);
});

// Pure pieces of the operations work: rollout milestones, the logged configuration, /metrics access.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, redactedConfig } from "../../src/config.ts";
import type { ChangeFeed } from "../../src/db/change-feed.ts";
import type { Db } from "../../src/db/client.ts";
import { Metrics, metricsRoute, type MetricsAccess } from "../../src/metrics.ts";
import { milestoneOf } from "../../src/rollout-tracker.ts";

describe("milestoneOf", () => {
  it.each([
    // before, after, milestone
    [undefined, "NewReplicaSetAvailable", null], // first sight: not a transition we saw
    ["ReplicaSetUpdated", "NewReplicaSetAvailable", "completed"],
    ["NewReplicaSetCreated", "NewReplicaSetAvailable", "completed"],
    [null, "NewReplicaSetAvailable", "completed"],
    ["NewReplicaSetAvailable", "NewReplicaSetAvailable", null],
    ["ReplicaSetUpdated", "ProgressDeadlineExceeded", "failed"],
    ["ProgressDeadlineExceeded", "ProgressDeadlineExceeded", null],
    ["NewReplicaSetAvailable", "ReplicaSetUpdated", null],
    ["ReplicaSetUpdated", "DeploymentPaused", null],
  ] as const)("%s → %s: %s", (before, after, milestone) => {
    expect(milestoneOf(before, after)).toBe(milestone);
  });
});

describe("redactedConfig", () => {
  it("hides the database password and anything named like a secret, keeps the rest", () => {
    const config = loadConfig({ DATABASE_URL: "postgresql://app:s3cret@db:5432/deploye", PORT: "4100" });
    const shown = redactedConfig({ ...config, bootstrapToken: "tok-123" } as typeof config);
    expect(JSON.stringify(shown)).not.toMatch(/s3cret|tok-123/);
    expect(shown).toMatchObject({ databaseUrl: "postgresql://app:redacted@db:5432/deploye", port: 4100, bootstrapToken: "[redacted]" });
  });
});

describe("/metrics access", () => {
  const metrics = new Metrics({ db: {} as Db, feed: { stats: () => ({ reconnects: 0 }), lastId: 0n } as unknown as ChangeFeed });
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
  async function statusWith(access: MetricsAccess, headers: Record<string, string> = {}): Promise<number> {
    const route = metricsRoute(metrics, access);
    server = createServer((req, res) => route(req, res, req.url!) || res.writeHead(404).end());
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
    const { port } = server.address() as AddressInfo;
    return (await fetch(`http://127.0.0.1:${port}/metrics`, { headers })).status;
  }
  const tokenOnly = async (req: { headers: Record<string, unknown> }) => req.headers.authorization === "Bearer good";

  it("is open without an authorizer (auth off) and with METRICS_PUBLIC", async () => {
    expect(await statusWith({ public: false })).toBe(200);
    expect(await statusWith({ public: true, authorize: tokenOnly })).toBe(200);
  });
  it("otherwise asks the authorizer", async () => {
    expect(await statusWith({ public: false, authorize: tokenOnly })).toBe(401);
    expect(await statusWith({ public: false, authorize: tokenOnly }, { authorization: "Bearer good" })).toBe(200);
  });
});

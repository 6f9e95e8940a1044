// The campaign never hangs and never leaves a process behind: a wait past its bound fails naming
// what it waited for; a server that does not start is killed; a campaign that fails stops every
// server and Postgres it started.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { childPids, spawnServer } from "../helpers/process.ts";
import { runCampaign } from "./campaign.ts";
import { Cluster, stopAllClusters } from "./cluster.ts";
import { Deadline, DeadlineError } from "./deadline.ts";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("Deadline", () => {
  it("fails a wait past its own bound, naming it", async () => {
    const deadline = new Deadline(60_000);
    await expect(deadline.within("the answer", 20, new Promise(() => {}))).rejects.toThrow(new DeadlineError("the answer did not finish within 20 ms"));
    await expect(deadline.within("the answer", 1_000, Promise.resolve(42))).resolves.toBe(42);
  });

  it("fails a wait at the hard deadline when that comes first", async () => {
    const deadline = new Deadline(20);
    await expect(deadline.within("the answer", 60_000, new Promise(() => {}))).rejects.toThrow("the campaign's hard deadline (0 s) passed while waiting for the answer");
  });
});

describe("no process outlives a failure", () => {
  it("a server that does not start within its bound is killed", async () => {
    // prints its pid and never the banner
    const entry = ["-e", "console.log('pid', process.pid); setInterval(() => {}, 1000)"];
    const failure = await spawnServer({}, { entry, startTimeoutMs: 2_000 }).then(
      () => new Error("started"),
      (error: Error) => error,
    );
    expect(failure.message).toMatch(/^server did not start within 2000 ms \(killed\)/);
    const pid = Number(/pid (\d+)/.exec(failure.message)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });

  it("a server whose start is aborted is killed", async () => {
    const abort = new AbortController();
    const entry = ["-e", "console.log('pid', process.pid); setInterval(() => {}, 1000)"];
    const start = spawnServer({}, { entry, startTimeoutMs: 60_000, signal: abort.signal }).then(
      () => new Error("started"),
      (error: Error) => error,
    );
    abort.abort();
    const failure = await start;
    expect(failure.message).toMatch(/^server start aborted \(killed\)/);
    expect(childPids()).toEqual([]);
  });

  it("a campaign past its hard deadline fails naming what it waited for, and leaves no process", { timeout: 90_000 }, async () => {
    await expect(runCampaign({ seed: 1, minutes: 0, deadlineMs: 1_000 })).rejects.toThrow(/^the campaign's hard deadline \(1 s\) passed while waiting for the campaign's Postgres, proxy and migrations$/);
    expect(childPids()).toEqual([]);
  });

  it("stopping a cluster with a server running kills the server and Postgres and removes the data", { timeout: 180_000 }, async () => {
    const cluster = new Cluster({ LOG_LEVEL: "warn" });
    await cluster.start();
    const instance = await cluster.addInstance();
    const pids = [instance.server.child.pid!, cluster.postmasterPid!];
    expect(pids.every(alive)).toBe(true);
    // what the slice's afterAll and an interrupted `npm run chaos` call
    await stopAllClusters();
    expect(pids.filter(alive)).toEqual([]);
    expect(childPids()).toEqual([]);
    expect(existsSync(cluster.dir)).toBe(false);
  });
});

// kill -9 of the server in the middle of a 100-replica rolling update, then a restart: the rollout
// continues from what is stored and completes, and every state stored after the restart (replayed
// from the change log) keeps the rolling-update bounds.
import { describe, expect, it, vi } from "vitest";
import { rolloutProcesses } from "../helpers/rollout-processes.ts";
import { apiAt, createDeployment, getDeployment, invariantViolations, replay, setImage, sizeSequence, statesFrom } from "../helpers/rollout.ts";
import { waitFor } from "../helpers/wait.ts";

// each test starts server processes (start-up alone takes seconds on a busy machine): the budget is
// for the whole scenario; the convergence bounds inside stay as they are
vi.setConfig({ testTimeout: 120_000 });

const processes = rolloutProcesses();

// pods become ready on their own, 300 ms after they are created
const env = () => ({ DATABASE_URL: processes.database.url, SIM_STARTUP_MS: "300", SIM_MAX_GRACE_SECONDS: "0" });

describe("kill -9 during a rolling update", () => {
  it("of 100 replicas: after a restart the rollout completes, within the bounds at every state", async () => {
    const name = "big";
    const first = await processes.spawn(env());
    let api = apiAt(first.url);
    const { uid } = await createDeployment(api, name, { replicas: 100, behavior: "ready", strategy: { type: "RollingUpdate", maxSurge: "25%", maxUnavailable: "25%" } });
    await waitFor(() => getDeployment(api, name), (d) => d.rolloutStatus.done, { timeoutMs: 30_000, what: "100 replicas up" });

    const start = await processes.db.maxChangeId();
    await setImage(api, name, "nginx:2");
    // some new pods are available and most old ones still run: mid-rollout
    const during = await waitFor(
      () => getDeployment(api, name),
      (d) => d.replicaSets.length === 2 && d.replicaSets[0].status.availableReplicas > 0 && d.replicaSets[1].spec.replicas > 0,
      { timeoutMs: 30_000, intervalMs: 10, what: "the rollout to be under way" },
    );
    await first.kill9();
    const restartedAt = await processes.db.maxChangeId();
    const newName = during.replicaSets[0].metadata.name;
    // what the first server left behind: a rollout half done
    const [[newAtKill, oldAtKill]] = sizeSequence(await replay(processes.db, uid), newName).slice(-1);
    expect(newAtKill).toBeGreaterThan(0);
    expect(oldAtKill).toBeGreaterThan(0);

    const second = await processes.spawn(env());
    api = apiAt(second.url);
    const d = await waitFor(() => getDeployment(api, name), (d) => d.rolloutStatus.done, { timeoutMs: 60_000, what: "the rollout to complete after the restart" });
    expect(d.rolloutStatus).toMatchObject({ revision: 2, updatedReplicas: 100, availableReplicas: 100, oldReplicas: 0, message: `deployment "${name}" successfully rolled out` });
    expect(d.replicaSets.map((rs) => [rs.metadata.name, rs.spec.replicas, rs.status.availableReplicas])).toEqual([
      [newName, 100, 100],
      [d.replicaSets[1].metadata.name, 0, 0],
    ]);
    expect(d.replicaSets[0].pods.filter((p) => p.metadata.deletionTimestamp === null)).toHaveLength(100);

    const states = await replay(processes.db, uid);
    const afterRestart = statesFrom(states, restartedAt + 1n);
    expect(afterRestart.length).toBeGreaterThan(0);
    expect(invariantViolations(afterRestart)).toEqual([]);
    // and before it, from the image change on
    expect(invariantViolations(statesFrom(states, start))).toEqual([]);
    await second.stop();
  });
});

// client-examples/rollout-status: kubectl's lines and exit codes, and a resume across a server
// restart that loses and repeats no line.
import { expect, it } from "vitest";
import { startTestApp } from "../helpers/app.ts";
import { exampleApp, runExample, runToEnd } from "../helpers/cli.ts";
import { createTestDatabase } from "../helpers/db.ts";
import { createHealthy, createDeployment, Database, driveRollout, markReady, setImage, settle, getDeployment, newReplicaSet } from "../helpers/rollout.ts";
import { waitFor } from "../helpers/wait.ts";

const env = exampleApp();

const args = (name: string, ...more: string[]) => [`deployment/${name}`, "-n", "default", "--server", env.app.url, ...more];

/** kubectl's lines while a rollout runs, and its last one */
const WAITING = /^Waiting for deployment "[a-z0-9-]+" rollout to finish: (\d+ out of \d+ new replicas have been updated|\d+ old replicas are pending termination|\d+ of \d+ updated replicas are available)\.\.\.$|^Waiting for deployment spec update to be observed\.\.\.$/;

function expectRolloutLines(lines: string[], name: string) {
  expect(lines.at(-1)).toBe(`deployment "${name}" successfully rolled out`);
  for (const line of lines.slice(0, -1)) expect(line).toMatch(WAITING);
  lines.slice(1).forEach((line, i) => expect(line).not.toBe(lines[i]));
}

it("prints kubectl's lines through a rolling update and exits 0", async () => {
  await createHealthy(env.app, env.db, "web", { replicas: 3, strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 } });
  await setImage(env.app, "web", "nginx:2");
  const run = runExample("rollout-status", args("web"));
  await run.output(/Waiting for deployment "web"/);
  await driveRollout(env.app, env.db, "web");
  expect(await run.exited).toBe(0);
  const lines = run.lines();
  expectRolloutLines(lines, "web");
  expect(lines).toContain(`Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...`);
  expect(lines).toContain(`Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...`);
  expect(run.stderr()).toBe("");
});

it("--watch=false prints the current line and exits 0; a pinned revision that does not match exits 1", async () => {
  await createHealthy(env.app, env.db, "once", { replicas: 2 });
  expect(await runToEnd("rollout-status", args("once", "--watch=false"))).toMatchObject({ code: 0, lines: [`deployment "once" successfully rolled out`], stderr: "" });
  await setImage(env.app, "once", "nginx:2");
  await settle(env.app, env.db);
  const progressing = await runToEnd("rollout-status", args("once", "--watch=false"));
  expect(progressing.code).toBe(0);
  expect(progressing.lines).toHaveLength(1);
  expect(progressing.lines[0]).toMatch(WAITING);
  expect(await runToEnd("rollout-status", args("once", "--revision", "1"))).toMatchObject({
    code: 1,
    stdout: "",
    stderr: "error: desired revision (1) is different from the running revision (2)\n",
  });
});

it("exits 1 with kubectl's message when the progress deadline is exceeded", async () => {
  await createHealthy(env.app, env.db, "stuck", { replicas: 2, progressDeadlineSeconds: 1 });
  await setImage(env.app, "stuck", "nginx:2");
  const result = await runToEnd("rollout-status", args("stuck"));
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(`error: deployment "stuck" exceeded its progress deadline\n`);
  for (const line of result.lines) expect(line).toMatch(WAITING);
});

it("exits 1 when the Deployment is deleted, when it does not exist, and on --timeout", async () => {
  await createDeployment(env.app, "gone", { replicas: 1 });
  const run = runExample("rollout-status", args("gone"));
  await run.output(/Waiting for deployment "gone"/);
  await env.app.data(`mutation { deleteDeployment(name: "gone") { metadata { name } } }`);
  expect(await run.exited).toBe(1);
  expect(run.stderr()).toBe("error: object has been deleted\n");

  expect(await runToEnd("rollout-status", args("never"))).toMatchObject({ code: 1, stdout: "", stderr: `Error from server (NotFound): deployments.apps "never" not found\n` });

  await createDeployment(env.app, "slow", { replicas: 1 });
  const slow = await runToEnd("rollout-status", args("slow", "--timeout", "1s"));
  expect(slow).toMatchObject({ code: 1, stderr: "error: timed out waiting for the condition\n" });
  expect(slow.lines).toEqual([`Waiting for deployment "slow" rollout to finish: 0 of 1 updated replicas are available...`]);
});

it("resumes after a server restart without losing or repeating a line", async () => {
  // two instances on one database: the second keeps the API up (and a reference client connected) while the first restarts
  const database = await createTestDatabase();
  const options = { podStartupMs: 10, resyncMs: 3_600_000 };
  let first = await startTestApp(options, database);
  const second = await startTestApp(options, database);
  const secondDb = new Database(database.url);
  try {
    await createHealthy(second, secondDb, "resume", { replicas: 4, strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 } });
    await setImage(second, "resume", "nginx:2");
    const reference = runExample("rollout-status", ["deployment/resume", "--server", second.url]);
    const run = runExample("rollout-status", ["deployment/resume", "--server", first.url]);
    await run.output(/Waiting for deployment "resume"/);
    await reference.output(/Waiting for deployment "resume"/);
    const port = Number(new URL(first.url).port);
    await first.stop();
    await run.output(/reconnecting/);
    // progress while the first instance is down: two new pods become ready
    for (let i = 1; i <= 2; i++) {
      const d = await waitFor(() => getDeployment(second, "resume"), (d) => activeNotReady(d).length > 0, { what: "a new pod" });
      await markReady(second, activeNotReady(d)[0].metadata.name);
      await waitFor(() => getDeployment(second, "resume"), (d) => d.status.updatedReplicas > i, { what: "the rollout to move on" });
    }
    first = await startTestApp({ ...options, port }, database);
    await driveRollout(second, secondDb, "resume");
    expect(await run.exited).toBe(0);
    expect(await reference.exited).toBe(0);
    expectRolloutLines(run.lines(), "resume");
    expect(run.lines()).toEqual(reference.lines());
    expect(run.lines().length).toBeGreaterThan(4);
  } finally {
    await secondDb.close();
    await second.stop();
    await first.stop();
    await database.drop();
  }
}, 90_000);

function activeNotReady(d: Awaited<ReturnType<typeof getDeployment>>) {
  return newReplicaSet(d).pods.filter((p) => !p.status.ready && !p.metadata.deletionTimestamp);
}

// client-examples/ci-deploy: a deploy that rolls out, and one that exceeds its progress deadline
// and is rolled back automatically.
import { expect, it } from "vitest";
import { exampleApp, runExample } from "../helpers/cli.ts";
import { createHealthy, driveRollout, getDeployment } from "../helpers/rollout.ts";

const env = exampleApp();

const STRATEGY = { type: "RollingUpdate" as const, maxSurge: 1, maxUnavailable: 0 };
const deploy = (name: string, image: string) => runExample("ci-deploy", [`deployment/${name}`, "--container", "app", "--image", image], { DEPLOYE_URL: env.app.url });

it("sets the image with a change-cause, waits for the rollout, exits 0", async () => {
  await createHealthy(env.app, env.db, "web", { replicas: 2, strategy: STRATEGY });
  const run = deploy("web", "nginx:1.27");
  await run.output(/set image app=nginx:1.27/);
  await driveRollout(env.app, env.db, "web");
  expect(await run.exited).toBe(0);
  expect(run.lines().at(-2)).toBe(`deployment "web" successfully rolled out`);
  expect(run.lines().at(-1)).toBe(`ci-deploy: deployment "web" revision 2 (nginx:1.27) rolled out`);
  expect(run.stderr()).toBe("");
  const d = await getDeployment(env.app, "web");
  expect(d.history.at(-1)).toMatchObject({ revision: 2, changeCause: "ci-deploy: app=nginx:1.27" });
});

it("rolls back when the progress deadline is exceeded and exits 1 naming both revisions", async () => {
  await createHealthy(env.app, env.db, "bad", { replicas: 2, strategy: STRATEGY, progressDeadlineSeconds: 1 });
  const run = deploy("bad", "nginx:broken");
  expect(await run.exited).toBe(1);
  expect(run.lines()).toContain(`ci-deploy: revision 2 (nginx:broken) exceeded its progress deadline; rolling back to revision 1 (nginx:1)`);
  expect(run.lines().at(-1)).toBe(`deployment "bad" successfully rolled out`);
  expect(run.stderr()).toBe(`error: deployment "bad" revision 2 (nginx:broken) exceeded its progress deadline; rolled back to revision 1 (nginx:1), now running as revision 3\n`);
  const d = await getDeployment(env.app, "bad");
  expect(d.rolloutStatus).toMatchObject({ done: true, revision: 3 });
  expect(d.spec.template.spec.containers[0].image).toBe("nginx:1");
});

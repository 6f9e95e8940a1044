// A CI pipeline's deploy step: set the image (with a change-cause), wait for the rollout, and when
// it exceeds its progress deadline roll back to the revision that ran before and wait for that.
//   npm run ci-deploy -- deployment/web -n default --container app --image nginx:1.27 [--change-cause TEXT] [--timeout 10m]
// Exit 0: rolled out. 1: failed and rolled back (both revisions named). 2: usage. 3: the rollback failed too.
import { ApiError, request } from "../lib/connection.ts";
import { durationMs, fail, nodeSubscriptionClient, parseInvocation, usage } from "../lib/cli.ts";
import { DeploymentRolloutQuery, RollbackMutation, SetImageMutation } from "../lib/operations.ts";
import { waitForRollout, type Rollout } from "../lib/rollout.ts";

const COMMAND = "ci-deploy";
const { target, namespace, name, values } = parseInvocation(COMMAND, process.argv.slice(2), process.env, {
  container: { type: "string" },
  image: { type: "string" },
  "change-cause": { type: "string" },
  timeout: { type: "string" },
});
const container = values.container ?? usage(COMMAND, "--container is required");
const image = values.image ?? usage(COMMAND, "--image is required");
const timeoutMs = durationMs(values.timeout ?? "0") ?? usage(COMMAND, `invalid --timeout ${JSON.stringify(values.timeout)} (e.g. 90s, 5m)`);
const say = (line: string) => console.log(`${COMMAND}: ${line}`);

function imageOf(d: Rollout): string {
  return d.spec.template.spec.containers.find((c) => c.name === container)?.image ?? "?";
}

async function main(): Promise<number> {
  const { deployment: before } = await request(target, DeploymentRolloutQuery, { name, namespace });
  if (!before) fail(`deployments.apps "${name}" not found in namespace "${namespace}"`);
  const from = { revision: before.revision, image: imageOf(before) };
  const changeCause = values["change-cause"] ?? `ci-deploy: ${container}=${image}`;
  await request(target, SetImageMutation, { name, namespace, container, image, changeCause });
  say(`set image ${container}=${image} on deployment "${name}" (was revision ${from.revision}, ${from.image})`);

  const client = nodeSubscriptionClient(target);
  const wait = () =>
    waitForRollout(client, namespace, name, {
      timeoutMs,
      onLine: (line) => console.log(line),
      onReconnecting: (reason) => process.stderr.write(`${COMMAND}: connection lost (${reason}); reconnecting...\n`),
    });
  try {
    const outcome = await wait();
    if (outcome.kind === "done") {
      say(`deployment "${name}" revision ${outcome.deployment.revision} (${image}) rolled out`);
      return 0;
    }
    if (outcome.reason !== "deadline") fail(outcome.message);
    const failed = outcome.deployment!.revision;
    say(`revision ${failed} (${image}) exceeded its progress deadline; rolling back to revision ${from.revision} (${from.image})`);
    await request(target, RollbackMutation, { name, namespace, toRevision: from.revision });
    const rollback = await wait();
    if (rollback.kind !== "done") {
      process.stderr.write(`error: revision ${failed} (${image}) failed and the rollback to revision ${from.revision} did not finish: ${rollback.message}\n`);
      return 3;
    }
    process.stderr.write(
      `error: deployment "${name}" revision ${failed} (${image}) exceeded its progress deadline; rolled back to revision ${from.revision} (${from.image}), now running as revision ${rollback.deployment.revision}\n`,
    );
    return 1;
  } finally {
    void client.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => fail(err instanceof ApiError ? `${err.message} (${err.code})` : String(err)),
);

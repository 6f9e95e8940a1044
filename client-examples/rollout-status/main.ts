// `kubectl rollout status deployment/NAME` against deploye: the same lines, the same exit codes.
//   npm run rollout-status -- deployment/web -n default [--timeout 5m] [--revision N] [--watch=false]
import { request } from "../lib/connection.ts";
import { durationMs, errorLine, fail, nodeSubscriptionClient, parseInvocation, usage } from "../lib/cli.ts";
import { DeploymentRolloutQuery } from "../lib/operations.ts";
import { verdict, waitForRollout } from "../lib/rollout.ts";

const COMMAND = "rollout-status";
const { target, namespace, name, values } = parseInvocation(COMMAND, process.argv.slice(2), process.env, {
  timeout: { type: "string" },
  revision: { type: "string" },
  watch: { type: "string", short: "w" },
});
const timeoutMs = durationMs(values.timeout ?? "0") ?? usage(COMMAND, `invalid --timeout ${JSON.stringify(values.timeout)} (e.g. 90s, 5m)`);
const revision = Number(values.revision ?? 0);
if (!Number.isInteger(revision) || revision < 0) usage(COMMAND, `revision must be a positive integer: ${values.revision}`);
if (!["true", "false", undefined].includes(values.watch)) usage(COMMAND, `invalid --watch ${JSON.stringify(values.watch)}: true or false`);

async function main(): Promise<number> {
  const { deployment } = await request(target, DeploymentRolloutQuery, { name, namespace });
  if (!deployment) {
    process.stderr.write(`Error from server (NotFound): deployments.apps "${name}" not found\n`);
    return 1;
  }
  if (values.watch === "false") {
    const v = verdict(deployment, revision);
    if ("kind" in v) fail(v.message);
    console.log(v.line);
    return 0;
  }
  const client = nodeSubscriptionClient(target);
  const outcome = await waitForRollout(client, namespace, name, {
    revision,
    timeoutMs,
    onLine: (line) => console.log(line),
    onReconnecting: (reason) => process.stderr.write(`${COMMAND}: connection lost (${reason}); reconnecting...\n`),
  });
  void client.dispose();
  if (outcome.kind === "failed") fail(outcome.message);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => fail(errorLine(err, target)),
);

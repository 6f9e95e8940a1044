// The deploy step itself: make the change, wait for the rollout, and when it exceeds its progress
// deadline roll back to the revision that ran before and wait for that. Returns the exit code:
// 0 rolled out, 1 failed and rolled back (both revisions named), 3 the rollback failed too, 4 the
// token may not change the Deployment (checked first, with the `viewer` query).
import type { Client } from "graphql-ws";
import { request, type Target } from "../lib/connection.ts";
import { editRefusal } from "../lib/caller.ts";
import { DeploymentRolloutQuery, RollbackMutation, ViewerQuery } from "../lib/operations.ts";
import { waitForRollout, type Rollout } from "../lib/rollout.ts";

export interface Deploy {
  target: Target;
  client: Client;
  namespace: string;
  name: string;
  container: string;
  image: string;
  /** the change to roll out (setImage, for the CLI) */
  change(): Promise<unknown>;
  timeoutMs?: number;
  /** progress lines (stdout for the CLI) */
  say(line: string): void;
  /** the failure line (stderr for the CLI) */
  error(line: string): void;
}

export async function deploy(o: Deploy): Promise<number> {
  const { name, namespace } = o;
  const imageOf = (d: Rollout) => d.spec.template.spec.containers.find((c) => c.name === o.container)?.image ?? "?";
  const { viewer } = await request(o.target, ViewerQuery, {});
  const refusal = editRefusal(viewer, namespace);
  if (refusal) {
    o.error(`error: ${refusal}: ci-deploy needs an editor token for namespace "${namespace}"`);
    return 4;
  }
  const { deployment: before } = await request(o.target, DeploymentRolloutQuery, { name, namespace });
  if (!before) {
    o.error(`error: deployments.apps "${name}" not found in namespace "${namespace}"`);
    return 1;
  }
  const from = { revision: before.revision, image: imageOf(before) };
  await o.change();
  o.say(`ci-deploy: set image ${o.container}=${o.image} on deployment "${name}" (was revision ${from.revision}, ${from.image})`);
  const wait = () =>
    waitForRollout(o.client, namespace, name, {
      timeoutMs: o.timeoutMs,
      onLine: o.say,
      onReconnecting: (reason) => o.error(`ci-deploy: connection lost (${reason}); reconnecting...`),
    });
  const outcome = await wait();
  if (outcome.kind === "done") {
    o.say(`ci-deploy: deployment "${name}" revision ${outcome.deployment.revision} (${o.image}) rolled out`);
    return 0;
  }
  if (outcome.reason !== "deadline") {
    o.error(`error: ${outcome.message}`);
    return 1;
  }
  const failed = outcome.deployment!.revision;
  o.say(`ci-deploy: revision ${failed} (${o.image}) exceeded its progress deadline; rolling back to revision ${from.revision} (${from.image})`);
  await request(o.target, RollbackMutation, { name, namespace, toRevision: from.revision });
  const rollback = await wait();
  if (rollback.kind !== "done") {
    o.error(`error: revision ${failed} (${o.image}) failed and the rollback to revision ${from.revision} did not finish: ${rollback.message}`);
    return 3;
  }
  o.error(
    `error: deployment "${name}" revision ${failed} (${o.image}) exceeded its progress deadline; rolled back to revision ${from.revision} (${from.image}), now running as revision ${rollback.deployment.revision}`,
  );
  return 1;
}

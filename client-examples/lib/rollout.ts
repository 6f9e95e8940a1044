// Waiting for a Deployment's rollout the way `kubectl rollout status` does: watch the Deployment,
// compute kubectl's line from each version of it (kubectl's DeploymentStatusViewer, client-side as
// in kubectl: the watch replays past versions, which Deployment.rolloutStatus would read afresh),
// print it whenever it changes, stop when it is done or cannot finish. The watch resumes from the last
// resourceVersion after a lost connection or a server restart, so no state is skipped and no line
// printed twice.
import type { Client } from "graphql-ws";
import { ApiError, backoffMs, subscribe } from "./connection.ts";
import type { RolloutFieldsFragment } from "./gql/graphql.ts";
import { WatchDeploymentRollouts } from "./operations.ts";

export type Rollout = RolloutFieldsFragment;

export type Outcome =
  | { kind: "done"; deployment: Rollout }
  /** kubectl's error text (without "error: ") and why */
  | { kind: "failed"; reason: "deadline" | "revision" | "deleted" | "timeout"; message: string; deployment: Rollout | null };

/** kubectl's verdict on one version of the Deployment, in kubectl's order; `revision` > 0 pins the revision. */
export function verdict(d: Rollout, revision = 0): { line: string; done: boolean } | Extract<Outcome, { kind: "failed" }> {
  const failed = (reason: "deadline" | "revision", message: string) => ({ kind: "failed" as const, reason, message, deployment: d });
  if (revision > 0 && d.revision !== revision) return failed("revision", `desired revision (${revision}) is different from the running revision (${d.revision})`);
  const { status, spec } = d;
  if (d.metadata.generation > status.observedGeneration) return { line: "Waiting for deployment spec update to be observed...", done: false };
  const name = JSON.stringify(d.metadata.name);
  if (status.conditions.some((c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded")) return failed("deadline", `deployment ${name} exceeded its progress deadline`);
  const waiting = (what: string) => ({ line: `Waiting for deployment ${name} rollout to finish: ${what}...`, done: false });
  if (status.updatedReplicas < spec.replicas) return waiting(`${status.updatedReplicas} out of ${spec.replicas} new replicas have been updated`);
  if (status.replicas > status.updatedReplicas) return waiting(`${status.replicas - status.updatedReplicas} old replicas are pending termination`);
  if (status.availableReplicas < status.updatedReplicas) return waiting(`${status.availableReplicas} of ${status.updatedReplicas} updated replicas are available`);
  return { line: `deployment ${name} successfully rolled out`, done: true };
}

export interface WaitOptions {
  revision?: number;
  /** 0: no limit */
  timeoutMs?: number;
  /** each new line (never the same line twice in a row) */
  onLine(line: string): void;
  /** the connection was lost; called once per outage */
  onReconnecting?(reason: string): void;
}

export async function waitForRollout(client: Client, namespace: string, name: string, o: WaitOptions): Promise<Outcome> {
  let stopped = false;
  let last: Rollout | null = null;
  let lastLine: string | null = null;
  const follow = async (): Promise<Outcome> => {
    let resourceVersion: string | null = null;
    let attempt = 0;
    let outage = false;
    while (!stopped) {
      try {
        for await (const { watch } of subscribe(client, WatchDeploymentRollouts, { namespace, resourceVersion })) {
          attempt = 0;
          outage = false;
          const mine = "metadata" in watch.object && watch.object.metadata.name === name;
          // resume only past a point where this Deployment has been seen (snapshot items are unordered)
          if (mine || last) resourceVersion = watch.resourceVersion;
          if (!mine) continue;
          if (watch.type === "DELETED") return { kind: "failed", reason: "deleted", message: "object has been deleted", deployment: last };
          last = watch.object as Rollout;
          const v = verdict(last, o.revision);
          if ("kind" in v) return v;
          if (v.line !== lastLine) o.onLine((lastLine = v.line));
          if (v.done) return { kind: "done", deployment: last };
        }
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.code === "GONE") resourceVersion = null;
        else if (err.code === "RESUBSCRIBE") resourceVersion = last ? String(err.extensions.resourceVersion ?? resourceVersion) : null;
        else if (err.code !== "UNAVAILABLE") throw err;
        if (!outage && !stopped) o.onReconnecting?.(err.message);
        outage = true;
        await new Promise((r) => setTimeout(r, backoffMs(attempt++)));
      }
    }
    return { kind: "failed", reason: "timeout", message: "timed out waiting for the condition", deployment: last };
  };
  if (!o.timeoutMs) return follow();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      stopped = true;
      resolve({ kind: "failed", reason: "timeout", message: "timed out waiting for the condition", deployment: last });
    }, o.timeoutMs);
  });
  try {
    return await Promise.race([follow(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

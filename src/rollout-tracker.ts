// Rollout milestones as the change feed shows them: a new ReplicaSet of a Deployment, a
// ScalingReplicaSet event, a rollout completed (Progressing reason NewReplicaSetAvailable) or
// failed (ProgressDeadlineExceeded). Each is logged at debug; completions and failures are counted.
// Every instance sees every change, so each instance's counters count the whole database's rollouts.
import type { Change, ChangeFeed } from "./db/change-feed.ts";
import { NEW_REPLICA_SET_AVAILABLE, PROGRESS_DEADLINE_EXCEEDED, PROGRESSING } from "./domain/conditions.ts";
import type { Logger } from "./log.ts";

/** Progressing reasons of a rollout under way (upstream's deployment util) */
export const IN_PROGRESS_REASONS = ["NewReplicaSetCreated", "FoundNewReplicaSet", "ReplicaSetUpdated"] as const;

/** Deployments whose last Progressing reason is remembered; past this the oldest are forgotten. */
const MAX_TRACKED = 100_000;

export type Milestone = "completed" | "failed";

/** The milestone a change of the Progressing reason from `before` to `after` reaches, if any. */
export function milestoneOf(before: string | null | undefined, after: string | null): Milestone | null {
  if (before === undefined || before === after) return null; // unseen before: not a transition we saw
  if (after === NEW_REPLICA_SET_AVAILABLE) return "completed";
  if (after === PROGRESS_DEADLINE_EXCEEDED) return "failed";
  return null;
}

function progressingReason(object: Record<string, unknown>): string | null {
  const conditions = Array.isArray(object.conditions) ? (object.conditions as { type?: string; reason?: string }[]) : [];
  return conditions.find((c) => c.type === PROGRESSING)?.reason ?? null;
}

function controllerOwner(object: Record<string, unknown>): string | null {
  const refs = Array.isArray(object.owner_references) ? (object.owner_references as { kind?: string; name?: string; controller?: boolean }[]) : [];
  return refs.find((r) => r.controller && r.kind === "Deployment")?.name ?? null;
}

export interface RolloutCounters {
  completed: { inc(): void };
  failed: { inc(): void };
}

/** Follows the feed until the returned function is called. */
export function trackRollouts(feed: ChangeFeed, counters: RolloutCounters, log: Logger): () => void {
  const reasons = new Map<string, string | null>();
  const see = (change: Change) => {
    const deployment = `${change.namespace}/${change.name}`;
    if (change.kind === "Deployment") {
      if (change.type === "DELETED") return void reasons.delete(change.uid);
      const after = progressingReason(change.object);
      const milestone = milestoneOf(reasons.get(change.uid), after);
      reasons.delete(change.uid); // re-inserted last: the map forgets the least recently changed first
      reasons.set(change.uid, after);
      if (reasons.size > MAX_TRACKED) reasons.delete(reasons.keys().next().value as string);
      if (milestone === "completed") {
        counters.completed.inc();
        log.debug("rollout completed", { deployment });
      } else if (milestone === "failed") {
        counters.failed.inc();
        log.debug("rollout exceeded its progress deadline", { deployment });
      }
    } else if (change.kind === "ReplicaSet" && change.type === "ADDED") {
      const owner = controllerOwner(change.object);
      if (owner) log.debug("rollout: new ReplicaSet", { deployment: `${change.namespace}/${owner}`, replicaSet: change.name });
    } else if (change.kind === "Event" && change.type !== "DELETED" && change.object.reason === "ScalingReplicaSet") {
      log.debug("rollout: scaled", { deployment: `${change.namespace}/${String(change.object.involved_name)}`, message: change.object.message });
    }
  };
  return feed.subscribe((batch) => batch.forEach(see));
}

// The kind → table and kind → Prisma model maps: the one place that pairs them.
import type { Deployment, Event, Pod, ReplicaSet } from "../generated/prisma/client.ts";

export type TableKind = "Deployment" | "ReplicaSet" | "Pod" | "Event";

export const TABLE = { Deployment: "deployments", ReplicaSet: "replica_sets", Pod: "pods", Event: "events" } as const satisfies Record<TableKind, string>;

export const MODEL = { Deployment: "deployment", ReplicaSet: "replicaSet", Pod: "pod", Event: "event" } as const satisfies Record<TableKind, string>;

/** The Prisma row of each kind. */
export interface RowOfKind {
  Deployment: Deployment;
  ReplicaSet: ReplicaSet;
  Pod: Pod;
  Event: Event;
}

// Rows ↔ Kubernetes-shaped domain objects. JSONB columns hold the domain shapes as JSON (dates as
// RFC 3339 strings); these mappers are the only place that knows the column layout.
import type {
  Deployment as DeploymentRow,
  ReplicaSet as ReplicaSetRow,
  Pod as PodRow,
} from "../generated/prisma/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { TableKind } from "./kinds.ts";
import type {
  Condition,
  ContainerStatus,
  Deployment,
  LabelSelector,
  ObjectMeta,
  OwnerReference,
  Pod,
  PodSpec,
  PodTemplateSpec,
  ReplicaSet,
  DeploymentStrategy,
  DeploymentStatus,
  PodStatus,
  ReplicaSetSpec,
  ReplicaSetStatus,
  StringMap,
} from "../domain/types.ts";

export type { DeploymentRow, ReplicaSetRow, PodRow };

type MetaRow = Pick<DeploymentRow, "uid" | "namespace" | "name" | "resourceVersion" | "generation" | "creationTimestamp" | "deletionTimestamp" | "labels" | "annotations" | "finalizers" | "ownerReferences">;

const date = (v: unknown): Date | null => (v == null ? null : new Date(v as string));

export function metaOf(row: MetaRow): ObjectMeta {
  return {
    name: row.name,
    namespace: row.namespace,
    uid: row.uid,
    resourceVersion: String(row.resourceVersion),
    generation: row.generation,
    creationTimestamp: row.creationTimestamp,
    deletionTimestamp: row.deletionTimestamp,
    labels: row.labels as StringMap,
    annotations: row.annotations as StringMap,
    ownerReferences: ownerReferencesOf(row.ownerReferences),
    finalizers: row.finalizers as string[],
  };
}

/** An owner_references column (a row's, or a change-log object's). */
export function ownerReferencesOf(json: unknown): OwnerReference[] {
  return (json ?? []) as OwnerReference[];
}

export function conditionsOf(json: unknown): Condition[] {
  return ((json ?? []) as Record<string, unknown>[]).map((c) => ({
    type: c.type as string,
    status: c.status as Condition["status"],
    reason: (c.reason as string | null) ?? null,
    message: (c.message as string | null) ?? null,
    lastUpdateTime: date(c.lastUpdateTime),
    lastTransitionTime: date(c.lastTransitionTime),
  }));
}

function containerStatusesOf(json: unknown): ContainerStatus[] {
  return ((json ?? []) as ContainerStatus[]).map((s) => ({
    ...s,
    state: {
      waiting: s.state?.waiting ?? null,
      running: s.state?.running ? { startedAt: new Date(s.state.running.startedAt) } : null,
      terminated: s.state?.terminated ? { ...s.state.terminated, finishedAt: date(s.state.terminated.finishedAt) } : null,
    },
  }));
}

/** The spec fields a Deployment and a ReplicaSet share. */
function podSetSpecOf(row: Pick<ReplicaSetRow, "replicas" | "selector" | "template" | "minReadySeconds">): ReplicaSetSpec {
  return {
    replicas: row.replicas,
    selector: row.selector as unknown as LabelSelector,
    template: row.template as unknown as PodTemplateSpec,
    minReadySeconds: row.minReadySeconds,
  };
}

// Each part of an object has its own mapper, so a resolver of one part converts only that part.

export function deploymentSpecOf(row: DeploymentRow): Deployment["spec"] {
  return {
    ...podSetSpecOf(row),
    strategy: row.strategy as unknown as DeploymentStrategy,
    revisionHistoryLimit: row.revisionHistoryLimit,
    progressDeadlineSeconds: row.progressDeadlineSeconds,
    paused: row.paused,
  };
}

export function deploymentStatusOf(row: DeploymentRow): DeploymentStatus {
  return {
    observedGeneration: row.observedGeneration,
    replicas: row.statusReplicas,
    updatedReplicas: row.updatedReplicas,
    readyReplicas: row.readyReplicas,
    availableReplicas: row.availableReplicas,
    unavailableReplicas: row.unavailableReplicas,
    collisionCount: row.collisionCount,
    conditions: conditionsOf(row.conditions),
  };
}

export function deploymentOf(row: DeploymentRow): Deployment {
  return { metadata: metaOf(row), spec: deploymentSpecOf(row), status: deploymentStatusOf(row) };
}

export function replicaSetSpecOf(row: ReplicaSetRow): ReplicaSetSpec {
  return podSetSpecOf(row);
}

export function replicaSetStatusOf(row: ReplicaSetRow): ReplicaSetStatus {
  return {
    replicas: row.statusReplicas,
    fullyLabeledReplicas: row.fullyLabeledReplicas,
    readyReplicas: row.readyReplicas,
    availableReplicas: row.availableReplicas,
    observedGeneration: row.observedGeneration,
    conditions: conditionsOf(row.conditions),
  };
}

export function replicaSetOf(row: ReplicaSetRow): ReplicaSet {
  return { metadata: metaOf(row), spec: replicaSetSpecOf(row), status: replicaSetStatusOf(row) };
}

export function podSpecOf(row: PodRow): PodSpec {
  return { ...(row.spec as unknown as Omit<PodSpec, "nodeName">), nodeName: row.nodeName };
}

export function podStatusOf(row: PodRow): PodStatus {
  return {
    phase: row.phase as PodStatus["phase"],
    ready: row.ready,
    conditions: conditionsOf(row.podConditions),
    containerStatuses: containerStatusesOf(row.containerStatuses),
    startTime: row.startTime,
    podIP: row.podIP,
  };
}

export function podOf(row: PodRow): Pod {
  return {
    metadata: { ...metaOf(row), deletionGracePeriodSeconds: row.deletionGracePeriodSeconds },
    spec: podSpecOf(row),
    status: podStatusOf(row),
  };
}

// The status columns of each kind, for writes (the inverse of the status part of the readers).

export function deploymentStatusColumns(s: DeploymentStatus) {
  return {
    observedGeneration: s.observedGeneration,
    statusReplicas: s.replicas,
    updatedReplicas: s.updatedReplicas,
    readyReplicas: s.readyReplicas,
    availableReplicas: s.availableReplicas,
    unavailableReplicas: s.unavailableReplicas,
    collisionCount: s.collisionCount,
    conditions: json(s.conditions),
  };
}

export function podStatusColumns(s: PodStatus) {
  return {
    phase: s.phase,
    ready: s.ready,
    podConditions: json(s.conditions),
    containerStatuses: json(s.containerStatuses),
    startTime: s.startTime,
    podIP: s.podIP,
  };
}

/**
 * The columns that mark pods (of an UPDATE on `pods`) terminating now, each for its own
 * terminationGracePeriodSeconds: the bulk form of a graceful delete, for the ReplicaSet
 * controller and the garbage collector (the statement must have no other `spec` column in scope).
 * It is the SQL form of the domain's rule `podDeletion(pod, null, now)` (src/domain/deletion.ts),
 * tested against it in test/integration/graceful-delete.test.ts.
 */
export const TERMINATE_POD_COLUMNS = Prisma.sql`deletion_timestamp = now(), deletion_grace_period_seconds = COALESCE((spec->>'terminationGracePeriodSeconds')::int, 30)`;

/** JSON for a JSONB column (Dates become RFC 3339 strings). */
export function json<T>(value: T): any {
  return JSON.parse(JSON.stringify(value));
}

// ---------- each kind's columns (Prisma's own model metadata), for SQL that reads whole rows ----------

/** Columns whose name is not the field name in snake_case (schema.prisma's @map exceptions). */
const RENAMED_COLUMNS: Record<string, string> = { podConditions: "conditions", podIP: "pod_ip" };

/** The column that stores a field of a row. */
export function columnOf(field: string): string {
  return RENAMED_COLUMNS[field] ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Each kind's scalar fields. */
export const SCALAR_FIELDS: Record<TableKind, Record<string, string>> = {
  Deployment: Prisma.DeploymentScalarFieldEnum,
  ReplicaSet: Prisma.ReplicaSetScalarFieldEnum,
  Pod: Prisma.PodScalarFieldEnum,
  Event: Prisma.EventScalarFieldEnum,
};

/** The select list that reads a row of `kind` as the client's model queries return it (fields as aliases). */
export const ROW_COLUMNS = Object.fromEntries(
  Object.entries(SCALAR_FIELDS).map(([kind, fields]) => [kind, Prisma.raw(Object.values(fields).map((f) => `${columnOf(f)} AS "${f}"`).join(", "))]),
) as Record<TableKind, Prisma.Sql>;

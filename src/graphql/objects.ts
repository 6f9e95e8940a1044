// Deployment, ReplicaSet, Pod and Event as Relay nodes backed by Prisma models, and their
// connections. Fields read rows through the mappers of src/db/rows.ts; anything derived
// (revision, rollout status, history) comes from the pure rules in src/domain.
import type { Event as EventRow } from "../generated/prisma/client.ts";
import { deploymentOf, metaOf, podOf, replicaSetOf, type ReplicaSetRow } from "../db/rows.ts";
import type { DeploymentStatus, ReplicaSetStatus, PodStatus, DeploymentSpec, ReplicaSetSpec, ContainerStatus, Kind } from "../domain/types.ts";
import { revisionOf } from "../domain/deployment-util.ts";
import { rolloutHistory, type RolloutRevision } from "../domain/history.ts";
import { rolloutStatus } from "../domain/rollout-status.ts";
import { builder } from "./builder.ts";
import { DEFAULT_PODS_LIMIT, DEFAULT_REPLICA_SETS_LIMIT, MAX_NESTED_LIMIT, nestedLimit } from "./nested-lists.ts";
import {
  ConditionRef,
  LabelSelectorRef,
  ObjectMetaRef,
  PodSpecRef,
  PodTemplateSpecRef,
  ResourceKind,
} from "./meta.ts";

export const DeploymentStrategyType = builder.enumType("DeploymentStrategyType", { values: ["RollingUpdate", "Recreate"] as const });
const RolloutPhase = builder.enumType("RolloutPhase", { values: ["Progressing", "Complete", "Paused", "Failed"] as const });
export const PodPhase = builder.enumType("PodPhase", { values: ["Pending", "Running", "Succeeded", "Failed", "Unknown"] as const });
const EventType = builder.enumType("EventType", { values: ["Normal", "Warning"] as const });

const RollingUpdateRef = builder.objectRef<{ maxSurge: number | string; maxUnavailable: number | string }>("RollingUpdateDeployment").implement({
  fields: (t) => ({
    maxSurge: t.expose("maxSurge", { type: "IntOrString" }),
    maxUnavailable: t.expose("maxUnavailable", { type: "IntOrString" }),
  }),
});
const StrategyRef = builder.objectRef<DeploymentSpec["strategy"]>("DeploymentStrategy").implement({
  fields: (t) => ({
    type: t.field({ type: DeploymentStrategyType, resolve: (s) => s.type }),
    rollingUpdate: t.field({ type: RollingUpdateRef, nullable: true, resolve: (s) => s.rollingUpdate ?? null }),
  }),
});

const DeploymentSpecRef = builder.objectRef<DeploymentSpec>("DeploymentSpec").implement({
  fields: (t) => ({
    replicas: t.exposeInt("replicas"),
    selector: t.expose("selector", { type: LabelSelectorRef }),
    template: t.expose("template", { type: PodTemplateSpecRef }),
    strategy: t.expose("strategy", { type: StrategyRef }),
    minReadySeconds: t.exposeInt("minReadySeconds"),
    revisionHistoryLimit: t.exposeInt("revisionHistoryLimit"),
    progressDeadlineSeconds: t.exposeInt("progressDeadlineSeconds"),
    paused: t.exposeBoolean("paused"),
  }),
});

const DeploymentStatusRef = builder.objectRef<DeploymentStatus>("DeploymentStatus").implement({
  fields: (t) => ({
    observedGeneration: t.exposeInt("observedGeneration"),
    replicas: t.exposeInt("replicas"),
    updatedReplicas: t.exposeInt("updatedReplicas"),
    readyReplicas: t.exposeInt("readyReplicas"),
    availableReplicas: t.exposeInt("availableReplicas"),
    unavailableReplicas: t.exposeInt("unavailableReplicas"),
    collisionCount: t.exposeInt("collisionCount"),
    conditions: t.expose("conditions", { type: [ConditionRef] }),
  }),
});

export type RolloutStatusShape = ReturnType<typeof rolloutStatus>;
export const RolloutStatusRef = builder.objectRef<RolloutStatusShape>("RolloutStatus").implement({
  fields: (t) => ({
    phase: t.field({ type: RolloutPhase, resolve: (s) => s.phase }),
    done: t.exposeBoolean("done", { description: "true once the rollout of the current template is complete" }),
    message: t.exposeString("message", { description: "exactly the line `kubectl rollout status` would print now (no trailing newline)" }),
    revision: t.exposeInt("revision"),
    observedGeneration: t.exposeInt("observedGeneration"),
    generation: t.exposeInt("generation"),
    desiredReplicas: t.exposeInt("desiredReplicas"),
    updatedReplicas: t.exposeInt("updatedReplicas"),
    readyReplicas: t.exposeInt("readyReplicas"),
    availableReplicas: t.exposeInt("availableReplicas"),
    oldReplicas: t.exposeInt("oldReplicas", { description: "pods of older revisions still counted in status.replicas" }),
    progress: t.exposeFloat("progress", { description: "0..1: available updated replicas over desired" }),
  }),
});

const ReplicaSetSpecRef = builder.objectRef<ReplicaSetSpec>("ReplicaSetSpec").implement({
  fields: (t) => ({
    replicas: t.exposeInt("replicas"),
    selector: t.expose("selector", { type: LabelSelectorRef }),
    template: t.expose("template", { type: PodTemplateSpecRef }),
    minReadySeconds: t.exposeInt("minReadySeconds"),
  }),
});
const ReplicaSetStatusRef = builder.objectRef<ReplicaSetStatus>("ReplicaSetStatus").implement({
  fields: (t) => ({
    replicas: t.exposeInt("replicas"),
    fullyLabeledReplicas: t.exposeInt("fullyLabeledReplicas"),
    readyReplicas: t.exposeInt("readyReplicas"),
    availableReplicas: t.exposeInt("availableReplicas"),
    observedGeneration: t.exposeInt("observedGeneration"),
    conditions: t.expose("conditions", { type: [ConditionRef] }),
  }),
});

const WaitingRef = builder.objectRef<NonNullable<ContainerStatus["state"]["waiting"]>>("ContainerStateWaiting").implement({
  fields: (t) => ({ reason: t.exposeString("reason"), message: t.exposeString("message", { nullable: true }) }),
});
const RunningRef = builder.objectRef<NonNullable<ContainerStatus["state"]["running"]>>("ContainerStateRunning").implement({
  fields: (t) => ({ startedAt: t.expose("startedAt", { type: "DateTime" }) }),
});
const TerminatedRef = builder.objectRef<NonNullable<ContainerStatus["state"]["terminated"]>>("ContainerStateTerminated").implement({
  fields: (t) => ({
    exitCode: t.exposeInt("exitCode"),
    reason: t.exposeString("reason", { nullable: true }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
  }),
});
const ContainerStateRef = builder.objectRef<ContainerStatus["state"]>("ContainerState").implement({
  fields: (t) => ({
    waiting: t.expose("waiting", { type: WaitingRef, nullable: true }),
    running: t.expose("running", { type: RunningRef, nullable: true }),
    terminated: t.expose("terminated", { type: TerminatedRef, nullable: true }),
  }),
});
const ContainerStatusRef = builder.objectRef<ContainerStatus>("ContainerStatus").implement({
  fields: (t) => ({
    name: t.exposeString("name"),
    image: t.exposeString("image"),
    ready: t.exposeBoolean("ready"),
    restartCount: t.exposeInt("restartCount"),
    state: t.expose("state", { type: ContainerStateRef }),
  }),
});
const PodStatusRef = builder.objectRef<PodStatus>("PodStatus").implement({
  fields: (t) => ({
    phase: t.field({ type: PodPhase, resolve: (s) => s.phase }),
    ready: t.exposeBoolean("ready"),
    conditions: t.expose("conditions", { type: [ConditionRef] }),
    containerStatuses: t.expose("containerStatuses", { type: [ContainerStatusRef] }),
    startTime: t.expose("startTime", { type: "DateTime", nullable: true }),
    podIP: t.exposeString("podIP", { nullable: true }),
  }),
});

const ObjectReferenceRef = builder.objectRef<{ kind: Kind; namespace: string; name: string; uid: string }>("ObjectReference").implement({
  fields: (t) => ({
    kind: t.field({ type: ResourceKind, resolve: (o) => o.kind }),
    namespace: t.exposeString("namespace"),
    name: t.exposeString("name"),
    uid: t.exposeID("uid"),
  }),
});

export const EventNode = builder.prismaNode("Event", {
  id: { field: "uid" },
  fields: (t) => ({
    type: t.field({ type: EventType, resolve: (e) => e.type as "Normal" | "Warning" }),
    reason: t.exposeString("reason"),
    message: t.exposeString("message"),
    involvedObject: t.field({
      type: ObjectReferenceRef,
      resolve: (e: EventRow) => ({ kind: e.involvedKind as Kind, namespace: e.namespace, name: e.involvedName, uid: e.involvedUid }),
    }),
    count: t.exposeInt("count"),
    firstTimestamp: t.expose("firstTimestamp", { type: "DateTime" }),
    lastTimestamp: t.expose("lastTimestamp", { type: "DateTime" }),
  }),
});

export const PodNode = builder.prismaNode("Pod", {
  id: { field: "uid" },
  fields: (t) => ({
    metadata: t.field({ type: ObjectMetaRef, resolve: (row) => metaOf(row) }),
    spec: t.field({ type: PodSpecRef, resolve: (row) => podOf(row).spec }),
    status: t.field({ type: PodStatusRef, resolve: (row) => podOf(row).status }),
    owner: t.relation("owner", { nullable: true }),
  }),
});

export const ReplicaSetNode = builder.prismaNode("ReplicaSet", {
  id: { field: "uid" },
  fields: (t) => ({
    metadata: t.field({ type: ObjectMetaRef, resolve: (row) => metaOf(row) }),
    spec: t.field({ type: ReplicaSetSpecRef, resolve: (row) => replicaSetOf(row).spec }),
    status: t.field({ type: ReplicaSetStatusRef, resolve: (row) => replicaSetOf(row).status }),
    revision: t.int({
      nullable: true,
      description: "null for a ReplicaSet that no Deployment owns",
      resolve: (row) => (row.ownerUid ? revisionOf(replicaSetOf(row)) : null),
    }),
    podTemplateHash: t.string({ nullable: true, resolve: (row) => (row.labels as Record<string, string>)["pod-template-hash"] ?? null }),
    owner: t.relation("owner", { nullable: true }),
    pods: t.relation("pods", {
      description: `the pods it owns, by name; the first \`limit\` (default ${DEFAULT_PODS_LIMIT}, at most ${MAX_NESTED_LIMIT})`,
      args: { limit: t.arg.int({ defaultValue: DEFAULT_PODS_LIMIT }) },
      query: (args) => ({ orderBy: { name: "asc" }, take: nestedLimit(args.limit, DEFAULT_PODS_LIMIT) }),
    }),
  }),
});

type Revision = RolloutRevision & { row: ReplicaSetRow };

/** The rollout history (src/domain/history.ts), lowest revision first, with each revision's row. */
function history(rows: ReplicaSetRow[]): Revision[] {
  const byUid = new Map(rows.map((row) => [row.uid, row]));
  return rolloutHistory(rows.map(replicaSetOf)).map((r) => ({ ...r, row: byUid.get(r.replicaSet.metadata.uid)! }));
}

const RolloutRevisionRef = builder.objectRef<Revision>("RolloutRevision").implement({
  fields: (t) => ({
    revision: t.exposeInt("revision"),
    replicaSet: t.field({ type: ReplicaSetNode, resolve: (r) => r.row }),
    changeCause: t.exposeString("changeCause", { nullable: true }),
    template: t.expose("template", { type: PodTemplateSpecRef }),
  }),
});

export const DeploymentNode = builder.prismaNode("Deployment", {
  id: { field: "uid" },
  fields: (t) => ({
    metadata: t.field({ type: ObjectMetaRef, resolve: (row) => metaOf(row) }),
    spec: t.field({ type: DeploymentSpecRef, resolve: (row) => deploymentOf(row).spec }),
    status: t.field({ type: DeploymentStatusRef, resolve: (row) => deploymentOf(row).status }),
    revision: t.int({ description: "deployment.kubernetes.io/revision", resolve: (row) => revisionOf(deploymentOf(row)) }),
    rolloutStatus: t.field({
      type: RolloutStatusRef,
      select: { replicaSets: true },
      resolve: (row) => rolloutStatus(deploymentOf(row), row.replicaSets.map(replicaSetOf)),
    }),
    replicaSets: t.field({
      type: [ReplicaSetNode],
      description: `owned ReplicaSets, highest revision first; the first \`limit\` (default ${DEFAULT_REPLICA_SETS_LIMIT}, at most ${MAX_NESTED_LIMIT})`,
      args: { limit: t.arg.int({ defaultValue: DEFAULT_REPLICA_SETS_LIMIT }) },
      // all of them, like history and rolloutStatus (one selection they share, which also serves an
      // unsaved dryRun object); a Deployment's cleanup keeps them few
      select: (_args, _ctx, nested) => ({ replicaSets: nested(true) }),
      resolve: (row, args) => {
        const limit = nestedLimit(args.limit, DEFAULT_REPLICA_SETS_LIMIT);
        const revisions = history(row.replicaSets).reverse().map((r) => r.row);
        // one adopted a moment ago may not have its revision yet
        return [...revisions, ...row.replicaSets.filter((rs) => !revisions.includes(rs))].slice(0, limit);
      },
    }),
    history: t.field({
      type: [RolloutRevisionRef],
      description: "rollout history, lowest revision first",
      select: { replicaSets: true },
      resolve: (row) => history(row.replicaSets),
    }),
    events: t.prismaField({
      type: [EventNode],
      args: { first: t.arg.int({ defaultValue: 50 }) },
      resolve: (query, row, args, ctx) =>
        ctx.db.event.findMany({ ...query, where: { involvedUid: row.uid }, orderBy: { lastTimestamp: "desc" }, take: Math.min(Math.max(args.first ?? 50, 0), 500) }),
    }),
  }),
});

function connection<T extends typeof DeploymentNode | typeof ReplicaSetNode | typeof PodNode | typeof EventNode>(type: T, name: string) {
  return builder.connectionObject(
    {
      type,
      name: `${name}Connection`,
      fields: (t) => ({ totalCount: t.int({ resolve: (c) => (c as unknown as { totalCount: number }).totalCount }) }),
    },
    { name: `${name}Edge` },
  );
}

export const DeploymentConnection = connection(DeploymentNode, "Deployment");
export const ReplicaSetConnection = connection(ReplicaSetNode, "ReplicaSet");
export const PodConnection = connection(PodNode, "Pod");
export const EventConnection = connection(EventNode, "Event");

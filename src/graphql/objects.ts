// Deployment, ReplicaSet, Pod and Event as Relay nodes backed by Prisma models, and their
// connections. Fields read rows through the mappers of src/db/rows.ts; anything derived
// (revision, rollout status, history) comes from the pure rules in src/domain.
import type { Event as EventRow } from "../generated/prisma/client.ts";
import { deploymentOf, deploymentSpecOf, deploymentStatusOf, metaOf, podSpecOf, podStatusOf, replicaSetOf, replicaSetSpecOf, replicaSetStatusOf, type ReplicaSetRow } from "../db/rows.ts";
import type { DeploymentStatus, ReplicaSetStatus, PodStatus, DeploymentSpec, ReplicaSetSpec, ContainerStatus, Kind, StringMap } from "../domain/types.ts";
import { revisionOf } from "../domain/deployment-util.ts";
import { rolloutHistory, type RolloutRevision } from "../domain/history.ts";
import { rolloutStatus } from "../domain/rollout-status.ts";
import { matches } from "../domain/labels.ts";
import { builder } from "./builder.ts";
import { labelSelectorArg, type Page } from "./list.ts";
import { ownedPods } from "./owned-pods.ts";
import { DOCS } from "./docs.ts";
import { DEFAULT_PODS_LIMIT, DEFAULT_REPLICA_SETS_LIMIT, MAX_NESTED_LIMIT, nestedLimit } from "./nested-lists.ts";
import {
  ConditionRef,
  LabelSelectorRef,
  ObjectMetaRef,
  PodSpecRef,
  PodTemplateSpecRef,
  ResourceKind,
} from "./meta.ts";

export const DeploymentStrategyType = builder.enumType("DeploymentStrategyType", {
  description: "The ways a Deployment replaces its pods.",
  values: {
    RollingUpdate: { description: "New pods come up while old ones go down, within maxSurge and maxUnavailable." },
    Recreate: { description: "Every old pod is gone before any new one is created (a short outage, never two versions at once)." },
  } as const,
});
const RolloutPhase = builder.enumType("RolloutPhase", {
  description: "A rollout's state in one word.",
  values: {
    Progressing: { description: "Pods of the current template are still being created or becoming available, or the spec is not observed yet." },
    Complete: { description: "Every replica runs the current template and is available; no old pods are left." },
    Paused: { description: "spec.paused is set: changes wait for resumeRollout." },
    Failed: { description: "The progress deadline passed without progress (Progressing is False, ProgressDeadlineExceeded)." },
  } as const,
});
export const PodPhase = builder.enumType("PodPhase", {
  description: "Where a pod is in its life, as in Kubernetes.",
  values: {
    Pending: { description: "Accepted, but not all containers are running yet (scheduling, pulling images)." },
    Running: { description: "Bound to a node and at least one container is running." },
    Succeeded: { description: "Every container exited with 0 and will not restart." },
    Failed: { description: "Every container stopped and at least one failed." },
    Unknown: { description: "The pod's node stopped reporting." },
  } as const,
});
const EventType = builder.enumType("EventType", {
  description: "How serious an event is.",
  values: { Normal: { description: "Routine: a scale, a pod created." }, Warning: { description: "Something went wrong: a failed create, a missed deadline." } } as const,
});

const RollingUpdateRef = builder.objectRef<{ maxSurge: number | string; maxUnavailable: number | string }>("RollingUpdateDeployment").implement({
  description: DOCS.rollingUpdate.type,
  fields: (t) => ({
    maxSurge: t.expose("maxSurge", { type: "IntOrString", description: DOCS.rollingUpdate.maxSurge }),
    maxUnavailable: t.expose("maxUnavailable", { type: "IntOrString", description: DOCS.rollingUpdate.maxUnavailable }),
  }),
});
const StrategyRef = builder.objectRef<DeploymentSpec["strategy"]>("DeploymentStrategy").implement({
  description: DOCS.strategy.type,
  fields: (t) => ({
    type: t.field({ type: DeploymentStrategyType, description: DOCS.strategy.type_, resolve: (s) => s.type }),
    rollingUpdate: t.field({ type: RollingUpdateRef, nullable: true, description: DOCS.strategy.rollingUpdate, resolve: (s) => s.rollingUpdate ?? null }),
  }),
});

const DeploymentSpecRef = builder.objectRef<DeploymentSpec>("DeploymentSpec").implement({
  description: DOCS.deploymentSpec.type,
  fields: (t) => ({
    replicas: t.exposeInt("replicas", { description: DOCS.deploymentSpec.replicas }),
    selector: t.expose("selector", { type: LabelSelectorRef, description: DOCS.deploymentSpec.selector }),
    template: t.expose("template", { type: PodTemplateSpecRef, description: DOCS.deploymentSpec.template }),
    strategy: t.expose("strategy", { type: StrategyRef, description: DOCS.deploymentSpec.strategy }),
    minReadySeconds: t.exposeInt("minReadySeconds", { description: DOCS.deploymentSpec.minReadySeconds }),
    revisionHistoryLimit: t.exposeInt("revisionHistoryLimit", { description: DOCS.deploymentSpec.revisionHistoryLimit }),
    progressDeadlineSeconds: t.exposeInt("progressDeadlineSeconds", { description: DOCS.deploymentSpec.progressDeadlineSeconds }),
    paused: t.exposeBoolean("paused", { description: DOCS.deploymentSpec.paused }),
  }),
});

const DeploymentStatusRef = builder.objectRef<DeploymentStatus>("DeploymentStatus").implement({
  description: "What the Deployment controller last observed, written by the controller only.",
  fields: (t) => ({
    observedGeneration: t.exposeInt("observedGeneration", { description: DOCS.observedGeneration }),
    replicas: t.exposeInt("replicas", { description: "Pods of all its ReplicaSets, old and new (during a rolling update it may exceed spec.replicas by maxSurge)." }),
    updatedReplicas: t.exposeInt("updatedReplicas", { description: "Pods of the current template (the newest ReplicaSet)." }),
    readyReplicas: t.exposeInt("readyReplicas", { description: "Pods whose Ready condition is True." }),
    availableReplicas: t.exposeInt("availableReplicas", { description: "Pods Ready for at least minReadySeconds." }),
    unavailableReplicas: t.exposeInt("unavailableReplicas", { description: "Pods still needed to have spec.replicas available (never below 0)." }),
    collisionCount: t.exposeInt("collisionCount", { description: "Bumped when the name of a new ReplicaSet collides with an existing one; it enters the pod-template-hash so the next name differs." }),
    conditions: t.expose("conditions", { type: [ConditionRef], description: "Available (minimum replicas available) and Progressing (rollout progress or ProgressDeadlineExceeded)." }),
  }),
});

export type RolloutStatusShape = ReturnType<typeof rolloutStatus>;
export const RolloutStatusRef = builder.objectRef<RolloutStatusShape>("RolloutStatus").implement({
  description: "A Deployment's rollout as `kubectl rollout status` sees it, computed from the Deployment and its ReplicaSets.",
  fields: (t) => ({
    phase: t.field({ type: RolloutPhase, description: "The rollout's state in one word.", resolve: (s) => s.phase }),
    done: t.exposeBoolean("done", { description: "true once the rollout of the current template is complete" }),
    message: t.exposeString("message", { description: "exactly the line `kubectl rollout status` would print now (no trailing newline)" }),
    revision: t.exposeInt("revision", { description: "The revision being rolled out (the Deployment's deployment.kubernetes.io/revision)." }),
    observedGeneration: t.exposeInt("observedGeneration", { description: DOCS.observedGeneration }),
    generation: t.exposeInt("generation", { description: "The Deployment's metadata.generation: the spec version the status must catch up with." }),
    desiredReplicas: t.exposeInt("desiredReplicas", { description: "spec.replicas." }),
    updatedReplicas: t.exposeInt("updatedReplicas", { description: "Pods of the current template." }),
    readyReplicas: t.exposeInt("readyReplicas", { description: "Ready pods, of any revision." }),
    availableReplicas: t.exposeInt("availableReplicas", { description: "Available pods, of any revision." }),
    oldReplicas: t.exposeInt("oldReplicas", { description: "pods of older revisions still counted in status.replicas" }),
    progress: t.exposeFloat("progress", { description: "0..1: available updated replicas over desired" }),
  }),
});

const ReplicaSetSpecRef = builder.objectRef<ReplicaSetSpec>("ReplicaSetSpec").implement({
  description: DOCS.replicaSetSpec.type,
  fields: (t) => ({
    replicas: t.exposeInt("replicas", { description: DOCS.replicaSetSpec.replicas }),
    selector: t.expose("selector", { type: LabelSelectorRef, description: DOCS.replicaSetSpec.selector }),
    template: t.expose("template", { type: PodTemplateSpecRef, description: DOCS.replicaSetSpec.template }),
    minReadySeconds: t.exposeInt("minReadySeconds", { description: DOCS.replicaSetSpec.minReadySeconds }),
  }),
});
const ReplicaSetStatusRef = builder.objectRef<ReplicaSetStatus>("ReplicaSetStatus").implement({
  description: "What the ReplicaSet controller last observed, written by the controller only.",
  fields: (t) => ({
    replicas: t.exposeInt("replicas", { description: "Pods it owns that are not being deleted." }),
    fullyLabeledReplicas: t.exposeInt("fullyLabeledReplicas", { description: "Of those, pods whose labels carry every label of the template." }),
    readyReplicas: t.exposeInt("readyReplicas", { description: "Pods whose Ready condition is True." }),
    availableReplicas: t.exposeInt("availableReplicas", { description: "Pods Ready for at least minReadySeconds." }),
    observedGeneration: t.exposeInt("observedGeneration", { description: DOCS.observedGeneration }),
    conditions: t.expose("conditions", { type: [ConditionRef], description: "ReplicaFailure while pods cannot be created or deleted." }),
  }),
});

const WaitingRef = builder.objectRef<NonNullable<ContainerStatus["state"]["waiting"]>>("ContainerStateWaiting").implement({
  description: "A container that is not running yet.",
  fields: (t) => ({
    reason: t.exposeString("reason", { description: "Why it waits: ContainerCreating, CrashLoopBackOff, ImagePullBackOff, ..." }),
    message: t.exposeString("message", { nullable: true, description: "Details for people." }),
  }),
});
const RunningRef = builder.objectRef<NonNullable<ContainerStatus["state"]["running"]>>("ContainerStateRunning").implement({
  description: "A running container.",
  fields: (t) => ({ startedAt: t.expose("startedAt", { type: "DateTime", description: "When it (last) started." }) }),
});
const TerminatedRef = builder.objectRef<NonNullable<ContainerStatus["state"]["terminated"]>>("ContainerStateTerminated").implement({
  description: "A container that has stopped.",
  fields: (t) => ({
    exitCode: t.exposeInt("exitCode", { description: "Its exit code; 0 is success." }),
    reason: t.exposeString("reason", { nullable: true, description: "Completed, Error, OOMKilled, ..." }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true, description: "When it stopped." }),
  }),
});
const ContainerStateRef = builder.objectRef<ContainerStatus["state"]>("ContainerState").implement({
  description: "A container's state: exactly one of waiting, running and terminated is set.",
  fields: (t) => ({
    waiting: t.expose("waiting", { type: WaitingRef, nullable: true, description: "Set while the container is not running yet." }),
    running: t.expose("running", { type: RunningRef, nullable: true, description: "Set while it runs." }),
    terminated: t.expose("terminated", { type: TerminatedRef, nullable: true, description: "Set once it has stopped." }),
  }),
});
const ContainerStatusRef = builder.objectRef<ContainerStatus>("ContainerStatus").implement({
  description: "One container of a pod as its node reports it.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "The container's name in the pod spec." }),
    image: t.exposeString("image", { description: "The image it runs." }),
    ready: t.exposeBoolean("ready", { description: DOCS.containerStatus.ready }),
    restartCount: t.exposeInt("restartCount", { description: DOCS.containerStatus.restartCount }),
    state: t.expose("state", { type: ContainerStateRef, description: "Waiting, running or terminated." }),
  }),
});
const PodStatusRef = builder.objectRef<PodStatus>("PodStatus").implement({
  description: "A pod's state, as its node agent reports it.",
  fields: (t) => ({
    phase: t.field({ type: PodPhase, description: DOCS.podStatus.phase, resolve: (s) => s.phase }),
    ready: t.exposeBoolean("ready", { description: DOCS.podStatus.ready }),
    conditions: t.expose("conditions", { type: [ConditionRef], description: "PodScheduled, Initialized, ContainersReady and Ready." }),
    containerStatuses: t.expose("containerStatuses", { type: [ContainerStatusRef], description: DOCS.podStatus.containerStatuses }),
    startTime: t.expose("startTime", { type: "DateTime", nullable: true, description: "When a node accepted the pod; null before." }),
    podIP: t.exposeString("podIP", { nullable: true, description: DOCS.podStatus.podIP }),
  }),
});

const ObjectReferenceRef = builder.objectRef<{ kind: Kind; namespace: string; name: string; uid: string }>("ObjectReference").implement({
  description: "The object an event is about.",
  fields: (t) => ({
    kind: t.field({ type: ResourceKind, description: "Its kind.", resolve: (o) => o.kind }),
    namespace: t.exposeString("namespace", { description: "Its namespace." }),
    name: t.exposeString("name", { description: "Its name." }),
    uid: t.exposeID("uid", { description: "Its uid (the object may since have been deleted and re-created under the same name)." }),
  }),
});

export const EventNode = builder.prismaNode("Event", {
  description: "Something that happened to an object, as `kubectl get events` lists it: repeats of the same event are counted, not stored again.",
  id: { field: "uid", description: DOCS.nodeId },
  fields: (t) => ({
    type: t.field({ type: EventType, description: "Normal or Warning.", resolve: (e) => e.type as "Normal" | "Warning" }),
    reason: t.exposeString("reason", { description: "A CamelCase word: ScalingReplicaSet, SuccessfulCreate, FailedCreate, ..." }),
    message: t.exposeString("message", { description: "A sentence for people." }),
    involvedObject: t.field({
      type: ObjectReferenceRef,
      description: "The object the event is about.",
      resolve: (e: EventRow) => ({ kind: e.involvedKind as Kind, namespace: e.namespace, name: e.involvedName, uid: e.involvedUid }),
    }),
    count: t.exposeInt("count", { description: "How many times it happened." }),
    firstTimestamp: t.expose("firstTimestamp", { type: "DateTime", description: "When it first happened." }),
    lastTimestamp: t.expose("lastTimestamp", { type: "DateTime", description: "When it last happened." }),
  }),
});

export const PodNode = builder.prismaNode("Pod", {
  description: "A pod: containers from a ReplicaSet's template, run by a node agent. Pods are created and deleted by their ReplicaSet.",
  id: { field: "uid", description: DOCS.nodeId },
  fields: (t) => ({
    metadata: t.field({ type: ObjectMetaRef, description: DOCS.metadata, resolve: (row) => metaOf(row) }),
    spec: t.field({ type: PodSpecRef, description: "What the pod runs and where.", resolve: (row) => podSpecOf(row) }),
    status: t.field({ type: PodStatusRef, description: "Its state, as its node reports it.", resolve: (row) => podStatusOf(row) }),
    owner: t.relation("owner", { nullable: true, description: "The ReplicaSet that controls it; null for an orphan." }),
  }),
});

export const ReplicaSetNode = builder.prismaNode("ReplicaSet", {
  description: "A ReplicaSet: keeps spec.replicas pods of one template running. A Deployment makes one per revision and scales them during a rollout.",
  id: { field: "uid", description: DOCS.nodeId },
  fields: (t) => ({
    metadata: t.field({ type: ObjectMetaRef, description: DOCS.metadata, resolve: (row) => metaOf(row) }),
    spec: t.field({ type: ReplicaSetSpecRef, description: "Its desired state.", resolve: (row) => replicaSetSpecOf(row) }),
    status: t.field({ type: ReplicaSetStatusRef, description: "Its observed state.", resolve: (row) => replicaSetStatusOf(row) }),
    revision: t.int({
      nullable: true,
      description: "The revision it holds (its deployment.kubernetes.io/revision annotation); null for a ReplicaSet that no Deployment owns.",
      resolve: (row) => (row.ownerUid ? revisionOf(replicaSetOf(row)) : null),
    }),
    podTemplateHash: t.string({
      nullable: true,
      description: "Its pod-template-hash label: the hash of the template (and collisionCount) that names it and its pods; null when it has none.",
      resolve: (row) => (row.labels as Record<string, string>)["pod-template-hash"] ?? null }),
    owner: t.relation("owner", { nullable: true, description: "The Deployment that controls it; null for a standalone or orphaned ReplicaSet." }),
    pods: t.prismaField({
      type: ["Pod"],
      description: "The pods it owns, by name; the first `limit` of those that match `labelSelector`.",
      args: {
        limit: t.arg.int({ defaultValue: DEFAULT_PODS_LIMIT, description: `At most this many (0..${MAX_NESTED_LIMIT}).` }),
        labelSelector: t.arg.string({ description: DOCS.list.labelSelector }),
      },
      resolve: (query, row, args, ctx) => ownedPods(ctx, row.uid, labelSelectorArg(args.labelSelector), nestedLimit(args.limit, DEFAULT_PODS_LIMIT), query),
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
  description: "One line of `kubectl rollout history`: a revision and the ReplicaSet that holds it.",
  fields: (t) => ({
    revision: t.exposeInt("revision", { description: "The revision number; rollbackDeployment(toRevision:) takes it." }),
    replicaSet: t.field({ type: ReplicaSetNode, description: "The ReplicaSet of this revision.", resolve: (r) => r.row }),
    changeCause: t.exposeString("changeCause", { nullable: true, description: "Its kubernetes.io/change-cause annotation; null when none was given." }),
    template: t.expose("template", { type: PodTemplateSpecRef, description: "The pod template of this revision." }),
  }),
});

export const DeploymentNode = builder.prismaNode("Deployment", {
  description: "A Deployment: the desired pods (template and count) and how changes to them roll out, through one ReplicaSet per revision.",
  id: { field: "uid", description: DOCS.nodeId },
  fields: (t) => ({
    metadata: t.field({ type: ObjectMetaRef, description: DOCS.metadata, resolve: (row) => metaOf(row) }),
    spec: t.field({ type: DeploymentSpecRef, description: "Its desired state.", resolve: (row) => deploymentSpecOf(row) }),
    status: t.field({ type: DeploymentStatusRef, description: "Its observed state.", resolve: (row) => deploymentStatusOf(row) }),
    revision: t.int({ description: "Its current revision (the deployment.kubernetes.io/revision annotation); 0 before the first ReplicaSet exists.", resolve: (row) => revisionOf(deploymentOf(row)) }),
    rolloutStatus: t.field({
      type: RolloutStatusRef,
      description: "Its rollout now; subscribe to Subscription.rolloutStatus to follow it.",
      select: { replicaSets: true },
      resolve: (row) => rolloutStatus(deploymentOf(row), row.replicaSets.map(replicaSetOf)),
    }),
    replicaSets: t.field({
      type: [ReplicaSetNode],
      description: "The ReplicaSets it owns, highest revision first; the first `limit` of those that match `labelSelector`.",
      args: {
        limit: t.arg.int({ defaultValue: DEFAULT_REPLICA_SETS_LIMIT, description: `At most this many (0..${MAX_NESTED_LIMIT}).` }),
        labelSelector: t.arg.string({ description: DOCS.list.labelSelector }),
      },
      // all of them, like history and rolloutStatus (one selection they share, which also serves an
      // unsaved dryRun object); a Deployment's cleanup keeps them few
      select: (_args, _ctx, nested) => ({ replicaSets: nested(true) }),
      resolve: (row, args) => {
        const limit = nestedLimit(args.limit, DEFAULT_REPLICA_SETS_LIMIT);
        const requirements = labelSelectorArg(args.labelSelector) ?? [];
        const revisions = history(row.replicaSets).reverse().map((r) => r.row);
        // one adopted a moment ago may not have its revision yet
        return [...revisions, ...row.replicaSets.filter((rs) => !revisions.includes(rs))]
          .filter((rs) => matches(requirements, rs.labels as StringMap))
          .slice(0, limit);
      },
    }),
    history: t.field({
      type: [RolloutRevisionRef],
      description: "Its rollout history (kubectl rollout history), lowest revision first.",
      select: { replicaSets: true },
      resolve: (row) => history(row.replicaSets),
    }),
    events: t.prismaField({
      type: [EventNode],
      description: "Events about this Deployment, most recent first.",
      args: { first: t.arg.int({ defaultValue: 50, description: "At most this many (clamped to 0..500)." }) },
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
      description: `A page of ${name} objects (a Relay cursor connection), in listing order.`,
      fields: (t) => ({
        totalCount: t.int({
          description: "How many objects match the filters, on every page together.",
          resolve: (c) => (c as unknown as Page<unknown>).totalCount(),
        }),
      }),
    },
    { name: `${name}Edge`, description: `A ${name} and its cursor.` },
  );
}

export const DeploymentConnection = connection(DeploymentNode, "Deployment");
export const ReplicaSetConnection = connection(ReplicaSetNode, "ReplicaSet");
export const PodConnection = connection(PodNode, "Pod");
export const EventConnection = connection(EventNode, "Event");

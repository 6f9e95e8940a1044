// Object types shared by Deployment, ReplicaSet and Pod: metadata, selectors, templates, conditions.
import type {
  Condition,
  Container,
  LabelSelector,
  LabelSelectorRequirement,
  ObjectMeta,
  OwnerReference,
  PodSpec,
  PodTemplateSpec,
} from "../domain/types.ts";
import { builder } from "./builder.ts";
import { DOCS } from "./docs.ts";

export const ResourceKind = builder.enumType("ResourceKind", {
  description: "The kinds of object this API stores.",
  values: {
    Deployment: { description: "A Deployment: a desired pod template and count, rolled out through ReplicaSets." },
    ReplicaSet: { description: "A ReplicaSet: keeps a number of pods of one template running." },
    Pod: { description: "A Pod: one running instance of a template, scheduled on a node." },
  } as const,
});
export const ConditionStatus = builder.enumType("ConditionStatus", {
  description: "Whether a condition holds, as in Kubernetes.",
  values: {
    True: { description: "The condition holds." },
    False: { description: "The condition does not hold." },
    Unknown: { description: "The controller cannot tell yet." },
  } as const,
});
export const LabelSelectorOperator = builder.enumType("LabelSelectorOperator", {
  description: "How a matchExpressions requirement compares a label with its values.",
  values: {
    In: { description: "The label is present and its value is one of `values`." },
    NotIn: { description: "The label is missing, or its value is none of `values`." },
    Exists: { description: "The label is present, whatever its value (`values` must be empty)." },
    DoesNotExist: { description: "The label is missing (`values` must be empty)." },
  } as const,
});

export const OwnerReferenceRef = builder.objectRef<OwnerReference>("OwnerReference").implement({
  description: "An object this one belongs to. When the owner is deleted, garbage collection deletes or orphans its dependents (DeletionPropagation).",
  fields: (t) => ({
    kind: t.field({ type: ResourceKind, description: "The owner's kind.", resolve: (o) => o.kind }),
    name: t.exposeString("name", { description: "The owner's name, in the same namespace." }),
    uid: t.exposeID("uid", { description: "The owner's uid: a new object of the same name is not the owner." }),
    controller: t.exposeBoolean("controller", { description: "true for the one owner that manages this object (a Deployment for its ReplicaSets, a ReplicaSet for its pods)." }),
  }),
});

export const ObjectMetaRef = builder.objectRef<ObjectMeta>("ObjectMeta").implement({
  description: "Metadata every stored object has: identity, version, labels and owners.",
  fields: (t) => ({
    name: t.exposeString("name", { description: DOCS.name }),
    namespace: t.exposeString("namespace", { description: DOCS.namespace }),
    uid: t.exposeID("uid", { description: "Unique for the object's whole life; a re-created object of the same name has a new one." }),
    resourceVersion: t.exposeString("resourceVersion", {
      description:
        "Changes on every write to the object. Pass it to an update to refuse the write (CONFLICT) if someone wrote in between; " +
        "a watch from it resumes after that write. Opaque: compare for equality only.",
    }),
    generation: t.exposeInt("generation", { description: "Increases on every change to the spec (not to status or metadata alone); compare with status.observedGeneration." }),
    creationTimestamp: t.expose("creationTimestamp", { type: "DateTime", description: "When the object was created." }),
    deletionTimestamp: t.expose("deletionTimestamp", {
      type: "DateTime",
      nullable: true,
      description: "Set when deletion has begun (a pod in its grace period, an owner waiting for Foreground deletion of its dependents); null otherwise.",
    }),
    labels: t.expose("labels", { type: "StringMap", description: DOCS.labels }),
    annotations: t.expose("annotations", { type: "StringMap", description: DOCS.annotations }),
    ownerReferences: t.expose("ownerReferences", { type: [OwnerReferenceRef], description: "The objects this one belongs to; empty for a top-level object." }),
  }),
});

export const ConditionRef = builder.objectRef<Condition>("Condition").implement({
  description: "One aspect of an object's state, as Kubernetes reports it: Available and Progressing for a Deployment, ReplicaFailure for a ReplicaSet, Ready and others for a Pod.",
  fields: (t) => ({
    type: t.exposeString("type", { description: "Which aspect: Available, Progressing, ReplicaFailure, Ready, ContainersReady, PodScheduled, Initialized." }),
    status: t.field({ type: ConditionStatus, description: "Whether the condition holds.", resolve: (c) => c.status }),
    reason: t.exposeString("reason", { nullable: true, description: "A CamelCase word saying why, such as NewReplicaSetAvailable or ProgressDeadlineExceeded." }),
    message: t.exposeString("message", { nullable: true, description: "A sentence for people." }),
    lastUpdateTime: t.expose("lastUpdateTime", { type: "DateTime", nullable: true, description: "When the condition was last written (the progress deadline counts from it)." }),
    lastTransitionTime: t.expose("lastTransitionTime", { type: "DateTime", nullable: true, description: "When `status` last changed." }),
  }),
});

const LabelSelectorRequirementRef = builder.objectRef<LabelSelectorRequirement>("LabelSelectorRequirement").implement({
  description: DOCS.requirement.type,
  fields: (t) => ({
    key: t.exposeString("key", { description: DOCS.requirement.key }),
    operator: t.field({ type: LabelSelectorOperator, description: DOCS.requirement.operator, resolve: (r) => r.operator }),
    values: t.stringList({ description: DOCS.requirement.values, resolve: (r) => r.values ?? [] }),
  }),
});

export const LabelSelectorRef = builder.objectRef<LabelSelector>("LabelSelector").implement({
  description: DOCS.selector.type,
  fields: (t) => ({
    matchLabels: t.field({ type: "StringMap", description: DOCS.selector.matchLabels, resolve: (s) => s.matchLabels ?? {} }),
    matchExpressions: t.field({ type: [LabelSelectorRequirementRef], description: DOCS.selector.matchExpressions, resolve: (s) => s.matchExpressions ?? [] }),
  }),
});

const EnvVarRef = builder.objectRef<Container["env"][number]>("EnvVar").implement({
  description: DOCS.envVar.type,
  fields: (t) => ({ name: t.exposeString("name", { description: DOCS.envVar.name }), value: t.exposeString("value", { description: DOCS.envVar.value }) }),
});
const ContainerPortRef = builder.objectRef<Container["ports"][number]>("ContainerPort").implement({
  description: DOCS.port.type,
  fields: (t) => ({
    name: t.exposeString("name", { nullable: true, description: DOCS.port.name }),
    containerPort: t.exposeInt("containerPort", { description: DOCS.port.containerPort }),
    protocol: t.exposeString("protocol", { description: DOCS.port.protocol }),
  }),
});
const ResourceRequirementsRef = builder.objectRef<Container["resources"]>("ResourceRequirements").implement({
  description: DOCS.resources.type,
  fields: (t) => ({
    requests: t.field({ type: "StringMap", description: DOCS.resources.requests, resolve: (r) => r.requests ?? {} }),
    limits: t.field({ type: "StringMap", description: DOCS.resources.limits, resolve: (r) => r.limits ?? {} }),
  }),
});
const ContainerRef = builder.objectRef<Container>("Container").implement({
  description: DOCS.container.type,
  fields: (t) => ({
    name: t.exposeString("name", { description: DOCS.container.name }),
    image: t.exposeString("image", { description: DOCS.container.image }),
    command: t.exposeStringList("command", { description: DOCS.container.command }),
    args: t.exposeStringList("args", { description: DOCS.container.args }),
    env: t.expose("env", { type: [EnvVarRef], description: DOCS.container.env }),
    ports: t.expose("ports", { type: [ContainerPortRef], description: DOCS.container.ports }),
    resources: t.expose("resources", { type: ResourceRequirementsRef, description: DOCS.container.resources }),
  }),
});

export const PodSpecRef = builder.objectRef<Omit<PodSpec, "nodeName"> & { nodeName?: string | null }>("PodSpec").implement({
  description: DOCS.podSpec.type,
  fields: (t) => ({
    containers: t.expose("containers", { type: [ContainerRef], description: DOCS.podSpec.containers }),
    terminationGracePeriodSeconds: t.exposeInt("terminationGracePeriodSeconds", { description: DOCS.podSpec.terminationGracePeriodSeconds }),
    nodeName: t.string({ nullable: true, description: "The node the pod is bound to; null until it is scheduled, and always null in a template.", resolve: (s) => s.nodeName ?? null }),
  }),
});

const PodTemplateMetaRef = builder.objectRef<PodTemplateSpec["metadata"]>("PodTemplateMeta").implement({
  description: DOCS.templateMeta.type,
  fields: (t) => ({
    labels: t.field({ type: "StringMap", description: DOCS.templateLabels, resolve: (m) => m.labels ?? {} }),
    annotations: t.field({ type: "StringMap", description: DOCS.templateAnnotations, resolve: (m) => m.annotations ?? {} }),
  }),
});

export const PodTemplateSpecRef = builder.objectRef<PodTemplateSpec>("PodTemplateSpec").implement({
  description: DOCS.template.type,
  fields: (t) => ({
    metadata: t.expose("metadata", { type: PodTemplateMetaRef, description: DOCS.template.metadata }),
    spec: t.expose("spec", { type: PodSpecRef, description: DOCS.template.spec }),
  }),
});

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

export const ResourceKind = builder.enumType("ResourceKind", { values: ["Deployment", "ReplicaSet", "Pod"] as const });
export const ConditionStatus = builder.enumType("ConditionStatus", { values: ["True", "False", "Unknown"] as const });
export const LabelSelectorOperator = builder.enumType("LabelSelectorOperator", { values: ["In", "NotIn", "Exists", "DoesNotExist"] as const });

export const OwnerReferenceRef = builder.objectRef<OwnerReference>("OwnerReference").implement({
  fields: (t) => ({
    kind: t.field({ type: ResourceKind, resolve: (o) => o.kind }),
    name: t.exposeString("name"),
    uid: t.exposeID("uid"),
    controller: t.exposeBoolean("controller"),
  }),
});

export const ObjectMetaRef = builder.objectRef<ObjectMeta>("ObjectMeta").implement({
  fields: (t) => ({
    name: t.exposeString("name"),
    namespace: t.exposeString("namespace"),
    uid: t.exposeID("uid"),
    resourceVersion: t.exposeString("resourceVersion"),
    generation: t.exposeInt("generation"),
    creationTimestamp: t.expose("creationTimestamp", { type: "DateTime" }),
    deletionTimestamp: t.expose("deletionTimestamp", { type: "DateTime", nullable: true }),
    labels: t.expose("labels", { type: "StringMap" }),
    annotations: t.expose("annotations", { type: "StringMap" }),
    ownerReferences: t.expose("ownerReferences", { type: [OwnerReferenceRef] }),
  }),
});

export const ConditionRef = builder.objectRef<Condition>("Condition").implement({
  fields: (t) => ({
    type: t.exposeString("type"),
    status: t.field({ type: ConditionStatus, resolve: (c) => c.status }),
    reason: t.exposeString("reason", { nullable: true }),
    message: t.exposeString("message", { nullable: true }),
    lastUpdateTime: t.expose("lastUpdateTime", { type: "DateTime", nullable: true }),
    lastTransitionTime: t.expose("lastTransitionTime", { type: "DateTime", nullable: true }),
  }),
});

const LabelSelectorRequirementRef = builder.objectRef<LabelSelectorRequirement>("LabelSelectorRequirement").implement({
  fields: (t) => ({
    key: t.exposeString("key"),
    operator: t.field({ type: LabelSelectorOperator, resolve: (r) => r.operator }),
    values: t.stringList({ resolve: (r) => r.values ?? [] }),
  }),
});

export const LabelSelectorRef = builder.objectRef<LabelSelector>("LabelSelector").implement({
  fields: (t) => ({
    matchLabels: t.field({ type: "StringMap", resolve: (s) => s.matchLabels ?? {} }),
    matchExpressions: t.field({ type: [LabelSelectorRequirementRef], resolve: (s) => s.matchExpressions ?? [] }),
  }),
});

const EnvVarRef = builder.objectRef<Container["env"][number]>("EnvVar").implement({
  fields: (t) => ({ name: t.exposeString("name"), value: t.exposeString("value") }),
});
const ContainerPortRef = builder.objectRef<Container["ports"][number]>("ContainerPort").implement({
  fields: (t) => ({
    name: t.exposeString("name", { nullable: true }),
    containerPort: t.exposeInt("containerPort"),
    protocol: t.exposeString("protocol"),
  }),
});
const ResourceRequirementsRef = builder.objectRef<Container["resources"]>("ResourceRequirements").implement({
  fields: (t) => ({
    requests: t.field({ type: "StringMap", resolve: (r) => r.requests ?? {} }),
    limits: t.field({ type: "StringMap", resolve: (r) => r.limits ?? {} }),
  }),
});
const ContainerRef = builder.objectRef<Container>("Container").implement({
  fields: (t) => ({
    name: t.exposeString("name"),
    image: t.exposeString("image"),
    command: t.exposeStringList("command"),
    args: t.exposeStringList("args"),
    env: t.expose("env", { type: [EnvVarRef] }),
    ports: t.expose("ports", { type: [ContainerPortRef] }),
    resources: t.expose("resources", { type: ResourceRequirementsRef }),
  }),
});

export const PodSpecRef = builder.objectRef<Omit<PodSpec, "nodeName"> & { nodeName?: string | null }>("PodSpec").implement({
  fields: (t) => ({
    containers: t.expose("containers", { type: [ContainerRef] }),
    terminationGracePeriodSeconds: t.exposeInt("terminationGracePeriodSeconds"),
    nodeName: t.string({ nullable: true, resolve: (s) => s.nodeName ?? null }),
  }),
});

const PodTemplateMetaRef = builder.objectRef<PodTemplateSpec["metadata"]>("PodTemplateMeta").implement({
  fields: (t) => ({
    labels: t.field({ type: "StringMap", resolve: (m) => m.labels ?? {} }),
    annotations: t.field({ type: "StringMap", resolve: (m) => m.annotations ?? {} }),
  }),
});

export const PodTemplateSpecRef = builder.objectRef<PodTemplateSpec>("PodTemplateSpec").implement({
  fields: (t) => ({
    metadata: t.expose("metadata", { type: PodTemplateMetaRef }),
    spec: t.expose("spec", { type: PodSpecRef }),
  }),
});

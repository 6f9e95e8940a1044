// The contract's input types and the DeletionPropagation enum. Their shapes are the input shapes of
// src/domain/validation.ts, which applies the same defaults again (so any caller gets them).
import { builder } from "./builder.ts";
import { LabelSelectorOperator } from "./meta.ts";
import { DeploymentStrategyType as DeploymentStrategyTypeRef, PodPhase as PodPhaseRef } from "./objects.ts";

export const DeletionPropagation = builder.enumType("DeletionPropagation", { values: ["Background", "Foreground", "Orphan"] as const });

export const ObjectMetaInput = builder.inputType("ObjectMetaInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    namespace: t.string({ defaultValue: "default" }),
    labels: t.field({ type: "StringMap" }),
    annotations: t.field({ type: "StringMap" }),
  }),
});

const LabelSelectorRequirementInput = builder.inputType("LabelSelectorRequirementInput", {
  fields: (t) => ({
    key: t.string({ required: true }),
    operator: t.field({ type: LabelSelectorOperator, required: true }),
    values: t.stringList(),
  }),
});

const LabelSelectorInput = builder.inputType("LabelSelectorInput", {
  fields: (t) => ({
    matchLabels: t.field({ type: "StringMap" }),
    matchExpressions: t.field({ type: [LabelSelectorRequirementInput] }),
  }),
});

const EnvVarInput = builder.inputType("EnvVarInput", {
  fields: (t) => ({ name: t.string({ required: true }), value: t.string({ required: true }) }),
});

const ContainerPortInput = builder.inputType("ContainerPortInput", {
  fields: (t) => ({
    name: t.string(),
    containerPort: t.int({ required: true }),
    protocol: t.string({ defaultValue: "TCP" }),
  }),
});

const ResourceRequirementsInput = builder.inputType("ResourceRequirementsInput", {
  fields: (t) => ({ requests: t.field({ type: "StringMap" }), limits: t.field({ type: "StringMap" }) }),
});

const ContainerInput = builder.inputType("ContainerInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    image: t.string({ required: true }),
    command: t.stringList(),
    args: t.stringList(),
    env: t.field({ type: [EnvVarInput] }),
    ports: t.field({ type: [ContainerPortInput] }),
    resources: t.field({ type: ResourceRequirementsInput }),
  }),
});

const PodSpecInput = builder.inputType("PodSpecInput", {
  fields: (t) => ({
    containers: t.field({ type: [ContainerInput], required: true }),
    terminationGracePeriodSeconds: t.int({ defaultValue: 30 }),
  }),
});

const PodTemplateMetaInput = builder.inputType("PodTemplateMetaInput", {
  fields: (t) => ({ labels: t.field({ type: "StringMap" }), annotations: t.field({ type: "StringMap" }) }),
});

const PodTemplateSpecInput = builder.inputType("PodTemplateSpecInput", {
  fields: (t) => ({
    metadata: t.field({ type: PodTemplateMetaInput, required: true }),
    spec: t.field({ type: PodSpecInput, required: true }),
  }),
});

const RollingUpdateDeploymentInput = builder.inputType("RollingUpdateDeploymentInput", {
  fields: (t) => ({
    maxSurge: t.field({ type: "IntOrString", defaultValue: "25%" }),
    maxUnavailable: t.field({ type: "IntOrString", defaultValue: "25%" }),
  }),
});

const DeploymentStrategyInput = builder.inputType("DeploymentStrategyInput", {
  fields: (t) => ({
    type: t.field({ type: DeploymentStrategyTypeRef, defaultValue: "RollingUpdate" }),
    rollingUpdate: t.field({ type: RollingUpdateDeploymentInput }),
  }),
});

export const DeploymentSpecInput = builder.inputType("DeploymentSpecInput", {
  fields: (t) => ({
    replicas: t.int({ defaultValue: 1 }),
    selector: t.field({ type: LabelSelectorInput, required: true }),
    template: t.field({ type: PodTemplateSpecInput, required: true }),
    strategy: t.field({ type: DeploymentStrategyInput }),
    minReadySeconds: t.int({ defaultValue: 0 }),
    revisionHistoryLimit: t.int({ defaultValue: 10 }),
    progressDeadlineSeconds: t.int({ defaultValue: 600 }),
    paused: t.boolean({ defaultValue: false }),
  }),
});

export const ReplicaSetSpecInput = builder.inputType("ReplicaSetSpecInput", {
  fields: (t) => ({
    replicas: t.int({ defaultValue: 1 }),
    selector: t.field({ type: LabelSelectorInput, required: true }),
    template: t.field({ type: PodTemplateSpecInput, required: true }),
    minReadySeconds: t.int({ defaultValue: 0 }),
  }),
});

const ContainerStatusInput = builder.inputType("ContainerStatusInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    ready: t.boolean({ required: true }),
    restartCount: t.int(),
    waitingReason: t.string(),
  }),
});

export const PodStatusInput = builder.inputType("PodStatusInput", {
  fields: (t) => ({
    phase: t.field({ type: PodPhaseRef, required: true }),
    ready: t.boolean({ required: true }),
    containerStatuses: t.field({ type: [ContainerStatusInput] }),
    podIP: t.string(),
  }),
});

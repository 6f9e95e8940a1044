// The contract's input types and the DeletionPropagation enum. Their shapes are the input shapes of
// src/domain/validation.ts, which applies the same defaults again (so any caller gets them).
import { builder } from "./builder.ts";
import { DOCS } from "./docs.ts";
import { LabelSelectorOperator } from "./meta.ts";
import { DeploymentStrategyType as DeploymentStrategyTypeRef, PodPhase as PodPhaseRef } from "./objects.ts";

export const DeletionPropagation = builder.enumType("DeletionPropagation", {
  description: "What happens to an object's dependents (a Deployment's ReplicaSets, a ReplicaSet's pods) when it is deleted.",
  values: {
    Background: { description: "The object goes at once; garbage collection then deletes its dependents." },
    Foreground: { description: "The object stays, with a deletionTimestamp, until every dependent is gone; then it goes." },
    Orphan: { description: "The object goes and its dependents stay, their ownerReference to it removed." },
  } as const,
});

export const ObjectMetaInput = builder.inputType("ObjectMetaInput", {
  description: "The metadata a client sets when it creates an object; the server sets the rest (uid, resourceVersion, generation, timestamps).",
  fields: (t) => ({
    name: t.string({ required: true, description: DOCS.name }),
    namespace: t.string({ defaultValue: "default", description: DOCS.namespace }),
    labels: t.field({ type: "StringMap", description: DOCS.labels }),
    annotations: t.field({ type: "StringMap", description: DOCS.annotations }),
  }),
});

const LabelSelectorRequirementInput = builder.inputType("LabelSelectorRequirementInput", {
  description: DOCS.requirement.type,
  fields: (t) => ({
    key: t.string({ required: true, description: DOCS.requirement.key }),
    operator: t.field({ type: LabelSelectorOperator, required: true, description: DOCS.requirement.operator }),
    values: t.stringList({ description: DOCS.requirement.values }),
  }),
});

const LabelSelectorInput = builder.inputType("LabelSelectorInput", {
  description: DOCS.selector.type,
  fields: (t) => ({
    matchLabels: t.field({ type: "StringMap", description: DOCS.selector.matchLabels }),
    matchExpressions: t.field({ type: [LabelSelectorRequirementInput], description: DOCS.selector.matchExpressions }),
  }),
});

const EnvVarInput = builder.inputType("EnvVarInput", {
  description: DOCS.envVar.type,
  fields: (t) => ({ name: t.string({ required: true, description: DOCS.envVar.name }), value: t.string({ required: true, description: DOCS.envVar.value }) }),
});

const ContainerPortInput = builder.inputType("ContainerPortInput", {
  description: DOCS.port.type,
  fields: (t) => ({
    name: t.string({ description: DOCS.port.name }),
    containerPort: t.int({ required: true, description: DOCS.port.containerPort }),
    protocol: t.string({ defaultValue: "TCP", description: DOCS.port.protocol }),
  }),
});

const ResourceRequirementsInput = builder.inputType("ResourceRequirementsInput", {
  description: DOCS.resources.type,
  fields: (t) => ({
    requests: t.field({ type: "StringMap", description: DOCS.resources.requests }),
    limits: t.field({ type: "StringMap", description: DOCS.resources.limits }),
  }),
});

const ContainerInput = builder.inputType("ContainerInput", {
  description: DOCS.container.type,
  fields: (t) => ({
    name: t.string({ required: true, description: DOCS.container.name }),
    image: t.string({ required: true, description: DOCS.container.image }),
    command: t.stringList({ description: DOCS.container.command }),
    args: t.stringList({ description: DOCS.container.args }),
    env: t.field({ type: [EnvVarInput], description: DOCS.container.env }),
    ports: t.field({ type: [ContainerPortInput], description: DOCS.container.ports }),
    resources: t.field({ type: ResourceRequirementsInput, description: DOCS.container.resources }),
  }),
});

const PodSpecInput = builder.inputType("PodSpecInput", {
  description: DOCS.podSpec.type,
  fields: (t) => ({
    containers: t.field({ type: [ContainerInput], required: true, description: DOCS.podSpec.containers }),
    terminationGracePeriodSeconds: t.int({ defaultValue: 30, description: DOCS.podSpec.terminationGracePeriodSeconds }),
  }),
});

const PodTemplateMetaInput = builder.inputType("PodTemplateMetaInput", {
  description: DOCS.templateMeta.type,
  fields: (t) => ({
    labels: t.field({ type: "StringMap", description: DOCS.templateLabels }),
    annotations: t.field({ type: "StringMap", description: DOCS.templateAnnotations }),
  }),
});

const PodTemplateSpecInput = builder.inputType("PodTemplateSpecInput", {
  description: DOCS.template.type,
  fields: (t) => ({
    metadata: t.field({ type: PodTemplateMetaInput, required: true, description: DOCS.template.metadata }),
    spec: t.field({ type: PodSpecInput, required: true, description: DOCS.template.spec }),
  }),
});

const RollingUpdateDeploymentInput = builder.inputType("RollingUpdateDeploymentInput", {
  description: DOCS.rollingUpdate.type,
  fields: (t) => ({
    maxSurge: t.field({ type: "IntOrString", defaultValue: "25%", description: DOCS.rollingUpdate.maxSurge }),
    maxUnavailable: t.field({ type: "IntOrString", defaultValue: "25%", description: DOCS.rollingUpdate.maxUnavailable }),
  }),
});

const DeploymentStrategyInput = builder.inputType("DeploymentStrategyInput", {
  description: DOCS.strategy.type,
  fields: (t) => ({
    type: t.field({ type: DeploymentStrategyTypeRef, defaultValue: "RollingUpdate", description: DOCS.strategy.type_ }),
    rollingUpdate: t.field({ type: RollingUpdateDeploymentInput, description: DOCS.strategy.rollingUpdate }),
  }),
});

export const DeploymentSpecInput = builder.inputType("DeploymentSpecInput", {
  description: DOCS.deploymentSpec.type,
  fields: (t) => ({
    replicas: t.int({ defaultValue: 1, description: DOCS.deploymentSpec.replicas }),
    selector: t.field({ type: LabelSelectorInput, required: true, description: DOCS.deploymentSpec.selector }),
    template: t.field({ type: PodTemplateSpecInput, required: true, description: DOCS.deploymentSpec.template }),
    strategy: t.field({ type: DeploymentStrategyInput, description: DOCS.deploymentSpec.strategy }),
    minReadySeconds: t.int({ defaultValue: 0, description: DOCS.deploymentSpec.minReadySeconds }),
    revisionHistoryLimit: t.int({ defaultValue: 10, description: DOCS.deploymentSpec.revisionHistoryLimit }),
    progressDeadlineSeconds: t.int({ defaultValue: 600, description: DOCS.deploymentSpec.progressDeadlineSeconds }),
    paused: t.boolean({ defaultValue: false, description: DOCS.deploymentSpec.paused }),
  }),
});

export const ReplicaSetSpecInput = builder.inputType("ReplicaSetSpecInput", {
  description: DOCS.replicaSetSpec.type,
  fields: (t) => ({
    replicas: t.int({ defaultValue: 1, description: DOCS.replicaSetSpec.replicas }),
    selector: t.field({ type: LabelSelectorInput, required: true, description: DOCS.replicaSetSpec.selector }),
    template: t.field({ type: PodTemplateSpecInput, required: true, description: DOCS.replicaSetSpec.template }),
    minReadySeconds: t.int({ defaultValue: 0, description: DOCS.replicaSetSpec.minReadySeconds }),
  }),
});

const ContainerStatusInput = builder.inputType("ContainerStatusInput", {
  description: "What a node agent reports about one container of a pod.",
  fields: (t) => ({
    name: t.string({ required: true, description: "The container's name in the pod spec." }),
    ready: t.boolean({ required: true, description: DOCS.containerStatus.ready }),
    restartCount: t.int({ description: DOCS.containerStatus.restartCount }),
    waitingReason: t.string({ description: "Why the container is not running yet (ContainerCreating, CrashLoopBackOff, ImagePullBackOff, ...); omit for a running one." }),
  }),
});

export const PodStatusInput = builder.inputType("PodStatusInput", {
  description: "A pod's status as its node agent reports it; the server derives the conditions.",
  fields: (t) => ({
    phase: t.field({ type: PodPhaseRef, required: true, description: DOCS.podStatus.phase }),
    ready: t.boolean({ required: true, description: DOCS.podStatus.ready }),
    containerStatuses: t.field({ type: [ContainerStatusInput], description: DOCS.podStatus.containerStatuses }),
    podIP: t.string({ description: DOCS.podStatus.podIP }),
  }),
});

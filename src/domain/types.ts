// Kubernetes-shaped plain objects (apps/v1, core/v1) that the pure rules in src/domain work on.
// Timestamps are Date objects; the db layer maps rows to and from these shapes.

export type Kind = "Deployment" | "ReplicaSet" | "Pod";
export type StringMap = Record<string, string>;
export type IntOrString = number | string;

export interface OwnerReference {
  kind: Kind;
  name: string;
  uid: string;
  controller: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  creationTimestamp: Date;
  deletionTimestamp: Date | null;
  labels: StringMap;
  annotations: StringMap;
  ownerReferences: OwnerReference[];
  finalizers: string[];
}

export type LabelSelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";
export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values: string[];
}
export interface LabelSelector {
  matchLabels: StringMap;
  matchExpressions: LabelSelectorRequirement[];
}

export interface EnvVar { name: string; value: string }
export interface ContainerPort { name: string | null; containerPort: number; protocol: string }
export interface ResourceRequirements { requests: StringMap; limits: StringMap }
export interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env: EnvVar[];
  ports: ContainerPort[];
  resources: ResourceRequirements;
}
export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds: number;
  nodeName: string | null;
}
export interface PodTemplateSpec {
  metadata: { labels: StringMap; annotations: StringMap };
  spec: Omit<PodSpec, "nodeName">;
}

export type ConditionStatus = "True" | "False" | "Unknown";
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string | null;
  message: string | null;
  lastUpdateTime: Date | null;
  lastTransitionTime: Date | null;
}

export type DeploymentStrategyType = "RollingUpdate" | "Recreate";
export interface RollingUpdateDeployment { maxSurge: IntOrString; maxUnavailable: IntOrString }
export interface DeploymentStrategy {
  type: DeploymentStrategyType;
  rollingUpdate: RollingUpdateDeployment | null;
}

export interface DeploymentSpec {
  replicas: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy: DeploymentStrategy;
  minReadySeconds: number;
  revisionHistoryLimit: number;
  progressDeadlineSeconds: number;
  paused: boolean;
}
export interface DeploymentStatus {
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  collisionCount: number;
  conditions: Condition[];
}
export interface Deployment { metadata: ObjectMeta; spec: DeploymentSpec; status: DeploymentStatus }

export interface ReplicaSetSpec {
  replicas: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  minReadySeconds: number;
}
export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration: number;
  conditions: Condition[];
}
export interface ReplicaSet { metadata: ObjectMeta; spec: ReplicaSetSpec; status: ReplicaSetStatus }

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
export interface ContainerState {
  waiting: { reason: string; message: string | null } | null;
  running: { startedAt: Date } | null;
  terminated: { exitCode: number; reason: string | null; finishedAt: Date | null } | null;
}
export interface ContainerStatus {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  state: ContainerState;
}
export interface PodStatus {
  phase: PodPhase;
  /** the Ready condition, denormalised for queries; conditions holds the full list */
  ready: boolean;
  conditions: Condition[];
  containerStatuses: ContainerStatus[];
  startTime: Date | null;
  podIP: string | null;
}
export interface Pod {
  metadata: ObjectMeta & { deletionGracePeriodSeconds: number | null };
  spec: PodSpec;
  status: PodStatus;
}

export type EventType = "Normal" | "Warning";
export interface EventRecord {
  type: EventType;
  reason: string;
  message: string;
  involvedObject: { kind: Kind; namespace: string; name: string; uid: string };
}

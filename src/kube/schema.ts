// The one description of the kinds the REST facade serves: every type, its fields with their JSON
// name, protobuf field number, type, description and patch metadata, as upstream's Go types carry
// them (only the fields deploye serves). Everything else is derived from it: the OpenAPI v3
// documents (openapi.ts), the protobuf request decoding (protobuf.ts), the unknown-field check
// of server-side field validation (fields.ts), and the merge keys of strategic merge patches.

export type Scalar = "string" | "int32" | "int64" | "boolean" | "time" | "microTime" | "intOrString" | "quantity";

export type FieldType = Scalar | { ref: string } | { array: Scalar | { ref: string } } | { map: "string" | "quantity" };

export interface Field {
  name: string;
  /** the protobuf field number (0: only in JSON, like kind and apiVersion) */
  proto: number;
  type: FieldType;
  description: string;
  /** a Go pointer: present when set, even to its zero value (otherwise a zero value is left out) */
  pointer?: boolean;
  required?: boolean;
  enum?: string[];
  /** strategic merge patch: the key elements of this list merge by (patchMergeKey) */
  mergeKey?: string;
  /** strategic merge patch: a list of scalars merged as a set, or `retainKeys` on a struct */
  patchStrategy?: "merge" | "retainKeys";
  listType?: "atomic" | "map" | "set";
  listMapKeys?: string[];
}

export interface TypeDef {
  /** upstream's definition name, e.g. io.k8s.api.apps.v1.Deployment */
  name: string;
  description: string;
  fields: Field[];
  /** a top-level kind: its group, version and kind */
  gvk?: { group: string; version: string; kind: string };
}

/** Scalar types with their own definitions upstream (referenced by name in OpenAPI). */
export const SCALAR_DEFINITIONS: Partial<Record<Scalar, { name: string; description: string }>> = {
  time: { name: "io.k8s.apimachinery.pkg.apis.meta.v1.Time", description: "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON." },
  microTime: { name: "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime", description: "MicroTime is version of Time with microsecond level precision." },
  intOrString: { name: "io.k8s.apimachinery.pkg.util.intstr.IntOrString", description: "IntOrString is a type that can hold an int32 or a string." },
  quantity: { name: "io.k8s.apimachinery.pkg.api.resource.Quantity", description: "Quantity is a fixed-point representation of a number, serialized as a string such as 100m, 1Gi or 0.5." },
};

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const APPS = "io.k8s.api.apps.v1";
const CORE = "io.k8s.api.core.v1";
const AUTOSCALING = "io.k8s.api.autoscaling.v1";

const ref = (name: string) => ({ ref: name });
const arrayOf = (item: Scalar | string) => ({ array: item.includes(".") ? ref(item) : (item as Scalar) });

const API_VERSION: Field = {
  name: "apiVersion",
  proto: 0,
  type: "string",
  description: "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.",
};
const KIND: Field = {
  name: "kind",
  proto: 0,
  type: "string",
  description: "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.",
};
const OBJECT_META: Field = { name: "metadata", proto: 1, type: ref(`${META}.ObjectMeta`), description: "Standard object's metadata." };
const LIST_META: Field = { name: "metadata", proto: 1, type: ref(`${META}.ListMeta`), description: "Standard list metadata." };

function kind(group: string, version: string, name: string, prefix: string, description: string, spec: string | null, status: string | null, own: Field[] = []): TypeDef {
  return {
    name: `${prefix}.${name}`,
    description,
    gvk: { group, version, kind: name },
    fields: [
      API_VERSION,
      KIND,
      OBJECT_META,
      ...(spec ? [{ name: "spec", proto: 2, type: ref(`${prefix}.${name}Spec`), description: spec }] : []),
      ...(status ? [{ name: "status", proto: 3, type: ref(`${prefix}.${name}Status`), description: status }] : []),
      ...own,
    ],
  };
}

function list(group: string, version: string, name: string, prefix: string): TypeDef {
  return {
    name: `${prefix}.${name}List`,
    description: `${name}List is a list of ${name}s.`,
    gvk: { group, version, kind: `${name}List` },
    fields: [API_VERSION, KIND, LIST_META, { name: "items", proto: 2, type: arrayOf(`${prefix}.${name}`), description: `Items is the list of ${name}s.`, required: true }],
  };
}

const condition = (prefix: string, owner: string, updateTime: number | null, transition: number): TypeDef => ({
  name: `${prefix}.${owner}Condition`,
  description: `${owner}Condition describes the state of a ${owner.toLowerCase()} at a certain point.`,
  fields: [
    { name: "type", proto: 1, type: "string", description: `Type of ${owner.toLowerCase()} condition.`, required: true },
    { name: "status", proto: 2, type: "string", description: "Status of the condition, one of True, False, Unknown.", required: true },
    ...(updateTime ? [{ name: "lastUpdateTime", proto: updateTime, type: "time" as const, description: "The last time this condition was updated." }] : []),
    ...(owner === "Pod" ? [{ name: "lastProbeTime", proto: 3, type: "time" as const, description: "Last time we probed the condition." }] : []),
    { name: "lastTransitionTime", proto: transition, type: "time", description: "Last time the condition transitioned from one status to another." },
    { name: "reason", proto: owner === "Pod" ? 5 : 4, type: "string", description: "The reason for the condition's last transition." },
    { name: "message", proto: owner === "Pod" ? 6 : 5, type: "string", description: "A human readable message indicating details about the transition." },
  ],
});

const CONDITIONS = { mergeKey: "type", patchStrategy: "merge" as const, listType: "map" as const, listMapKeys: ["type"] };

/** The Event kind's own fields (it has no spec/status: its fields sit at the top level). */
const EVENT_FIELDS: Field[] = [
  { name: "involvedObject", proto: 2, type: ref(`${CORE}.ObjectReference`), required: true, description: "The object that this event is about." },
  { name: "reason", proto: 3, type: "string", description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status." },
  { name: "message", proto: 4, type: "string", description: "A human-readable description of the status of this operation." },
  { name: "source", proto: 5, type: ref(`${CORE}.EventSource`), description: "The component reporting this event. Should be a short machine understandable string." },
  { name: "firstTimestamp", proto: 6, type: "time", description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)" },
  { name: "lastTimestamp", proto: 7, type: "time", description: "The time at which the most recent occurrence of this event was recorded." },
  { name: "count", proto: 8, type: "int32", description: "The number of times this event has occurred." },
  { name: "type", proto: 9, type: "string", description: "Type of this event (Normal, Warning), new types could be added in the future" },
  { name: "eventTime", proto: 10, type: "microTime", description: "Time when this Event was first observed." },
  { name: "reportingComponent", proto: 14, type: "string", description: "Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`." },
  { name: "reportingInstance", proto: 15, type: "string", description: "ID of the controller instance, e.g. `kubelet-xyzf`." },
];
export const TYPES: readonly TypeDef[] = [
  // ---- meta/v1
  {
    name: `${META}.ObjectMeta`,
    description: "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
    fields: [
      { name: "name", proto: 1, type: "string", description: "Name must be unique within a namespace. Is required when creating resources. Cannot be updated." },
      { name: "generateName", proto: 2, type: "string", description: "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided." },
      { name: "namespace", proto: 3, type: "string", description: "Namespace defines the space within which each name must be unique. Cannot be updated." },
      { name: "selfLink", proto: 4, type: "string", description: "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system." },
      { name: "uid", proto: 5, type: "string", description: "UID is the unique in time and space value for this object. Populated by the system. Read-only." },
      { name: "resourceVersion", proto: 6, type: "string", description: "An opaque value that represents the internal version of this object, used for optimistic concurrency and watches. Populated by the system. Read-only." },
      { name: "generation", proto: 7, type: "int64", description: "A sequence number representing a specific generation of the desired state. Populated by the system. Read-only." },
      { name: "creationTimestamp", proto: 8, type: "time", description: "CreationTimestamp is a timestamp representing the server time when this object was created. Populated by the system. Read-only." },
      { name: "deletionTimestamp", proto: 9, type: "time", description: "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. Set by the server when a graceful deletion is requested. Read-only." },
      { name: "deletionGracePeriodSeconds", proto: 10, type: "int64", pointer: true, description: "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Read-only." },
      { name: "labels", proto: 11, type: { map: "string" }, description: "Map of string keys and values that can be used to organize and categorize (scope and select) objects." },
      { name: "annotations", proto: 12, type: { map: "string" }, description: "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata." },
      {
        name: "ownerReferences",
        proto: 13,
        type: arrayOf(`${META}.OwnerReference`),
        description: "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected.",
        mergeKey: "uid",
        patchStrategy: "merge",
        listType: "map",
        listMapKeys: ["uid"],
      },
      { name: "finalizers", proto: 14, type: arrayOf("string"), description: "Must be empty before the object is deleted from the registry.", patchStrategy: "merge", listType: "set" },
    ],
  },
  {
    name: `${META}.OwnerReference`,
    description: "OwnerReference contains enough information to let you identify an owning object.",
    fields: [
      { name: "apiVersion", proto: 5, type: "string", description: "API version of the referent.", required: true },
      { name: "kind", proto: 1, type: "string", description: "Kind of the referent.", required: true },
      { name: "name", proto: 3, type: "string", description: "Name of the referent.", required: true },
      { name: "uid", proto: 4, type: "string", description: "UID of the referent.", required: true },
      { name: "controller", proto: 6, type: "boolean", pointer: true, description: "If true, this reference points to the managing controller." },
      { name: "blockOwnerDeletion", proto: 7, type: "boolean", pointer: true, description: "If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed." },
    ],
  },
  {
    name: `${META}.ListMeta`,
    description: "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
    fields: [
      { name: "selfLink", proto: 1, type: "string", description: "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system." },
      { name: "resourceVersion", proto: 2, type: "string", description: "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed." },
      { name: "continue", proto: 3, type: "string", description: "continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available." },
      { name: "remainingItemCount", proto: 4, type: "int64", pointer: true, description: "remainingItemCount is the number of subsequent items in the list which are not included in this list response." },
    ],
  },
  {
    name: `${META}.LabelSelector`,
    description: "A label selector is a label query over a set of resources. An empty label selector matches all objects. A null label selector matches no objects.",
    fields: [
      { name: "matchLabels", proto: 1, type: { map: "string" }, description: "matchLabels is a map of {key,value} pairs." },
      { name: "matchExpressions", proto: 2, type: arrayOf(`${META}.LabelSelectorRequirement`), description: "matchExpressions is a list of label selector requirements. The requirements are ANDed.", listType: "atomic" },
    ],
  },
  {
    name: `${META}.LabelSelectorRequirement`,
    description: "A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.",
    fields: [
      { name: "key", proto: 1, type: "string", description: "key is the label key that the selector applies to.", required: true },
      { name: "operator", proto: 2, type: "string", description: "operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.", required: true },
      { name: "values", proto: 3, type: arrayOf("string"), description: "values is an array of string values.", listType: "atomic" },
    ],
  },
  {
    name: `${META}.Status`,
    description: "Status is a return value for calls that don't return other objects.",
    gvk: { group: "", version: "v1", kind: "Status" },
    fields: [
      API_VERSION,
      KIND,
      LIST_META,
      { name: "status", proto: 2, type: "string", description: "Status of the operation. One of: \"Success\" or \"Failure\"." },
      { name: "message", proto: 3, type: "string", description: "A human-readable description of the status of this operation." },
      { name: "reason", proto: 4, type: "string", description: "A machine-readable description of why this operation is in the \"Failure\" status." },
      { name: "details", proto: 5, type: ref(`${META}.StatusDetails`), pointer: true, description: "Extended data associated with the reason." },
      { name: "code", proto: 6, type: "int32", description: "Suggested HTTP return code for this status, 0 if not set." },
    ],
  },
  {
    name: `${META}.StatusDetails`,
    description: "StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.",
    fields: [
      { name: "name", proto: 1, type: "string", description: "The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described)." },
      { name: "group", proto: 2, type: "string", description: "The group attribute of the resource associated with the status StatusReason." },
      { name: "kind", proto: 3, type: "string", description: "The kind attribute of the resource associated with the status StatusReason." },
      { name: "uid", proto: 6, type: "string", description: "UID of the resource." },
      { name: "causes", proto: 4, type: arrayOf(`${META}.StatusCause`), description: "The Causes array includes more details associated with the StatusReason failure.", listType: "atomic" },
      { name: "retryAfterSeconds", proto: 5, type: "int32", description: "If specified, the time in seconds before the operation should be retried." },
    ],
  },
  {
    name: `${META}.StatusCause`,
    description: "StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.",
    fields: [
      { name: "reason", proto: 1, type: "string", description: "A machine-readable description of the cause of the error." },
      { name: "message", proto: 2, type: "string", description: "A human-readable description of the cause of the error." },
      { name: "field", proto: 3, type: "string", description: "The field of the resource that has caused this error, as named by its JSON serialization." },
    ],
  },
  {
    name: `${META}.DeleteOptions`,
    description: "DeleteOptions may be provided when deleting an API object.",
    gvk: { group: "", version: "v1", kind: "DeleteOptions" },
    fields: [
      API_VERSION,
      KIND,
      { name: "gracePeriodSeconds", proto: 1, type: "int64", pointer: true, description: "The duration in seconds before the object should be deleted. Zero means delete immediately." },
      { name: "preconditions", proto: 2, type: ref(`${META}.Preconditions`), pointer: true, description: "Must be fulfilled before a deletion is carried out." },
      { name: "orphanDependents", proto: 3, type: "boolean", pointer: true, description: "Deprecated: please use the PropagationPolicy." },
      { name: "propagationPolicy", proto: 4, type: "string", pointer: true, description: "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'." },
      { name: "dryRun", proto: 5, type: arrayOf("string"), description: "When present, indicates that modifications should not be persisted. The only valid value is All.", listType: "atomic" },
    ],
  },
  {
    name: `${META}.Preconditions`,
    description: "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
    fields: [
      { name: "uid", proto: 1, type: "string", pointer: true, description: "Specifies the target UID." },
      { name: "resourceVersion", proto: 2, type: "string", pointer: true, description: "Specifies the target ResourceVersion" },
    ],
  },

  // ---- apps/v1
  kind("apps", "v1", "Deployment", APPS, "Deployment enables declarative updates for Pods and ReplicaSets.", "Specification of the desired behavior of the Deployment.", "Most recently observed status of the Deployment."),
  list("apps", "v1", "Deployment", APPS),
  {
    name: `${APPS}.DeploymentSpec`,
    description: "DeploymentSpec is the specification of the desired behavior of the Deployment.",
    fields: [
      { name: "replicas", proto: 1, type: "int32", pointer: true, description: "Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1." },
      { name: "selector", proto: 2, type: ref(`${META}.LabelSelector`), required: true, description: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels." },
      { name: "template", proto: 3, type: ref(`${CORE}.PodTemplateSpec`), required: true, description: "Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is \"Always\"." },
      { name: "strategy", proto: 4, type: ref(`${APPS}.DeploymentStrategy`), patchStrategy: "retainKeys", description: "The deployment strategy to use to replace existing pods with new ones." },
      { name: "minReadySeconds", proto: 5, type: "int32", description: "Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)" },
      { name: "revisionHistoryLimit", proto: 6, type: "int32", pointer: true, description: "The number of old ReplicaSets to retain to allow rollback. This is a pointer to distinguish between explicit zero and not specified. Defaults to 10." },
      { name: "paused", proto: 7, type: "boolean", description: "Indicates that the deployment is paused." },
      { name: "progressDeadlineSeconds", proto: 9, type: "int32", pointer: true, description: "The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s." },
    ],
  },
  {
    name: `${APPS}.DeploymentStrategy`,
    description: "DeploymentStrategy describes how to replace existing pods with new ones.",
    fields: [
      { name: "type", proto: 1, type: "string", enum: ["Recreate", "RollingUpdate"], description: "Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is RollingUpdate." },
      { name: "rollingUpdate", proto: 2, type: ref(`${APPS}.RollingUpdateDeployment`), pointer: true, description: "Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate." },
    ],
  },
  {
    name: `${APPS}.RollingUpdateDeployment`,
    description: "Spec to control the desired behavior of rolling update.",
    fields: [
      { name: "maxUnavailable", proto: 1, type: "intOrString", pointer: true, description: "The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%." },
      { name: "maxSurge", proto: 2, type: "intOrString", pointer: true, description: "The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%." },
    ],
  },
  {
    name: `${APPS}.DeploymentStatus`,
    description: "DeploymentStatus is the most recently observed status of the Deployment.",
    fields: [
      { name: "observedGeneration", proto: 1, type: "int64", description: "The generation observed by the deployment controller." },
      { name: "replicas", proto: 2, type: "int32", description: "Total number of non-terminating pods targeted by this deployment (their labels match the selector)." },
      { name: "updatedReplicas", proto: 3, type: "int32", description: "Total number of non-terminating pods targeted by this deployment that have the desired template spec." },
      { name: "readyReplicas", proto: 7, type: "int32", description: "Total number of non-terminating pods targeted by this Deployment with a Ready Condition." },
      { name: "availableReplicas", proto: 4, type: "int32", description: "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment." },
      { name: "unavailableReplicas", proto: 5, type: "int32", description: "Total number of unavailable pods targeted by this deployment." },
      { name: "conditions", proto: 6, type: arrayOf(`${APPS}.DeploymentCondition`), description: "Represents the latest available observations of a deployment's current state.", ...CONDITIONS },
      { name: "collisionCount", proto: 8, type: "int32", pointer: true, description: "Count of hash collisions for the Deployment." },
    ],
  },
  condition(APPS, "Deployment", 6, 7),
  kind("apps", "v1", "ReplicaSet", APPS, "ReplicaSet ensures that a specified number of pod replicas are running at any given time.", "Spec defines the specification of the desired behavior of the ReplicaSet.", "Status is the most recently observed status of the ReplicaSet."),
  list("apps", "v1", "ReplicaSet", APPS),
  {
    name: `${APPS}.ReplicaSetSpec`,
    description: "ReplicaSetSpec is the specification of a ReplicaSet.",
    fields: [
      { name: "replicas", proto: 1, type: "int32", pointer: true, description: "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1." },
      { name: "minReadySeconds", proto: 4, type: "int32", description: "Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available." },
      { name: "selector", proto: 2, type: ref(`${META}.LabelSelector`), required: true, description: "Selector is a label query over pods that should match the replica count." },
      { name: "template", proto: 3, type: ref(`${CORE}.PodTemplateSpec`), description: "Template is the object that describes the pod that will be created if insufficient replicas are detected." },
    ],
  },
  {
    name: `${APPS}.ReplicaSetStatus`,
    description: "ReplicaSetStatus represents the current status of a ReplicaSet.",
    fields: [
      { name: "replicas", proto: 1, type: "int32", required: true, description: "Replicas is the most recently observed number of non-terminating pods." },
      { name: "fullyLabeledReplicas", proto: 2, type: "int32", description: "The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset." },
      { name: "readyReplicas", proto: 4, type: "int32", description: "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition." },
      { name: "availableReplicas", proto: 5, type: "int32", description: "The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set." },
      { name: "observedGeneration", proto: 3, type: "int64", description: "ObservedGeneration reflects the generation of the most recently observed ReplicaSet." },
      { name: "conditions", proto: 6, type: arrayOf(`${APPS}.ReplicaSetCondition`), description: "Represents the latest available observations of a replica set's current state.", ...CONDITIONS },
    ],
  },
  condition(APPS, "ReplicaSet", null, 3),

  // ---- autoscaling/v1
  kind("autoscaling", "v1", "Scale", AUTOSCALING, "Scale represents a scaling request for a resource.", "spec defines the behavior of the scale.", "status is the current status of the scale. Read-only."),
  {
    name: `${AUTOSCALING}.ScaleSpec`,
    description: "ScaleSpec describes the attributes of a scale subresource.",
    fields: [{ name: "replicas", proto: 1, type: "int32", description: "replicas is the desired number of instances for the scaled object." }],
  },
  {
    name: `${AUTOSCALING}.ScaleStatus`,
    description: "ScaleStatus represents the current status of a scale subresource.",
    fields: [
      { name: "replicas", proto: 1, type: "int32", required: true, description: "replicas is the actual number of observed instances of the scaled object." },
      { name: "selector", proto: 2, type: "string", description: "selector is the label query over pods that should match the replicas count, in the serialized form of a label selector." },
    ],
  },

  // ---- core/v1
  {
    name: `${CORE}.PodTemplateSpec`,
    description: "PodTemplateSpec describes the data a pod should have when created from a template",
    fields: [OBJECT_META, { name: "spec", proto: 2, type: ref(`${CORE}.PodSpec`), description: "Specification of the desired behavior of the pod." }],
  },
  {
    name: `${CORE}.PodSpec`,
    description: "PodSpec is a description of a pod.",
    fields: [
      { name: "containers", proto: 2, type: arrayOf(`${CORE}.Container`), required: true, description: "List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.", mergeKey: "name", patchStrategy: "merge", listType: "map", listMapKeys: ["name"] },
      { name: "restartPolicy", proto: 3, type: "string", enum: ["Always", "Never", "OnFailure"], description: "Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always." },
      { name: "terminationGracePeriodSeconds", proto: 4, type: "int64", pointer: true, description: "Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds." },
      { name: "dnsPolicy", proto: 6, type: "string", enum: ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"], description: "Set DNS policy for the pod. Defaults to \"ClusterFirst\"." },
      { name: "nodeName", proto: 10, type: "string", description: "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler." },
      { name: "securityContext", proto: 14, type: ref(`${CORE}.PodSecurityContext`), pointer: true, description: "SecurityContext holds pod-level security attributes and common container settings." },
      { name: "schedulerName", proto: 19, type: "string", description: "If specified, the pod will be dispatched by specified scheduler. If not specified, the pod will be dispatched by default scheduler." },
    ],
  },
  { name: `${CORE}.PodSecurityContext`, description: "PodSecurityContext holds pod-level security attributes and common container settings (deploye serves none of them).", fields: [] },
  {
    name: `${CORE}.Container`,
    description: "A single application container that you want to run within a pod.",
    fields: [
      { name: "name", proto: 1, type: "string", required: true, description: "Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated." },
      { name: "image", proto: 2, type: "string", description: "Container image name." },
      { name: "command", proto: 3, type: arrayOf("string"), listType: "atomic", description: "Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided." },
      { name: "args", proto: 4, type: arrayOf("string"), listType: "atomic", description: "Arguments to the entrypoint. The container image's CMD is used if this is not provided." },
      {
        name: "ports",
        proto: 6,
        type: arrayOf(`${CORE}.ContainerPort`),
        description: "List of ports to expose from the container.",
        mergeKey: "containerPort",
        patchStrategy: "merge",
        listType: "map",
        listMapKeys: ["containerPort", "protocol"],
      },
      { name: "env", proto: 7, type: arrayOf(`${CORE}.EnvVar`), description: "List of environment variables to set in the container. Cannot be updated.", mergeKey: "name", patchStrategy: "merge", listType: "map", listMapKeys: ["name"] },
      { name: "resources", proto: 8, type: ref(`${CORE}.ResourceRequirements`), description: "Compute Resources required by this container. Cannot be updated." },
      { name: "terminationMessagePath", proto: 13, type: "string", description: "Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem. Defaults to /dev/termination-log." },
      { name: "terminationMessagePolicy", proto: 20, type: "string", enum: ["FallbackToLogsOnError", "File"], description: "Indicate how the termination message should be populated. Defaults to File." },
      { name: "imagePullPolicy", proto: 14, type: "string", enum: ["Always", "IfNotPresent", "Never"], description: "Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise." },
    ],
  },
  {
    name: `${CORE}.ContainerPort`,
    description: "ContainerPort represents a network port in a single container.",
    fields: [
      { name: "name", proto: 1, type: "string", description: "If specified, this must be an IANA_SVC_NAME and unique within the pod." },
      { name: "containerPort", proto: 3, type: "int32", required: true, description: "Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536." },
      { name: "protocol", proto: 4, type: "string", enum: ["SCTP", "TCP", "UDP"], description: "Protocol for port. Must be UDP, TCP, or SCTP. Defaults to \"TCP\"." },
    ],
  },
  {
    name: `${CORE}.EnvVar`,
    description: "EnvVar represents an environment variable present in a Container.",
    fields: [
      { name: "name", proto: 1, type: "string", required: true, description: "Name of the environment variable." },
      { name: "value", proto: 2, type: "string", description: "Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables." },
    ],
  },
  {
    name: `${CORE}.ResourceRequirements`,
    description: "ResourceRequirements describes the compute resource requirements.",
    fields: [
      { name: "limits", proto: 1, type: { map: "quantity" }, description: "Limits describes the maximum amount of compute resources allowed." },
      { name: "requests", proto: 2, type: { map: "quantity" }, description: "Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified." },
    ],
  },
  kind("", "v1", "Pod", CORE, "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.", "Specification of the desired behavior of the pod.", "Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only."),
  list("", "v1", "Pod", CORE),
  {
    name: `${CORE}.PodStatus`,
    description: "PodStatus represents information about the status of a pod. Status may trail the actual state of a system.",
    fields: [
      { name: "phase", proto: 1, type: "string", enum: ["Failed", "Pending", "Running", "Succeeded", "Unknown"], description: "The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle." },
      { name: "conditions", proto: 2, type: arrayOf(`${CORE}.PodCondition`), description: "Current service state of pod.", ...CONDITIONS },
      { name: "podIP", proto: 6, type: "string", description: "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated." },
      { name: "podIPs", proto: 12, type: arrayOf(`${CORE}.PodIP`), description: "podIPs holds the IP addresses allocated to the pod.", mergeKey: "ip", patchStrategy: "merge", listType: "map", listMapKeys: ["ip"] },
      { name: "startTime", proto: 7, type: "time", description: "RFC 3339 date and time at which the object was acknowledged by the Kubelet. This is before the Kubelet pulled the container image(s) for the pod." },
      { name: "containerStatuses", proto: 8, type: arrayOf(`${CORE}.ContainerStatus`), listType: "atomic", description: "The list has one entry per container in the manifest." },
    ],
  },
  condition(CORE, "Pod", null, 4),
  { name: `${CORE}.PodIP`, description: "PodIP represents a single IP address allocated to the pod.", fields: [{ name: "ip", proto: 1, type: "string", required: true, description: "IP is the IP address assigned to the pod" }] },
  {
    name: `${CORE}.ContainerStatus`,
    description: "ContainerStatus contains details for the current status of this container.",
    fields: [
      { name: "name", proto: 1, type: "string", required: true, description: "Name is a DNS_LABEL representing the unique name of the container." },
      { name: "state", proto: 2, type: ref(`${CORE}.ContainerState`), description: "State holds details about the container's current condition." },
      { name: "ready", proto: 4, type: "boolean", required: true, description: "Ready specifies whether the container is currently passing its readiness check." },
      { name: "restartCount", proto: 5, type: "int32", required: true, description: "RestartCount holds the number of times the container has been restarted." },
      { name: "image", proto: 6, type: "string", required: true, description: "Image is the name of container image that the container is running." },
      { name: "imageID", proto: 7, type: "string", required: true, description: "ImageID is the image ID of the container's image." },
      { name: "started", proto: 9, type: "boolean", pointer: true, description: "Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe." },
    ],
  },
  {
    name: `${CORE}.ContainerState`,
    description: "ContainerState holds a possible state of container. Only one of its members may be specified.",
    fields: [
      { name: "waiting", proto: 1, type: ref(`${CORE}.ContainerStateWaiting`), pointer: true, description: "Details about a waiting container" },
      { name: "running", proto: 2, type: ref(`${CORE}.ContainerStateRunning`), pointer: true, description: "Details about a running container" },
      { name: "terminated", proto: 3, type: ref(`${CORE}.ContainerStateTerminated`), pointer: true, description: "Details about a terminated container" },
    ],
  },
  {
    name: `${CORE}.ContainerStateWaiting`,
    description: "ContainerStateWaiting is a waiting state of a container.",
    fields: [
      { name: "reason", proto: 1, type: "string", description: "(brief) reason the container is not yet running." },
      { name: "message", proto: 2, type: "string", description: "Message regarding why the container is not yet running." },
    ],
  },
  { name: `${CORE}.ContainerStateRunning`, description: "ContainerStateRunning is a running state of a container.", fields: [{ name: "startedAt", proto: 1, type: "time", description: "Time at which the container was last (re-)started" }] },
  {
    name: `${CORE}.ContainerStateTerminated`,
    description: "ContainerStateTerminated is a terminated state of a container.",
    fields: [
      { name: "exitCode", proto: 1, type: "int32", required: true, description: "Exit status from the last termination of the container" },
      { name: "reason", proto: 3, type: "string", description: "(brief) reason from the last termination of the container" },
      { name: "finishedAt", proto: 6, type: "time", description: "Time at which the container last terminated" },
    ],
  },
  kind("", "v1", "Event", CORE, "Event is a report of an event somewhere in the cluster.", null, null, EVENT_FIELDS),
  list("", "v1", "Event", CORE),
  {
    name: `${CORE}.ObjectReference`,
    description: "ObjectReference contains enough information to let you inspect or modify the referred object.",
    fields: [
      { name: "kind", proto: 1, type: "string", description: "Kind of the referent." },
      { name: "namespace", proto: 2, type: "string", description: "Namespace of the referent." },
      { name: "name", proto: 3, type: "string", description: "Name of the referent." },
      { name: "uid", proto: 4, type: "string", description: "UID of the referent." },
      { name: "apiVersion", proto: 5, type: "string", description: "API version of the referent." },
      { name: "resourceVersion", proto: 6, type: "string", description: "Specific resourceVersion to which this reference is made, if any." },
      { name: "fieldPath", proto: 7, type: "string", description: "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement." },
    ],
  },
  {
    name: `${CORE}.EventSource`,
    description: "EventSource contains information for an event.",
    fields: [
      { name: "component", proto: 1, type: "string", description: "Component from which the event is generated." },
      { name: "host", proto: 2, type: "string", description: "Node name on which the event is generated." },
    ],
  },
  {
    name: `${CORE}.Namespace`,
    description: "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
    gvk: { group: "", version: "v1", kind: "Namespace" },
    fields: [
      API_VERSION,
      KIND,
      OBJECT_META,
      { name: "spec", proto: 2, type: ref(`${CORE}.NamespaceSpec`), description: "Spec defines the behavior of the Namespace." },
      { name: "status", proto: 3, type: ref(`${CORE}.NamespaceStatus`), description: "Status describes the current status of a Namespace." },
    ],
  },
  list("", "v1", "Namespace", CORE),
  { name: `${CORE}.NamespaceSpec`, description: "NamespaceSpec describes the attributes on a Namespace.", fields: [{ name: "finalizers", proto: 1, type: arrayOf("string"), listType: "atomic", description: "Finalizers is an opaque list of values that must be empty to permanently remove object from storage." }] },
  { name: `${CORE}.NamespaceStatus`, description: "NamespaceStatus is information about the current status of a Namespace.", fields: [{ name: "phase", proto: 1, type: "string", enum: ["Active", "Terminating"], description: "Phase is the current lifecycle phase of the namespace." }] },
];


const BY_NAME = new Map(TYPES.map((t) => [t.name, t]));

export function typeNamed(name: string): TypeDef {
  const t = BY_NAME.get(name);
  if (!t) throw new Error(`no type ${name} in the kinds' description`);
  return t;
}

/** The top-level type of a kind (`Deployment`, `Scale`, `DeleteOptions`, …). */
export function typeOfKind(kind: string): TypeDef {
  const t = TYPES.find((d) => d.gvk?.kind === kind);
  if (!t) throw new Error(`no kind ${kind} in the kinds' description`);
  return t;
}

/** The referenced type name of a field (of its items for a list), or null for scalars and maps. */
export function refOf(type: FieldType): string | null {
  if (typeof type === "string") return null;
  if ("ref" in type) return type.ref;
  if ("array" in type) return typeof type.array === "string" ? null : type.array.ref;
  return null;
}

/** Every type `root` reaches, `root` first. */
export function closure(roots: readonly string[]): TypeDef[] {
  const seen = new Set<string>();
  const out: TypeDef[] = [];
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const t = typeNamed(name);
    out.push(t);
    for (const f of t.fields) {
      const r = refOf(f.type);
      if (r) visit(r);
    }
  };
  roots.forEach(visit);
  return out;
}

/**
 * The strategic-merge-patch metadata of a kind, by field path without list indices (the form
 * src/domain/patch.ts takes): the lists that merge by key, and the scalar lists merged as sets.
 */
export function patchMetadata(kind: string): { mergeKeys: Record<string, string>; setLists: string[] } {
  const mergeKeys: Record<string, string> = {};
  const setLists: string[] = [];
  const walk = (t: TypeDef, path: string, depth: number) => {
    if (depth > 12) return;
    for (const f of t.fields) {
      const p = path ? `${path}.${f.name}` : f.name;
      if (f.mergeKey) mergeKeys[p] = f.mergeKey;
      else if (f.patchStrategy === "merge") setLists.push(p);
      const r = refOf(f.type);
      if (r) walk(typeNamed(r), p, depth + 1);
    }
  };
  walk(typeOfKind(kind), "", 0);
  return { mergeKeys, setLists };
}

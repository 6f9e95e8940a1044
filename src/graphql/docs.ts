// Descriptions shared by an output type and its input twin (DeploymentSpec and
// DeploymentSpecInput, Container and ContainerInput, ...): one text for both, so the Docs pane
// says the same thing on either side. Everything else is described where it is defined.

export const DOCS = {
  name: "The object's name: unique among objects of its kind in its namespace (a DNS-1123 subdomain, at most 253 characters).",
  namespace: "The namespace the object lives in (a DNS-1123 label); names are unique per kind within a namespace.",
  labels: "Labels: identifying key/value pairs that selectors match (`app: web`).",
  annotations: "Annotations: non-identifying key/value pairs for tools and people (`kubernetes.io/change-cause`, ...).",
  templateLabels: "Labels every pod made from the template carries; they must match the selector.",
  templateAnnotations: "Annotations every pod made from the template carries; changing one starts a rollout like any template change.",
  selector: {
    type: "Which pods an object owns, by their labels. Every requirement must hold (AND); an empty selector is refused for a Deployment or ReplicaSet.",
    matchLabels: "Labels a pod must have with exactly these values (each pair is an `In` requirement with one value).",
    matchExpressions: "Further requirements on labels, each a key, an operator and values.",
  },
  requirement: {
    type: "One requirement of a label selector: key, operator and values.",
    key: "The label key the requirement applies to.",
    operator: "How the label is compared with `values`.",
    values: "The values for In and NotIn (at least one); empty for Exists and DoesNotExist.",
  },
  container: {
    type: "A container of a pod: an image and how to start it.",
    name: "The container's name, unique within the pod (a DNS-1123 label).",
    image: "The image to run, such as `nginx:1.27`. Changing it (setImage) starts a rollout.",
    command: "Overrides the image's entrypoint; empty: the image's own.",
    args: "Arguments to the entrypoint; empty: the image's own.",
    env: "Environment variables set in the container.",
    ports: "Ports the container listens on (informational, as in Kubernetes).",
    resources: "CPU and memory the container requests and may use at most.",
  },
  envVar: { type: "An environment variable of a container.", name: "The variable's name.", value: "The variable's value." },
  port: {
    type: "A port a container listens on.",
    name: "An optional name for the port, unique within the pod (an IANA service name).",
    containerPort: "The port number, 1..65535.",
    protocol: "TCP, UDP or SCTP.",
  },
  resources: {
    type: "Compute resources of a container, as Kubernetes quantities (`cpu: \"250m\"`, `memory: \"64Mi\"`).",
    requests: "What the container is guaranteed; a scheduler places pods by these.",
    limits: "The most the container may use; no request may exceed its limit.",
  },
  podSpec: {
    type: "What a pod runs.",
    containers: "The pod's containers (at least one).",
    terminationGracePeriodSeconds: "Seconds a pod is given to stop after its deletion before it is removed for good.",
  },
  templateMeta: { type: "The metadata of a pod template: what the pods made from it carry." },
  template: {
    type: "The template pods are made from. Its hash (the pod-template-hash label) names the ReplicaSet of a revision.",
    metadata: "Labels and annotations of the pods.",
    spec: "What the pods run.",
  },
  rollingUpdate: {
    type: "How fast a RollingUpdate replaces pods.",
    maxSurge:
      "How many pods above `replicas` may exist during a rollout: a count, or a percentage of `replicas` rounded UP " +
      "(25% of 10 = 3). maxSurge and maxUnavailable may not both be 0.",
    maxUnavailable:
      "How many of `replicas` may be unavailable during a rollout: a count, or a percentage of `replicas` rounded DOWN " +
      "(25% of 10 = 2), at most `replicas`. When both percentages round to 0, one pod may be unavailable, so a rollout always progresses.",
  },
  strategy: {
    type: "How a Deployment replaces old pods with new ones.",
    type_: "RollingUpdate (the default) or Recreate.",
    rollingUpdate: "The RollingUpdate limits; null (output) or ignored (input) for Recreate.",
  },
  deploymentSpec: {
    type: "The desired state of a Deployment: what to run and how to roll changes out.",
    replicas: "The number of pods wanted (0 or more). Scaling does not start a rollout.",
    selector: "Which pods the Deployment's ReplicaSets own; it must match the template's labels.",
    template: "The pods to run. Any change to it is a new revision, rolled out by the strategy.",
    strategy: "How old pods are replaced by new ones.",
    minReadySeconds: "Seconds a new pod must be Ready, without a container crashing, before it counts as available.",
    revisionHistoryLimit: "How many old ReplicaSets (scaled to 0) to keep for rollbacks; older ones are deleted.",
    progressDeadlineSeconds:
      "Seconds a rollout may make no progress before its Progressing condition turns False (ProgressDeadlineExceeded); " +
      "it must exceed minReadySeconds. The rollout is not stopped, only reported failed.",
    paused: "While true, template changes are recorded but not rolled out (kubectl rollout pause); scaling still applies.",
  },
  replicaSetSpec: {
    type: "The desired state of a ReplicaSet.",
    replicas: "The number of pods wanted (0 or more).",
    selector: "Which pods the ReplicaSet owns; it must match the template's labels.",
    template: "The pods it creates. A ReplicaSet never changes its existing pods when this changes.",
    minReadySeconds: "Seconds a pod must be Ready before it counts as available.",
  },
  containerStatus: {
    ready: "Whether the container passes its readiness check; a pod is Ready when all its containers are.",
    restartCount: "How many times the container has been restarted.",
  },
  podStatus: {
    phase: "Where the pod is in its life.",
    ready: "Whether the pod serves: its Ready condition. A ReplicaSet counts it available minReadySeconds later.",
    containerStatuses: "One entry per container of the spec.",
    podIP: "The pod's IP address once it has one.",
  },
  nodeId: "The Relay global id: pass it to Query.node to fetch the object again.",
  metadata: "Name, namespace, uid, resourceVersion, generation, labels and owners.",
  observedGeneration:
    "The metadata.generation the controller last acted on. While it is below generation the status describes an older spec: " +
    "wait for it to catch up before trusting the other fields (kubectl rollout status does).",
  byName: {
    namespace: "The object's namespace.",
    name: "The object's name.",
  },
  list: {
    namespace: "Only objects in this namespace; omit for every namespace the token may see.",
    labelSelector: "Only objects whose labels match this kubectl selector: `app=web,tier!=db,env in (a,b),env notin (c),canary,!legacy`.",
    first: "At most this many objects after `after` (0..500); without first and last, the first 100.",
    after: "A cursor from this connection: the page starts after that object.",
    last: "At most this many objects before `before` (0..500), in the same order as forward pages.",
    before: "A cursor from this connection: the page ends before that object.",
  },
} as const;

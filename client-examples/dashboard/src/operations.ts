// The dashboard's operations, typed by graphql-codegen (`npm run codegen`). Watched objects select
// only their own fields: a resumed watch replays past versions, which nested fields would read afresh.
import { graphql } from "../../lib/gql/index.js";

export const DeploymentFields = graphql(`
  fragment DeploymentFields on Deployment {
    ...RolloutFields
    metadata { uid creationTimestamp }
    spec {
      selector { matchLabels matchExpressions { key operator values } }
      paused minReadySeconds progressDeadlineSeconds
      strategy { type rollingUpdate { maxSurge maxUnavailable } }
    }
    status { readyReplicas conditions { status message lastUpdateTime lastTransitionTime } }
  }
`);

export const ReplicaSetFields = graphql(`
  fragment ReplicaSetFields on ReplicaSet {
    metadata { name uid resourceVersion creationTimestamp ownerReferences { uid } }
    revision
    spec { replicas }
    status { replicas readyReplicas availableReplicas }
  }
`);

export const PodFields = graphql(`
  fragment PodFields on Pod {
    metadata { name uid resourceVersion deletionTimestamp ownerReferences { uid } }
    status { phase ready containerStatuses { restartCount state { waiting { reason } } } }
  }
`);

export const NamespacesQuery = graphql(`
  query Namespaces { namespaces }
`);

export const WatchDeployments = graphql(`
  subscription WatchDeployments($namespace: String!, $resourceVersion: String) {
    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {
      type resourceVersion object { ... on Deployment { ...DeploymentFields } }
    }
  }
`);

export const WatchReplicaSets = graphql(`
  subscription WatchReplicaSets($namespace: String!, $labelSelector: String, $resourceVersion: String) {
    watch(kind: ReplicaSet, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {
      type resourceVersion object { ... on ReplicaSet { ...ReplicaSetFields } }
    }
  }
`);

export const WatchPods = graphql(`
  subscription WatchPods($namespace: String!, $labelSelector: String, $resourceVersion: String) {
    watch(kind: Pod, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {
      type resourceVersion object { ... on Pod { ...PodFields } }
    }
  }
`);

export const EventsQuery = graphql(`
  query Events($namespace: String!) {
    events(namespace: $namespace, first: 100) { edges { node { ...EventFields } } }
  }
`);

export const EventFields = graphql(`
  fragment EventFields on Event {
    id type reason message count lastTimestamp involvedObject { kind name }
  }
`);

export const EventsSubscription = graphql(`
  subscription LiveEvents($namespace: String!) {
    events(namespace: $namespace) { ...EventFields }
  }
`);

export const HistoryQuery = graphql(`
  query History($name: String!, $namespace: String!) {
    deployment(name: $name, namespace: $namespace) {
      revision
      history { revision changeCause template { spec { containers { name image } } } }
    }
  }
`);

export const ScaleMutation = graphql(`
  mutation Scale($name: String!, $namespace: String!, $replicas: Int!) {
    scaleDeployment(name: $name, namespace: $namespace, replicas: $replicas) { metadata { name } }
  }
`);

export const PauseMutation = graphql(`
  mutation Pause($name: String!, $namespace: String!) { pauseRollout(name: $name, namespace: $namespace) { metadata { name } } }
`);

export const ResumeMutation = graphql(`
  mutation Resume($name: String!, $namespace: String!) { resumeRollout(name: $name, namespace: $namespace) { metadata { name } } }
`);

export const RestartMutation = graphql(`
  mutation Restart($name: String!, $namespace: String!) { restartRollout(name: $name, namespace: $namespace) { metadata { name } } }
`);

/** How many objects of each kind the namespace has (ReplicaSets and pods: those matching labelSelector): an empty snapshot sends no watch event. */
export const CountsQuery = graphql(`
  query Counts($namespace: String!, $labelSelector: String) {
    deployments(namespace: $namespace, first: 1) { totalCount }
    replicaSets(namespace: $namespace, labelSelector: $labelSelector, first: 1) { totalCount }
    pods(namespace: $namespace, labelSelector: $labelSelector, first: 1) { totalCount }
  }
`);

/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment DeploymentFields on Deployment {\n    ...RolloutFields\n    metadata { uid creationTimestamp }\n    spec {\n      selector { matchLabels matchExpressions { key operator values } }\n      paused minReadySeconds progressDeadlineSeconds\n      strategy { type rollingUpdate { maxSurge maxUnavailable } }\n    }\n    status { readyReplicas conditions { status message lastUpdateTime lastTransitionTime } }\n  }\n": typeof types.DeploymentFieldsFragmentDoc,
    "\n  fragment ReplicaSetFields on ReplicaSet {\n    metadata { name uid resourceVersion creationTimestamp ownerReferences { uid } }\n    revision\n    spec { replicas }\n    status { replicas readyReplicas availableReplicas }\n  }\n": typeof types.ReplicaSetFieldsFragmentDoc,
    "\n  fragment PodFields on Pod {\n    metadata { name uid resourceVersion deletionTimestamp ownerReferences { uid } }\n    status { phase ready containerStatuses { restartCount state { waiting { reason } } } }\n  }\n": typeof types.PodFieldsFragmentDoc,
    "\n  query Namespaces { namespaces }\n": typeof types.NamespacesDocument,
    "\n  subscription WatchDeployments($namespace: String!, $resourceVersion: String) {\n    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on Deployment { ...DeploymentFields } }\n    }\n  }\n": typeof types.WatchDeploymentsDocument,
    "\n  subscription WatchReplicaSets($namespace: String!, $labelSelector: String, $resourceVersion: String) {\n    watch(kind: ReplicaSet, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on ReplicaSet { ...ReplicaSetFields } }\n    }\n  }\n": typeof types.WatchReplicaSetsDocument,
    "\n  subscription WatchPods($namespace: String!, $labelSelector: String, $resourceVersion: String) {\n    watch(kind: Pod, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on Pod { ...PodFields } }\n    }\n  }\n": typeof types.WatchPodsDocument,
    "\n  query Events($namespace: String!) {\n    events(namespace: $namespace, first: 100) { edges { node { ...EventFields } } }\n  }\n": typeof types.EventsDocument,
    "\n  fragment EventFields on Event {\n    id type reason message count lastTimestamp involvedObject { kind name }\n  }\n": typeof types.EventFieldsFragmentDoc,
    "\n  subscription LiveEvents($namespace: String!) {\n    events(namespace: $namespace) { ...EventFields }\n  }\n": typeof types.LiveEventsDocument,
    "\n  query History($name: String!, $namespace: String!) {\n    deployment(name: $name, namespace: $namespace) {\n      revision\n      history { revision changeCause template { spec { containers { name image } } } }\n    }\n  }\n": typeof types.HistoryDocument,
    "\n  mutation Scale($name: String!, $namespace: String!, $replicas: Int!) {\n    scaleDeployment(name: $name, namespace: $namespace, replicas: $replicas) { metadata { name } }\n  }\n": typeof types.ScaleDocument,
    "\n  mutation Pause($name: String!, $namespace: String!) { pauseRollout(name: $name, namespace: $namespace) { metadata { name } } }\n": typeof types.PauseDocument,
    "\n  mutation Resume($name: String!, $namespace: String!) { resumeRollout(name: $name, namespace: $namespace) { metadata { name } } }\n": typeof types.ResumeDocument,
    "\n  mutation Restart($name: String!, $namespace: String!) { restartRollout(name: $name, namespace: $namespace) { metadata { name } } }\n": typeof types.RestartDocument,
    "\n  query Counts($namespace: String!, $labelSelector: String) {\n    deployments(namespace: $namespace, first: 1) { totalCount }\n    replicaSets(namespace: $namespace, labelSelector: $labelSelector, first: 1) { totalCount }\n    pods(namespace: $namespace, labelSelector: $labelSelector, first: 1) { totalCount }\n  }\n": typeof types.CountsDocument,
    "\n  mutation CreateDemoDeployment($metadata: ObjectMetaInput!, $spec: DeploymentSpecInput!) {\n    createDeployment(metadata: $metadata, spec: $spec) { metadata { name } }\n  }\n": typeof types.CreateDemoDeploymentDocument,
    "\n  mutation UpdateDemoDeployment($name: String!, $spec: DeploymentSpecInput!, $changeCause: String) {\n    updateDeployment(name: $name, spec: $spec, changeCause: $changeCause) { metadata { name } }\n  }\n": typeof types.UpdateDemoDeploymentDocument,
    "\n  mutation ScaleDemoDeployment($name: String!, $replicas: Int!) {\n    scaleDeployment(name: $name, replicas: $replicas) { metadata { name } }\n  }\n": typeof types.ScaleDemoDeploymentDocument,
    "\n  fragment RolloutFields on Deployment {\n    metadata { name namespace resourceVersion generation }\n    revision\n    spec { replicas template { spec { containers { name image } } } }\n    status { observedGeneration replicas updatedReplicas availableReplicas conditions { type reason } }\n  }\n": typeof types.RolloutFieldsFragmentDoc,
    "\n  query DeploymentRollout($name: String!, $namespace: String!) {\n    deployment(name: $name, namespace: $namespace) { ...RolloutFields }\n  }\n": typeof types.DeploymentRolloutDocument,
    "\n  subscription WatchDeploymentRollouts($namespace: String!, $resourceVersion: String) {\n    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {\n      type\n      resourceVersion\n      object { ... on Deployment { ...RolloutFields } }\n    }\n  }\n": typeof types.WatchDeploymentRolloutsDocument,
    "\n  mutation SetImage($name: String!, $namespace: String!, $container: String!, $image: String!, $changeCause: String) {\n    setImage(name: $name, namespace: $namespace, container: $container, image: $image, changeCause: $changeCause) { ...RolloutFields }\n  }\n": typeof types.SetImageDocument,
    "\n  mutation Rollback($name: String!, $namespace: String!, $toRevision: Int) {\n    rollbackDeployment(name: $name, namespace: $namespace, toRevision: $toRevision) { ...RolloutFields }\n  }\n": typeof types.RollbackDocument,
    "\n  query Viewer {\n    viewer { authenticated name role namespaces expiresAt }\n  }\n": typeof types.ViewerDocument,
};
const documents: Documents = {
    "\n  fragment DeploymentFields on Deployment {\n    ...RolloutFields\n    metadata { uid creationTimestamp }\n    spec {\n      selector { matchLabels matchExpressions { key operator values } }\n      paused minReadySeconds progressDeadlineSeconds\n      strategy { type rollingUpdate { maxSurge maxUnavailable } }\n    }\n    status { readyReplicas conditions { status message lastUpdateTime lastTransitionTime } }\n  }\n": types.DeploymentFieldsFragmentDoc,
    "\n  fragment ReplicaSetFields on ReplicaSet {\n    metadata { name uid resourceVersion creationTimestamp ownerReferences { uid } }\n    revision\n    spec { replicas }\n    status { replicas readyReplicas availableReplicas }\n  }\n": types.ReplicaSetFieldsFragmentDoc,
    "\n  fragment PodFields on Pod {\n    metadata { name uid resourceVersion deletionTimestamp ownerReferences { uid } }\n    status { phase ready containerStatuses { restartCount state { waiting { reason } } } }\n  }\n": types.PodFieldsFragmentDoc,
    "\n  query Namespaces { namespaces }\n": types.NamespacesDocument,
    "\n  subscription WatchDeployments($namespace: String!, $resourceVersion: String) {\n    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on Deployment { ...DeploymentFields } }\n    }\n  }\n": types.WatchDeploymentsDocument,
    "\n  subscription WatchReplicaSets($namespace: String!, $labelSelector: String, $resourceVersion: String) {\n    watch(kind: ReplicaSet, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on ReplicaSet { ...ReplicaSetFields } }\n    }\n  }\n": types.WatchReplicaSetsDocument,
    "\n  subscription WatchPods($namespace: String!, $labelSelector: String, $resourceVersion: String) {\n    watch(kind: Pod, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on Pod { ...PodFields } }\n    }\n  }\n": types.WatchPodsDocument,
    "\n  query Events($namespace: String!) {\n    events(namespace: $namespace, first: 100) { edges { node { ...EventFields } } }\n  }\n": types.EventsDocument,
    "\n  fragment EventFields on Event {\n    id type reason message count lastTimestamp involvedObject { kind name }\n  }\n": types.EventFieldsFragmentDoc,
    "\n  subscription LiveEvents($namespace: String!) {\n    events(namespace: $namespace) { ...EventFields }\n  }\n": types.LiveEventsDocument,
    "\n  query History($name: String!, $namespace: String!) {\n    deployment(name: $name, namespace: $namespace) {\n      revision\n      history { revision changeCause template { spec { containers { name image } } } }\n    }\n  }\n": types.HistoryDocument,
    "\n  mutation Scale($name: String!, $namespace: String!, $replicas: Int!) {\n    scaleDeployment(name: $name, namespace: $namespace, replicas: $replicas) { metadata { name } }\n  }\n": types.ScaleDocument,
    "\n  mutation Pause($name: String!, $namespace: String!) { pauseRollout(name: $name, namespace: $namespace) { metadata { name } } }\n": types.PauseDocument,
    "\n  mutation Resume($name: String!, $namespace: String!) { resumeRollout(name: $name, namespace: $namespace) { metadata { name } } }\n": types.ResumeDocument,
    "\n  mutation Restart($name: String!, $namespace: String!) { restartRollout(name: $name, namespace: $namespace) { metadata { name } } }\n": types.RestartDocument,
    "\n  query Counts($namespace: String!, $labelSelector: String) {\n    deployments(namespace: $namespace, first: 1) { totalCount }\n    replicaSets(namespace: $namespace, labelSelector: $labelSelector, first: 1) { totalCount }\n    pods(namespace: $namespace, labelSelector: $labelSelector, first: 1) { totalCount }\n  }\n": types.CountsDocument,
    "\n  mutation CreateDemoDeployment($metadata: ObjectMetaInput!, $spec: DeploymentSpecInput!) {\n    createDeployment(metadata: $metadata, spec: $spec) { metadata { name } }\n  }\n": types.CreateDemoDeploymentDocument,
    "\n  mutation UpdateDemoDeployment($name: String!, $spec: DeploymentSpecInput!, $changeCause: String) {\n    updateDeployment(name: $name, spec: $spec, changeCause: $changeCause) { metadata { name } }\n  }\n": types.UpdateDemoDeploymentDocument,
    "\n  mutation ScaleDemoDeployment($name: String!, $replicas: Int!) {\n    scaleDeployment(name: $name, replicas: $replicas) { metadata { name } }\n  }\n": types.ScaleDemoDeploymentDocument,
    "\n  fragment RolloutFields on Deployment {\n    metadata { name namespace resourceVersion generation }\n    revision\n    spec { replicas template { spec { containers { name image } } } }\n    status { observedGeneration replicas updatedReplicas availableReplicas conditions { type reason } }\n  }\n": types.RolloutFieldsFragmentDoc,
    "\n  query DeploymentRollout($name: String!, $namespace: String!) {\n    deployment(name: $name, namespace: $namespace) { ...RolloutFields }\n  }\n": types.DeploymentRolloutDocument,
    "\n  subscription WatchDeploymentRollouts($namespace: String!, $resourceVersion: String) {\n    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {\n      type\n      resourceVersion\n      object { ... on Deployment { ...RolloutFields } }\n    }\n  }\n": types.WatchDeploymentRolloutsDocument,
    "\n  mutation SetImage($name: String!, $namespace: String!, $container: String!, $image: String!, $changeCause: String) {\n    setImage(name: $name, namespace: $namespace, container: $container, image: $image, changeCause: $changeCause) { ...RolloutFields }\n  }\n": types.SetImageDocument,
    "\n  mutation Rollback($name: String!, $namespace: String!, $toRevision: Int) {\n    rollbackDeployment(name: $name, namespace: $namespace, toRevision: $toRevision) { ...RolloutFields }\n  }\n": types.RollbackDocument,
    "\n  query Viewer {\n    viewer { authenticated name role namespaces expiresAt }\n  }\n": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DeploymentFields on Deployment {\n    ...RolloutFields\n    metadata { uid creationTimestamp }\n    spec {\n      selector { matchLabels matchExpressions { key operator values } }\n      paused minReadySeconds progressDeadlineSeconds\n      strategy { type rollingUpdate { maxSurge maxUnavailable } }\n    }\n    status { readyReplicas conditions { status message lastUpdateTime lastTransitionTime } }\n  }\n"): (typeof documents)["\n  fragment DeploymentFields on Deployment {\n    ...RolloutFields\n    metadata { uid creationTimestamp }\n    spec {\n      selector { matchLabels matchExpressions { key operator values } }\n      paused minReadySeconds progressDeadlineSeconds\n      strategy { type rollingUpdate { maxSurge maxUnavailable } }\n    }\n    status { readyReplicas conditions { status message lastUpdateTime lastTransitionTime } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReplicaSetFields on ReplicaSet {\n    metadata { name uid resourceVersion creationTimestamp ownerReferences { uid } }\n    revision\n    spec { replicas }\n    status { replicas readyReplicas availableReplicas }\n  }\n"): (typeof documents)["\n  fragment ReplicaSetFields on ReplicaSet {\n    metadata { name uid resourceVersion creationTimestamp ownerReferences { uid } }\n    revision\n    spec { replicas }\n    status { replicas readyReplicas availableReplicas }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PodFields on Pod {\n    metadata { name uid resourceVersion deletionTimestamp ownerReferences { uid } }\n    status { phase ready containerStatuses { restartCount state { waiting { reason } } } }\n  }\n"): (typeof documents)["\n  fragment PodFields on Pod {\n    metadata { name uid resourceVersion deletionTimestamp ownerReferences { uid } }\n    status { phase ready containerStatuses { restartCount state { waiting { reason } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Namespaces { namespaces }\n"): (typeof documents)["\n  query Namespaces { namespaces }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchDeployments($namespace: String!, $resourceVersion: String) {\n    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on Deployment { ...DeploymentFields } }\n    }\n  }\n"): (typeof documents)["\n  subscription WatchDeployments($namespace: String!, $resourceVersion: String) {\n    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on Deployment { ...DeploymentFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchReplicaSets($namespace: String!, $labelSelector: String, $resourceVersion: String) {\n    watch(kind: ReplicaSet, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on ReplicaSet { ...ReplicaSetFields } }\n    }\n  }\n"): (typeof documents)["\n  subscription WatchReplicaSets($namespace: String!, $labelSelector: String, $resourceVersion: String) {\n    watch(kind: ReplicaSet, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on ReplicaSet { ...ReplicaSetFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchPods($namespace: String!, $labelSelector: String, $resourceVersion: String) {\n    watch(kind: Pod, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on Pod { ...PodFields } }\n    }\n  }\n"): (typeof documents)["\n  subscription WatchPods($namespace: String!, $labelSelector: String, $resourceVersion: String) {\n    watch(kind: Pod, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {\n      type resourceVersion object { ... on Pod { ...PodFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Events($namespace: String!) {\n    events(namespace: $namespace, first: 100) { edges { node { ...EventFields } } }\n  }\n"): (typeof documents)["\n  query Events($namespace: String!) {\n    events(namespace: $namespace, first: 100) { edges { node { ...EventFields } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EventFields on Event {\n    id type reason message count lastTimestamp involvedObject { kind name }\n  }\n"): (typeof documents)["\n  fragment EventFields on Event {\n    id type reason message count lastTimestamp involvedObject { kind name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveEvents($namespace: String!) {\n    events(namespace: $namespace) { ...EventFields }\n  }\n"): (typeof documents)["\n  subscription LiveEvents($namespace: String!) {\n    events(namespace: $namespace) { ...EventFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query History($name: String!, $namespace: String!) {\n    deployment(name: $name, namespace: $namespace) {\n      revision\n      history { revision changeCause template { spec { containers { name image } } } }\n    }\n  }\n"): (typeof documents)["\n  query History($name: String!, $namespace: String!) {\n    deployment(name: $name, namespace: $namespace) {\n      revision\n      history { revision changeCause template { spec { containers { name image } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Scale($name: String!, $namespace: String!, $replicas: Int!) {\n    scaleDeployment(name: $name, namespace: $namespace, replicas: $replicas) { metadata { name } }\n  }\n"): (typeof documents)["\n  mutation Scale($name: String!, $namespace: String!, $replicas: Int!) {\n    scaleDeployment(name: $name, namespace: $namespace, replicas: $replicas) { metadata { name } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Pause($name: String!, $namespace: String!) { pauseRollout(name: $name, namespace: $namespace) { metadata { name } } }\n"): (typeof documents)["\n  mutation Pause($name: String!, $namespace: String!) { pauseRollout(name: $name, namespace: $namespace) { metadata { name } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Resume($name: String!, $namespace: String!) { resumeRollout(name: $name, namespace: $namespace) { metadata { name } } }\n"): (typeof documents)["\n  mutation Resume($name: String!, $namespace: String!) { resumeRollout(name: $name, namespace: $namespace) { metadata { name } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Restart($name: String!, $namespace: String!) { restartRollout(name: $name, namespace: $namespace) { metadata { name } } }\n"): (typeof documents)["\n  mutation Restart($name: String!, $namespace: String!) { restartRollout(name: $name, namespace: $namespace) { metadata { name } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Counts($namespace: String!, $labelSelector: String) {\n    deployments(namespace: $namespace, first: 1) { totalCount }\n    replicaSets(namespace: $namespace, labelSelector: $labelSelector, first: 1) { totalCount }\n    pods(namespace: $namespace, labelSelector: $labelSelector, first: 1) { totalCount }\n  }\n"): (typeof documents)["\n  query Counts($namespace: String!, $labelSelector: String) {\n    deployments(namespace: $namespace, first: 1) { totalCount }\n    replicaSets(namespace: $namespace, labelSelector: $labelSelector, first: 1) { totalCount }\n    pods(namespace: $namespace, labelSelector: $labelSelector, first: 1) { totalCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDemoDeployment($metadata: ObjectMetaInput!, $spec: DeploymentSpecInput!) {\n    createDeployment(metadata: $metadata, spec: $spec) { metadata { name } }\n  }\n"): (typeof documents)["\n  mutation CreateDemoDeployment($metadata: ObjectMetaInput!, $spec: DeploymentSpecInput!) {\n    createDeployment(metadata: $metadata, spec: $spec) { metadata { name } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateDemoDeployment($name: String!, $spec: DeploymentSpecInput!, $changeCause: String) {\n    updateDeployment(name: $name, spec: $spec, changeCause: $changeCause) { metadata { name } }\n  }\n"): (typeof documents)["\n  mutation UpdateDemoDeployment($name: String!, $spec: DeploymentSpecInput!, $changeCause: String) {\n    updateDeployment(name: $name, spec: $spec, changeCause: $changeCause) { metadata { name } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ScaleDemoDeployment($name: String!, $replicas: Int!) {\n    scaleDeployment(name: $name, replicas: $replicas) { metadata { name } }\n  }\n"): (typeof documents)["\n  mutation ScaleDemoDeployment($name: String!, $replicas: Int!) {\n    scaleDeployment(name: $name, replicas: $replicas) { metadata { name } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RolloutFields on Deployment {\n    metadata { name namespace resourceVersion generation }\n    revision\n    spec { replicas template { spec { containers { name image } } } }\n    status { observedGeneration replicas updatedReplicas availableReplicas conditions { type reason } }\n  }\n"): (typeof documents)["\n  fragment RolloutFields on Deployment {\n    metadata { name namespace resourceVersion generation }\n    revision\n    spec { replicas template { spec { containers { name image } } } }\n    status { observedGeneration replicas updatedReplicas availableReplicas conditions { type reason } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeploymentRollout($name: String!, $namespace: String!) {\n    deployment(name: $name, namespace: $namespace) { ...RolloutFields }\n  }\n"): (typeof documents)["\n  query DeploymentRollout($name: String!, $namespace: String!) {\n    deployment(name: $name, namespace: $namespace) { ...RolloutFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchDeploymentRollouts($namespace: String!, $resourceVersion: String) {\n    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {\n      type\n      resourceVersion\n      object { ... on Deployment { ...RolloutFields } }\n    }\n  }\n"): (typeof documents)["\n  subscription WatchDeploymentRollouts($namespace: String!, $resourceVersion: String) {\n    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {\n      type\n      resourceVersion\n      object { ... on Deployment { ...RolloutFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetImage($name: String!, $namespace: String!, $container: String!, $image: String!, $changeCause: String) {\n    setImage(name: $name, namespace: $namespace, container: $container, image: $image, changeCause: $changeCause) { ...RolloutFields }\n  }\n"): (typeof documents)["\n  mutation SetImage($name: String!, $namespace: String!, $container: String!, $image: String!, $changeCause: String) {\n    setImage(name: $name, namespace: $namespace, container: $container, image: $image, changeCause: $changeCause) { ...RolloutFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Rollback($name: String!, $namespace: String!, $toRevision: Int) {\n    rollbackDeployment(name: $name, namespace: $namespace, toRevision: $toRevision) { ...RolloutFields }\n  }\n"): (typeof documents)["\n  mutation Rollback($name: String!, $namespace: String!, $toRevision: Int) {\n    rollbackDeployment(name: $name, namespace: $namespace, toRevision: $toRevision) { ...RolloutFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer { authenticated name role namespaces expiresAt }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer { authenticated name role namespaces expiresAt }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
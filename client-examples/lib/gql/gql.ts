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
    "\n  fragment RolloutFields on Deployment {\n    metadata { name namespace resourceVersion generation }\n    revision\n    spec { replicas template { spec { containers { name image } } } }\n    status { observedGeneration replicas updatedReplicas availableReplicas conditions { type reason } }\n  }\n": typeof types.RolloutFieldsFragmentDoc,
    "\n  query DeploymentRollout($name: String!, $namespace: String!) {\n    deployment(name: $name, namespace: $namespace) { ...RolloutFields }\n  }\n": typeof types.DeploymentRolloutDocument,
    "\n  subscription WatchDeploymentRollouts($namespace: String!, $resourceVersion: String) {\n    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {\n      type\n      resourceVersion\n      object { ... on Deployment { ...RolloutFields } }\n    }\n  }\n": typeof types.WatchDeploymentRolloutsDocument,
    "\n  mutation SetImage($name: String!, $namespace: String!, $container: String!, $image: String!, $changeCause: String) {\n    setImage(name: $name, namespace: $namespace, container: $container, image: $image, changeCause: $changeCause) { ...RolloutFields }\n  }\n": typeof types.SetImageDocument,
    "\n  mutation Rollback($name: String!, $namespace: String!, $toRevision: Int) {\n    rollbackDeployment(name: $name, namespace: $namespace, toRevision: $toRevision) { ...RolloutFields }\n  }\n": typeof types.RollbackDocument,
};
const documents: Documents = {
    "\n  fragment RolloutFields on Deployment {\n    metadata { name namespace resourceVersion generation }\n    revision\n    spec { replicas template { spec { containers { name image } } } }\n    status { observedGeneration replicas updatedReplicas availableReplicas conditions { type reason } }\n  }\n": types.RolloutFieldsFragmentDoc,
    "\n  query DeploymentRollout($name: String!, $namespace: String!) {\n    deployment(name: $name, namespace: $namespace) { ...RolloutFields }\n  }\n": types.DeploymentRolloutDocument,
    "\n  subscription WatchDeploymentRollouts($namespace: String!, $resourceVersion: String) {\n    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {\n      type\n      resourceVersion\n      object { ... on Deployment { ...RolloutFields } }\n    }\n  }\n": types.WatchDeploymentRolloutsDocument,
    "\n  mutation SetImage($name: String!, $namespace: String!, $container: String!, $image: String!, $changeCause: String) {\n    setImage(name: $name, namespace: $namespace, container: $container, image: $image, changeCause: $changeCause) { ...RolloutFields }\n  }\n": types.SetImageDocument,
    "\n  mutation Rollback($name: String!, $namespace: String!, $toRevision: Int) {\n    rollbackDeployment(name: $name, namespace: $namespace, toRevision: $toRevision) { ...RolloutFields }\n  }\n": types.RollbackDocument,
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

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
// Every operation the client examples send, typed by graphql-codegen (`npm run codegen`).
import { graphql } from "./gql/index.js";

/**
 * One Deployment as `kubectl rollout status` reads it. Only the object's own fields: a watch
 * replays past versions of the object, and the line is computed from each (lib/rollout.ts).
 */
export const RolloutFields = graphql(`
  fragment RolloutFields on Deployment {
    metadata { name namespace resourceVersion generation }
    revision
    spec { replicas template { spec { containers { name image } } } }
    status { observedGeneration replicas updatedReplicas availableReplicas conditions { type reason } }
  }
`);

export const DeploymentRolloutQuery = graphql(`
  query DeploymentRollout($name: String!, $namespace: String!) {
    deployment(name: $name, namespace: $namespace) { ...RolloutFields }
  }
`);

/** Deployments of a namespace from a resourceVersion (or from a snapshot when it is null). */
export const WatchDeploymentRollouts = graphql(`
  subscription WatchDeploymentRollouts($namespace: String!, $resourceVersion: String) {
    watch(kind: Deployment, namespace: $namespace, resourceVersion: $resourceVersion) {
      type
      resourceVersion
      object { ... on Deployment { ...RolloutFields } }
    }
  }
`);

export const SetImageMutation = graphql(`
  mutation SetImage($name: String!, $namespace: String!, $container: String!, $image: String!, $changeCause: String) {
    setImage(name: $name, namespace: $namespace, container: $container, image: $image, changeCause: $changeCause) { ...RolloutFields }
  }
`);

export const RollbackMutation = graphql(`
  mutation Rollback($name: String!, $namespace: String!, $toRevision: Int) {
    rollbackDeployment(name: $name, namespace: $namespace, toRevision: $toRevision) { ...RolloutFields }
  }
`);

/** Who the token is: what the examples and the dashboard may offer before trying (lib/caller.ts). */
export const ViewerQuery = graphql(`
  query Viewer {
    viewer { authenticated name role namespaces expiresAt }
  }
`);

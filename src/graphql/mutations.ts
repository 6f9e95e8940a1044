// The contract's mutations. Each resolver hands its arguments to one write path of src/db (one
// transaction each, returning the row loaded with the relations the selection needs) and turns a
// refusal into its typed error; anything else is a server fault.
import { Refusal } from "../domain/refusals.ts";
import * as deployments from "../db/deployment-writes.ts";
import * as pods from "../db/pod-writes.ts";
import * as replicaSets from "../db/replicaset-writes.ts";
import { builder } from "./builder.ts";
import { refusalError } from "./errors.ts";
import { DeletionPropagation, DeploymentSpecInput, ObjectMetaInput, PodStatusInput, ReplicaSetSpecInput } from "./inputs.ts";

async function typedErrors<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    throw err instanceof Refusal ? refusalError(err) : err;
  }
}

builder.mutationType({ authScopes: { editor: true } });

builder.mutationFields((t) => {
  const byName = { namespace: t.arg.string({ required: true, defaultValue: "default" }), name: t.arg.string({ required: true }) };
  const propagationPolicy = t.arg({ type: DeletionPropagation, defaultValue: "Background" });
  const key = (args: { namespace: string; name: string }) => ({ namespace: args.namespace, name: args.name });
  return {
    createDeployment: t.prismaField({
      type: "Deployment",
      description: "dryRun validates and returns the object as it would be stored, writing nothing",
      args: {
        metadata: t.arg({ type: ObjectMetaInput, required: true }),
        spec: t.arg({ type: DeploymentSpecInput, required: true }),
        dryRun: t.arg.boolean({ defaultValue: false }),
      },
      resolve: (query, _root, { metadata, spec, dryRun }, ctx) =>
        typedErrors(deployments.createDeployment(ctx.db, { metadata, spec }, { query, dryRun: dryRun ?? false })),
    }),
    updateDeployment: t.prismaField({
      type: "Deployment",
      description: "replaces the whole spec (kubectl replace/apply); resourceVersion, when given, must match",
      args: {
        ...byName,
        spec: t.arg({ type: DeploymentSpecInput, required: true }),
        labels: t.arg({ type: "StringMap" }),
        annotations: t.arg({ type: "StringMap" }),
        resourceVersion: t.arg.string(),
        changeCause: t.arg.string(),
        dryRun: t.arg.boolean({ defaultValue: false }),
      },
      resolve: (query, _root, args, ctx) =>
        typedErrors(
          deployments.updateDeployment(
            ctx.db,
            key(args),
            { spec: args.spec, labels: args.labels, annotations: args.annotations, changeCause: args.changeCause },
            { query, resourceVersion: args.resourceVersion, dryRun: args.dryRun ?? false },
          ),
        ),
    }),
    setImage: t.prismaField({
      type: "Deployment",
      description: "kubectl set image",
      args: {
        ...byName,
        container: t.arg.string({ required: true }),
        image: t.arg.string({ required: true }),
        resourceVersion: t.arg.string(),
        changeCause: t.arg.string(),
      },
      resolve: (query, _root, args, ctx) =>
        typedErrors(
          deployments.setImage(ctx.db, key(args), { container: args.container, image: args.image, changeCause: args.changeCause }, { query, resourceVersion: args.resourceVersion }),
        ),
    }),
    scaleDeployment: t.prismaField({
      type: "Deployment",
      args: { ...byName, replicas: t.arg.int({ required: true }) },
      resolve: (query, _root, args, ctx) => typedErrors(deployments.scaleDeployment(ctx.db, key(args), args.replicas, { query })),
    }),
    pauseRollout: t.prismaField({
      type: "Deployment",
      args: byName,
      resolve: (query, _root, args, ctx) => typedErrors(deployments.pauseRollout(ctx.db, key(args), { query })),
    }),
    resumeRollout: t.prismaField({
      type: "Deployment",
      args: byName,
      resolve: (query, _root, args, ctx) => typedErrors(deployments.resumeRollout(ctx.db, key(args), { query })),
    }),
    restartRollout: t.prismaField({
      type: "Deployment",
      args: byName,
      resolve: (query, _root, args, ctx) => typedErrors(deployments.restartRollout(ctx.db, key(args), { query })),
    }),
    rollbackDeployment: t.prismaField({
      type: "Deployment",
      description: "toRevision 0 = the previous revision",
      args: { ...byName, toRevision: t.arg.int({ defaultValue: 0 }) },
      resolve: (query, _root, args, ctx) => typedErrors(deployments.rollbackDeployment(ctx.db, key(args), args.toRevision ?? 0, { query })),
    }),
    deleteDeployment: t.prismaField({
      type: "Deployment",
      args: { ...byName, propagationPolicy },
      resolve: (query, _root, args, ctx) =>
        typedErrors(deployments.deleteDeployment(ctx.db, key(args), args.propagationPolicy ?? "Background", { query })),
    }),
    createReplicaSet: t.prismaField({
      type: "ReplicaSet",
      args: { metadata: t.arg({ type: ObjectMetaInput, required: true }), spec: t.arg({ type: ReplicaSetSpecInput, required: true }) },
      resolve: (query, _root, { metadata, spec }, ctx) => typedErrors(replicaSets.createReplicaSet(ctx.db, { metadata, spec }, { query })),
    }),
    scaleReplicaSet: t.prismaField({
      type: "ReplicaSet",
      args: { ...byName, replicas: t.arg.int({ required: true }) },
      resolve: (query, _root, args, ctx) => typedErrors(replicaSets.scaleReplicaSet(ctx.db, key(args), args.replicas, { query })),
    }),
    deleteReplicaSet: t.prismaField({
      type: "ReplicaSet",
      args: { ...byName, propagationPolicy },
      resolve: (query, _root, args, ctx) =>
        typedErrors(replicaSets.deleteReplicaSet(ctx.db, key(args), args.propagationPolicy ?? "Background", { query })),
    }),
    deletePod: t.prismaField({
      type: "Pod",
      description: "a pod lost (node failure, eviction): its ReplicaSet replaces it",
      args: { ...byName, gracePeriodSeconds: t.arg.int() },
      resolve: (query, _root, args, ctx) => typedErrors(pods.deletePod(ctx.db, key(args), args.gracePeriodSeconds, { query })),
    }),
    updatePodStatus: t.prismaField({
      type: "Pod",
      description: "what a node agent reports about a pod it runs",
      args: { ...byName, status: t.arg({ type: PodStatusInput, required: true }) },
      resolve: (query, _root, args, ctx) => typedErrors(pods.updatePodStatus(ctx.db, key(args), args.status, { query })),
    }),
  };
});

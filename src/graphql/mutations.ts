// The contract's mutations. Each resolver hands its arguments to one write path of src/db (one
// transaction each, returning the row loaded with the relations the selection needs) and turns a
// refusal into its typed error; anything else is a server fault.
import { Refusal } from "../domain/refusals.ts";
import * as deployments from "../db/deployment-writes.ts";
import * as pods from "../db/pod-writes.ts";
import * as replicaSets from "../db/replicaset-writes.ts";
import { builder } from "./builder.ts";
import { DOCS } from "./docs.ts";
import { refusalError } from "./errors.ts";
import { DeletionPropagation, DeploymentSpecInput, ObjectMetaInput, PodStatusInput, ReplicaSetSpecInput } from "./inputs.ts";

async function typedErrors<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    throw err instanceof Refusal ? refusalError(err) : err;
  }
}

builder.mutationType({
  description:
    "Writes (editor role, within the token's namespaces). Each is one transaction: it applies whole or not at all. " +
    "A refused write says why in `extensions.code`: BAD_USER_INPUT (with field paths), NOT_FOUND for a missing object, " +
    "ALREADY_EXISTS, CONFLICT for a stale resourceVersion or a state that forbids the write (pausing a paused Deployment).",
  authScopes: { editor: true },
});

builder.mutationFields((t) => {
  const byName = {
    namespace: t.arg.string({ required: true, defaultValue: "default", description: DOCS.byName.namespace }),
    name: t.arg.string({ required: true, description: `${DOCS.byName.name} NOT_FOUND when there is none.` }),
  };
  const propagationPolicy = t.arg({ type: DeletionPropagation, defaultValue: "Background", description: "What happens to the objects it owns." });
  const dryRun = t.arg.boolean({ defaultValue: false, description: "Validate and answer with the object as it would be stored, writing nothing." });
  const resourceVersion = t.arg.string({ description: "When given, the write is refused with CONFLICT unless the object still has this resourceVersion." });
  const changeCause = t.arg.string({ description: "Recorded as the kubernetes.io/change-cause annotation, shown by the rollout history." });
  const key = (args: { namespace: string; name: string }) => ({ namespace: args.namespace, name: args.name });
  return {
    createDeployment: t.prismaField({
      type: "Deployment",
      description: "Creates a Deployment (kubectl create); its controller then creates the first ReplicaSet. ALREADY_EXISTS when the name is taken.",
      args: {
        metadata: t.arg({ type: ObjectMetaInput, required: true, description: "Name, namespace, labels and annotations." }),
        spec: t.arg({ type: DeploymentSpecInput, required: true, description: "The desired state." }),
        dryRun,
      },
      resolve: (query, _root, { metadata, spec, dryRun }, ctx) =>
        typedErrors(deployments.createDeployment(ctx.db, { metadata, spec }, { query, dryRun: dryRun ?? false })),
    }),
    updateDeployment: t.prismaField({
      type: "Deployment",
      description: "Replaces the whole spec (kubectl replace/apply). A changed template starts a rollout; a changed replica count only scales.",
      args: {
        ...byName,
        spec: t.arg({ type: DeploymentSpecInput, required: true, description: "The new desired state, whole." }),
        labels: t.arg({ type: "StringMap", description: "When given, the object's labels are replaced by these." }),
        annotations: t.arg({ type: "StringMap", description: "When given, the object's annotations are replaced by these (the revision annotation is kept)." }),
        resourceVersion,
        changeCause,
        dryRun,
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
      description: "Sets one container's image (kubectl set image), which starts a rollout when the image changes.",
      args: {
        ...byName,
        container: t.arg.string({ required: true, description: "The container's name in the template; BAD_USER_INPUT when there is none." }),
        image: t.arg.string({ required: true, description: "The new image." }),
        resourceVersion,
        changeCause,
      },
      resolve: (query, _root, args, ctx) =>
        typedErrors(
          deployments.setImage(ctx.db, key(args), { container: args.container, image: args.image, changeCause: args.changeCause }, { query, resourceVersion: args.resourceVersion }),
        ),
    }),
    scaleDeployment: t.prismaField({
      type: "Deployment",
      description: "Sets spec.replicas (kubectl scale). During a rollout the change is shared among the ReplicaSets in proportion to their sizes.",
      args: { ...byName, replicas: t.arg.int({ required: true, description: "The number of pods wanted (0 or more)." }) },
      resolve: (query, _root, args, ctx) => typedErrors(deployments.scaleDeployment(ctx.db, key(args), args.replicas, { query })),
    }),
    pauseRollout: t.prismaField({
      type: "Deployment",
      description: "Sets spec.paused (kubectl rollout pause): template changes wait until resumeRollout.",
      args: byName,
      resolve: (query, _root, args, ctx) => typedErrors(deployments.pauseRollout(ctx.db, key(args), { query })),
    }),
    resumeRollout: t.prismaField({
      type: "Deployment",
      description: "Clears spec.paused (kubectl rollout resume): pending template changes roll out.",
      args: byName,
      resolve: (query, _root, args, ctx) => typedErrors(deployments.resumeRollout(ctx.db, key(args), { query })),
    }),
    restartRollout: t.prismaField({
      type: "Deployment",
      description: "Replaces every pod (kubectl rollout restart) by stamping a restartedAt annotation on the template: a new revision.",
      args: byName,
      resolve: (query, _root, args, ctx) => typedErrors(deployments.restartRollout(ctx.db, key(args), { query })),
    }),
    rollbackDeployment: t.prismaField({
      type: "Deployment",
      description: "Rolls back to an earlier revision's template (kubectl rollout undo), which becomes the newest revision.",
      args: { ...byName, toRevision: t.arg.int({ defaultValue: 0, description: "The revision to return to; 0: the one before the current. NOT_FOUND when it is not in the history." }) },
      resolve: (query, _root, args, ctx) => typedErrors(deployments.rollbackDeployment(ctx.db, key(args), args.toRevision ?? 0, { query })),
    }),
    deleteDeployment: t.prismaField({
      type: "Deployment",
      description: "Deletes a Deployment; its ReplicaSets and pods follow as propagationPolicy says. Answers with the object as it was deleted (or marked).",
      args: { ...byName, propagationPolicy },
      resolve: (query, _root, args, ctx) =>
        typedErrors(deployments.deleteDeployment(ctx.db, key(args), args.propagationPolicy ?? "Background", { query })),
    }),
    createReplicaSet: t.prismaField({
      type: "ReplicaSet",
      description: "Creates a standalone ReplicaSet (one a Deployment does not own). A Deployment whose selector matches its labels adopts it.",
      args: {
        metadata: t.arg({ type: ObjectMetaInput, required: true, description: "Name, namespace, labels and annotations." }),
        spec: t.arg({ type: ReplicaSetSpecInput, required: true, description: "The desired state." }),
      },
      resolve: (query, _root, { metadata, spec }, ctx) => typedErrors(replicaSets.createReplicaSet(ctx.db, { metadata, spec }, { query })),
    }),
    scaleReplicaSet: t.prismaField({
      type: "ReplicaSet",
      description: "Sets spec.replicas of a ReplicaSet. For one a Deployment owns, the Deployment controller sets it back on its next sync.",
      args: { ...byName, replicas: t.arg.int({ required: true, description: "The number of pods wanted (0 or more)." }) },
      resolve: (query, _root, args, ctx) => typedErrors(replicaSets.scaleReplicaSet(ctx.db, key(args), args.replicas, { query })),
    }),
    deleteReplicaSet: t.prismaField({
      type: "ReplicaSet",
      description: "Deletes a ReplicaSet; its pods follow as propagationPolicy says. Its Deployment, if any, creates it again when it still needs it.",
      args: { ...byName, propagationPolicy },
      resolve: (query, _root, args, ctx) =>
        typedErrors(replicaSets.deleteReplicaSet(ctx.db, key(args), args.propagationPolicy ?? "Background", { query })),
    }),
    deletePod: t.prismaField({
      type: "Pod",
      description: "Deletes a pod, as if lost (node failure, eviction): its ReplicaSet creates a replacement.",
      args: {
        ...byName,
        gracePeriodSeconds: t.arg.int({ description: "Seconds the pod may take to stop (0: at once); default: its spec.terminationGracePeriodSeconds." }),
      },
      resolve: (query, _root, args, ctx) => typedErrors(pods.deletePod(ctx.db, key(args), args.gracePeriodSeconds, { query })),
    }),
    updatePodStatus: t.prismaField({
      type: "Pod",
      description: "What a node agent reports about a pod it runs; the ReplicaSet and Deployment controllers count it from there.",
      args: { ...byName, status: t.arg({ type: PodStatusInput, required: true, description: "The pod's status now." }) },
      resolve: (query, _root, args, ctx) => typedErrors(pods.updatePodStatus(ctx.db, key(args), args.status, { query })),
    }),
  };
});

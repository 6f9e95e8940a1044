// The contract's Query fields.
import { readNamespaces } from "../db/pages.ts";
import { isObjectKey } from "../domain/names.ts";
import { visible } from "../auth/namespaces.ts";
import { builder } from "./builder.ts";
import { DOCS } from "./docs.ts";
import { listConnection } from "./list.ts";
import { DeploymentConnection, EventConnection, PodConnection, ReplicaSetConnection } from "./objects.ts";

builder.queryFields((t) => {
  const byName = {
    namespace: t.arg.string({ required: true, defaultValue: "default", description: DOCS.byName.namespace }),
    name: t.arg.string({ required: true, description: DOCS.byName.name }),
  };
  const pageArgs = {
    first: t.arg.int({ description: DOCS.list.first }),
    after: t.arg.string({ description: DOCS.list.after }),
    last: t.arg.int({ description: DOCS.list.last }),
    before: t.arg.string({ description: DOCS.list.before }),
  };
  const namespace = t.arg.string({ description: DOCS.list.namespace });
  const listArgs = { namespace, labelSelector: t.arg.string({ description: DOCS.list.labelSelector }), ...pageArgs };
  const missing = (kind: string) => `The ${kind} of this name, or null when there is none (or the token may not see its namespace).`;
  return {
    namespaces: t.stringList({
      description: "Every namespace that holds a Deployment, ReplicaSet or Pod and that the token may see, sorted.",
      resolve: async (_root, _args, ctx) => (await readNamespaces(ctx.db)).filter((ns) => visible(ctx, ns)),
    }),
    deployment: t.prismaField({
      type: "Deployment",
      nullable: true,
      description: missing("Deployment"),
      args: byName,
      resolve: (query, _root, key, ctx) => (isObjectKey(key) && visible(ctx, key.namespace) ? ctx.db.deployment.findUnique({ ...query, where: { namespace_name: key } }) : null),
    }),
    deployments: t.field({
      type: DeploymentConnection,
      description: "Deployments, by namespace then name (kubectl's order), a page at a time.",
      args: listArgs,
      resolve: (_root, args, ctx, info) => listConnection(ctx, info, "Deployment", args),
    }),
    replicaSet: t.prismaField({
      type: "ReplicaSet",
      nullable: true,
      description: missing("ReplicaSet"),
      args: byName,
      resolve: (query, _root, key, ctx) => (isObjectKey(key) && visible(ctx, key.namespace) ? ctx.db.replicaSet.findUnique({ ...query, where: { namespace_name: key } }) : null),
    }),
    replicaSets: t.field({
      type: ReplicaSetConnection,
      description: "ReplicaSets, by namespace then name, a page at a time.",
      args: listArgs,
      resolve: (_root, args, ctx, info) => listConnection(ctx, info, "ReplicaSet", args),
    }),
    pod: t.prismaField({
      type: "Pod",
      nullable: true,
      description: missing("Pod"),
      args: byName,
      resolve: (query, _root, key, ctx) => (isObjectKey(key) && visible(ctx, key.namespace) ? ctx.db.pod.findUnique({ ...query, where: { namespace_name: key } }) : null),
    }),
    pods: t.field({
      type: PodConnection,
      description: "Pods, by namespace then name, a page at a time.",
      args: listArgs,
      resolve: (_root, args, ctx, info) => listConnection(ctx, info, "Pod", args),
    }),
    events: t.field({
      type: EventConnection,
      description: "Events, oldest first (in the order they were written), a page at a time.",
      args: { namespace, involvedObjectName: t.arg.string({ description: "Only events about the object of this name (any kind)." }), ...pageArgs },
      resolve: (_root, args, ctx, info) => listConnection(ctx, info, "Event", args),
    }),
  };
});

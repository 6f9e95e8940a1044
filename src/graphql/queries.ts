// The contract's Query fields.
import { readNamespaces } from "../db/pages.ts";
import { isObjectKey } from "../domain/names.ts";
import { visible } from "../auth/namespaces.ts";
import { builder } from "./builder.ts";
import { listConnection } from "./list.ts";
import { DeploymentConnection, EventConnection, PodConnection, ReplicaSetConnection } from "./objects.ts";

builder.queryFields((t) => {
  const byName = { namespace: t.arg.string({ required: true, defaultValue: "default" }), name: t.arg.string({ required: true }) };
  const listArgs = {
    namespace: t.arg.string(),
    labelSelector: t.arg.string(),
    first: t.arg.int(),
    after: t.arg.string(),
  };
  return {
    namespaces: t.stringList({
      resolve: async (_root, _args, ctx) => (await readNamespaces(ctx.db)).filter((ns) => visible(ctx, ns)),
    }),
    deployment: t.prismaField({
      type: "Deployment",
      nullable: true,
      args: byName,
      resolve: (query, _root, key, ctx) => (isObjectKey(key) && visible(ctx, key.namespace) ? ctx.db.deployment.findUnique({ ...query, where: { namespace_name: key } }) : null),
    }),
    deployments: t.field({
      type: DeploymentConnection,
      description: "labelSelector uses kubectl syntax: app=web,tier!=db,env in (a,b),!canary",
      args: listArgs,
      resolve: (_root, args, ctx, info) => listConnection(ctx, info, "Deployment", args),
    }),
    replicaSet: t.prismaField({
      type: "ReplicaSet",
      nullable: true,
      args: byName,
      resolve: (query, _root, key, ctx) => (isObjectKey(key) && visible(ctx, key.namespace) ? ctx.db.replicaSet.findUnique({ ...query, where: { namespace_name: key } }) : null),
    }),
    replicaSets: t.field({
      type: ReplicaSetConnection,
      args: listArgs,
      resolve: (_root, args, ctx, info) => listConnection(ctx, info, "ReplicaSet", args),
    }),
    pod: t.prismaField({
      type: "Pod",
      nullable: true,
      args: byName,
      resolve: (query, _root, key, ctx) => (isObjectKey(key) && visible(ctx, key.namespace) ? ctx.db.pod.findUnique({ ...query, where: { namespace_name: key } }) : null),
    }),
    pods: t.field({
      type: PodConnection,
      args: listArgs,
      resolve: (_root, args, ctx, info) => listConnection(ctx, info, "Pod", args),
    }),
    events: t.field({
      type: EventConnection,
      args: { namespace: t.arg.string(), involvedObjectName: t.arg.string(), first: t.arg.int(), after: t.arg.string() },
      resolve: (_root, args, ctx, info) => listConnection(ctx, info, "Event", args),
    }),
  };
});

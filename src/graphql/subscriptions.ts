// The contract's Subscription fields. Each returns a subscriber of the process's SubscriptionHub
// (./subscription-hub.ts), which fans the change feed out. Malformed arguments fail the subscribe
// (BAD_USER_INPUT) like any request; an ending the server decides later (NOT_FOUND, GONE,
// RESUBSCRIBE) arrives as a result with `errors`, after which the stream completes.
import { isDns1123Label, isDns1123Subdomain } from "../domain/names.ts";
import { rowOf } from "../db/watch.ts";
import { limitedTo, visible } from "../auth/namespaces.ts";
import { builder } from "./builder.ts";
import { notFound } from "../domain/refusals.ts";
import { DOCS } from "./docs.ts";
import { badInput, refusalError } from "./errors.ts";
import { labelSelectorArg } from "./list.ts";
import { ResourceKind } from "./meta.ts";
import { DeploymentNode, EventNode, PodNode, ReplicaSetNode, RolloutStatusRef } from "./objects.ts";
import type { WatchItem } from "./subscription-hub.ts";
import { parseResourceVersion } from "../domain/resource-version.ts";
import { untilDone } from "./until-done.ts";

const WatchEventType = builder.enumType("WatchEventType", {
  description: "What happened to a watched object.",
  values: {
    ADDED: { description: "It was created, or came into view: it now matches the watch's selector, or it existed when a watch without resourceVersion began." },
    MODIFIED: { description: "It was written and still matches." },
    DELETED: { description: "It was deleted, or left the view (its labels no longer match); `object` is its last state." },
  } as const,
});

const Resource = builder.unionType("Resource", {
  description: "A watched object: a Deployment, a ReplicaSet or a Pod (select its fields with `... on Deployment`).",
  types: [DeploymentNode, ReplicaSetNode, PodNode],
});

/** The watched object as the row of its GraphQL type (a watch is of Deployments, ReplicaSets or Pods). */
function resourceOf(e: WatchItem) {
  if (e.kind === "Deployment") return DeploymentNode.addBrand(rowOf("Deployment", e.object));
  if (e.kind === "ReplicaSet") return ReplicaSetNode.addBrand(rowOf("ReplicaSet", e.object));
  return PodNode.addBrand(rowOf("Pod", e.object));
}

const WatchEventRef = builder.objectRef<WatchItem>("WatchEvent").implement({
  description: "One change to a watched object, as a Kubernetes watch sends it.",
  fields: (t) => ({
    type: t.field({ type: WatchEventType, description: "What happened.", resolve: (e) => e.type }),
    resourceVersion: t.string({
      description: "The version of this change. Keep the last one you saw: a new watch from it resumes with the next change, none lost.",
      resolve: (e) => String(e.resourceVersion),
    }),
    object: t.field({
      type: Resource,
      description: "The object as the change left it (for DELETED, as it was last).",
      resolve: resourceOf,
    }),
  }),
});

/** A stream item is a value or the error that ends the stream. */
function unwrap<T>(item: T | Error): T {
  if (item instanceof Error) throw item;
  return item;
}

function resourceVersionArg(text: string | null | undefined): bigint | null {
  if (text == null || text === "") return null;
  const version = parseResourceVersion(text);
  if (version === null) throw badInput([{ field: "resourceVersion", message: `must be a resourceVersion the server returned, got ${JSON.stringify(text.slice(0, 100))}` }]);
  return version;
}

/** A namespace or name argument no object can have is refused (it would also never reach SQL). */
function nameArg<T extends string | null | undefined>(value: T, field: string, valid: (v: string) => boolean): T {
  if (value != null && !valid(value)) throw badInput([{ field, message: `${JSON.stringify(value.slice(0, 100))} is not a valid name` }]);
  return value;
}

builder.subscriptionType({
  description:
    "Live streams over WebSocket (graphql-transport-ws or the legacy graphql-ws protocol) or SSE, for any valid token within its namespaces. " +
    "An ending the server decides (NOT_FOUND, GONE, RESUBSCRIBE, ...) arrives as a result with `errors`, after which the stream completes.",
  authScopes: { viewer: true },
});

builder.subscriptionFields((t) => ({
  rolloutStatus: t.field({
    type: RolloutStatusRef,
    description:
      "the current RolloutStatus at once, then a new one on every change of the Deployment or its ReplicaSets. " +
      "With untilDone, the stream `kubectl rollout status` prints: it completes after the first done status of the " +
      "current generation, and ends with PROGRESS_DEADLINE_EXCEEDED (after the Failed status) or DELETED.",
    args: {
      namespace: t.arg.string({ required: true, defaultValue: "default", description: DOCS.byName.namespace }),
      name: t.arg.string({ required: true, description: "The Deployment's name; a missing one ends the stream with NOT_FOUND." }),
      untilDone: t.arg.boolean({ defaultValue: false, description: "complete when the rollout is done, fail when it fails" }),
    },
    subscribe: (_root, { namespace, name, untilDone: ending }, ctx) => {
      if (!visible(ctx, namespace)) throw refusalError(notFound("Deployment", namespace, name));
      const statuses = ctx.hub.rolloutStatus(nameArg(namespace, "namespace", isDns1123Label), nameArg(name, "name", isDns1123Subdomain));
      return ending ? untilDone(statuses, namespace, name) : statuses;
    },
    resolve: unwrap,
  }),
  watch: t.field({
    type: WatchEventRef,
    description:
      "Without resourceVersion: an ADDED event for every matching object that exists, then every change.\n" +
      "With resourceVersion: every change after that version, in commit order, none missing, even across\n" +
      "a reconnect or another server instance; a compacted version ends with a GONE error.",
    args: {
      kind: t.arg({ type: ResourceKind, required: true, description: "The kind of object to watch." }),
      namespace: t.arg.string({ description: "Only objects in this namespace; omit for every namespace the token may see." }),
      labelSelector: t.arg.string({ description: DOCS.list.labelSelector }),
      resourceVersion: t.arg.string({ description: "Resume after this version (a WatchEvent's or an object's resourceVersion); omit to start with the objects that exist now." }),
    },
    subscribe: (_root, args, ctx) =>
      ctx.hub.watch(
        { kind: args.kind, namespace: nameArg(args.namespace, "namespace", isDns1123Label) ?? null, requirements: labelSelectorArg(args.labelSelector), namespaces: limitedTo(ctx) },
        resourceVersionArg(args.resourceVersion),
      ),
    resolve: unwrap,
  }),
  events: t.field({
    type: EventNode,
    description: "Every event written from now on (a repeat counted again arrives again, with its new count).",
    args: {
      namespace: t.arg.string({ description: "Only events in this namespace; omit for every namespace the token may see." }),
      involvedObjectName: t.arg.string({ description: "Only events about the object of this name (any kind)." }),
    },
    subscribe: (_root, args, ctx) =>
      ctx.hub.events(nameArg(args.namespace, "namespace", isDns1123Label) ?? null, nameArg(args.involvedObjectName, "involvedObjectName", isDns1123Subdomain) ?? null, limitedTo(ctx)),
    resolve: (item) => rowOf("Event", unwrap(item).object),
  }),
}));

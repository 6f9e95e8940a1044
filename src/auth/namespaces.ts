// Namespaced tokens (like a Kubernetes RoleBinding): lists and watches filter to the token's
// namespaces, a lookup outside them finds nothing, and a write outside them is FORBIDDEN.
import { defaultFieldResolver, type GraphQLSchema } from "graphql";
import type { Context } from "../graphql/context.ts";
import { apiError } from "../graphql/errors.ts";
import { inNamespaces } from "./access.ts";

/** The namespaces the caller is limited to (null: every namespace). */
export const limitedTo = (ctx: Pick<Context, "principal">): readonly string[] | null => ctx.principal?.namespaces ?? null;

/** Whether the caller may see objects of this namespace. */
export const visible = (ctx: Pick<Context, "principal">, namespace: string) => !ctx.principal || inNamespaces(ctx.principal, namespace);

/** The namespace a mutation writes to: its `namespace` argument, or `metadata.namespace` of a create. */
export function writeNamespace(args: Record<string, unknown>): string | null {
  if (typeof args.namespace === "string") return args.namespace;
  const metadata = args.metadata as { namespace?: unknown } | undefined;
  if (metadata && typeof metadata === "object") return typeof metadata.namespace === "string" ? metadata.namespace : "default";
  return null;
}

/**
 * Wraps every Mutation field: a write to a namespace outside the caller's is FORBIDDEN before the
 * field runs. (Roles are checked by scope-auth inside the field.)
 */
export function guardWriteNamespaces(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, ctx: Context, info) => {
      const namespace = writeNamespace(args);
      if (namespace !== null && ctx.principal && !inNamespaces(ctx.principal, namespace)) {
        throw apiError("FORBIDDEN", `the token "${ctx.principal.name}" may not write to namespace "${namespace.slice(0, 100)}"`);
      }
      return resolve(source, args, ctx, info);
    };
  }
  return schema;
}

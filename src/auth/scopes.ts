// The scope-auth rules: each root type declares the role its fields need (Query and Subscription:
// viewer, Mutation: editor) and token management adds `tokenAdmin` on its fields. A failed rule is
// UNAUTHENTICATED without a valid token and FORBIDDEN with one.
import type { GraphQLResolveInfo } from "graphql";
import { apiError } from "../graphql/errors.ts";
import type { Context } from "../graphql/context.ts";
import { hasRole, inNamespaces } from "./access.ts";

export interface Scopes {
  viewer: boolean;
  editor: boolean;
  admin: boolean;
  /** an admin token limited to no namespace (a namespaced admin could mint a wider token) */
  tokenAdmin: boolean;
}

export const scopeAuthOptions = {
  authorizeOnSubscribe: true,
  authScopes: (ctx: Context): Scopes => ({
    viewer: hasRole(ctx.principal, "viewer"),
    editor: hasRole(ctx.principal, "editor"),
    admin: hasRole(ctx.principal, "admin"),
    tokenAdmin: hasRole(ctx.principal, "admin") && ctx.principal!.namespaces === null,
  }),
  unauthorizedError: (_parent: unknown, ctx: Context, info: GraphQLResolveInfo) =>
    ctx.principal
      ? apiError("FORBIDDEN", `the token "${ctx.principal.name}" (role ${ctx.principal.role}${ctx.principal.namespaces ? ", namespaces " + ctx.principal.namespaces.join(",") : ""}) may not use ${info.parentType.name}.${info.fieldName}`)
      : apiError("UNAUTHENTICATED", ctx.authProblem ?? "a token is required"),
};

/**
 * node(id:): an id that names no object, or one outside the caller's namespaces, is NOT_FOUND alike,
 * so a namespaced token cannot learn that an object exists elsewhere.
 */
export async function resolveVisibleNode(
  _root: unknown,
  args: { id: { typename: string; id: string } },
  ctx: Context,
  _info: GraphQLResolveInfo,
  resolveNode: (id: { typename: string; id: string }) => unknown,
): Promise<unknown> {
  let node: { namespace?: string } | null;
  try {
    node = (await resolveNode(args.id)) as typeof node;
  } catch (err) {
    // plugin-prisma loads a node with findUniqueOrThrow: Prisma's "record not found"
    if ((err as { code?: unknown }).code !== "P2025") throw err;
    node = null;
  }
  if (!node || (ctx.principal && !inNamespaces(ctx.principal, node.namespace ?? ""))) throw apiError("NOT_FOUND", "no object has this id");
  return node;
}

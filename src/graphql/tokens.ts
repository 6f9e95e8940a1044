// Token management for admins (src/auth/tokens.ts): apiTokens, createApiToken (the secret is in
// its answer and nowhere else), revokeApiToken. Each field needs an admin token limited to no
// namespace (`tokenAdmin`) besides its root type's rule.
// `viewer` answers who the caller is (any role), so a client can show what it may do up front.
import { ROLES, TokenError, TokenStore, type Principal, type Role, type TokenInfo } from "../auth/tokens.ts";
import { builder } from "./builder.ts";
import { apiError, badInput } from "./errors.ts";

const ApiTokenRole = builder.enumType("ApiTokenRole", {
  description: "What a token may do; each role may do everything the ones before it may.",
  values: {
    viewer: { description: "Queries and subscriptions." },
    editor: { description: "Also mutations of Deployments, ReplicaSets and Pods." },
    admin: { description: "Also token management (with a token limited to no namespace)." },
  } satisfies Record<Role, { description: string }>,
});

const ApiToken = builder.objectRef<TokenInfo>("ApiToken").implement({
  description: "An API token; its secret is shown once, when it is created.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The token's id." }),
    name: t.exposeString("name", { description: "The token's unique name, which revokeApiToken takes." }),
    role: t.field({ type: ApiTokenRole, description: "What the token may do.", resolve: (x) => x.role }),
    namespaces: t.exposeStringList("namespaces", { nullable: true, description: "The namespaces the token may read and write; null: every namespace." }),
    prefix: t.exposeString("prefix", { description: "The first characters of the secret, to tell tokens apart." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was created." }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true, description: "When it stops working; null: never." }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true, description: "When it was last used (updated at most once a minute); null: never." }),
  }),
});

const CreatedApiToken = builder.objectRef<{ secret: string; token: TokenInfo }>("CreatedApiToken").implement({
  description: "A new token and its secret.",
  fields: (t) => ({
    secret: t.exposeString("secret", { description: "Send as `Authorization: Bearer <secret>`; it cannot be read again." }),
    token: t.field({ type: ApiToken, description: "The token as apiTokens lists it.", resolve: (x) => x.token }),
  }),
});

async function typed<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof TokenError) throw err.code === "BAD_USER_INPUT" ? badInput([{ field: "token", message: err.message }]) : apiError(err.code, err.message);
    throw err;
  }
}

builder.queryField("apiTokens", (t) =>
  t.field({ type: [ApiToken], description: "Every API token (admin, limited to no namespace); never their secrets.", authScopes: { tokenAdmin: true }, resolve: (_root, _args, ctx) => new TokenStore(ctx.db).list() }),
);

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreatedApiToken,
    authScopes: { tokenAdmin: true },
    description: "Creates an API token (admin, limited to no namespace); the answer holds its secret, shown this once.",
    args: {
      name: t.arg.string({ required: true, description: "A unique name for the token." }),
      role: t.arg({ type: ApiTokenRole, required: true, description: "What it may do." }),
      namespaces: t.arg.stringList({ description: "The namespaces it is limited to; omit for every namespace." }),
      expiresAt: t.arg({ type: "DateTime", description: "When it stops working; omit for never." }),
    },
    resolve: (_root, args, ctx) => typed(new TokenStore(ctx.db).create({ name: args.name, role: args.role, namespaces: args.namespaces, expiresAt: args.expiresAt })),
  }),
  revokeApiToken: t.field({
    type: ApiToken,
    authScopes: { tokenAdmin: true },
    description: "Deletes a token (admin, limited to no namespace); its open subscriptions end within seconds.",
    args: { name: t.arg.string({ required: true, description: "The token's name; NOT_FOUND when there is none." }) },
    resolve: (_root, args, ctx) => typed(new TokenStore(ctx.db).revoke(args.name)),
  }),
}));

const Caller = builder.objectRef<{ principal: Principal; authenticated: boolean }>("Caller").implement({
  description: "who is calling: the API token of the request, or, with auth off, an anonymous admin",
  fields: (t) => ({
    authenticated: t.boolean({
      description: "true: the caller presented a valid token; false: auth is off and every caller is the anonymous admin",
      resolve: (x) => x.authenticated,
    }),
    name: t.string({ description: 'the token\'s name ("anonymous" with auth off)', resolve: (x) => x.principal.name }),
    role: t.field({ type: ApiTokenRole, description: "what the token may do: viewer (read), editor (also write), admin (also manage tokens)", resolve: (x) => x.principal.role }),
    namespaces: t.stringList({
      nullable: true,
      description: "the namespaces the token is limited to (null: every namespace); outside them it sees nothing and may write nothing",
      resolve: (x) => (x.principal.namespaces ? [...x.principal.namespaces] : null),
    }),
    expiresAt: t.field({ type: "DateTime", nullable: true, description: "when the token stops being valid (null: never)", resolve: (x) => x.principal.expiresAt }),
  }),
});

builder.queryField("viewer", (t) =>
  t.field({
    type: Caller,
    description: "who the request's token is (name, role, namespaces, expiry): what a client may offer before trying; without a valid token (auth on) UNAUTHENTICATED",
    resolve: (_root, _args, ctx) => ({ principal: ctx.principal!, authenticated: ctx.principal!.tokenHash !== null }),
  }),
);

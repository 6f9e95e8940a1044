// Token management for admins (src/auth/tokens.ts): apiTokens, createApiToken (the secret is in
// its answer and nowhere else), revokeApiToken. Each field needs an admin token limited to no
// namespace (`tokenAdmin`) besides its root type's rule.
// `viewer` answers who the caller is (any role), so a client can show what it may do up front.
import { ROLES, TokenError, TokenStore, type Principal, type TokenInfo } from "../auth/tokens.ts";
import { builder } from "./builder.ts";
import { apiError, badInput } from "./errors.ts";

const ApiTokenRole = builder.enumType("ApiTokenRole", { values: ROLES });

const ApiToken = builder.objectRef<TokenInfo>("ApiToken").implement({
  description: "an API token; its secret is shown once, when it is created",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    role: t.field({ type: ApiTokenRole, resolve: (x) => x.role }),
    namespaces: t.exposeStringList("namespaces", { nullable: true, description: "null: every namespace" }),
    prefix: t.exposeString("prefix", { description: "the first characters of the secret" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true, description: "updated at most once a minute" }),
  }),
});

const CreatedApiToken = builder.objectRef<{ secret: string; token: TokenInfo }>("CreatedApiToken").implement({
  fields: (t) => ({
    secret: t.exposeString("secret", { description: "send as Authorization: Bearer <secret>; it cannot be read again" }),
    token: t.field({ type: ApiToken, resolve: (x) => x.token }),
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
  t.field({ type: [ApiToken], authScopes: { tokenAdmin: true }, resolve: (_root, _args, ctx) => new TokenStore(ctx.db).list() }),
);

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreatedApiToken,
    authScopes: { tokenAdmin: true },
    description: "namespaces: the namespaces the token is limited to (omit for every namespace)",
    args: {
      name: t.arg.string({ required: true }),
      role: t.arg({ type: ApiTokenRole, required: true }),
      namespaces: t.arg.stringList(),
      expiresAt: t.arg({ type: "DateTime" }),
    },
    resolve: (_root, args, ctx) => typed(new TokenStore(ctx.db).create({ name: args.name, role: args.role, namespaces: args.namespaces, expiresAt: args.expiresAt })),
  }),
  revokeApiToken: t.field({
    type: ApiToken,
    authScopes: { tokenAdmin: true },
    description: "deletes the token; its open subscriptions end within seconds",
    args: { name: t.arg.string({ required: true }) },
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

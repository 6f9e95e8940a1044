// Every root field must carry an auth rule (scope-auth), declared on its root type or on itself:
// a new Query, Mutation or Subscription field without one fails here.
import { buildSchema, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { builder } from "../../../src/graphql/builder.ts";
import { schema } from "../../../src/graphql/schema.ts";

interface PothosExtensions {
  pothosOptions?: { authScopes?: unknown; skipTypeScopes?: boolean };
}

/** "Type.field" of every root field without a rule of its own or of its type. */
function unguardedRootFields(s: GraphQLSchema): string[] {
  const roots = [s.getQueryType(), s.getMutationType(), s.getSubscriptionType()].filter(Boolean) as GraphQLObjectType[];
  return roots.flatMap((type) => {
    const typeRule = (type.extensions as PothosExtensions).pothosOptions?.authScopes;
    return Object.values(type.getFields())
      .filter((field) => {
        const options = (field.extensions as PothosExtensions).pothosOptions ?? {};
        return !options.authScopes && (!typeRule || options.skipTypeScopes);
      })
      .map((field) => `${type.name}.${field.name}`);
  });
}

describe("auth rules", () => {
  it("cover every root field", () => {
    expect(unguardedRootFields(schema)).toEqual([]);
  });

  it("are checked when a subscription starts, not per event", () => {
    expect(builder.options.scopeAuth?.authorizeOnSubscribe).toBe(true);
  });

  it("are what the roles say: queries and subscriptions for viewers, mutations for editors, tokens for admins", () => {
    const rule = (type: GraphQLObjectType | null | undefined) => (type?.extensions as PothosExtensions).pothosOptions?.authScopes;
    expect([rule(schema.getQueryType()), rule(schema.getSubscriptionType()), rule(schema.getMutationType())]).toEqual([{ viewer: true }, { viewer: true }, { editor: true }]);
    const fieldRule = (type: GraphQLObjectType | null | undefined, name: string) => (type!.getFields()[name].extensions as PothosExtensions).pothosOptions?.authScopes;
    expect([fieldRule(schema.getQueryType(), "apiTokens"), fieldRule(schema.getMutationType(), "createApiToken"), fieldRule(schema.getMutationType(), "revokeApiToken")]).toEqual(
      Array(3).fill({ tokenAdmin: true }),
    );
  });

  it("would catch a root field without a rule", () => {
    expect(unguardedRootFields(buildSchema(`type Query { a: Int } type Mutation { b: Int }`))).toEqual(["Query.a", "Mutation.b"]);
  });
});

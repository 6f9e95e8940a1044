// The only place plugins, context and scalars are set up.
import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { resolveVisibleNode, scopeAuthOptions, type Scopes } from "../auth/scopes.ts";
import { GraphQLError, Kind, type ValueNode } from "graphql";
import type PrismaTypes from "../generated/pothos-types.ts";
import { getDatamodel } from "../generated/pothos-types.ts";
import type { IntOrString, StringMap } from "../domain/types.ts";
import type { Context } from "./context.ts";

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: Scopes;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    StringMap: { Input: StringMap; Output: StringMap };
    IntOrString: { Input: IntOrString; Output: IntOrString };
  };
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin],
  scopeAuth: scopeAuthOptions,
  defaultFieldNullability: false,
  prisma: {
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    nodesQueryOptions: false,
    nodeQueryOptions: {
      description: "The Deployment, ReplicaSet, Pod or Event with this global id. Unlike the reads by name, an id of no object (or of one outside the token's namespaces) is a NOT_FOUND error: an id only comes from an object the server returned.",
      args: { id: { description: "A global id from an object's `id` field." } },
      resolve: resolveVisibleNode,
    },
    nodeTypeOptions: { description: "An object with a Relay global id, which Query.node fetches again." },
    idFieldOptions: { description: "The Relay global id." },
    pageInfoTypeOptions: { description: "Where a page lies in its connection (Relay cursor connections)." },
    hasNextPageFieldOptions: { description: "Whether objects follow this page (for a `last`/`before` page: whether `before` was given)." },
    hasPreviousPageFieldOptions: { description: "Whether objects precede this page (for a `first`/`after` page: whether `after` was given)." },
    startCursorFieldOptions: { description: "The first edge's cursor: pass it as `before` for the previous page; null for an empty page." },
    endCursorFieldOptions: { description: "The last edge's cursor: pass it as `after` for the next page; null for an empty page." },
    cursorFieldOptions: { description: "This object's position in the listing: pass it as `after` or `before`." },
    nodeFieldOptions: { description: "The object." },
    edgesFieldOptions: { description: "The page's objects, each with its cursor, in listing order." },
    nodesOnConnection: { description: "The page's objects without their cursors: a shortcut for `edges { node }`." },
    pageInfoFieldOptions: { description: "Cursors and whether there is more before or after this page." },
  },
});

/**
 * The value of a literal; a variable inside it takes its value from `variables`. Validation parses
 * literals before variables are known (`variables` undefined): a literal with variables is then
 * only checked when the operation runs (null stands for it meanwhile).
 */
function literalValue(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
      return Number(ast.value);
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      // as in an input object, a field whose variable is unset or null is left out
      return Object.fromEntries(
        ast.fields.flatMap((f) => {
          const value = literalValue(f.value, variables);
          return f.value.kind === Kind.VARIABLE && value == null ? [] : [[f.name.value, value]];
        }),
      );
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    case Kind.ENUM:
      throw new GraphQLError(`an enum value (${ast.value}) is not allowed in this literal`);
  }
}

const hasVariable = (ast: ValueNode): boolean =>
  ast.kind === Kind.VARIABLE || (ast.kind === Kind.LIST && ast.values.some(hasVariable)) || (ast.kind === Kind.OBJECT && ast.fields.some((f) => hasVariable(f.value)));

/** parseLiteral of a scalar whose literals may hold variables (see literalValue). */
function literalParser<T>(parse: (value: unknown) => T): (ast: ValueNode, variables?: Record<string, unknown> | null) => T {
  return (ast, variables) => (variables === undefined && hasVariable(ast) ? (null as T) : parse(literalValue(ast, variables)));
}

function parseStringMap(value: unknown): StringMap {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GraphQLError("StringMap must be a JSON object of string values");
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new GraphQLError(`StringMap value of "${k}" must be a string`);
  }
  return { ...(value as StringMap) };
}

function parseIntOrString(value: unknown): IntOrString {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isInteger(value) && value >= -(2 ** 31) && value <= 2 ** 31 - 1) return value;
  throw new GraphQLError("IntOrString must be a 32-bit integer or a string");
}

builder.scalarType("DateTime", {
  description: "A point in time: an RFC 3339 string, always written in UTC (`2026-01-31T12:00:00.000Z`); input may carry any offset.",
  specifiedByURL: "https://scalars.graphql.org/andimarek/date-time",
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(v as string).toISOString()),
  parseValue: (v) => {
    const d = new Date(v as string);
    if (typeof v !== "string" || Number.isNaN(d.getTime())) throw new GraphQLError("DateTime must be an RFC 3339 string");
    return d;
  },
});

builder.scalarType("StringMap", {
  description:
    "A JSON object of string values (labels, annotations, matchLabels, resource quantities), such as " +
    '`{ app: "web", tier: "front" }`. In a literal each value may be a variable: `{ app: $name }`.',
  serialize: (v) => v as StringMap,
  parseValue: parseStringMap,
  parseLiteral: literalParser(parseStringMap),
});

builder.scalarType("IntOrString", {
  description: 'A 32-bit integer or a string, as Kubernetes\' intstr: an absolute count (`3`) or a percentage (`"25%"`).',
  specifiedByURL: "https://pkg.go.dev/k8s.io/apimachinery/pkg/util/intstr#IntOrString",
  serialize: (v) => v as IntOrString,
  parseValue: parseIntOrString,
  parseLiteral: literalParser(parseIntOrString),
});

builder.queryType({
  description:
    "Reads. Any valid token may read (viewer role), limited to its namespaces. A read of one object by name returns null " +
    "when it does not exist, as GraphQL convention has it; mutations on a missing object fail with NOT_FOUND instead.",
  authScopes: { viewer: true },
});

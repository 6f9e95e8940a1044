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
    nodeQueryOptions: { resolve: resolveVisibleNode },
  },
});

function literalValue(ast: ValueNode): unknown {
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
      return ast.values.map(literalValue);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalValue(f.value)]));
    default:
      throw new GraphQLError("variables are not allowed inside a StringMap literal");
  }
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
  description: "RFC 3339, UTC",
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(v as string).toISOString()),
  parseValue: (v) => {
    const d = new Date(v as string);
    if (typeof v !== "string" || Number.isNaN(d.getTime())) throw new GraphQLError("DateTime must be an RFC 3339 string");
    return d;
  },
});

builder.scalarType("StringMap", {
  description: "JSON object, string → string (labels, annotations, matchLabels, resources)",
  serialize: (v) => v as StringMap,
  parseValue: parseStringMap,
  parseLiteral: (ast) => parseStringMap(literalValue(ast)),
});

builder.scalarType("IntOrString", {
  description: '3 or "25%"',
  serialize: (v) => v as IntOrString,
  parseValue: parseIntOrString,
  parseLiteral: (ast) => parseIntOrString(literalValue(ast)),
});

builder.queryType({ authScopes: { viewer: true } });

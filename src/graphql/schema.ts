// Assembles the schema: every type family registers itself on the builder when imported.
import { lexicographicSortSchema, printSchema } from "graphql";
import { guardWriteNamespaces } from "../auth/namespaces.ts";
import { builder } from "./builder.ts";
import "./objects.ts";
import "./queries.ts";
import "./subscriptions.ts";
import "./mutations.ts";
import "./tokens.ts";

export const schema = guardWriteNamespaces(builder.toSchema());

export function printSdl(): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}

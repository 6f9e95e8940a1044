// Assembles the schema: every type family registers itself on the builder when imported.
import { lexicographicSortSchema, printSchema } from "graphql";
import { builder } from "./builder.ts";
import "./objects.ts";
import "./queries.ts";
import "./subscriptions.ts";
import "./mutations.ts";

export const schema = builder.toSchema();

export function printSdl(): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}

// The typed operations in client-examples/lib/gql/ are what graphql-codegen makes now from
// schema/schema.graphql and the examples' documents: `npm run codegen` after changing either.
import { readFileSync } from "node:fs";
import { generate } from "@graphql-codegen/cli";
import { expect, it } from "vitest";
import config from "../../codegen.ts";

it("client-examples/lib/gql is up to date (npm run codegen)", async () => {
  const files = (await generate({ ...config, cwd: process.cwd() }, false)) as { filename: string; content: string }[];
  expect(files.map((f) => f.filename).sort()).toEqual(["client-examples/lib/gql/gql.ts", "client-examples/lib/gql/graphql.ts", "client-examples/lib/gql/index.ts"]);
  for (const file of files) expect(readFileSync(file.filename, "utf8"), `${file.filename} is stale: run npm run codegen`).toBe(file.content);
}, 60_000);

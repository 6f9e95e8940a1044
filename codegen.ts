// graphql-codegen: typed operations for client-examples/ from schema/schema.graphql.
// `npm run codegen` writes client-examples/lib/gql/; test/unit/codegen.test.ts fails when those
// files differ from what this config generates now. Scalars are mapped to what the server sends
// in JSON (README "Client examples").
import type { CodegenConfig } from "@graphql-codegen/cli";

export const scalars = {
  DateTime: "string",
  IntOrString: "number | string",
  StringMap: "Record<string, string>",
};

const config: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["client-examples/**/*.{ts,tsx}", "!client-examples/lib/gql/**", "!client-examples/**/dist/**"],
  generates: {
    "client-examples/lib/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { scalars, enumsAsTypes: true, useTypeImports: true, emitLegacyCommonJSImports: false, strictScalars: true },
    },
  },
  silent: true,
};

export default config;

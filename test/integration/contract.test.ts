// The server's schema must contain every type, field, argument, enum value and default of the
// public contract (../shared/docs/api-contract.graphql), compared as parsed schemas.
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  astFromValue,
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  print,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from "graphql";
import { describe, expect, it } from "vitest";
import { schema as serverSchema, printSdl } from "../../src/graphql/schema.ts";

// The contract lives in the shared docs beside the repository; schema/api-contract.graphql is the
// copy that travels with the code (checked identical below whenever the shared one is present).
const SHARED_CONTRACT = fileURLToPath(new URL("../../../shared/docs/api-contract.graphql", import.meta.url));
const VENDORED_CONTRACT = fileURLToPath(new URL("../../schema/api-contract.graphql", import.meta.url));
const CONTRACT = existsSync(SHARED_CONTRACT) ? SHARED_CONTRACT : VENDORED_CONTRACT;
const SCHEMA_FILE = fileURLToPath(new URL("../../schema/schema.graphql", import.meta.url));

// Contract items whose issues have not landed yet: type names and Type.field coordinates.
// This list may only shrink; the test fails if anything on it exists.
const NOT_YET_BUILT = new Set<string>([]);

function defaultOf(arg: GraphQLArgument | GraphQLInputField): string | undefined {
  if (arg.defaultValue === undefined) return undefined;
  const ast = astFromValue(arg.defaultValue, arg.type);
  return ast ? print(ast) : undefined;
}

/** Every difference between the contract and the server, as readable lines. */
function differences(contract: GraphQLSchema, server: GraphQLSchema): { missing: string[]; present: string[] } {
  const missing: string[] = [];
  const present: string[] = [];
  for (const type of Object.values(contract.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    const mine = server.getType(type.name) as GraphQLNamedType | undefined;
    if (NOT_YET_BUILT.has(type.name)) {
      if (mine) present.push(`${type.name} exists but is listed as not yet built`);
      continue;
    }
    if (!mine) {
      missing.push(`type ${type.name}`);
      continue;
    }
    if (mine.constructor !== type.constructor) missing.push(`${type.name} is a ${mine.constructor.name}, not a ${type.constructor.name}`);
    if (isEnumType(type) && isEnumType(mine)) {
      for (const v of type.getValues()) if (!mine.getValue(v.name)) missing.push(`enum value ${type.name}.${v.name}`);
    }
    if (isUnionType(type) && isUnionType(mine)) {
      const members = new Set(mine.getTypes().map((t) => t.name));
      for (const t of type.getTypes()) if (!members.has(t.name)) missing.push(`union member ${type.name}.${t.name}`);
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(mine) || isInterfaceType(mine))) {
      const ifaces = new Set(mine.getInterfaces().map((i) => i.name));
      for (const i of type.getInterfaces()) if (!ifaces.has(i.name)) missing.push(`${type.name} implements ${i.name}`);
      const fields = mine.getFields();
      for (const field of Object.values(type.getFields())) {
        const coord = `${type.name}.${field.name}`;
        const f = fields[field.name];
        if (NOT_YET_BUILT.has(coord)) {
          if (f) present.push(`${coord} exists but is listed as not yet built`);
          continue;
        }
        if (!f) {
          missing.push(`field ${coord}`);
          continue;
        }
        if (String(f.type) !== String(field.type)) missing.push(`${coord}: ${f.type} ≠ contract ${field.type}`);
        for (const arg of field.args) {
          const a = f.args.find((x) => x.name === arg.name);
          if (!a) missing.push(`argument ${coord}(${arg.name})`);
          else {
            if (String(a.type) !== String(arg.type)) missing.push(`${coord}(${arg.name}): ${a.type} ≠ contract ${arg.type}`);
            if (defaultOf(a) !== defaultOf(arg)) missing.push(`${coord}(${arg.name}) default ${defaultOf(a)} ≠ contract ${defaultOf(arg)}`);
          }
        }
        for (const a of f.args) {
          if (!field.args.some((x) => x.name === a.name) && String(a.type).endsWith("!") && a.defaultValue === undefined) {
            missing.push(`${coord}(${a.name}) is a required argument the contract does not have`);
          }
        }
      }
    }
    if (isInputObjectType(type) && isInputObjectType(mine)) {
      const fields = mine.getFields();
      for (const field of Object.values(type.getFields())) {
        const f = fields[field.name];
        const coord = `${type.name}.${field.name}`;
        if (!f) missing.push(`input field ${coord}`);
        else {
          if (String(f.type) !== String(field.type)) missing.push(`${coord}: ${f.type} ≠ contract ${field.type}`);
          if (defaultOf(f) !== defaultOf(field)) missing.push(`${coord} default ${defaultOf(f)} ≠ contract ${defaultOf(field)}`);
        }
      }
    }
  }
  for (const name of NOT_YET_BUILT) {
    if (!name.includes(".") && !contract.getType(name)) present.push(`${name} is listed but is not in the contract`);
  }
  return { missing, present };
}

describe("the public contract", () => {
  const contract = buildSchema(readFileSync(CONTRACT, "utf8"));

  it("is fully present in the server's schema, except the explicitly not-yet-built items", () => {
    const { missing } = differences(contract, serverSchema);
    expect(missing).toEqual([]);
  });

  it("has no item on the not-yet-built list that already exists (the list cannot go stale)", () => {
    const { present } = differences(contract, serverSchema);
    expect(present).toEqual([]);
  });

  it("detects a missing field, a changed default and a changed type (the comparison can fail)", () => {
    const broken = buildSchema(
      readFileSync(CONTRACT, "utf8")
        .replace("namespaces: [String!]!", "namespaces: [String!]!\n  extraContractField: Int!")
        .replace('deployment(namespace: String! = "default"', 'deployment(namespace: String! = "other"')
        .replace("totalCount: Int! }\ntype ReplicaSetEdge", "totalCount: Float! }\ntype ReplicaSetEdge"),
    );
    const { missing } = differences(broken, serverSchema);
    expect(missing).toContain("field Query.extraContractField");
    expect(missing.some((m) => m.startsWith("Query.deployment(namespace) default"))).toBe(true);
    expect(missing.some((m) => m.startsWith("DeploymentConnection.totalCount: Int!"))).toBe(true);
  });
});

describe("schema/api-contract.graphql", () => {
  it.runIf(existsSync(SHARED_CONTRACT))("is an exact copy of the shared contract", () => {
    expect(readFileSync(VENDORED_CONTRACT, "utf8")).toBe(readFileSync(SHARED_CONTRACT, "utf8"));
  });
});

describe("schema/schema.graphql", () => {
  it("is the schema printed from the builder (run `npm run schema:print` when this fails)", () => {
    expect(existsSync(SCHEMA_FILE)).toBe(true);
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(printSdl());
  });
});

// Every element of the built schema a client can see in a Docs pane (type, field, argument, enum
// value, input field) carries a description (issue 12 §3); the list names what lacks one.
import { isEnumType, isInputObjectType, isInterfaceType, isIntrospectionType, isObjectType, isSpecifiedScalarType, isUnionType, isScalarType, type GraphQLNamedType } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/graphql/schema.ts";

function undocumented(type: GraphQLNamedType): string[] {
  const missing: string[] = [];
  const need = (path: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(path);
  };
  need(type.name, type.description);
  if (isObjectType(type) || isInterfaceType(type)) {
    for (const field of Object.values(type.getFields())) {
      need(`${type.name}.${field.name}`, field.description);
      for (const arg of field.args) need(`${type.name}.${field.name}(${arg.name})`, arg.description);
    }
  } else if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) need(`${type.name}.${field.name}`, field.description);
  } else if (isEnumType(type)) {
    for (const value of type.getValues()) need(`${type.name}.${value.name}`, value.description);
  }
  return missing;
}

describe("schema descriptions", () => {
  const types = Object.values(schema.getTypeMap()).filter((t) => !isIntrospectionType(t) && !isSpecifiedScalarType(t));

  it("covers every kind of element the schema has", () => {
    // the walk below sees objects, interfaces, unions, inputs, enums and custom scalars
    expect(types.some(isObjectType) && types.some(isInterfaceType) && types.some(isUnionType)).toBe(true);
    expect(types.some(isInputObjectType) && types.some(isEnumType) && types.some(isScalarType)).toBe(true);
  });

  it("describes every type, field, argument, enum value and input field", () => {
    expect(types.flatMap(undocumented)).toEqual([]);
  });

  it("a missing description is reported by path", () => {
    const bare = types.find((t) => t.name === "Query")!;
    const original = bare.description;
    bare.description = "";
    try {
      expect(undocumented(bare)).toContain("Query");
    } finally {
      bare.description = original;
    }
  });
});

// The change-log converter (src/db/watch.ts) lists the scalar fields JSON does not carry as
// themselves; they must be exactly the models' DateTime and BigInt fields.
import { describe, expect, it } from "vitest";
import { getDatamodel } from "../../../src/generated/pothos-types.ts";
import { BIGINT_FIELDS, DATE_FIELDS } from "../../../src/db/watch.ts";

const models = ["Deployment", "ReplicaSet", "Pod", "Event"] as const;
const fieldsOfType = (type: string) =>
  [...new Set(models.flatMap((m) => getDatamodel().datamodel.models[m].fields.filter((f) => f.kind === "scalar" && f.type === type).map((f) => f.name)))].sort();

describe("change-log field conversion", () => {
  it.each([
    ["DateTime", DATE_FIELDS],
    ["BigInt", BIGINT_FIELDS],
  ])("converts exactly the %s fields", (type, fields) => {
    expect([...fields].sort()).toEqual(fieldsOfType(type));
  });
});

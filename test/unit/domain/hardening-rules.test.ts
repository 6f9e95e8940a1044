// The validation rules of issue 10 §4 and §6, each a pure function with a table.
import { describe, expect, it } from "vitest";
import { parseQuantity, validateResourceQuantities } from "../../../src/domain/quantity.ts";
import { validateEnvVarNames } from "../../../src/domain/env-vars.ts";
import { validatePodStatusConsistency } from "../../../src/domain/pod-status-rules.ts";
import { validateSimulatorAnnotations } from "../../../src/domain/simulator-annotations.ts";
import { MAX_STARTUP_MS } from "../../../src/domain/kubelet.ts";

describe("parseQuantity (upstream's grammar)", () => {
  it.each([
    ["0", true, false], ["1", true, false], ["100m", true, false], ["0.5", true, false], [".5", true, false], ["1.", true, false],
    ["+1", true, false], ["-1", true, true], ["-0", true, false], ["-0.0Gi", true, false], ["-1Gi", true, true],
    ["128Mi", true, false], ["1Ki", true, false], ["2Ei", true, false], ["1E", true, false], ["5n", true, false], ["3u", true, false],
    ["1e3", true, false], ["1E-3", true, false], ["1e+9", true, false], ["12k", true, false], ["4G", true, false],
    ["lots", false, false], ["", false, false], ["1 Gi", false, false], ["1gi", false, false], ["1Ki5", false, false], ["1K", false, false],
    ["1e", false, false], ["1.2.3", false, false], [".", false, false], ["--1", false, false], ["1mi", false, false], ["Gi", false, false],
  ])("%j: valid %s, negative %s", (text, valid, negative) => {
    expect(parseQuantity(text)).toEqual({ valid, negative });
  });

  it("a container's requests/limits: invalid and negative values, each named", () => {
    expect(validateResourceQuantities({ cpu: "lots", memory: "-1Gi", "ephemeral-storage": "1Gi" }, "c.resources.requests")).toEqual([
      { field: "c.resources.requests[cpu]", message: expect.stringMatching(/^Invalid value: "lots": must match the regular expression/) },
      { field: "c.resources.requests[memory]", message: 'Invalid value: "-1Gi": must be greater than or equal to 0' },
    ]);
  });
});

describe("validateEnvVarNames", () => {
  it.each([
    [["A", "b_c", "_x", ".dot", "-dash", "MY.VAR-2"], []],
    [["1 bad"], ["[0].name Invalid"]],
    [["1abc"], ["[0].name Invalid"]],
    [["a=b"], ["[0].name Invalid"]],
    [["A", "B", "A"], ["[2].name Duplicate"]],
    [["", ""], []], // an empty name is "Required", reported by the caller
  ])("%j", (names, expected) => {
    const errors = validateEnvVarNames(names.map((name) => ({ name })), "env");
    expect(errors.map((e) => `${e.field.slice(3)} ${e.message.split(" ")[0].replace(":", "")}`)).toEqual(expected);
  });
});

describe("validatePodStatusConsistency", () => {
  it.each([
    ["Succeeded", true, 1], ["Failed", true, 1], ["Succeeded", false, 0], ["Running", true, 0], ["Pending", true, 0], ["Unknown", true, 0],
  ])("%s ready=%s: %i error(s)", (phase, ready, count) => {
    expect(validatePodStatusConsistency({ phase, ready })).toHaveLength(count);
  });
});

describe("validateSimulatorAnnotations", () => {
  it.each([
    [undefined, 0], ["0", 0], ["1500", 0], [String(MAX_STARTUP_MS), 0],
    [String(MAX_STARTUP_MS + 1), 1], ["3000000000", 1], ["99999999999999999999", 1], ["-1", 1], ["1e3", 1], ["", 1], ["soon", 1],
  ])("startup-ms %j: %i error(s)", (value, count) => {
    const annotations: Record<string, string> = value === undefined ? {} : { "sim.deploye.dev/startup-ms": value };
    expect(validateSimulatorAnnotations(annotations, "m.annotations")).toHaveLength(count);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LABEL_LIMITS, type Requirement, SelectorParseError, formatSelector, isEmptySelector, labelKeyErrors, labelValueErrors, matches, parseSelector, selectorToRequirements, validateLabelSelector, validateLabels } from "../../../src/domain/labels.ts";
import type { LabelSelector, LabelSelectorOperator, StringMap } from "../../../src/domain/types.ts";

const NAME_PART_SYNTAX =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
  "alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is " +
  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_SYNTAX =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start " +
  "and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345', regex used for validation " +
  "is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const selector = (matchLabels: StringMap = {}, matchExpressions: LabelSelector["matchExpressions"] = []): LabelSelector => ({
  matchLabels,
  matchExpressions,
});
const expr = (key: string, operator: LabelSelectorOperator, values: string[] = []) => ({ key, operator, values });

describe("label key syntax", () => {
  it.each([
    "app",
    "a",
    "A_b.c-D9",
    "app.kubernetes.io/name",
    "k8s.io/x",
    "a".repeat(63),
    `${"p".repeat(253)}/n`,
  ])("accepts %j", (key) => {
    expect(labelKeyErrors(key)).toEqual([]);
  });

  it.each([
    ["", ["name part must be non-empty"]],
    ["a/", ["name part must be non-empty"]],
    ["/a", ["prefix part must be non-empty"]],
    ["a".repeat(64), ["name part must be no more than 63 characters"]],
    ["-a", [NAME_PART_SYNTAX]],
    ["a_", [NAME_PART_SYNTAX]],
    ["a b", [NAME_PART_SYNTAX]],
    [
      "Example.com/a",
      [
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
          "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
    [`${"p".repeat(254)}/n`, ["prefix part must be no more than 253 characters"]],
    ["/", ["prefix part must be non-empty", "name part must be non-empty"]],
  ])("rejects %j", (key, messages) => {
    expect(labelKeyErrors(key)).toEqual(messages);
  });

  it("rejects more than one slash with upstream's qualified-name message", () => {
    expect(labelKeyErrors("a/b/c")).toEqual([
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
        "alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is " +
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
  });
});

describe("label value syntax", () => {
  it.each(["", "a", "MyValue", "my_value", "12345", "a.b-c_d", "v".repeat(63)])("accepts %j", (value) => {
    expect(labelValueErrors(value)).toEqual([]);
  });
  it.each([
    ["v".repeat(64), ["must be no more than 63 characters"]],
    ["-a", [VALUE_SYNTAX]],
    ["a b", [VALUE_SYNTAX]],
    ["a/b", [VALUE_SYNTAX]],
    ["é", [VALUE_SYNTAX]],
  ])("rejects %j", (value, messages) => {
    expect(labelValueErrors(value)).toEqual(messages);
  });
});

describe("validateLabels", () => {
  it("reports every bad key and value on the map's path", () => {
    expect(validateLabels({ ok: "fine", "-bad": "x", good: "-bad value" }, "metadata.labels")).toEqual([
      { field: "metadata.labels", message: `Invalid value: "-bad": ${NAME_PART_SYNTAX}` },
      { field: "metadata.labels", message: `Invalid value: "-bad value": ${VALUE_SYNTAX}` },
    ]);
  });
  it("refuses more than LABEL_LIMITS.labelsPerMap entries without looking at them", () => {
    const labels = Object.fromEntries(Array.from({ length: LABEL_LIMITS.labelsPerMap + 1 }, (_, i) => [`-k${i}`, "v"]));
    expect(validateLabels(labels, "l")).toEqual([{ field: "l", message: "Too many: 257: must have at most 256 items" }]);
    expect(validateLabels(Object.fromEntries(Object.entries(labels).slice(1).map(([k]) => [k.slice(1), "v"])), "l")).toEqual([]);
  });
});

describe("validateLabelSelector", () => {
  const fields = (s: LabelSelector) => validateLabelSelector(s, "spec.selector").map((e) => e.field);

  it("accepts matchLabels and all four operators used correctly", () => {
    const s = selector({ app: "web" }, [expr("tier", "In", ["a", "b"]), expr("env", "NotIn", ["x"]), expr("t", "Exists"), expr("c", "DoesNotExist")]);
    expect(validateLabelSelector(s, "spec.selector")).toEqual([]);
  });

  it.each([
    [selector({}, [expr("a", "In")]), ["spec.selector.matchExpressions[0].values"], "Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    [selector({}, [expr("a", "NotIn")]), ["spec.selector.matchExpressions[0].values"], "Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    [selector({}, [expr("a", "Exists", ["x"])]), ["spec.selector.matchExpressions[0].values"], "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
    [selector({}, [expr("a", "DoesNotExist", ["x"])]), ["spec.selector.matchExpressions[0].values"], "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
    [selector({}, [expr("a", "Equals" as LabelSelectorOperator, ["x"])]), ["spec.selector.matchExpressions[0].operator"], 'Invalid value: "Equals": not a valid selector operator'],
    [selector({}, [expr("-a", "Exists")]), ["spec.selector.matchExpressions[0].key"], `Invalid value: "-a": ${NAME_PART_SYNTAX}`],
    [selector({}, [expr("a", "In", ["ok", "no way"])]), ["spec.selector.matchExpressions[0].values[1]"], `Invalid value: "no way": ${VALUE_SYNTAX}`],
    [selector({ "a b": "c" }), ["spec.selector.matchLabels"], `Invalid value: "a b": ${NAME_PART_SYNTAX}`],
  ])("%j → %j", (s, paths, message) => {
    const errors = validateLabelSelector(s, "spec.selector");
    expect(errors.map((e) => e.field)).toEqual(paths);
    expect(errors[0].message).toBe(message);
  });

  it("collects errors of several expressions at once", () => {
    const s = selector({ "-x": "y" }, [expr("a", "In"), expr("b", "Exists"), expr("-c", "Exists", ["v"])]);
    expect(fields(s)).toEqual([
      "spec.selector.matchLabels",
      "spec.selector.matchExpressions[0].values",
      "spec.selector.matchExpressions[2].values",
      "spec.selector.matchExpressions[2].key",
    ]);
  });

  it("enforces the expression and value limits", () => {
    const many = Array.from({ length: LABEL_LIMITS.matchExpressions + 1 }, () => expr("a", "Exists"));
    expect(validateLabelSelector(selector({}, many), "s")).toEqual([
      { field: "s.matchExpressions", message: "Too many: 65: must have at most 64 items" },
    ]);
    const values = Array.from({ length: LABEL_LIMITS.valuesPerRequirement + 1 }, (_, i) => `v${i}`);
    expect(validateLabelSelector(selector({}, [expr("a", "In", values)]), "s")).toEqual([
      { field: "s.matchExpressions[0].values", message: "Too many: 257: must have at most 256 items" },
    ]);
  });
});

describe("isEmptySelector", () => {
  it.each([
    [selector(), true],
    [selector({ a: "b" }), false],
    [selector({}, [expr("a", "Exists")]), false],
  ])("%j → %s", (s, empty) => expect(isEmptySelector(s)).toBe(empty));
});

describe("selectorToRequirements", () => {
  it("maps matchLabels to = and expressions to set operators, sorted by key", () => {
    const s = selector({ tier: "web", app: "x" }, [
      expr("env", "In", ["a", "b"]),
      expr("zone", "NotIn", ["z"]),
      expr("canary", "DoesNotExist"),
      expr("team", "Exists"),
    ]);
    expect(selectorToRequirements(s)).toEqual([
      { key: "app", operator: "=", values: ["x"] },
      { key: "canary", operator: "!", values: [] },
      { key: "env", operator: "in", values: ["a", "b"] },
      { key: "team", operator: "exists", values: [] },
      { key: "tier", operator: "=", values: ["web"] },
      { key: "zone", operator: "notin", values: ["z"] },
    ]);
  });
  it("gives no requirements for the empty selector", () => {
    expect(selectorToRequirements(selector())).toEqual([]);
  });
});

describe("matches", () => {
  const labels = { app: "web", tier: "fe" };
  it.each<[string, Requirement[], boolean]>([
    ["nothing matches everything", [], true],
    ["= equal", [{ key: "app", operator: "=", values: ["web"] }], true],
    ["= other value", [{ key: "app", operator: "=", values: ["db"] }], false],
    ["= missing key", [{ key: "env", operator: "=", values: ["web"] }], false],
    ["!= other value", [{ key: "app", operator: "!=", values: ["db"] }], true],
    ["!= same value", [{ key: "app", operator: "!=", values: ["web"] }], false],
    ["!= missing key matches", [{ key: "env", operator: "!=", values: ["x"] }], true],
    ["in hit", [{ key: "tier", operator: "in", values: ["be", "fe"] }], true],
    ["in miss", [{ key: "tier", operator: "in", values: ["be"] }], false],
    ["in missing key", [{ key: "env", operator: "in", values: ["be"] }], false],
    ["notin hit", [{ key: "tier", operator: "notin", values: ["fe"] }], false],
    ["notin miss", [{ key: "tier", operator: "notin", values: ["be"] }], true],
    ["notin missing key matches", [{ key: "env", operator: "notin", values: ["be"] }], true],
    ["exists", [{ key: "app", operator: "exists", values: [] }], true],
    ["exists missing", [{ key: "env", operator: "exists", values: [] }], false],
    ["! missing", [{ key: "env", operator: "!", values: [] }], true],
    ["! present", [{ key: "app", operator: "!", values: [] }], false],
    ["all must hold", [{ key: "app", operator: "=", values: ["web"] }, { key: "tier", operator: "=", values: ["be"] }], false],
    ["inherited properties are not labels", [{ key: "constructor", operator: "exists", values: [] }], false],
  ])("%s", (_, reqs, expected) => {
    expect(matches(reqs, labels)).toBe(expected);
  });

  it("the empty value is a value", () => {
    expect(matches([{ key: "a", operator: "=", values: [""] }], { a: "" })).toBe(true);
    expect(matches([{ key: "a", operator: "=", values: [""] }], {})).toBe(false);
  });
});

describe("parseSelector", () => {
  const r = (key: string, operator: Requirement["operator"], ...values: string[]): Requirement => ({ key, operator, values });

  it.each<[string, Requirement[]]>([
    ["", []],
    ["  \t ", []],
    ["a=b", [r("a", "=", "b")]],
    ["a==b", [r("a", "=", "b")]],
    ["a!=b", [r("a", "!=", "b")]],
    ["a in (x,y)", [r("a", "in", "x", "y")]],
    ["a notin (x)", [r("a", "notin", "x")]],
    ["a", [r("a", "exists")]],
    ["!a", [r("a", "!")]],
    ["! a", [r("a", "!")]],
    [" a = b , c != d ,e in( f , g ),  !h,i ", [r("a", "=", "b"), r("c", "!=", "d"), r("e", "in", "f", "g"), r("h", "!"), r("i", "exists")]],
    ["app=web,tier!=db,env in (a,b),!canary", [r("app", "=", "web"), r("tier", "!=", "db"), r("env", "in", "a", "b"), r("canary", "!")]],
    ["a=", [r("a", "=", "")]],
    ["a=,b", [r("a", "=", ""), r("b", "exists")]],
    ["a in ()", [r("a", "in", "")]],
    ["a in (x,,y,)", [r("a", "in", "x", "", "y", "")]],
    ["example.com/app=web", [r("example.com/app", "=", "web")]],
    ["in in (in)", [r("in", "in", "in")]],
    ["a=in,b=notin", [r("a", "=", "in"), r("b", "=", "notin")]],
    ["a\nin\n(x)", [r("a", "in", "x")]],
  ])("%j", (text, expected) => {
    expect(parseSelector(text)).toEqual(expected);
  });

  it.each<[string, number, string]>([
    ["a in x", 5, 'unexpected "x" at position 5: expected "("'],
    ["a (", 2, 'unexpected "(" at position 2: expected "=", "==", "!=", "in", "notin", "," or end of input'],
    ["a b", 2, 'unexpected "b" at position 2: expected "=", "==", "!=", "in", "notin", "," or end of input'],
    ["a>1", 1, 'unexpected ">" at position 1: expected "=", "==", "!=", "in", "notin", "," or end of input'],
    ["a=b,", 4, "unexpected end of input at position 4: expected a label key"],
    [",a", 0, 'unexpected "," at position 0: expected a label key'],
    ["!", 1, "unexpected end of input at position 1: expected a label key"],
    ["!=a", 0, 'unexpected "!=" at position 0: expected a label key'],
    ["a in (x", 7, 'unexpected end of input at position 7: expected "," or ")"'],
    ["a in (x y)", 8, 'unexpected "y" at position 8: expected "," or ")"'],
    ["a in (=)", 6, 'unexpected "=" at position 6: expected a label value, "," or ")"'],
    ["!a=b", 2, 'unexpected "=" at position 2: expected "," or end of input'],
    ["a=b c", 4, 'unexpected "c" at position 4: expected "," or end of input'],
    ["a=b)", 3, 'unexpected ")" at position 3: expected "," or end of input'],
    ["a===b", 3, 'unexpected "=" at position 3: expected a label value, "," or end of input'],
    ["-a=b", 0, `invalid label key "-a" at position 0: ${NAME_PART_SYNTAX}`],
    ["x, a/b/c", 3, 'invalid label key "a/b/c" at position 3: a qualified name must consist'],
    ["a=-b", 2, `invalid label value "-b" at position 2: ${VALUE_SYNTAX}`],
    ["a in (ok,b_)", 9, 'invalid label value "b_" at position 9:'],
  ])("%j fails at %i", (text, position, message) => {
    const error = (() => {
      try {
        parseSelector(text);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SelectorParseError);
    expect((error as SelectorParseError).position).toBe(position);
    expect((error as SelectorParseError).message.startsWith(message)).toBe(true);
  });

  it("bounds the number of requirements and of values in a set", () => {
    const requirements = Array.from({ length: LABEL_LIMITS.requirementsPerSelector }, (_, i) => `k${i}`);
    expect(parseSelector(requirements.join(","))).toHaveLength(LABEL_LIMITS.requirementsPerSelector);
    expect(() => parseSelector([...requirements, "one-more"].join(","))).toThrow(/^too many requirements at position \d+: at most 320$/);
    const values = Array.from({ length: LABEL_LIMITS.valuesPerRequirement }, (_, i) => `v${i}`);
    expect(parseSelector(`a in (${values.join(",")})`)[0].values).toHaveLength(256);
    expect(() => parseSelector(`a in (${values.join(",")},x)`)).toThrow(/^too many values at position \d+: at most 256 in one set$/);
    expect(() => parseSelector("a,".repeat(5_000_000))).toThrow("too many requirements at position 640: at most 320");
  });
});

describe("formatSelector", () => {
  it("prints the kubectl form", () => {
    expect(
      formatSelector([
        { key: "a", operator: "=", values: ["b"] },
        { key: "c", operator: "!=", values: [""] },
        { key: "e", operator: "in", values: ["f", "g"] },
        { key: "h", operator: "notin", values: ["i"] },
        { key: "j", operator: "exists", values: [] },
        { key: "k", operator: "!", values: [] },
      ]),
    ).toBe("a=b,c!=,e in (f,g),h notin (i),j,!k");
  });
});

// ---------------------------------------------------------------------------------------------
// Properties.

const keyArb = fc.oneof(
  fc.constantFrom("app", "tier", "env", "example.com/team", "in", "notin"),
  fc.stringMatching(/^([a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?(\.[a-z]{1,5}){0,2}\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?$/),
);
const valueArb = fc.oneof(fc.constantFrom("", "a", "b", "web", "in"), fc.stringMatching(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?)?$/));
const requirementArb: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({ key: keyArb, operator: fc.constantFrom("=" as const, "!=" as const), values: fc.tuple(valueArb) }),
  fc.record({ key: keyArb, operator: fc.constantFrom("in" as const, "notin" as const), values: fc.array(valueArb, { minLength: 1, maxLength: 5 }) }),
  fc.record({ key: keyArb, operator: fc.constantFrom("exists" as const, "!" as const), values: fc.constant<string[]>([]) }),
);
const labelsArb = fc.dictionary(fc.constantFrom("app", "tier", "env", "example.com/team", "in", "x"), valueArb, { maxKeys: 5 });

describe("selector properties", () => {
  it("parseSelector(formatSelector(r)) gives r back", () => {
    fc.assert(
      fc.property(fc.array(requirementArb, { maxLength: 6 }), (reqs) => {
        expect(parseSelector(formatSelector(reqs))).toEqual(reqs);
      }),
      { numRuns: 1000 },
    );
  });

  it("only ever throws SelectorParseError, and what it accepts has valid keys and values", () => {
    const textArb = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.array(fc.constantFrom("a", "b", "=", "==", "!=", "!", "in", "notin", "(", ")", ",", " ", "-", "x/y", "é"), { maxLength: 12 }).map((t) => t.join("")),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        try {
          for (const r of parseSelector(text)) {
            expect(labelKeyErrors(r.key)).toEqual([]);
            r.values.forEach((v) => expect(labelValueErrors(v)).toEqual([]));
          }
        } catch (e) {
          expect(e).toBeInstanceOf(SelectorParseError);
          expect((e as SelectorParseError).position).toBeGreaterThanOrEqual(0);
          expect((e as SelectorParseError).position).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 1000 },
    );
  });

  /** Kubernetes' LabelSelector semantics, written straight from the API documentation. */
  function referenceMatches(s: LabelSelector, labels: StringMap): boolean {
    const map = new Map(Object.entries(labels));
    return (
      [...Object.entries(s.matchLabels)].every(([k, v]) => map.get(k) === v) &&
      s.matchExpressions.every(({ key, operator, values }) => {
        if (operator === "In") return map.has(key) && values.some((v) => v === map.get(key));
        if (operator === "NotIn") return !map.has(key) || values.every((v) => v !== map.get(key));
        if (operator === "Exists") return map.has(key);
        return !map.has(key);
      })
    );
  }

  const labelSelectorArb: fc.Arbitrary<LabelSelector> = fc.record({
    matchLabels: labelsArb,
    matchExpressions: fc.array(
      fc.oneof(
        fc.record({ key: keyArb, operator: fc.constantFrom("In" as const, "NotIn" as const), values: fc.array(valueArb, { minLength: 1, maxLength: 4 }) }),
        fc.record({ key: keyArb, operator: fc.constantFrom("Exists" as const, "DoesNotExist" as const), values: fc.constant<string[]>([]) }),
      ),
      { maxLength: 4 },
    ),
  });

  it("matches agrees with the reference on random selectors and label maps", () => {
    fc.assert(
      fc.property(labelSelectorArb, labelsArb, (s, labels) => {
        expect(matches(selectorToRequirements(s), labels)).toBe(referenceMatches(s, labels));
      }),
      { numRuns: 1000 },
    );
  });
});

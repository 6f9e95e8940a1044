import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DeploymentSpec } from "../../../src/domain/types.ts";
import type { ContainerInput, DeploymentInput, PodStatusInput, ReplicaSetInput } from "../../../src/domain/decoding.ts";
import type { FieldError } from "../../../src/domain/field-errors.ts";
import { LIMITS, normalizeDeployment, normalizeReplicaSet, validateDeploymentUpdate, validateImage, validateNonNegativeInt, validatePodStatusInput, validateReplicas, validateSetImage } from "../../../src/domain/validation.ts";

// A minimal valid Deployment; each case edits a fresh copy.
function base(): DeploymentInput {
  return {
    metadata: { name: "web" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] },
      },
    },
  };
}
const container = (name: string, extra: Partial<ContainerInput> = {}): ContainerInput => ({ name, image: "img", ...extra });
const fieldsOf = (errors: FieldError[]) => errors.map((e) => e.field).sort();
const errorsOf = (edit: (d: DeploymentInput) => void): FieldError[] => {
  const input = base();
  edit(input);
  const result = normalizeDeployment(input);
  expect(result.value === undefined).toBe(result.errors.length > 0);
  return result.errors;
};
const c0 = "spec.template.spec.containers[0]";
const ru = "spec.strategy.rollingUpdate";
const DNS_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end " +
  "with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start " +
  "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for " +
  "validation is '[0-9]+%')";

describe("normalizeDeployment: defaults", () => {
  it("applies every default of the contract", () => {
    expect(normalizeDeployment(base())).toEqual({
      errors: [],
      value: {
        metadata: { name: "web", namespace: "default", labels: {}, annotations: {} },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "web" }, matchExpressions: [] },
          template: {
            metadata: { labels: { app: "web" }, annotations: {} },
            spec: {
              containers: [
                {
                  name: "nginx",
                  image: "nginx:1.25",
                  command: [],
                  args: [],
                  env: [],
                  ports: [],
                  resources: { requests: {}, limits: {} },
                },
              ],
              terminationGracePeriodSeconds: 30,
            },
          },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
          minReadySeconds: 0,
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
          paused: false,
        },
      },
    });
  });

  it("treats explicit nulls like absent fields", () => {
    const input = base();
    Object.assign(input.metadata, { namespace: null, labels: null, annotations: null });
    Object.assign(input.spec, { replicas: null, strategy: null, minReadySeconds: null, revisionHistoryLimit: null, progressDeadlineSeconds: null, paused: null });
    input.spec.template.spec.containers[0] = { name: "nginx", image: "nginx:1.25", command: null, args: null, env: null, ports: null, resources: null };
    expect(normalizeDeployment(input)).toEqual(normalizeDeployment(base()));
  });

  it("defaults a port's protocol to TCP and an empty port name to none", () => {
    const input = base();
    input.spec.template.spec.containers[0].ports = [{ containerPort: 80 }, { name: "", containerPort: 81, protocol: "UDP" }];
    expect(normalizeDeployment(input).value?.spec.template.spec.containers[0].ports).toEqual([
      { name: null, containerPort: 80, protocol: "TCP" },
      { name: null, containerPort: 81, protocol: "UDP" },
    ]);
  });

  it("defaults the missing half of rollingUpdate, and gives Recreate no rollingUpdate", () => {
    const input = base();
    input.spec.strategy = { rollingUpdate: { maxSurge: 2 } };
    expect(normalizeDeployment(input).value?.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 2, maxUnavailable: "25%" } });
    input.spec.strategy = { type: "Recreate" };
    expect(normalizeDeployment(input).value?.spec.strategy).toEqual({ type: "Recreate", rollingUpdate: null });
  });

  it("keeps what is given", () => {
    const input = base();
    input.metadata = { name: "api.v2", namespace: "prod", labels: { team: "core" }, annotations: { "example.com/note": "hi" } };
    Object.assign(input.spec, { replicas: 0, minReadySeconds: 5, revisionHistoryLimit: 0, progressDeadlineSeconds: 6, paused: true });
    input.spec.selector = { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] };
    input.spec.template.spec.terminationGracePeriodSeconds = 0;
    const value = normalizeDeployment(input).value!;
    expect(value.metadata).toEqual({ name: "api.v2", namespace: "prod", labels: { team: "core" }, annotations: { "example.com/note": "hi" } });
    expect(value.spec).toMatchObject({ replicas: 0, minReadySeconds: 5, revisionHistoryLimit: 0, progressDeadlineSeconds: 6, paused: true });
    expect(value.spec.selector).toEqual({ matchLabels: {}, matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] });
    expect(value.spec.template.spec.terminationGracePeriodSeconds).toBe(0);
  });
});

describe("normalizeDeployment: one rule at a time", () => {
  it.each<[string, (d: DeploymentInput) => void, FieldError[]]>([
    // metadata
    ["name required", (d) => (d.metadata.name = ""), [{ field: "metadata.name", message: "Required value: name or generateName is required" }]],
    ["name is a subdomain", (d) => (d.metadata.name = "Web"), [{ field: "metadata.name", message: `Invalid value: "Web": ${DNS_SUBDOMAIN_MSG}` }]],
    ["name ≤ 253", (d) => (d.metadata.name = "a".repeat(254)), [{ field: "metadata.name", message: `Invalid value: "${"a".repeat(99)}...: must be no more than 253 characters` }]],
    ["namespace required", (d) => (d.metadata.namespace = ""), [{ field: "metadata.namespace", message: "Required value" }]],
    ["namespace is a label", (d) => (d.metadata.namespace = "a.b"), [{ field: "metadata.namespace", message: `Invalid value: "a.b": ${DNS_LABEL_MSG}` }]],
    ["metadata label key", (d) => (d.metadata.labels = { "a b": "c" }), [{ field: "metadata.labels", message: expect.stringMatching(/^Invalid value: "a b": name part must consist/) }]],
    ["metadata label value", (d) => (d.metadata.labels = { a: "b c" }), [{ field: "metadata.labels", message: expect.stringMatching(/^Invalid value: "b c": a valid label must/) }]],
    ["annotation key", (d) => (d.metadata.annotations = { "a/b/c": "x" }), [{ field: "metadata.annotations", message: expect.stringMatching(/^Invalid value: "a\/b\/c": a qualified name/) }]],
    ["annotation size", (d) => (d.metadata.annotations = { a: "x".repeat(LIMITS.annotationBytes) }), [{ field: "metadata.annotations", message: "Too long: may not be more than 262144 bytes" }]],
    // replicas and seconds
    ["replicas ≥ 0", (d) => (d.spec.replicas = -1), [{ field: "spec.replicas", message: "Invalid value: -1: must be greater than or equal to 0" }]],
    ["replicas ≤ limit", (d) => (d.spec.replicas = LIMITS.replicas + 1), [{ field: "spec.replicas", message: "Invalid value: 10001: must be less than or equal to 10000" }]],
    ["minReadySeconds ≥ 0", (d) => (d.spec.minReadySeconds = -1), [{ field: "spec.minReadySeconds", message: "Invalid value: -1: must be greater than or equal to 0" }]],
    ["revisionHistoryLimit ≥ 0", (d) => (d.spec.revisionHistoryLimit = -1), [{ field: "spec.revisionHistoryLimit", message: "Invalid value: -1: must be greater than or equal to 0" }]],
    ["progressDeadlineSeconds > minReadySeconds (equal)", (d) => Object.assign(d.spec, { minReadySeconds: 30, progressDeadlineSeconds: 30 }), [{ field: "spec.progressDeadlineSeconds", message: "Invalid value: 30: must be greater than minReadySeconds" }]],
    ["progressDeadlineSeconds > minReadySeconds (default deadline)", (d) => (d.spec.minReadySeconds = 600), [{ field: "spec.progressDeadlineSeconds", message: "Invalid value: 600: must be greater than minReadySeconds" }]],
    ["progressDeadlineSeconds ≤ int32", (d) => (d.spec.progressDeadlineSeconds = 2 ** 31), [{ field: "spec.progressDeadlineSeconds", message: "Invalid value: 2147483648: must be less than or equal to 2147483647" }]],
    // selector
    ["selector non-empty", (d) => (d.spec.selector = {}), [{ field: "spec.selector", message: 'Invalid value: {"matchLabels":{},"matchExpressions":[]}: empty selector is invalid for deployment' }]],
    ["selector matches template", (d) => (d.spec.selector = { matchLabels: { app: "api" } }), [{ field: "spec.template.metadata.labels", message: 'Invalid value: {"app":"web"}: `selector` does not match template `labels`' }]],
    ["selector expression matches template", (d) => (d.spec.selector = { matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] }), [{ field: "spec.template.metadata.labels", message: expect.stringContaining("does not match") }]],
    ["selector expression values", (d) => (d.spec.selector = { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In" }] }), [{ field: "spec.selector.matchExpressions[0].values", message: "Required value: must be specified when `operator` is 'In' or 'NotIn'" }]],
    ["selector operator", (d) => (d.spec.selector = { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "Equals" }] }), [{ field: "spec.selector.matchExpressions[0].operator", message: 'Invalid value: "Equals": not a valid selector operator' }]],
    ["selector label syntax", (d) => (d.spec.selector = { matchLabels: { app: "web", "-x": "y" } }), [{ field: "spec.selector.matchLabels", message: expect.stringMatching(/^Invalid value: "-x"/) }]],
    ["template label syntax", (d) => (d.spec.template.metadata.labels = { app: "web", x: "-" }), [{ field: "spec.template.metadata.labels", message: expect.stringMatching(/^Invalid value: "-": a valid label/) }]],
    ["template annotation key", (d) => (d.spec.template.metadata.annotations = { "/x": "" }), [{ field: "spec.template.metadata.annotations", message: 'Invalid value: "/x": prefix part must be non-empty' }]],
    // containers
    ["at least one container", (d) => (d.spec.template.spec.containers = []), [{ field: "spec.template.spec.containers", message: "Required value" }]],
    ["container name required", (d) => (d.spec.template.spec.containers[0].name = ""), [{ field: `${c0}.name`, message: "Required value" }]],
    ["container name is a label", (d) => (d.spec.template.spec.containers[0].name = "a.b"), [{ field: `${c0}.name`, message: `Invalid value: "a.b": ${DNS_LABEL_MSG}` }]],
    ["container names unique", (d) => d.spec.template.spec.containers.push(container("b"), container("nginx")), [{ field: "spec.template.spec.containers[2].name", message: 'Duplicate value: "nginx"' }]],
    ["image required", (d) => (d.spec.template.spec.containers[0].image = ""), [{ field: `${c0}.image`, message: "Required value" }]],
    ["image without surrounding whitespace", (d) => (d.spec.template.spec.containers[0].image = " nginx"), [{ field: `${c0}.image`, message: 'Invalid value: " nginx": must not have leading or trailing whitespace' }]],
    ["port number ≥ 1", (d) => (d.spec.template.spec.containers[0].ports = [{ containerPort: 0 }]), [{ field: `${c0}.ports[0].containerPort`, message: "Invalid value: 0: must be between 1 and 65535, inclusive" }]],
    ["port number ≤ 65535", (d) => (d.spec.template.spec.containers[0].ports = [{ containerPort: 65536 }]), [{ field: `${c0}.ports[0].containerPort`, message: "Invalid value: 65536: must be between 1 and 65535, inclusive" }]],
    ["port protocol", (d) => (d.spec.template.spec.containers[0].ports = [{ containerPort: 80, protocol: "HTTP" }]), [{ field: `${c0}.ports[0].protocol`, message: 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"' }]],
    ["port protocol required", (d) => (d.spec.template.spec.containers[0].ports = [{ containerPort: 80, protocol: "" }]), [{ field: `${c0}.ports[0].protocol`, message: "Required value" }]],
    ["port name syntax", (d) => (d.spec.template.spec.containers[0].ports = [{ name: "web--1", containerPort: 80 }]), [{ field: `${c0}.ports[0].name`, message: 'Invalid value: "web--1": must not contain consecutive hyphens' }]],
    ["port name length", (d) => (d.spec.template.spec.containers[0].ports = [{ name: "a".repeat(16), containerPort: 80 }]), [{ field: `${c0}.ports[0].name`, message: expect.stringContaining("must be no more than 15 characters") }]],
    ["port names unique in a container", (d) => (d.spec.template.spec.containers[0].ports = [{ name: "http", containerPort: 80 }, { name: "http", containerPort: 81 }]), [{ field: `${c0}.ports[1].name`, message: 'Duplicate value: "http"' }]],
    ["env name required", (d) => (d.spec.template.spec.containers[0].env = [{ name: "", value: "x" }]), [{ field: `${c0}.env[0].name`, message: "Required value" }]],
    ["terminationGracePeriodSeconds ≥ 0", (d) => (d.spec.template.spec.terminationGracePeriodSeconds = -1), [{ field: "spec.template.spec.terminationGracePeriodSeconds", message: "Invalid value: -1: must be greater than or equal to 0" }]],
    // strategy
    ["strategy type", (d) => (d.spec.strategy = { type: "BlueGreen" }), [{ field: "spec.strategy.type", message: 'Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"' }]],
    ["rollingUpdate forbidden with Recreate", (d) => (d.spec.strategy = { type: "Recreate", rollingUpdate: {} }), [{ field: ru, message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" }]],
    ["maxSurge not negative", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: -1 } }), [{ field: `${ru}.maxSurge`, message: "Invalid value: -1: must be greater than or equal to 0" }]],
    ["maxSurge a percentage", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: "20Percent" } }), [{ field: `${ru}.maxSurge`, message: `Invalid value: "20Percent": ${PERCENT_MSG}` }]],
    ["maxSurge digits need a %", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: "5" } }), [{ field: `${ru}.maxSurge`, message: `Invalid value: "5": ${PERCENT_MSG}` }]],
    ["maxSurge an integer", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: 1.5 } }), [{ field: `${ru}.maxSurge`, message: "Invalid value: 1.5: must be an integer or percentage (e.g '5%')" }]],
    ["maxUnavailable not negative", (d) => (d.spec.strategy = { rollingUpdate: { maxUnavailable: -2 } }), [{ field: `${ru}.maxUnavailable`, message: "Invalid value: -2: must be greater than or equal to 0" }]],
    ["maxUnavailable a percentage", (d) => (d.spec.strategy = { rollingUpdate: { maxUnavailable: "-5%" } }), [{ field: `${ru}.maxUnavailable`, message: `Invalid value: "-5%": ${PERCENT_MSG}` }]],
    ["maxSurge ≤ 100% (pods are rows)", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: "200%" } }), [{ field: `${ru}.maxSurge`, message: 'Invalid value: "200%": must not be greater than 100%' }]],
    ["maxSurge ≤ the replicas limit", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: 2 ** 31 - 1 } }), [{ field: `${ru}.maxSurge`, message: `Invalid value: ${2 ** 31 - 1}: must be less than or equal to ${LIMITS.replicas}` }]],
    ["maxUnavailable ≤ 100%", (d) => (d.spec.strategy = { rollingUpdate: { maxUnavailable: "101%" } }), [{ field: `${ru}.maxUnavailable`, message: 'Invalid value: "101%": must not be greater than 100%' }]],
    ["both zero (0, 0)", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }), [{ field: `${ru}.maxUnavailable`, message: "Invalid value: 0: may not be 0 when `maxSurge` is 0" }]],
    ["both zero (0%, 0)", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: "0%", maxUnavailable: 0 } }), [{ field: `${ru}.maxUnavailable`, message: "Invalid value: 0: may not be 0 when `maxSurge` is 0" }]],
    ["both zero (0, 00%)", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: "00%" } }), [{ field: `${ru}.maxUnavailable`, message: 'Invalid value: "00%": may not be 0 when `maxSurge` is 0' }]],
  ])("%s", (_, edit, expected) => {
    expect(errorsOf(edit)).toEqual(expected);
  });

  it.each<[string, (d: DeploymentInput) => void]>([
    ["replicas 0", (d) => (d.spec.replicas = 0)],
    ["replicas at the limit", (d) => (d.spec.replicas = LIMITS.replicas)],
    ["revisionHistoryLimit 0", (d) => (d.spec.revisionHistoryLimit = 0)],
    ["deadline just above minReadySeconds", (d) => Object.assign(d.spec, { minReadySeconds: 10, progressDeadlineSeconds: 11 })],
    ["deadline at int32 max", (d) => (d.spec.progressDeadlineSeconds = 2 ** 31 - 1)],
    ["name at 253", (d) => (d.metadata.name = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`)],
    ["maxUnavailable 100%", (d) => (d.spec.strategy = { rollingUpdate: { maxUnavailable: "100%", maxSurge: 0 } })],
    ["maxSurge 100%", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: "100%" } })],
    ["maxSurge at the replicas limit", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: LIMITS.replicas } })],
    ["maxUnavailable above replicas as an int", (d) => (d.spec.strategy = { rollingUpdate: { maxUnavailable: 50 } })],
    ["surge 0 with unavailable 1", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } })],
    ["surge 0% with unavailable 1%", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: "0%", maxUnavailable: "1%" } })],
    ["Recreate with rollingUpdate null", (d) => (d.spec.strategy = { type: "Recreate", rollingUpdate: null })],
    ["selector by expressions", (d) => (d.spec.selector = { matchExpressions: [{ key: "app", operator: "Exists" }, { key: "canary", operator: "DoesNotExist" }] })],
    ["template labels beyond the selector", (d) => (d.spec.template.metadata.labels = { app: "web", tier: "fe" })],
    ["annotations at exactly 256 KiB", (d) => (d.metadata.annotations = { a: "x".repeat(LIMITS.annotationBytes - 1) })],
    ["annotation key upper case prefix checked lower-cased", (d) => (d.metadata.annotations = { "Example.COM/Key": "" })],
    ["SCTP and UDP ports", (d) => (d.spec.template.spec.containers[0].ports = [{ containerPort: 1, protocol: "SCTP" }, { name: "dns", containerPort: 65535, protocol: "UDP" }])],
    ["same port name in two containers", (d) => {
      d.spec.template.spec.containers[0].ports = [{ name: "http", containerPort: 80 }];
      d.spec.template.spec.containers.push(container("b", { ports: [{ name: "http", containerPort: 81 }] }));
    }],
    ["empty env value", (d) => (d.spec.template.spec.containers[0].env = [{ name: "A", value: "" }])],
    ["image at the string limit", (d) => (d.spec.template.spec.containers[0].image = "i".repeat(LIMITS.stringBytes))],
  ])("accepts %s", (_, edit) => {
    expect(errorsOf(edit)).toEqual([]);
  });
});

describe("normalizeDeployment: several violations are reported together", () => {
  it("names every offending field", () => {
    const errors = errorsOf((d) => {
      d.metadata.name = "Bad_Name";
      d.metadata.namespace = "Bad";
      d.spec.replicas = -3;
      d.spec.minReadySeconds = 700; // valid itself, but not below the default deadline
      d.spec.revisionHistoryLimit = -1;
      d.spec.selector = { matchLabels: { app: "other" } };
      d.spec.strategy = { type: "Recreate", rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } };
      d.spec.template.spec.containers = [container("ok"), container("Bad", { image: "" }), container("ok")];
    });
    expect(fieldsOf(errors)).toEqual(
      [
        "metadata.name",
        "metadata.namespace",
        "spec.replicas",
        "spec.revisionHistoryLimit",
        "spec.progressDeadlineSeconds",
        "spec.template.metadata.labels",
        "spec.strategy.rollingUpdate",
        "spec.template.spec.containers[1].name",
        "spec.template.spec.containers[1].image",
        "spec.template.spec.containers[2].name",
      ].sort(),
    );
  });

  it("reports both a bad surge and a bad unavailable, and nothing about zero when one is invalid", () => {
    const errors = errorsOf((d) => (d.spec.strategy = { rollingUpdate: { maxSurge: "x", maxUnavailable: "150%" } }));
    expect(fieldsOf(errors)).toEqual([`${ru}.maxSurge`, `${ru}.maxUnavailable`]);
    expect(fieldsOf(errorsOf((d) => (d.spec.strategy = { rollingUpdate: { maxSurge: "x", maxUnavailable: 0 } })))).toEqual([`${ru}.maxSurge`]);
  });

  it("reports per-container problems of every container", () => {
    const errors = errorsOf((d) => {
      d.spec.template.spec.containers = [
        container("a", { env: [{ name: "", value: "" }], ports: [{ containerPort: 0, protocol: "ICMP" }] }),
        container("b", { image: "", ports: [{ name: "-x", containerPort: 80 }] }),
      ];
    });
    expect(fieldsOf(errors)).toEqual(
      [
        `${c0}.env[0].name`,
        `${c0}.ports[0].containerPort`,
        `${c0}.ports[0].protocol`,
        "spec.template.spec.containers[1].image",
        "spec.template.spec.containers[1].ports[0].name",
      ].sort(),
    );
  });

  it("reports an empty selector without also claiming it does not match", () => {
    expect(fieldsOf(errorsOf((d) => (d.spec.selector = { matchLabels: {}, matchExpressions: [] })))).toEqual(["spec.selector"]);
  });

  it("does not check the template against an invalid selector", () => {
    const errors = errorsOf((d) => (d.spec.selector = { matchLabels: { app: "api" }, matchExpressions: [{ key: "x", operator: "In" }] }));
    expect(fieldsOf(errors)).toEqual(["spec.selector.matchExpressions[0].values"]);
  });
});

describe("normalizeDeployment: limits", () => {
  const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

  it.each<[string, (d: DeploymentInput) => void, FieldError[]]>([
    ["containers", (d) => (d.spec.template.spec.containers = many(LIMITS.containers + 1, (i) => container(`c${i}`))), [{ field: "spec.template.spec.containers", message: "Too many: 65: must have at most 64 items" }]],
    ["env", (d) => (d.spec.template.spec.containers[0].env = many(LIMITS.envPerContainer + 1, () => ({ name: "", value: "" }))), [{ field: `${c0}.env`, message: "Too many: 257: must have at most 256 items" }]],
    ["ports", (d) => (d.spec.template.spec.containers[0].ports = many(LIMITS.portsPerContainer + 1, () => ({ containerPort: 0 }))), [{ field: `${c0}.ports`, message: "Too many: 129: must have at most 128 items" }]],
    ["command", (d) => (d.spec.template.spec.containers[0].command = many(LIMITS.commandEntries + 1, () => "x")), [{ field: `${c0}.command`, message: "Too many: 1025: must have at most 1024 items" }]],
    ["args", (d) => (d.spec.template.spec.containers[0].args = many(LIMITS.commandEntries + 1, () => "x")), [{ field: `${c0}.args`, message: "Too many: 1025: must have at most 1024 items" }]],
    ["resource entries", (d) => (d.spec.template.spec.containers[0].resources = { limits: Object.fromEntries(many(LIMITS.resourceEntries + 1, (i) => [`r${i}`, "1"])) }), [{ field: `${c0}.resources.limits`, message: "Too many: 33: must have at most 32 items" }]],
    ["labels", (d) => (d.metadata.labels = Object.fromEntries(many(LIMITS.labelsPerMap + 1, (i) => [`k${i}`, "v"]))), [{ field: "metadata.labels", message: "Too many: 257: must have at most 256 items" }]],
    ["match expressions", (d) => (d.spec.selector.matchExpressions = many(LIMITS.matchExpressions + 1, () => ({ key: "app", operator: "Exists" }))), [{ field: "spec.selector.matchExpressions", message: "Too many: 65: must have at most 64 items" }]],
    ["image bytes", (d) => (d.spec.template.spec.containers[0].image = "é".repeat(LIMITS.stringBytes / 2 + 1)), [{ field: `${c0}.image`, message: "Too long: may not be more than 65536 bytes" }]],
    ["command entry bytes", (d) => (d.spec.template.spec.containers[0].command = ["ok", "x".repeat(LIMITS.stringBytes + 1)]), [{ field: `${c0}.command[1]`, message: "Too long: may not be more than 65536 bytes" }]],
    ["env value bytes", (d) => (d.spec.template.spec.containers[0].env = [{ name: "A", value: "x".repeat(LIMITS.stringBytes + 1) }]), [{ field: `${c0}.env[0].value`, message: "Too long: may not be more than 65536 bytes" }]],
    ["spec bytes", (d) => (d.spec.template.spec.containers = many(17, (i) => container(`c${i}`, { image: "x".repeat(LIMITS.stringBytes - 100) }))), [{ field: "spec", message: "Too long: may not be more than 1048576 bytes" }]],
  ])("%s", (_, edit, expected) => {
    expect(errorsOf(edit)).toEqual(expected);
  });

  it("accepts lists at their limits", () => {
    expect(
      errorsOf((d) => {
        d.spec.template.spec.containers = many(LIMITS.containers, (i) => container(`c${i}`));
        d.spec.template.spec.containers[0].env = many(LIMITS.envPerContainer, (i) => ({ name: `E${i}`, value: "" }));
        d.spec.template.spec.containers[0].ports = many(LIMITS.portsPerContainer, (i) => ({ containerPort: i + 1 }));
        d.spec.template.spec.containers[0].command = many(LIMITS.commandEntries, () => "x");
      }),
    ).toEqual([]);
  });
});

describe("normalizeDeployment: input of the wrong JSON type", () => {
  const raw = (edit: (d: Record<string, any>) => void) => errorsOf((d) => edit(d as unknown as Record<string, any>));

  it.each<[string, (d: Record<string, any>) => void, FieldError[]]>([
    ["replicas as a string", (d) => (d.spec.replicas = "3"), [{ field: "spec.replicas", message: 'Invalid value: "3": must be an integer' }]],
    ["replicas as a float", (d) => (d.spec.replicas = 1.5), [{ field: "spec.replicas", message: "Invalid value: 1.5: must be an integer" }]],
    ["paused as a string", (d) => (d.spec.paused = "yes"), [{ field: "spec.paused", message: 'Invalid value: "yes": must be a boolean' }]],
    ["a label value that is a number", (d) => (d.metadata.labels = { a: 1 }), [{ field: "metadata.labels", message: 'Invalid value: {"a":1}: must be a map of strings to strings' }]],
    ["labels as a list", (d) => (d.metadata.labels = ["a"]), [{ field: "metadata.labels", message: 'Invalid value: ["a"]: must be an object' }]],
    ["maxSurge as a boolean", (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: true } }), [{ field: `${ru}.maxSurge`, message: "Invalid value: true: must be an integer or a percentage string" }]],
    ["command as a string", (d) => (d.spec.template.spec.containers[0].command = "sh -c"), [{ field: `${c0}.command`, message: 'Invalid value: "sh -c": must be a list' }]],
    ["a command entry as a number", (d) => (d.spec.template.spec.containers[0].command = ["a", 1]), [{ field: `${c0}.command[1]`, message: "Invalid value: 1: must be a string" }]],
  ])("%s", (_, edit, expected) => {
    expect(raw(edit)).toEqual(expected);
  });

  it("reports missing required parts through the rules", () => {
    expect(fieldsOf(normalizeDeployment({} as DeploymentInput).errors)).toEqual(["metadata.name", "spec.selector", "spec.template.spec.containers"]);
    expect(normalizeDeployment(null as unknown as DeploymentInput).errors.map((e) => e.field)).toContain("metadata.name");
    expect(normalizeDeployment(7 as unknown as DeploymentInput).errors[0]).toEqual({ field: "", message: "Invalid value: 7: must be an object" });
  });
});

describe("validateDeploymentUpdate", () => {
  const spec = (selector: DeploymentSpec["selector"]) => ({ ...normalizeDeployment(base()).value!.spec, selector });

  it("allows the same selector, whatever the key order of matchLabels", () => {
    const a = spec({ matchLabels: { app: "web", tier: "fe" }, matchExpressions: [{ key: "x", operator: "In", values: ["1"] }] });
    const b = spec({ matchLabels: { tier: "fe", app: "web" }, matchExpressions: [{ key: "x", operator: "In", values: ["1"] }] });
    expect(validateDeploymentUpdate(a, b)).toEqual([]);
  });

  it.each([
    [{ matchLabels: { app: "api" }, matchExpressions: [] }],
    [{ matchLabels: { app: "web", tier: "fe" }, matchExpressions: [] }],
    [{ matchLabels: { app: "web" }, matchExpressions: [{ key: "x", operator: "Exists" as const, values: [] }] }],
  ])("refuses a changed selector %j", (next) => {
    const old = spec({ matchLabels: { app: "web" }, matchExpressions: [] });
    expect(validateDeploymentUpdate(old, spec(next))).toEqual([
      { field: "spec.selector", message: `Invalid value: ${JSON.stringify(next)}: field is immutable` },
    ]);
  });
});

describe("normalizeReplicaSet", () => {
  const rs = (): ReplicaSetInput => {
    const d = base();
    return { metadata: d.metadata, spec: { selector: d.spec.selector, template: d.spec.template } };
  };
  const rsErrors = (edit: (r: ReplicaSetInput) => void) => {
    const input = rs();
    edit(input);
    return normalizeReplicaSet(input).errors;
  };

  it("applies defaults", () => {
    const value = normalizeReplicaSet(rs()).value!;
    expect(value.metadata).toEqual({ name: "web", namespace: "default", labels: {}, annotations: {} });
    const deployment = normalizeDeployment(base()).value!.spec;
    expect(value.spec).toEqual({ replicas: 1, minReadySeconds: 0, selector: deployment.selector, template: deployment.template });
  });

  it.each<[string, (r: ReplicaSetInput) => void, FieldError[]]>([
    ["name", (r) => (r.metadata.name = "x_y"), [{ field: "metadata.name", message: `Invalid value: "x_y": ${DNS_SUBDOMAIN_MSG}` }]],
    ["replicas ≥ 0", (r) => (r.spec.replicas = -1), [{ field: "spec.replicas", message: "Invalid value: -1: must be greater than or equal to 0" }]],
    ["minReadySeconds ≥ 0", (r) => (r.spec.minReadySeconds = -1), [{ field: "spec.minReadySeconds", message: "Invalid value: -1: must be greater than or equal to 0" }]],
    ["selector non-empty", (r) => (r.spec.selector = {}), [{ field: "spec.selector", message: 'Invalid value: {"matchLabels":{},"matchExpressions":[]}: empty selector is invalid for replicaset' }]],
    ["selector matches template", (r) => (r.spec.selector = { matchLabels: { app: "db" } }), [{ field: "spec.template.metadata.labels", message: 'Invalid value: {"app":"web"}: `selector` does not match template `labels`' }]],
    ["containers", (r) => (r.spec.template.spec.containers = []), [{ field: "spec.template.spec.containers", message: "Required value" }]],
  ])("%s", (_, edit, expected) => {
    expect(rsErrors(edit)).toEqual(expected);
  });
});

describe("validatePodStatusInput", () => {
  const status = (extra: Partial<PodStatusInput> = {}): PodStatusInput => ({ phase: "Running", ready: true, ...extra });
  const names = ["app", "sidecar"];

  it.each<[string, PodStatusInput]>([
    ["minimal", status()],
    ["statuses", status({ containerStatuses: [{ name: "app", ready: true, restartCount: 3 }, { name: "sidecar", ready: false, waitingReason: "CrashLoopBackOff" }] })],
    ["IPv4", status({ podIP: "10.244.1.7" })],
    ["IPv6", status({ podIP: "2001:db8::ffff" })],
    ["IPv4-mapped IPv6", status({ podIP: "::ffff:255.255.255.255" })],
    ["null IP", status({ podIP: null })],
  ])("accepts %s", (_, input) => {
    expect(validatePodStatusInput(input, names)).toEqual([]);
  });

  it.each<[string, PodStatusInput, FieldError[]]>([
    ["phase", status({ phase: "Crashed" }), [{ field: "status.phase", message: 'Unsupported value: "Crashed": supported values: "Pending", "Running", "Succeeded", "Failed", "Unknown"' }]],
    ["unknown container", status({ containerStatuses: [{ name: "db", ready: true }] }), [{ field: "status.containerStatuses[0].name", message: 'Invalid value: "db": must be the name of a container in the pod' }]],
    ["duplicate container", status({ containerStatuses: [{ name: "app", ready: true }, { name: "app", ready: true }] }), [{ field: "status.containerStatuses[1].name", message: 'Duplicate value: "app"' }]],
    ["restartCount", status({ containerStatuses: [{ name: "app", ready: true, restartCount: -1 }] }), [{ field: "status.containerStatuses[0].restartCount", message: "Invalid value: -1: must be greater than or equal to 0" }]],
    ["too many statuses", status({ containerStatuses: Array.from({ length: 65 }, () => ({ name: "app", ready: true })) }), [{ field: "status.containerStatuses", message: "Too many: 65: must have at most 64 items" }]],
  ])("rejects %s", (_, input, expected) => {
    expect(validatePodStatusInput(input, names)).toEqual(expected);
  });

  it.each(["", "10.0.0", "10.0.0.256", "010.0.0.1", "fe80::1%eth0", "localhost", "1".repeat(1000)])("rejects the pod IP %j", (ip) => {
    expect(validatePodStatusInput(status({ podIP: ip }), names)).toEqual([
      { field: "status.podIP", message: expect.stringMatching(/: must be a valid IP address, \(e\.g\. 10\.9\.8\.7 or 2001:db8::ffff\)$/) },
    ]);
  });

  it("reports everything at once", () => {
    const errors = validatePodStatusInput(
      { phase: "Nope", ready: false, podIP: "x", containerStatuses: [{ name: "zzz", ready: false, restartCount: -5 }] },
      names,
    );
    expect(fieldsOf(errors)).toEqual(["status.containerStatuses[0].name", "status.containerStatuses[0].restartCount", "status.phase", "status.podIP"]);
  });
});

describe("small mutation rules", () => {
  it.each<[number, FieldError[]]>([
    [0, []],
    [10_000, []],
    [-1, [{ field: "replicas", message: "Invalid value: -1: must be greater than or equal to 0" }]],
    [10_001, [{ field: "replicas", message: "Invalid value: 10001: must be less than or equal to 10000" }]],
  ])("validateReplicas(%i)", (n, expected) => {
    expect(validateReplicas(n, "replicas")).toEqual(expected);
  });

  it.each<[number, FieldError[]]>([
    [0, []],
    [2 ** 31 - 1, []],
    [-1, [{ field: "gracePeriodSeconds", message: "Invalid value: -1: must be greater than or equal to 0" }]],
    [2 ** 31, [{ field: "gracePeriodSeconds", message: "Invalid value: 2147483648: must be less than or equal to 2147483647" }]],
  ])("validateNonNegativeInt(%i)", (n, expected) => {
    expect(validateNonNegativeInt(n, "gracePeriodSeconds")).toEqual(expected);
  });

  it.each<[string, FieldError[]]>([
    ["nginx:1.25", []],
    ["registry.example.com:5000/team/app@sha256:abc", []],
    ["", [{ field: "image", message: "Required value" }]],
    ["nginx ", [{ field: "image", message: 'Invalid value: "nginx ": must not have leading or trailing whitespace' }]],
    ["x".repeat(LIMITS.stringBytes + 1), [{ field: "image", message: "Too long: may not be more than 65536 bytes" }]],
  ])("validateImage(%j)", (image, expected) => {
    expect(validateImage(image, "image")).toEqual(expected);
  });

  it("validateSetImage needs an existing container and a valid image", () => {
    const template = normalizeDeployment(base()).value!.spec.template;
    expect(validateSetImage(template, "nginx", "nginx:1.26")).toEqual([]);
    expect(validateSetImage(template, "redis", "")).toEqual([
      { field: "container", message: 'Invalid value: "redis": no container with this name in the pod template' },
      { field: "image", message: "Required value" },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties.

const dnsLabel = fc.stringMatching(/^[a-z]([-a-z0-9]{0,10}[a-z0-9])?$/);
const labelValue = fc.stringMatching(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?)?$/);
const intOrPercent = fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`));

/** Valid Deployments with random optional parts (surge and unavailable not both zero). */
const validDeployment: fc.Arbitrary<DeploymentInput> = fc
  .record({
    name: dnsLabel,
    namespace: fc.option(dnsLabel, { nil: undefined }),
    app: labelValue,
    extraLabels: fc.dictionary(fc.constantFrom("tier", "example.com/team", "env"), labelValue, { maxKeys: 3 }),
    containers: fc.uniqueArray(dnsLabel, { minLength: 1, maxLength: 4 }),
    replicas: fc.option(fc.integer({ min: 0, max: LIMITS.replicas }), { nil: undefined }),
    minReadySeconds: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
    revisionHistoryLimit: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
    paused: fc.option(fc.boolean(), { nil: undefined }),
    strategy: fc.oneof(
      fc.constant(undefined),
      fc.constant({ type: "Recreate" }),
      fc.tuple(intOrPercent, intOrPercent).filter(([s, u]) => !(parseInt(String(s)) === 0 && parseInt(String(u)) === 0)).map(([maxSurge, maxUnavailable]) => ({ type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable } })),
    ),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  })
  .map((r) => ({
    metadata: { name: r.name, namespace: r.namespace, labels: r.extraLabels },
    spec: {
      replicas: r.replicas,
      selector: { matchLabels: { app: r.app } },
      template: {
        metadata: { labels: { ...r.extraLabels, app: r.app } },
        spec: { containers: r.containers.map((name) => container(name, r.port ? { ports: [{ containerPort: r.port }] } : {})) },
      },
      strategy: r.strategy,
      minReadySeconds: r.minReadySeconds,
      revisionHistoryLimit: r.revisionHistoryLimit,
      progressDeadlineSeconds: r.minReadySeconds === undefined ? undefined : r.minReadySeconds + 1,
      paused: r.paused,
    },
  }));

describe("validation properties", () => {
  it("valid input is accepted, and normalizing the result again changes nothing", () => {
    fc.assert(
      fc.property(validDeployment, (input) => {
        const first = normalizeDeployment(input);
        expect(first.errors).toEqual([]);
        expect(normalizeDeployment(first.value!)).toEqual(first);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on arbitrary JSON, and returns a value exactly when there are no errors", () => {
    const check = (input: unknown) => {
      const result = normalizeDeployment(input as DeploymentInput);
      expect(result.value === undefined).toBe(result.errors.length > 0);
      for (const e of result.errors) {
        expect(typeof e.field).toBe("string");
        expect(typeof e.message).toBe("string");
      }
      const rs = normalizeReplicaSet(input as ReplicaSetInput);
      expect(rs.value === undefined).toBe(rs.errors.length > 0);
    };
    fc.assert(fc.property(fc.jsonValue(), check), { numRuns: 300 });
    // Valid inputs with one part replaced by arbitrary JSON reach every decoder.
    const paths = [
      ["metadata"], ["metadata", "name"], ["metadata", "labels"], ["metadata", "annotations"], ["spec"], ["spec", "replicas"],
      ["spec", "selector"], ["spec", "selector", "matchLabels"], ["spec", "selector", "matchExpressions"], ["spec", "template"],
      ["spec", "template", "metadata"], ["spec", "template", "spec"], ["spec", "template", "spec", "containers"],
      ["spec", "template", "spec", "containers", 0], ["spec", "template", "spec", "containers", 0, "ports"],
      ["spec", "template", "spec", "containers", 0, "env"], ["spec", "template", "spec", "containers", 0, "resources"],
      ["spec", "strategy"], ["spec", "strategy", "rollingUpdate"], ["spec", "strategy", "type"], ["spec", "paused"],
      ["spec", "progressDeadlineSeconds"],
    ] as const;
    fc.assert(
      fc.property(validDeployment, fc.constantFrom(...paths), fc.jsonValue(), (generated, path, junk) => {
        const input = structuredClone(generated); // generated values share constants (the Recreate strategy): edit a copy
        let node: any = input;
        for (const step of path.slice(0, -1)) node = node[step] ?? (node[step] = {});
        node[path[path.length - 1]] = junk;
        check(input);
      }),
      { numRuns: 1000 },
    );
  });

  // Issue 10 §6: the rules a client could slip past before, with their oracle built into the generator.
  const withContainer = (input: DeploymentInput, edit: Partial<ContainerInput>): DeploymentInput => {
    const [first, ...rest] = input.spec!.template!.spec!.containers!;
    return { ...input, spec: { ...input.spec, template: { ...input.spec!.template, spec: { containers: [{ ...first, ...edit }, ...rest] } } } };
  };
  const digits = fc.stringMatching(/^[0-9]{1,4}$/);
  const suffix = fc.constantFrom("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E", "e3", "E-3", "e+9");
  /** A quantity upstream parses, from its grammar's parts: whether it is below zero follows from them. */
  const quantity = fc
    .record({ sign: fc.constantFrom("", "+", "-"), whole: digits, fraction: fc.option(fc.stringMatching(/^[0-9]{0,3}$/), { nil: undefined }), leadingDot: fc.boolean(), suffix })
    .map(({ sign, whole, fraction, leadingDot, suffix }) => {
      const number = leadingDot ? `.${whole}` : fraction === undefined ? whole : `${whole}.${fraction}`;
      return { text: `${sign}${number}${suffix}`, negative: sign === "-" && /[1-9]/.test(number) };
    });
  /** Text that is no quantity: a valid one spoiled in a way the grammar never allows. */
  const notQuantity = fc.oneof(
    quantity.map((q) => `${q.text} `),
    quantity.map((q) => `${q.text}x`),
    quantity.map((q) => `--${q.text.replace(/^[+-]/, "")}`),
    fc.tuple(digits, fc.constantFrom("gi", "K", "mi", "Ki5", "e", "E+", "i")).map(([d, s]) => `${d}${s}`),
    fc.constantFrom("", ".", "lots", "Gi", "1.2.3", "- 1"),
  );

  it("resource quantities: upstream's grammar, and never below zero", () => {
    const requests = `${c0}.resources.requests[cpu]`;
    fc.assert(
      fc.property(validDeployment, quantity, (input, q) => {
        const errors = normalizeDeployment(withContainer(input, { resources: { requests: { cpu: q.text } } })).errors;
        expect(errors, q.text).toEqual(q.negative ? [{ field: requests, message: `Invalid value: "${q.text}": must be greater than or equal to 0` }] : []);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(validDeployment, notQuantity, (input, text) => {
        const errors = normalizeDeployment(withContainer(input, { resources: { limits: { memory: text } } })).errors;
        expect(fieldsOf(errors), JSON.stringify(text)).toEqual([`${c0}.resources.limits[memory]`]);
      }),
      { numRuns: 300 },
    );
  });

  it("env var names: upstream's syntax, one definition per name", () => {
    const valid = fc.stringMatching(/^[-._a-zA-Z][-._a-zA-Z0-9]{0,6}$/);
    const invalidName = fc.oneof(fc.stringMatching(/^[0-9][-._a-zA-Z0-9]{0,4}$/), fc.tuple(valid, fc.constantFrom(" ", "=", "/", ":", "\u00e9")).map(([v, c]) => `${v}${c}`));
    // names drawn from a small pool so that duplicates are common
    const names = fc.array(fc.oneof(valid, invalidName), { minLength: 1, maxLength: 4 }).chain((pool) => fc.array(fc.constantFrom(...pool), { maxLength: 6 }));
    fc.assert(
      fc.property(validDeployment, names, (input, env) => {
        const errors = normalizeDeployment(withContainer(input, { env: env.map((name) => ({ name, value: "v" })) })).errors;
        const expected = env.flatMap((name, i) => [
          ...(/^[0-9]/.test(name) || /[ =/:\u00e9]/.test(name) ? [`${c0}.env[${i}].name invalid`] : []),
          ...(env.indexOf(name) < i ? [`${c0}.env[${i}].name duplicate`] : []),
        ]);
        expect(errors.map((e) => `${e.field} ${/^Duplicate/.test(e.message) ? "duplicate" : "invalid"}`), JSON.stringify(env)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("a reported status: a terminated pod (Succeeded, Failed) is never ready, any other phase may be", () => {
    fc.assert(
      fc.property(fc.constantFrom("Pending", "Running", "Succeeded", "Failed", "Unknown"), fc.boolean(), (phase, ready) => {
        const errors = validatePodStatusInput({ phase, ready } as PodStatusInput, ["app"]);
        expect(fieldsOf(errors)).toEqual(ready && (phase === "Succeeded" || phase === "Failed") ? ["status.ready"] : []);
      }),
    );
  });
});

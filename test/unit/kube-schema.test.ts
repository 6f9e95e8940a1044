// The kinds' description (src/kube/schema.ts) and what is derived from it: protobuf request
// decoding, the unknown fields of server-side field validation, strategic-merge metadata.
import { describe, expect, it } from "vitest";
import { MERGE_KEYS } from "../../src/domain/patch.ts";
import { unknownFields, validateFields } from "../../src/kube/field-validation.ts";
import { decodeProtobuf } from "../../src/kube/protobuf.ts";
import { patchMetadata, refOf, TYPES, typeNamed, typeOfKind } from "../../src/kube/schema.ts";
import { StatusError } from "../../src/kube/status.ts";

// the body kubectl v1.32 sent for `kubectl create deployment fixture --image=nginx:1.25 --replicas=2 --port=80 -n team-a`
const KUBECTL_CREATE =
  "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412d3010a2d0a076669787475726512001a067465616d2d6122002a003200380042005a0e0a03617070120766697874757265129301080212100a0e0a036170701207666978747572651a750a200a0012001a0022002a003200380042005a0e0a03617070120766697874757265125112330a056e67696e78120a6e67696e783a312e32352a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200";

/** protobuf bytes: a tag and a length-delimited or varint value */
const bytes = (field: number, value: Buffer | number): Buffer => {
  const varint = (n: number) => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
  };
  if (typeof value === "number") return Buffer.concat([varint(field << 3), varint(value)]);
  return Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);
};
const text = (s: string) => Buffer.from(s);
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([Buffer.from("k8s\0", "binary"), bytes(1, Buffer.concat([bytes(1, text(apiVersion)), bytes(2, text(kind))])), bytes(2, raw)]);

describe("protobuf request bodies", () => {
  it("decodes kubectl's create deployment body to the JSON the same object marshals to", () => {
    const { object, unknown } = decodeProtobuf(Buffer.from(KUBECTL_CREATE, "hex"), "Deployment");
    expect(unknown).toEqual([]);
    expect(object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "fixture", namespace: "team-a", labels: { app: "fixture" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "fixture" } },
        template: { metadata: { labels: { app: "fixture" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] } },
      },
    });
  });

  it.each([
    ["a pointer's zero stays (replicas: 0)", bytes(2, bytes(1, 0)), { spec: { replicas: 0 } }, []],
    ["a non-pointer's zero goes (minReadySeconds: 0)", bytes(2, bytes(5, 0)), {}, []],
    ["int-or-string as string", bytes(2, bytes(4, bytes(2, bytes(2, Buffer.concat([bytes(1, 1), bytes(3, text("50%"))]))))), { spec: { strategy: { rollingUpdate: { maxSurge: "50%" } } } }, []],
    ["int-or-string as int", bytes(2, bytes(4, bytes(2, bytes(1, Buffer.concat([bytes(1, 0), bytes(2, 2)]))))), { spec: { strategy: { rollingUpdate: { maxUnavailable: 2 } } } }, []],
    ["a timestamp", bytes(1, bytes(8, bytes(1, 1_700_000_000))), { metadata: { creationTimestamp: "2023-11-14T22:13:20Z" } }, []],
    ["an unknown empty field is nothing", bytes(2, bytes(3, bytes(2, bytes(1, Buffer.alloc(0))))), {}, []],
    ["an unknown field with content is reported", bytes(2, bytes(3, bytes(2, bytes(1, text("vol"))))), {}, ["spec.template.spec.<protobuf field 1 of io.k8s.api.core.v1.PodSpec>"]],
  ])("%s", (_name, raw, expected, unknown) => {
    const decoded = decodeProtobuf(envelope("apps/v1", "Deployment", raw), "Deployment");
    expect(decoded.object).toEqual({ apiVersion: "apps/v1", kind: "Deployment", ...expected });
    expect(decoded.unknown).toEqual(unknown);
  });

  it("refuses a body without the k8s magic", () => {
    expect(() => decodeProtobuf(Buffer.from("{}"), "Deployment")).toThrow(/no k8s magic/);
  });
});

describe("unknown fields", () => {
  const deployment = typeOfKind("Deployment");
  it.each([
    ["none", { spec: { replicas: 1, template: { spec: { containers: [{ name: "a", env: [{ name: "X", value: "1" }] }] } } } }, []],
    ["top level", { spec: {}, foo: 1 }, ["foo"]],
    ["nested", { spec: { foo: "bar", strategy: { rollingUpdate: { maxSurge: 1, extra: true } } } }, ["spec.foo", "spec.strategy.rollingUpdate.extra"]],
    ["in list items, with the index", { spec: { template: { spec: { containers: [{ name: "a" }, { name: "b", volumeMounts: [] }] } } } }, ["spec.template.spec.containers[1].volumeMounts"]],
    ["map keys are data, not fields", { metadata: { labels: { anything: "x" }, annotations: { "a/b": "c" } } }, []],
    ["null values are accepted", { metadata: { deletionTimestamp: null } }, []],
  ])("%s", (_name, body, expected) => {
    expect(unknownFields(deployment, body).unknown).toEqual(expected);
  });

  it("Strict refuses with upstream's words, Warn drops and warns, Ignore drops", () => {
    const body = { apiVersion: "apps/v1", kind: "Deployment", spec: { replicas: 1, foo: "bar" } };
    const refusal = (() => {
      try {
        validateFields("Deployment", body, "Strict", "decoded");
      } catch (err) {
        return err as StatusError;
      }
    })();
    expect([refusal?.code, refusal?.reason, refusal?.message]).toEqual([400, "BadRequest", 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"']);
    expect(() => validateFields("Deployment", body, "Strict", "patched")).toThrow(/^strict decoding error: unknown field "spec.foo"$/);
    expect(validateFields("Deployment", body, "Warn", "decoded")).toEqual({ body: { apiVersion: "apps/v1", kind: "Deployment", spec: { replicas: 1 } }, warnings: ['unknown field "spec.foo"'] });
    expect(validateFields("Deployment", body, "Ignore", "decoded")).toEqual({ body: { apiVersion: "apps/v1", kind: "Deployment", spec: { replicas: 1 } }, warnings: [] });
    expect(validateFields("Deployment", { spec: {} }, "Strict", "decoded")).toEqual({ body: { spec: {} }, warnings: [] });
  });
});

describe("the description", () => {
  it("every referenced type is described, and protobuf numbers are unique per type", () => {
    for (const t of TYPES) {
      for (const f of t.fields) {
        const r = refOf(f.type);
        if (r) expect(() => typeNamed(r), `${t.name}.${f.name}`).not.toThrow();
      }
      const numbers = t.fields.filter((f) => f.proto > 0).map((f) => f.proto);
      expect(new Set(numbers).size, t.name).toBe(numbers.length);
    }
  });

  it("agrees with the merge keys strategic merge patch uses", () => {
    const derived = { ...patchMetadata("Deployment").mergeKeys, ...patchMetadata("Pod").mergeKeys };
    for (const [path, key] of Object.entries(MERGE_KEYS)) expect(derived[path], path).toBe(key);
    expect(patchMetadata("Deployment").setLists).toContain("metadata.finalizers");
  });
});

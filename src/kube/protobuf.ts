// Request bodies in `application/vnd.kubernetes.protobuf`, read through the kinds' description
// (schema.ts). client-go's generated clients for built-in kinds send protobuf and never fall back
// to JSON (kubectl create deployment is one), so the facade reads it: the `k8s\0` magic, the
// runtime.Unknown envelope (typeMeta 1 {apiVersion 1, kind 2}, raw 2), then the object's message.
// The result is the JSON the same Go object marshals to: zero values of non-pointer fields left
// out (omitempty); fields the description does not know are reported by number, so field
// validation can refuse or drop them like unknown JSON fields.
import { refOf, typeNamed, typeOfKind, type FieldType, type Scalar, type TypeDef } from "./schema.ts";

export const PROTOBUF = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export class ProtobufError extends Error {}

type Value = unknown;
type Obj = Record<string, Value>;

interface Wire {
  field: number;
  wireType: number;
  /** varint value, or the bytes of a length-delimited field */
  varint?: bigint;
  bytes?: Buffer;
}

function varint(buf: Buffer, at: { i: number }): bigint {
  let result = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (at.i >= buf.length) throw new ProtobufError("truncated varint");
    const b = buf[at.i++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
  }
  throw new ProtobufError("varint too long");
}

function* fields(buf: Buffer): Generator<Wire> {
  const at = { i: 0 };
  while (at.i < buf.length) {
    const tag = Number(varint(buf, at));
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (wireType === 0) yield { field, wireType, varint: varint(buf, at) };
    else if (wireType === 2) {
      const length = Number(varint(buf, at));
      if (at.i + length > buf.length) throw new ProtobufError("truncated field");
      yield { field, wireType, bytes: buf.subarray(at.i, at.i + length) };
      at.i += length;
    } else if (wireType === 1 || wireType === 5) {
      const length = wireType === 1 ? 8 : 4;
      yield { field, wireType, bytes: buf.subarray(at.i, at.i + length) };
      at.i += length;
    } else throw new ProtobufError(`unsupported wire type ${wireType}`);
  }
}

const int64 = (v: bigint) => Number(BigInt.asIntN(64, v));
const int32 = (v: bigint) => Number(BigInt.asIntN(32, v));

function time(bytes: Buffer): string | null {
  let seconds = 0;
  let nanos = 0;
  for (const w of fields(bytes)) {
    if (w.field === 1 && w.varint !== undefined) seconds = int64(w.varint);
    if (w.field === 2 && w.varint !== undefined) nanos = int32(w.varint);
  }
  if (seconds === 0 && nanos === 0) return null;
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString().replace(/\.000Z$/, "Z");
}

function scalar(type: Scalar, w: Wire): Value {
  switch (type) {
    case "string":
      return w.bytes!.toString("utf8");
    case "int32":
      return int32(w.varint!);
    case "int64":
      return int64(w.varint!);
    case "boolean":
      return w.varint !== 0n;
    case "time":
    case "microTime":
      return time(w.bytes!);
    case "quantity":
      return decodeWith(w.bytes!, (n) => (n === 1 ? "string" : null)).get(1) ?? "0";
    case "intOrString": {
      const parts = decodeWith(w.bytes!, (n) => (n === 1 ? "int64" : n === 2 ? "int32" : n === 3 ? "string" : null));
      return parts.get(1) === 1 ? (parts.get(3) ?? "") : (parts.get(2) ?? 0);
    }
  }
}

/** The last value of each numbered scalar field of a small message (Quantity, IntOrString, map entries). */
function decodeWith(bytes: Buffer, typeOf: (n: number) => Scalar | null): Map<number, Value> {
  const out = new Map<number, Value>();
  for (const w of fields(bytes)) {
    const t = typeOf(w.field);
    if (t) out.set(w.field, scalar(t, w));
  }
  return out;
}

const isZero = (v: Value) => v === null || v === "" || v === 0 || v === false || (typeof v === "object" && !Array.isArray(v) && Object.keys(v as Obj).length === 0);

function message(t: TypeDef, bytes: Buffer, path: string, unknown: string[]): Obj {
  const out: Obj = {};
  const byNumber = new Map(t.fields.filter((f) => f.proto > 0).map((f) => [f.proto, f]));
  for (const w of fields(bytes)) {
    const f = byNumber.get(w.field);
    if (!f) {
      const empty = (w.bytes && w.bytes.length === 0) || w.varint === 0n;
      if (!empty) unknown.push(`${path}${path ? "." : ""}<protobuf field ${w.field} of ${t.name}>`);
      continue;
    }
    const p = path ? `${path}.${f.name}` : f.name;
    const value = valueOf(f.type, w, p, unknown);
    if (typeof f.type === "object" && "array" in f.type) out[f.name] = [...((out[f.name] as Value[] | undefined) ?? []), value];
    else if (typeof f.type === "object" && "map" in f.type) {
      const [k, v] = value as [string, Value];
      out[f.name] = { ...((out[f.name] as Obj | undefined) ?? {}), [k]: v };
    } else out[f.name] = value;
  }
  for (const f of t.fields) if (f.name in out && !f.pointer && isZero(out[f.name])) delete out[f.name];
  return out;
}

function valueOf(type: FieldType, w: Wire, path: string, unknown: string[]): Value {
  if (typeof type === "string") return scalar(type, w);
  if ("map" in type) {
    const entry = decodeWith(w.bytes!, (n) => (n === 1 ? "string" : n === 2 ? type.map : null));
    return [entry.get(1) ?? "", entry.get(2) ?? (type.map === "quantity" ? "0" : "")];
  }
  const item = "array" in type ? type.array : type;
  if (typeof item === "string") return scalar(item, w);
  return message(typeNamed(refOf(type)!), w.bytes!, path, unknown);
}

export interface Decoded {
  object: Obj;
  /** paths of protobuf fields the description does not know (non-empty ones) */
  unknown: string[];
}

/** A `k8s\0`-framed protobuf body of the kind `expected` (its apiVersion and kind put back in). */
export function decodeProtobuf(body: Buffer, expectedKind: string): Decoded {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw new ProtobufError("the body is not a Kubernetes protobuf message (no k8s magic)");
  let apiVersion = "";
  let kind = "";
  let raw: Buffer | null = null;
  for (const w of fields(body.subarray(MAGIC.length))) {
    if (w.field === 1 && w.bytes) {
      const meta = decodeWith(w.bytes, (n) => (n === 1 || n === 2 ? "string" : null));
      apiVersion = String(meta.get(1) ?? "");
      kind = String(meta.get(2) ?? "");
    } else if (w.field === 2 && w.bytes) raw = w.bytes;
    else if (w.field === 3 && w.bytes && w.bytes.length > 0) throw new ProtobufError("content encodings are not supported");
  }
  const t = typeOfKind(kind || expectedKind);
  const unknown: string[] = [];
  const object = message(t, raw ?? Buffer.alloc(0), "", unknown);
  return { object: { apiVersion, kind: kind || expectedKind, ...object }, unknown };
}

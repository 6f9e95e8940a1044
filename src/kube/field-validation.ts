// Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`): the fields of a request
// body that the kinds' description (schema.ts) does not know. Strict refuses them with upstream's
// `strict decoding error: unknown field "spec.foo"` (400 BadRequest); Warn (the default, as
// upstream) drops them and answers one Warning header each; Ignore drops them silently. The
// paths are named in sorted order (a patched object's keys come in no meaningful order).
import { refOf, typeNamed, typeOfKind, type TypeDef } from "./schema.ts";
import { badRequest } from "./status.ts";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get("fieldValidation") ?? "Warn";
  if (v === "Strict" || v === "Warn" || v === "Ignore") return v;
  throw badRequest(`fieldValidation parameter unsupported: ${JSON.stringify(v)}; valid values are: Strict, Warn, Ignore`);
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The value with the unknown fields removed, and their paths (`spec.foo`, `spec.template.spec.containers[0].bar`). */
export function unknownFields(t: TypeDef, value: unknown, path = ""): { known: unknown; unknown: string[] } {
  if (!isObject(value)) return { known: value, unknown: [] };
  const known: Obj = {};
  const unknown: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const p = path ? `${path}.${key}` : key;
    const field = t.fields.find((f) => f.name === key);
    if (!field) {
      unknown.push(p);
      continue;
    }
    const r = refOf(field.type);
    if (r === null || v === null) known[key] = v;
    else if (Array.isArray(v)) {
      known[key] = v.map((item, i) => {
        const inner = unknownFields(typeNamed(r), item, `${p}[${i}]`);
        unknown.push(...inner.unknown);
        return inner.known;
      });
    } else {
      const inner = unknownFields(typeNamed(r), v, p);
      unknown.push(...inner.unknown);
      known[key] = inner.known;
    }
  }
  return { known, unknown };
}

/**
 * What the request body of `kind` becomes under `mode`, and the Warning headers to answer.
 * A decoded body (create, update) words a refusal as upstream's decoder does
 * (`Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: …`);
 * a patched object as its patcher does (`strict decoding error: …`).
 */
export function validateFields(kind: string, body: unknown, mode: FieldValidation, source: "decoded" | "patched", alsoUnknown: readonly string[] = []): { body: unknown; warnings: string[] } {
  const { known, unknown } = unknownFields(typeOfKind(kind), body);
  const all = [...alsoUnknown, ...unknown].sort();
  if (all.length === 0) return { body, warnings: [] };
  const texts = all.map((p) => `unknown field ${JSON.stringify(p)}`);
  const message = `strict decoding error: ${texts.join(", ")}`;
  if (mode === "Strict") throw badRequest(source === "decoded" ? `${kind} in version "v1" cannot be handled as a ${kind}: ${message}` : message);
  return { body: known, warnings: mode === "Warn" ? texts : [] };
}

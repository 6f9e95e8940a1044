// Text the database can store. Postgres text and JSONB cannot hold U+0000, and JSONB refuses
// unpaired UTF-16 surrogates: such input is invalid rather than an internal error.
import { invalid, type FieldError } from "./field-errors.ts";

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * Every string (and map key) in `value` that cannot be stored, reported at its path
 * (`spec.template.spec.containers[0].image`; a bad map key at the map's path).
 */
export function unstorableTextErrors(value: unknown, path: string): FieldError[] {
  const error = (at: string, text: string) => invalid(at, text, "must not contain the NUL character or unpaired surrogates");
  if (typeof value === "string") return isStorableText(value) ? [] : [error(path, value)];
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorableTextErrors(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, v]) => [
    ...(isStorableText(key) ? [] : [error(path, key)]),
    ...unstorableTextErrors(v, path === "" ? key : `${path}.${key}`),
  ]);
}

// Field errors: one violated rule at a field path, worded like upstream's field.Error bodies
// ("Invalid value: ...", "Required value"). Every rule of src/domain reports these; the GraphQL
// layer sends them as `extensions.fieldErrors`.


/** One violated rule: `field` is a path like `spec.template.spec.containers[1].name`. */
export interface FieldError {
  field: string;
  message: string;
}

const SHOWN_VALUE_MAX = 100;

/** The offending value as upstream quotes it (`"x"`, `3`, JSON for objects), cut to stay short. */
export function show(value: unknown): string {
  const text = typeof value === "number" || typeof value === "boolean" ? String(value) : String(JSON.stringify(value));
  return text.length > SHOWN_VALUE_MAX ? `${text.slice(0, SHOWN_VALUE_MAX)}...` : text;
}

export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { field, message: `Invalid value: ${show(value)}: ${detail}` };
}
export function required(field: string, detail = ""): FieldError {
  return { field, message: detail ? `Required value: ${detail}` : "Required value" };
}
export function forbidden(field: string, detail: string): FieldError {
  return { field, message: `Forbidden: ${detail}` };
}
export function duplicate(field: string, value: unknown): FieldError {
  return { field, message: `Duplicate value: ${show(value)}` };
}
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(", ");
  return { field, message: `Unsupported value: ${show(value)}: supported values: ${list}` };
}
export function tooLong(field: string, maxBytes: number): FieldError {
  return { field, message: `Too long: may not be more than ${maxBytes} bytes` };
}
export function tooMany(field: string, actual: number, max: number): FieldError {
  return { field, message: `Too many: ${actual}: must have at most ${max} items` };
}

/** `primary` plus those of `extra` whose field (or an enclosing field) `primary` does not already report. */
export function mergeFieldErrors(primary: FieldError[], extra: FieldError[]): FieldError[] {
  const covered = (field: string) =>
    primary.some((p) => field === p.field || field.startsWith(`${p.field}.`) || field.startsWith(`${p.field}[`));
  return [...primary, ...extra.filter((e) => !covered(e.field))];
}

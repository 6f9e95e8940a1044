// Resource quantities with upstream's grammar (k8s.io/apimachinery/pkg/api/resource, Quantity):
//   <quantity> ::= <signedNumber><suffix>
//   <signedNumber> ::= [+-] digits | [+-] digits.digits? | [+-] .digits
//   <suffix> ::= "" | Ki | Mi | Gi | Ti | Pi | Ei        (binary SI)
//              | n | u | m | k | M | G | T | P | E     (decimal SI)
//              | (e|E) [+-] digits                     (decimal exponent)
// A container's requests and limits must also be non-negative (ValidateNonnegativeQuantity).
import { invalid, type FieldError } from "./field-errors.ts";
import type { StringMap } from "./types.ts";

const QUANTITY = /^([+-]?)(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Upstream's message for a quantity it cannot parse. */
export const QUANTITY_FORMAT = "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Whether `text` is a quantity upstream parses; `negative` when its sign is "-" and it is not zero. */
export function parseQuantity(text: string): { valid: boolean; negative: boolean } {
  const match = QUANTITY.exec(text);
  if (!match) return { valid: false, negative: false };
  return { valid: true, negative: match[1] === "-" && /[1-9]/.test(text.replace(/[eE][+-]?\d+$|[KMGTPE]i$|[numkMGTPE]$/, "")) };
}

/** A container's `resources.requests` or `resources.limits`: every value a non-negative quantity. */
export function validateResourceQuantities(quantities: StringMap, path: string): FieldError[] {
  return Object.entries(quantities).flatMap(([name, value]) => {
    const { valid, negative } = parseQuantity(value);
    if (!valid) return [invalid(`${path}[${name}]`, value, QUANTITY_FORMAT)];
    if (negative) return [invalid(`${path}[${name}]`, value, "must be greater than or equal to 0")];
    return [];
  });
}

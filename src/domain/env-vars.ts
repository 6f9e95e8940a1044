// Container environment variables: upstream's IsEnvVarName (letters, digits, '_', '-', '.', not
// starting with a digit) and one definition per name. Upstream only warns about a duplicate (the
// later one wins); deploye refuses it, since the earlier one could never take effect.
import { duplicate, invalid, type FieldError } from "./field-errors.ts";

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
export const ENV_VAR_NAME_FORMAT =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";

/** The names of a container's env (`path` is `…containers[i].env`); empty names are reported elsewhere. */
export function validateEnvVarNames(env: readonly { name: string }[], path: string): FieldError[] {
  const seen = new Set<string>();
  return env.flatMap(({ name }, i) => {
    if (name === "") return [];
    const at = `${path}[${i}].name`;
    const errors = ENV_VAR_NAME.test(name) ? [] : [invalid(at, name, ENV_VAR_NAME_FORMAT)];
    if (seen.has(name)) errors.push(duplicate(at, name));
    seen.add(name);
    return errors;
  });
}

// Field selectors (`metadata.name=web,status.phase!=Running`): upstream's fields.ParseSelector,
// the operators =, == and !=, matched against the selectable fields of an object.

export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

export class FieldSelectorError extends Error {
  override readonly name = "FieldSelectorError";
}

export function parseFieldSelector(text: string): FieldRequirement[] {
  if (text.trim() === "") return [];
  return text.split(",").map((term) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*([^,]*?)\s*$/.exec(term);
    if (!m) throw new FieldSelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    return { field: m[1], operator: m[2] === "!=" ? "!=" : "=", value: m[3] };
  });
}

/** Every requirement holds; a field the object does not have is refused by the caller first. */
export function fieldsMatch(requirements: readonly FieldRequirement[], fields: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => (fields[r.field] === r.value) === (r.operator === "="));
}

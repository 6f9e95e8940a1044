// Labels and label selectors: key/value syntax, the kubectl selector language, and
// the one definition of selector matching (the SQL form in src/db/label-sql.ts mirrors it).

import { dns1123SubdomainErrors, maxLengthError, regexError } from "./names.ts";
import type { LabelSelector, StringMap } from "./types.ts";
import { forbidden, invalid, required, show, tooMany, type FieldError } from "./field-errors.ts";

// ---------------------------------------------------------------------------------------------
// Limits on labels and selectors (part of LIMITS in validation.ts).

export const LABEL_LIMITS = {
  /** entries in one labels map (metadata.labels, template labels, matchLabels) */
  labelsPerMap: 256,
  /** spec.selector.matchExpressions entries */
  matchExpressions: 64,
  /** values of one In/NotIn expression or `in (...)` set */
  valuesPerRequirement: 256,
  /** requirements in a parsed selector string: as many as the largest valid LabelSelector has */
  requirementsPerSelector: 256 + 64,
} as const;

// ---------------------------------------------------------------------------------------------
// Key and value syntax (upstream IsQualifiedName / IsValidLabelValue).

const QUALIFIED_NAME_MAX_LENGTH = 63;
const LABEL_VALUE_MAX_LENGTH = 63;
const QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
  "and must start and end with an alphanumeric character";

/** A label (or annotation) key: `[prefix/]name`, prefix a DNS-1123 subdomain, name ≤ 63. */
export function labelKeyErrors(key: string): string[] {
  const parts = key.split("/", 3);
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  const errors: string[] = [];
  const name = parts.length === 2 ? parts[1] : parts[0];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === "") errors.push("prefix part must be non-empty");
    else errors.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === "") errors.push("name part must be non-empty");
  else if (name.length > QUALIFIED_NAME_MAX_LENGTH) errors.push(`name part ${maxLengthError(QUALIFIED_NAME_MAX_LENGTH)}`);
  else if (!QUALIFIED_NAME_RE.test(name)) {
    errors.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}`);
  }
  return errors;
}

/** A label value: empty, or ≤ 63 characters of the qualified-name alphabet. */
export function labelValueErrors(value: string): string[] {
  if (value.length > LABEL_VALUE_MAX_LENGTH) return [maxLengthError(LABEL_VALUE_MAX_LENGTH)];
  if (value === "" || QUALIFIED_NAME_RE.test(value)) return [];
  return [regexError(LABEL_VALUE_MSG, `(${QUALIFIED_NAME_FMT})?`, "MyValue", "my_value", "12345")];
}

/** A labels map: count limit, then every key and value (errors are reported on the map's path). */
export function validateLabels(labels: StringMap, path: string): FieldError[] {
  const entries = Object.entries(labels);
  if (entries.length > LABEL_LIMITS.labelsPerMap) return [tooMany(path, entries.length, LABEL_LIMITS.labelsPerMap)];
  return entries.flatMap(([key, value]) => [
    ...labelKeyErrors(key).map((m) => invalid(path, key, m)),
    ...labelValueErrors(value).map((m) => invalid(path, value, m)),
  ]);
}

// ---------------------------------------------------------------------------------------------
// LabelSelector (matchLabels + matchExpressions) as stored on Deployments and ReplicaSets.

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
}

/**
 * Upstream ValidateLabelSelector (strict: values must be valid label values). Operators outside
 * the enum (possible in decoded input) are reported too.
 */
export function validateLabelSelector(selector: LabelSelector, path: string): FieldError[] {
  const errors = validateLabels(selector.matchLabels, `${path}.matchLabels`);
  const expressions = selector.matchExpressions;
  if (expressions.length > LABEL_LIMITS.matchExpressions) {
    return [...errors, tooMany(`${path}.matchExpressions`, expressions.length, LABEL_LIMITS.matchExpressions)];
  }
  expressions.forEach((expression, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const { key, operator, values } = expression;
    switch (operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) {
          errors.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) {
          errors.push(forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        break;
      default:
        errors.push(invalid(`${at}.operator`, operator, "not a valid selector operator"));
    }
    errors.push(...labelKeyErrors(key).map((m) => invalid(`${at}.key`, key, m)));
    if (values.length > LABEL_LIMITS.valuesPerRequirement) {
      errors.push(tooMany(`${at}.values`, values.length, LABEL_LIMITS.valuesPerRequirement));
    } else {
      values.forEach((v, j) => errors.push(...labelValueErrors(v).map((m) => invalid(`${at}.values[${j}]`, v, m))));
    }
  });
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Requirements: the common form of both selector kinds, and matching.

export type SelectorOperator = "=" | "!=" | "in" | "notin" | "exists" | "!";

/** `=`/`!=` carry one value, `in`/`notin` one or more, `exists`/`!` none. */
export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

const EXPRESSION_OPERATORS = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" } as const;

/** A (valid) LabelSelector as requirements, sorted by key like upstream's LabelSelectorAsSelector. */
export function selectorToRequirements(selector: LabelSelector): Requirement[] {
  const requirements: Requirement[] = [
    ...Object.entries(selector.matchLabels).map(([key, value]): Requirement => ({ key, operator: "=", values: [value] })),
    ...selector.matchExpressions.map(
      (e): Requirement => ({ key: e.key, operator: EXPRESSION_OPERATORS[e.operator], values: [...e.values] }),
    ),
  ];
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Kubernetes semantics: all requirements must hold; `!=` and `notin` match objects without the key;
 * no requirements match everything.
 */
export function matches(requirements: readonly Requirement[], labels: StringMap): boolean {
  return requirements.every(({ key, operator, values }) => {
    const has = Object.hasOwn(labels, key);
    switch (operator) {
      case "=":
      case "in":
        return has && values.includes(labels[key]);
      case "!=":
      case "notin":
        return !has || !values.includes(labels[key]);
      case "exists":
        return has;
      case "!":
        return !has;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The kubectl selector language: `app=web,tier!=db,env in (a,b),!canary`.
//
//   selector     := "" | requirement ("," requirement)*
//   requirement  := "!" KEY | KEY | KEY ("=" | "==" | "!=") [VALUE] | KEY ("in" | "notin") "(" values ")"
//   values       := [VALUE] ("," [VALUE])*          (a missing value is "", as upstream)
// KEY and VALUE are runs of characters other than whitespace and `=!(),<>`, then checked against
// the label rules. `in`/`notin` are keywords only where an operator is expected.

export class SelectorParseError extends Error {
  override readonly name = "SelectorParseError";
  /** 0-based index into the selector text */
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

type TokenKind = "word" | "=" | "==" | "!=" | "!" | "(" | ")" | "," | "<" | ">" | "end";
interface Token {
  kind: TokenKind;
  text: string;
  position: number;
}

const SYMBOLS = "=!(),<>";
const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";

/** The token starting at or after `from` (whitespace skipped); `end` at the end of the text. */
function scan(text: string, from: number): Token {
  let i = from;
  while (i < text.length && isSpace(text[i])) i++;
  if (i === text.length) return { kind: "end", text: "", position: i };
  const c = text[i];
  if ((c === "=" || c === "!") && text[i + 1] === "=") return { kind: c === "=" ? "==" : "!=", text: `${c}=`, position: i };
  if (SYMBOLS.includes(c)) return { kind: c as TokenKind, text: c, position: i };
  let j = i;
  while (j < text.length && !isSpace(text[j]) && !SYMBOLS.includes(text[j])) j++;
  return { kind: "word", text: text.slice(i, j), position: i };
}

/** Parses kubectl selector syntax; throws SelectorParseError (with a position) on bad input. */
export function parseSelector(text: string): Requirement[] {
  // Tokens are read on demand, so a huge input costs no more than the part parsed before an error.
  let lookahead = scan(text, 0);
  const peek = () => lookahead;
  const take = () => {
    const token = lookahead;
    lookahead = scan(text, token.position + token.text.length);
    return token;
  };
  const unexpected = (token: Token, expected: string) =>
    new SelectorParseError(
      `unexpected ${token.kind === "end" ? "end of input" : show(token.text)} at position ${token.position}: expected ${expected}`,
      token.position,
    );
  const checked = (token: Token, what: "key" | "value", errors: string[]): string => {
    if (errors.length === 0) return token.text;
    throw new SelectorParseError(
      `invalid label ${what} ${show(token.text)} at position ${token.position}: ${errors.join("; ")}`,
      token.position,
    );
  };
  const key = (): string => {
    const token = take();
    if (token.kind !== "word") throw unexpected(token, "a label key");
    return checked(token, "key", labelKeyErrors(token.text));
  };
  // A value is a word, or "" when the next token ends it (`a=`, `a in (,b)`).
  const value = (enders: TokenKind[], expected: string): string => {
    const token = peek();
    if (enders.includes(token.kind)) return "";
    take();
    if (token.kind !== "word") throw unexpected(token, expected);
    return checked(token, "value", labelValueErrors(token.text));
  };
  const values = (): string[] => {
    const open = take();
    if (open.kind !== "(") throw unexpected(open, '"("');
    const list = [value([",", ")"], 'a label value, "," or ")"')];
    for (let sep = take(); sep.kind !== ")"; sep = take()) {
      if (sep.kind !== ",") throw unexpected(sep, '"," or ")"');
      if (list.length === LABEL_LIMITS.valuesPerRequirement) {
        throw new SelectorParseError(
          `too many values at position ${sep.position}: at most ${LABEL_LIMITS.valuesPerRequirement} in one set`,
          sep.position,
        );
      }
      list.push(value([",", ")"], 'a label value, "," or ")"'));
    }
    return list;
  };
  const requirement = (): Requirement => {
    if (peek().kind === "!") {
      take();
      return { key: key(), operator: "!", values: [] };
    }
    const k = key();
    const op = peek();
    if (op.kind === "," || op.kind === "end") return { key: k, operator: "exists", values: [] };
    take();
    if (op.kind === "=" || op.kind === "==" || op.kind === "!=") {
      const v = value([",", "end"], 'a label value, "," or end of input');
      return { key: k, operator: op.kind === "!=" ? "!=" : "=", values: [v] };
    }
    if (op.kind === "word" && (op.text === "in" || op.text === "notin")) {
      return { key: k, operator: op.text, values: values() };
    }
    throw unexpected(op, '"=", "==", "!=", "in", "notin", "," or end of input');
  };

  const requirements: Requirement[] = [];
  if (peek().kind === "end") return requirements;
  for (;;) {
    if (requirements.length === LABEL_LIMITS.requirementsPerSelector) {
      throw new SelectorParseError(
        `too many requirements at position ${peek().position}: at most ${LABEL_LIMITS.requirementsPerSelector}`,
        peek().position,
      );
    }
    requirements.push(requirement());
    const sep = take();
    if (sep.kind === "end") return requirements;
    if (sep.kind !== ",") throw unexpected(sep, '"," or end of input');
  }
}

/** The canonical text of requirements; `parseSelector(formatSelector(r))` gives `r` back. */
export function formatSelector(requirements: readonly Requirement[]): string {
  return requirements
    .map(({ key, operator, values }) => {
      switch (operator) {
        case "=":
        case "!=":
          return `${key}${operator}${values[0]}`;
        case "in":
        case "notin":
          return `${key} ${operator} (${values.join(",")})`;
        case "exists":
          return key;
        case "!":
          return `!${key}`;
      }
    })
    .join(",");
}

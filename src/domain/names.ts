// Object-name syntax (RFC 1123, as upstream apimachinery validates it) and generated pod names.
// The *Errors functions return upstream-worded messages, empty when the value is valid.

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

export function maxLengthError(max: number): string {
  return `must be no more than ${max} characters`;
}

/** Upstream's `RegexError`: the rule in words, examples, and the pattern. */
export function regexError(message: string, pattern: string, ...examples: string[]): string {
  const shown = examples.map((e) => `'${e}', `).join("or ");
  return `${message} (e.g. ${shown}regex used for validation is '${pattern}')`;
}

// Length is checked first and the pattern only within it, so a huge input never reaches a regex.
function syntaxErrors(value: string, max: number, re: RegExp, pattern: () => string): string[] {
  if (value.length > max) return [maxLengthError(max)];
  return re.test(value) ? [] : [pattern()];
}

export function dns1123LabelErrors(value: string): string[] {
  return syntaxErrors(value, DNS1123_LABEL_MAX_LENGTH, DNS1123_LABEL_RE, () =>
    regexError(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " +
        "and must start and end with an alphanumeric character",
      DNS1123_LABEL_FMT,
      "my-name",
      "123-abc",
    ),
  );
}

export function dns1123SubdomainErrors(value: string): string[] {
  return syntaxErrors(value, DNS1123_SUBDOMAIN_MAX_LENGTH, DNS1123_SUBDOMAIN_RE, () =>
    regexError(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
        "and must start and end with an alphanumeric character",
      DNS1123_SUBDOMAIN_FMT,
      "example.com",
    ),
  );
}

export function isDns1123Label(value: string): boolean {
  return dns1123LabelErrors(value).length === 0;
}

export function isDns1123Subdomain(value: string): boolean {
  return dns1123SubdomainErrors(value).length === 0;
}

/** Upstream `utilrand` alphabet: no vowels (no words) and no look-alikes (0/o, 1/l). */
export const POD_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
export const POD_NAME_SUFFIX_LENGTH = 5;
/** Generated names are kept to a label's length, as upstream's SimpleNameGenerator does. */
export const GENERATED_NAME_MAX_LENGTH = DNS1123_LABEL_MAX_LENGTH;

/** A source of uniform numbers in [0, 1), e.g. `Math.random` or a seeded generator in tests. */
export type RandomSource = () => number;

/**
 * `<rs-name>-<5 chars>`. The base (`<rs-name>-`) is cut so the whole name fits in 63 characters;
 * an RS name is a valid subdomain, so any prefix of it followed by the suffix is one too.
 */
export function generatePodName(replicaSetName: string, random: RandomSource): string {
  const base = `${replicaSetName}-`.slice(0, GENERATED_NAME_MAX_LENGTH - POD_NAME_SUFFIX_LENGTH);
  let suffix = "";
  for (let i = 0; i < POD_NAME_SUFFIX_LENGTH; i++) {
    const index = Math.min(Math.floor(random() * POD_NAME_ALPHABET.length), POD_NAME_ALPHABET.length - 1);
    suffix += POD_NAME_ALPHABET[index];
  }
  return base + suffix;
}

/** A namespace/name pair any object could have: anything else names nothing and needs no lookup. */
export function isObjectKey(key: { namespace: string; name: string }): boolean {
  return isDns1123Label(key.namespace) && isDns1123Subdomain(key.name);
}

// Object keys ("namespace/name"), as client-go's MetaNamespaceKeyFunc: the queues' keys and the
// subscriptions' topics.
export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

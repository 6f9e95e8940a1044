// A resourceVersion as clients send it back (watch(resourceVersion:), an event cursor): the decimal
// text of a change id, which Postgres stores as bigint. Text that is not one (too long, above
// 2⁶³−1) could never have been returned, and must be refused before it reaches SQL, where it failed
// as an internal error (issue 10 §5).
const MAX_BIGINT = 2n ** 63n - 1n;

/** The resourceVersion `text` denotes, or null when it is not one the server could have returned. */
export function parseResourceVersion(text: string): bigint | null {
  if (!/^\d{1,19}$/.test(text)) return null;
  const value = BigInt(text);
  return value <= MAX_BIGINT ? value : null;
}

/** Postgres text cannot hold NUL, and no name is longer than 253 bytes: such a key matches nothing stored. */
export function isStorableKey(text: string): boolean {
  return text.length <= 253 && !text.includes("\u0000");
}

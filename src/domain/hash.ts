// pod-template-hash (upstream controller.ComputeHash + rand.SafeEncodeString) and template equality
// ignoring that label (deployment_util EqualIgnoreHash).
//
// Upstream hashes Go's printed form of the struct, which cannot be reproduced here; this hashes a
// canonical JSON encoding instead: keys sorted, and null/undefined values and empty lists/maps left
// out so that an absent field and its empty value encode alike (as upstream's semantic equality
// treats nil and empty). The template is hashed as stored, i.e. with the API defaults already applied
// by validation.

import type { PodTemplateSpec } from "./types.ts";

export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over the concatenation of `chunks`. */
export function fnv1a32(...chunks: Uint8Array[]): number {
  let hash = FNV_OFFSET_BASIS;
  for (const chunk of chunks) {
    for (const byte of chunk) hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
  }
  return hash;
}

const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** Maps every character to the pod-name alphabet (no vowels, no 0/1/3): digits become 4-9, b, c, d, f. */
export function safeEncodeString(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalValue);
  // an instant is a value, not an empty object: compared (and encoded) as its ISO text
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = canonicalValue((value as Record<string, unknown>)[key]);
    const empty = v === undefined || v === null || (typeof v === "object" && Object.keys(v as object).length === 0);
    if (!empty) out[key] = v;
  }
  return out;
}

/** The byte-stable text the hash and the template comparison are computed over. */
export function canonicalEncoding(value: unknown): string {
  return JSON.stringify(canonicalValue(value)) ?? "";
}

/**
 * The pod-template-hash of a Deployment template. `collisionCount` 0 means "never collided" (upstream's
 * nil) and adds nothing; otherwise its 4 little-endian bytes and 4 zero bytes are hashed after the template.
 */
export function computePodTemplateHash(template: PodTemplateSpec, collisionCount: number): string {
  const encoded = new TextEncoder().encode(canonicalEncoding(template));
  const chunks = [encoded];
  if (collisionCount > 0) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    chunks.push(bytes);
  }
  return safeEncodeString(String(fnv1a32(...chunks)));
}

/** A copy of the template without the pod-template-hash label. */
export function withoutHashLabel(template: PodTemplateSpec): PodTemplateSpec {
  const { [POD_TEMPLATE_HASH_LABEL]: _hash, ...labels } = template.metadata.labels ?? {};
  return { ...template, metadata: { ...template.metadata, labels } };
}

/** Semantic equality of two pod templates once the pod-template-hash label is removed from both. */
export function templatesEqualIgnoringHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonicalEncoding(withoutHashLabel(a)) === canonicalEncoding(withoutHashLabel(b));
}

/**
 * Equality as upstream's apiequality.Semantic.DeepEqual sees it: key order is irrelevant, and an
 * absent field equals its empty value.
 */
export function semanticallyEqual(a: unknown, b: unknown): boolean {
  return canonicalEncoding(a) === canonicalEncoding(b);
}

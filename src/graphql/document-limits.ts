// What a document can make the server keep (issue 10 §3): 300 distinct 3.9 MB documents that fail
// to parse grew the process by ~15 MB each, kept by yoga's parse/validation cache. So a document
// is at most MAX_DOCUMENT_BYTES (the 4 MiB body cap is for variables), and the caches keep only
// documents up to MAX_CACHED_DOCUMENT_CHARS, at most MAX_CACHED_DOCUMENTS of them, least recently
// used first out: what they hold is bounded whatever clients send.
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

export const MAX_DOCUMENT_BYTES = 100 * 1024;
export const MAX_CACHED_DOCUMENT_CHARS = 16 * 1024;
export const MAX_CACHED_DOCUMENTS = 500;

/** An LRU that ignores long keys: at most MAX_CACHED_DOCUMENTS × MAX_CACHED_DOCUMENT_CHARS of source. */
export class DocumentCache<T> {
  readonly #entries = new Map<string, T>();

  get(key: string): T | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: T): void {
    if (key.length > MAX_CACHED_DOCUMENT_CHARS) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > MAX_CACHED_DOCUMENTS) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** yoga's parserAndValidationCache option with bounded caches. */
export function boundedParserCache() {
  return { documentCache: new DocumentCache<never>(), errorCache: new DocumentCache<unknown>() };
}

/** Refuses a document over MAX_DOCUMENT_BYTES before it is parsed, on every transport. */
export const useDocumentSizeLimit: Plugin = {
  onParse({ params }) {
    const source = typeof params.source === "string" ? params.source : params.source.body;
    if (Buffer.byteLength(source) > MAX_DOCUMENT_BYTES) {
      throw new GraphQLError(`the document is ${Buffer.byteLength(source)} bytes: at most ${MAX_DOCUMENT_BYTES} are allowed`, {
        extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
      });
    }
  },
};

// What a document can make the server keep (issue 10 §3): 300 distinct 3.9 MB documents that fail
// to parse grew the process by ~15 MB each, kept by yoga's parse/validation cache. So a document
// is at most MAX_DOCUMENT_BYTES (the 4 MiB body cap is for variables), and the caches keep only
// documents up to MAX_CACHED_DOCUMENT_CHARS, at most MAX_CACHED_DOCUMENTS of them, least recently
// used first out: what they hold is bounded whatever clients send.
import { GraphQLError, Lexer, Source, TokenKind } from "graphql";
import type { Plugin } from "graphql-yoga";

export const MAX_DOCUMENT_BYTES = 100 * 1024;
/**
 * How deep `{`, `[` and `(` may nest in a document: graphql-js parses recursively, and 50,000 nested
 * `{a` or `[` (in a selection or a StringMap literal) exhausted the stack (an internal error).
 */
export const MAX_DOCUMENT_NESTING = 128;
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

const refused = (message: string) => new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });

const OPENING = new Set<TokenKind>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<TokenKind>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/** Throws when brackets nest deeper than MAX_DOCUMENT_NESTING (the lexer is a loop, not a recursion). */
function checkNesting(source: string): void {
  const lexer = new Lexer(new Source(source));
  let depth = 0;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    if (OPENING.has(token.kind) && ++depth > MAX_DOCUMENT_NESTING) throw refused(`the document nests deeper than ${MAX_DOCUMENT_NESTING} levels of {, [ and (`);
    if (CLOSING.has(token.kind)) depth--;
  }
}

/** Refuses a document over MAX_DOCUMENT_BYTES or MAX_DOCUMENT_NESTING before it is parsed, on every transport. */
export const useDocumentSizeLimit: Plugin = {
  onParse({ params }) {
    const source = typeof params.source === "string" ? params.source : params.source.body;
    if (Buffer.byteLength(source) > MAX_DOCUMENT_BYTES) throw refused(`the document is ${Buffer.byteLength(source)} bytes: at most ${MAX_DOCUMENT_BYTES} are allowed`);
    try {
      if (source.length > MAX_DOCUMENT_NESTING) checkNesting(source);
    } catch (err) {
      // a syntax error the lexer finds first is the parser's to report, as always
      if ((err as GraphQLError).extensions?.code === "BAD_USER_INPUT") throw err;
    }
  },
};

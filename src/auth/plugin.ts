// Authentication and abuse limits for every transport (HTTP, yoga SSE, graphql-sse, graphql-ws):
// - the context's principal: the verified token of `authorization` (header or connectionParams),
//   null when it is missing or bad (scope-auth then answers UNAUTHENTICATED), everyone with auth off;
// - mutations take from a per-token token bucket (RATE_LIMITED with retryAfterSeconds); with auth
//   off, callers share one bucket per client address;
// - subscriptions are capped per token and per process, and an open one ends with UNAUTHENTICATED
//   within CHECK_EVERY_MS of its token being revoked or expiring;
// - graphql-ws: a bad or missing token (auth on) closes the socket with 4403 at connection_init, and
//   connections are capped per token (4429) and per process (refused at the upgrade).
import { setRepeatingTimer, type Timer } from "../timers.ts";
import { getOperationAST, type ExecutionResult } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import type { Db } from "../db/client.ts";
import { apiError } from "../graphql/errors.ts";
import type { Logger } from "../log.ts";
import { Caps, TokenBuckets } from "./rate-limit.ts";
import { bearerSecret, EVERYONE, TokenStore, type Principal } from "./tokens.ts";

/** how often open subscriptions' tokens are checked again */
export const CHECK_EVERY_MS = 2000;

export interface AuthOptions {
  auth: boolean;
  mutationRate: number;
  mutationBurst: number;
  wsConnectionsPerToken: number;
  wsConnections: number;
  subscriptionsPerToken: number;
  subscriptions: number;
}

interface AuthContext {
  authorization: string | null;
  principal: Principal | null;
  /** why principal is null */
  authProblem?: string;
  req?: { socket?: { remoteAddress?: string } };
}

const NO_TOKEN = "a token is required: send Authorization: Bearer <token> (graphql-ws: connectionParams.authorization)";
const BAD_TOKEN = "the token is unknown, revoked or expired";

export class Auth {
  readonly store: TokenStore;
  readonly #buckets: TokenBuckets;
  readonly #subscriptions: Caps;
  readonly #connections: Caps;
  /** open subscriptions by token hash (hex): each one's end */
  readonly #sessions = new Map<string, { hash: Buffer; ends: Set<() => void> }>();
  #timer: Timer | null = null;

  constructor(
    db: Db,
    private readonly options: AuthOptions,
    private readonly log: Logger,
  ) {
    this.store = new TokenStore(db);
    this.#buckets = new TokenBuckets(options.mutationRate, options.mutationBurst);
    this.#subscriptions = new Caps(options.subscriptionsPerToken, options.subscriptions);
    this.#connections = new Caps(options.wsConnectionsPerToken, Number.MAX_SAFE_INTEGER);
  }

  /** The principal of a credential: EVERYONE with auth off; null (and why) for none or a bad one. */
  async authenticate(authorization: string | null): Promise<{ principal: Principal | null; authProblem?: string }> {
    if (!this.options.auth) return { principal: EVERYONE };
    if (!authorization) return { principal: null, authProblem: NO_TOKEN };
    const secret = bearerSecret(authorization);
    const principal = secret ? await this.store.verify(secret) : null;
    if (principal) return { principal };
    this.log.debug("refused a credential", { reason: secret ? "unknown, revoked or expired token" : "not a Bearer token" });
    return { principal: null, authProblem: BAD_TOKEN };
  }

  /** The key of a caller's limits: its token, or (auth off or no token) its address. */
  #key(ctx: AuthContext): string {
    return ctx.principal?.tokenHash ? `token:${ctx.principal.tokenHash.toString("hex")}` : `addr:${ctx.req?.socket?.remoteAddress ?? "unknown"}`;
  }

  /** Takes one mutation from the caller's bucket: null, or the seconds to wait (REST writes use it too). */
  takeMutation(principal: Principal | null, address: string | undefined): number | null {
    return this.#buckets.take(this.#key({ authorization: null, principal, req: { socket: { remoteAddress: address } } })) || null;
  }

  readonly plugin: Plugin<AuthContext> = {
    onContextBuilding: async ({ context, extendContext }) => {
      extendContext(await this.authenticate(context.authorization));
    },
    onExecute: ({ args, setResultAndStopExecution }) => {
      if (getOperationAST(args.document, args.operationName)?.operation !== "mutation") return;
      const retryAfterSeconds = this.takeMutation(args.contextValue.principal, args.contextValue.req?.socket?.remoteAddress);
      if (retryAfterSeconds) {
        setResultAndStopExecution({
          errors: [apiError("RATE_LIMITED", `too many mutations: try again in ${retryAfterSeconds} s`, { retryAfterSeconds })],
        });
      }
    },
    onSubscribe: ({ args, setResultAndStopExecution }) => {
      const ctx = args.contextValue;
      // scope-auth answers UNAUTHENTICATED without a principal
      const release = ctx.principal === null ? () => {} : this.#subscriptions.acquire(this.#key(ctx));
      if (!release) {
        setResultAndStopExecution({
          data: null,
          errors: [apiError("RATE_LIMITED", "too many open subscriptions: end one first", { retryAfterSeconds: 1, limit: "subscriptions" })],
        });
        return;
      }
      return {
        onSubscribeResult: ({ result, setResult }) => {
          if (isAsyncIterable(result)) return setResult(this.#guard(result, ctx.principal!, release));
          release();
          // a refusal at subscribe time has no `data`; graphql-sse answers such a result with a bare 400
          if (!("data" in result)) setResult({ data: null, ...result });
        },
        onSubscribeError: () => release(),
      };
    },
  };

  /**
   * graphql-ws onConnect: false closes with 4403 (a bad or, with auth on, missing token); a token
   * over its connection cap is closed with 4429. Returns the release of the connection's slot.
   */
  async connect(authorization: string | null, address: string | undefined, close: (code: number, reason: string) => void): Promise<(() => void) | false> {
    const { principal } = await this.authenticate(authorization);
    if (!principal) return false;
    const release = this.#connections.acquire(this.#key({ authorization, principal, req: { socket: { remoteAddress: address } } }));
    if (!release) {
      close(4429, "too many WebSocket connections for this token");
      return false;
    }
    return release;
  }

  /** Whether one more WebSocket may be opened in this process (checked at the upgrade). */
  connectionRoom(openConnections: number): boolean {
    return openConnections < this.options.wsConnections;
  }

  get openSubscriptions(): number {
    return this.#subscriptions.open;
  }

  stop(): void {
    this.#timer?.clear();
    this.#timer = null;
  }

  /** The stream, ended with UNAUTHENTICATED when its token stops being valid; frees its slot at the end. */
  #guard(source: AsyncGenerator<ExecutionResult> | AsyncIterableIterator<ExecutionResult>, principal: Principal, release: () => void): AsyncIterableIterator<ExecutionResult> {
    let revoke: (result: ExecutionResult) => void = () => {};
    const revoked = new Promise<ExecutionResult>((resolve) => (revoke = resolve));
    let done = false;
    const unwatch = principal.tokenHash ? this.#watch(principal.tokenHash, () => revoke({ errors: [apiError("UNAUTHENTICATED", `${BAD_TOKEN}: the subscription has ended`)] })) : () => {};
    const finish = () => {
      if (done) return;
      done = true;
      unwatch();
      release();
    };
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        if (done) return { value: undefined, done: true };
        const next = await Promise.race([source.next(), revoked.then((error) => ({ error }))]);
        if ("error" in next) {
          finish();
          void source.return?.(undefined);
          return { value: next.error, done: false };
        }
        if (next.done) finish();
        return next;
      },
      async return() {
        finish();
        await source.return?.(undefined);
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  #watch(hash: Buffer, end: () => void): () => void {
    const key = hash.toString("hex");
    let session = this.#sessions.get(key);
    if (!session) this.#sessions.set(key, (session = { hash, ends: new Set() }));
    session.ends.add(end);
    this.#timer ??= setRepeatingTimer(() => void this.#check(), CHECK_EVERY_MS, { unref: true });
    const joined = session;
    return () => {
      joined.ends.delete(end);
      if (joined.ends.size === 0 && this.#sessions.get(key) === joined) this.#sessions.delete(key);
      if (this.#sessions.size === 0) this.stop();
    };
  }

  async #check(): Promise<void> {
    try {
      const valid = await this.store.stillValid([...this.#sessions.values()].map((s) => s.hash));
      for (const [key, session] of this.#sessions) if (!valid.has(key)) for (const end of [...session.ends]) end();
    } catch (err) {
      this.log.warn("token check of open subscriptions failed", { error: String(err) });
    }
  }
}

// Shared by the subscription tests: real graphql-ws and graphql-sse clients, and a stream that
// records what a subscription delivered and waits on it (no sleeps).
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { createClient as createSseClient, type Client as SseClient } from "graphql-sse";
import WebSocket from "ws";

export interface Result {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, any> }[];
}

interface Sink {
  next(value: any): void;
  error(error: unknown): void;
  complete(): void;
}

/** What both clients offer: subscribe(payload, sink) → unsubscribe. */
export interface SubscribeClient {
  subscribe(payload: { query: string; variables?: Record<string, unknown> }, sink: Sink): () => void;
}

export function wsClient(httpUrl: string, options: { webSocketImpl?: unknown } = {}): WsClient {
  return createWsClient({ url: httpUrl.replace(/^http/, "ws"), webSocketImpl: options.webSocketImpl ?? WebSocket, retryAttempts: 0, lazy: true });
}

/** graphql-sse; `singleConnection` talks to /graphql/stream, distinct connections to yoga's own SSE on /graphql. */
export function sseClient(httpUrl: string, singleConnection: boolean): SseClient {
  return createSseClient({ url: singleConnection ? `${httpUrl}/stream` : httpUrl, singleConnection, retryAttempts: 0 });
}

export class Stream {
  readonly results: Result[] = [];
  completed = false;
  /** a transport-level error (graphql-ws `error` message, a failed request) */
  error: unknown = null;
  readonly #field: string;
  readonly #waiters = new Set<() => void>();
  readonly unsubscribe: () => void;

  constructor(client: SubscribeClient, query: string, variables: Record<string, unknown> = {}) {
    this.#field = /\{\s*(\w+)/.exec(query.replace(/^[^{]*/, ""))![1];
    this.unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (result) => this.#changed(() => this.results.push(result)),
        error: (error) => this.#changed(() => (this.error = error)),
        complete: () => this.#changed(() => (this.completed = true)),
      },
    );
  }

  /** The root field's value of each result that has data. */
  get values(): any[] {
    return this.results.filter((r) => r.data).map((r) => r.data![this.#field]);
  }

  /** The GraphQL errors delivered, from results or as a transport error. */
  get errors(): { message: string; extensions?: Record<string, any> }[] {
    const fromResults = this.results.flatMap((r) => r.errors ?? []);
    const transport = Array.isArray(this.error) ? this.error : this.error ? [{ message: String(this.error) }] : [];
    return [...fromResults, ...transport];
  }

  /** Resolves with the first value `probe` returns other than undefined/false, re-checked on every message. */
  until<T>(probe: (stream: this) => T | undefined | false, ms = 15_000, what = "condition"): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = probe(this);
        if (value === undefined || value === false) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${what} not reached within ${ms} ms; got ${JSON.stringify({ results: this.results.slice(-5), completed: this.completed, error: this.error })}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      if (!check()) this.#waiters.add(check);
    });
  }

  /** Waits for at least n values and returns them all. */
  take(n: number, ms?: number): Promise<any[]> {
    return this.until((s) => s.values.length >= n && s.values, ms, `${n} values`);
  }

  /** Waits until the stream has completed or failed. */
  ended(ms?: number): Promise<this> {
    return this.until((s) => (s.completed || s.error !== null) && s, ms, "the end of the stream");
  }

  #changed(apply: () => void) {
    apply();
    for (const check of [...this.#waiters]) check();
  }
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `ms`. */
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const WATCH = `subscription($kind: ResourceKind!, $namespace: String, $labelSelector: String, $resourceVersion: String) {
  watch(kind: $kind, namespace: $namespace, labelSelector: $labelSelector, resourceVersion: $resourceVersion) {
    type resourceVersion object { __typename ... on Deployment { metadata { name resourceVersion labels } spec { replicas } } ... on Pod { metadata { name resourceVersion } } ... on ReplicaSet { metadata { name resourceVersion } } }
  }
}`;

export const ROLLOUT_STATUS = `subscription($namespace: String!, $name: String!) {
  rolloutStatus(namespace: $namespace, name: $name) { phase done message revision observedGeneration generation desiredReplicas updatedReplicas readyReplicas availableReplicas oldReplicas progress }
}`;

export function deploymentInput(namespace: string, name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}) {
  return {
    metadata: { namespace, name, labels: { app: name, ...labels } },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } },
      ...spec,
    },
  };
}

export const CREATE_DEPLOYMENT = `mutation($metadata: ObjectMetaInput!, $spec: DeploymentSpecInput!) {
  createDeployment(metadata: $metadata, spec: $spec) { metadata { name resourceVersion } } }`;
export const SCALE_DEPLOYMENT = `mutation($namespace: String!, $name: String!, $replicas: Int!) {
  scaleDeployment(namespace: $namespace, name: $name, replicas: $replicas) { metadata { resourceVersion } } }`;
export const DELETE_DEPLOYMENT = `mutation($namespace: String!, $name: String!) {
  deleteDeployment(namespace: $namespace, name: $name) { metadata { name } } }`;

// Metrics of every GraphQL operation (count by type, name and outcome; execution time) and of
// subscriptions (open, events sent, ended with RESUBSCRIBE), and the debug line of each mutation.
// Runs on every transport; the transport label comes from the context the transport built.
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLError } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import { performance } from "node:perf_hooks";
import type { Logger } from "../log.ts";

type Labels = Record<string, string>;

/** What this plugin records into (src/metrics.ts's Metrics); declared here so graphql/ stays below the composition. */
export interface OperationMetrics {
  boundedName(name: string | null | undefined): string;
  operationSeconds: { observe(labels: Labels, seconds: number): void };
  operations: { inc(labels: Labels): void };
  subscribers: { inc(labels: Labels): void; dec(labels: Labels): void };
  subscriptionEvents: { inc(labels: Labels): void };
  subscriptionsDropped: { inc(labels: Labels): void };
}

interface TransportContext {
  requestId?: string;
  /** graphql-ws: the socket (its subprotocol names the WebSocket protocol) */
  socket?: { protocol?: string };
  request?: Request;
  /** who is calling (src/auth/): the token's name, never its secret */
  principal?: { name?: string } | null;
}

/** A label for the transport a subscription came over. */
export function transportOf(context: TransportContext): string {
  if (context.socket) return context.socket.protocol === "graphql-ws" ? "ws-legacy" : "ws";
  const path = context.request ? new URL(context.request.url).pathname : "";
  return path.endsWith("/stream") ? "graphql-sse" : "sse";
}

function operationOf(document: DocumentNode, operationName: string | null | undefined) {
  const op = getOperationAST(document, operationName);
  return { type: op?.operation ?? "unknown", name: op?.name?.value ?? null, fields: op ? op.selectionSet.selections.flatMap((s) => (s.kind === "Field" ? [s.name.value] : [])) : [] };
}

const outcomeOf = (result: ExecutionResult) => (result.errors?.length ? String((result.errors[0] as GraphQLError).extensions?.code ?? "ERROR") : "ok");

export function useObservability(metrics: OperationMetrics, log: Logger): Plugin<TransportContext> {
  return {
    onExecute: ({ args }) => {
      const op = operationOf(args.document, args.operationName);
      const labels = { type: op.type, operation: metrics.boundedName(op.name) };
      if (op.type === "mutation") log.debug("mutation", { requestId: args.contextValue.requestId, operation: op.name, fields: op.fields, token: args.contextValue.principal?.name ?? null });
      const start = performance.now();
      return {
        onExecuteDone: ({ result }) => {
          metrics.operationSeconds.observe(labels, (performance.now() - start) / 1000);
          if (!isAsyncIterable(result)) metrics.operations.inc({ ...labels, outcome: outcomeOf(result) });
        },
      };
    },
    onSubscribe: ({ args }) => {
      const op = operationOf(args.document, args.operationName);
      const operation = metrics.boundedName(op.name);
      return {
        onSubscribeResult: ({ result }) => {
          if (!isAsyncIterable(result)) return void metrics.operations.inc({ type: "subscription", operation, outcome: outcomeOf(result) });
          metrics.operations.inc({ type: "subscription", operation, outcome: "ok" });
          const labels = { transport: transportOf(args.contextValue), field: op.fields[0] ?? "unknown" };
          metrics.subscribers.inc(labels);
          return {
            onNext: ({ result: event }) => {
              metrics.subscriptionEvents.inc(labels);
              if (event.errors?.some((e) => e.extensions?.code === "RESUBSCRIBE")) metrics.subscriptionsDropped.inc(labels);
            },
            onEnd: () => metrics.subscribers.dec(labels),
          };
        },
      };
    },
  };
}

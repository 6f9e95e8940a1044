// The command-line conventions every Node client example shares: `deployment/NAME` (or
// `deployment NAME`), `-n NAMESPACE`, `--server`/`DEPLOYE_URL`, `--token`/`DEPLOYE_TOKEN`,
// kubectl-style durations; a usage mistake prints one line and exits 2.
import { parseArgs, type ParseArgsConfig } from "node:util";
import WebSocket from "ws";
import { ApiError, subscriptionClient, type Target } from "./connection.ts";

export const DEFAULT_SERVER = "http://127.0.0.1:4000/graphql";

export function usage(command: string, message: string): never {
  process.stderr.write(`${command}: ${message}\n`);
  process.exit(2);
}

/** A Go/kubectl duration ("90s", "5m", "1h30m", "500ms", "0") in milliseconds. */
export function durationMs(text: string): number | null {
  if (text === "0") return 0;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_all, n: string, unit: string) => {
    total += Number(n) * units[unit];
    return "";
  });
  return rest === "" && text !== "" ? Math.round(total) : null;
}

export interface Invocation {
  target: Target;
  namespace: string;
  name: string;
  values: Record<string, string | undefined>;
}

/** Parses argv for `command`; `options` are the command's own string options. */
export function parseInvocation(command: string, argv: string[], env: NodeJS.ProcessEnv, options: NonNullable<ParseArgsConfig["options"]>): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...options, server: { type: "string" }, token: { type: "string" }, namespace: { type: "string", short: "n" } },
    });
  } catch (err) {
    usage(command, (err as Error).message);
  }
  const words = parsed.positionals.flatMap((p) => p.split("/"));
  if (words.length !== 2 || !/^(deployment|deployments|deploy)(\.apps)?$/.test(words[0])) usage(command, "name one Deployment: deployment/NAME");
  const values = parsed.values as Record<string, string | undefined>;
  return {
    target: { server: values.server ?? env.DEPLOYE_URL ?? DEFAULT_SERVER, token: values.token ?? (env.DEPLOYE_TOKEN || undefined) },
    namespace: values.namespace ?? "default",
    name: words[1],
    values,
  };
}

/** A subscription client over the `ws` package (Node 20 has no global WebSocket). */
export function nodeSubscriptionClient(target: Target) {
  return subscriptionClient(target, WebSocket);
}

/** Prints kubectl's "error: ..." line and exits (1 unless told). */
export function fail(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

/** Whether the server refused the caller: no token, a bad one, or one not allowed to do this. */
export const refused = (err: unknown) => err instanceof ApiError && (err.code === "UNAUTHENTICATED" || err.code === "FORBIDDEN");

/** The one line for an error that ends a command; a missing or refused token says where a token goes. */
export function errorLine(err: unknown, target: Target): string {
  if (err instanceof ApiError && err.code === "UNAUTHENTICATED") {
    return target.token
      ? `the server at ${target.server} refused the token of --token or DEPLOYE_TOKEN: it is unknown, revoked or expired`
      : `the server at ${target.server} wants a token: pass --token or set DEPLOYE_TOKEN`;
  }
  return err instanceof ApiError ? `${err.message} (${err.code})` : String(err);
}

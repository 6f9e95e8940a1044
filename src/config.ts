// Environment variables and CLI flags → one typed, validated configuration object.
// A bad value is a user mistake: it is reported in one line naming the variable (ConfigError),
// and main.ts exits with status 2 without a stack trace.
import { accessSync, constants } from "node:fs";

/** Namespace quotas (src/domain/quota.ts): generous, finite; ten full-size (10 000-replica) Deployments' worth of pods. */
export const DEFAULT_QUOTAS = { pods: 100_000, replicaSets: 10_000, deployments: 2_000 };

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface Config {
  host: string;
  port: number;
  /** null: start an embedded Postgres in dataDir */
  databaseUrl: string | null;
  dataDir: string;
  logLevel: LogLevel;
  /** run the controllers in this process (off: other instances reconcile) */
  controllers: boolean;
  /** reconcile workers per controller */
  workers: number;
  /** periodic resync of every object */
  resyncMs: number;
  simulator: boolean;
  nodes: string[];
  /** how long a node agent's lease on its nodes lasts; it renews it every quarter of that */
  nodeLeaseMs: number;
  /** default time from pod creation to Running+Ready in the simulated kubelet */
  podStartupMs: number;
  /** cap on termination grace periods, for demos and tests (null: no cap) */
  maxGraceSeconds: number | null;
  /** change-log retention: rows older than this are compacted (null: keep) */
  changeLogRetentionMs: number | null;
  /** change-log retention: at most this many rows are kept (null: no limit) */
  changeLogMaxRows: number | null;
  /** undelivered events a watch or events subscriber may fall behind before it is ended */
  subscriptionBuffer: number;
  /** require API tokens (see src/auth/); defaults to on unless HOST is a loopback address */
  auth: boolean;
  /** DEPLOYE_BOOTSTRAP_TOKEN: made an admin token at start-up (null: none) */
  bootstrapToken: string | null;
  /** origins browsers may call from besides the server's own ("*": any, without credentials) */
  corsOrigins: string[];
  /** Host names accepted besides loopback ones while auth is off (DNS-rebinding protection) */
  allowedHosts: string[];
  /** per-token (or, with auth off, per-address) mutation bucket: refill per second and size */
  mutationRate: number;
  mutationBurst: number;
  /** operations in one batched HTTP request */
  maxBatch: number;
  /** concurrent WebSocket connections and subscriptions, per token (or address) and per process */
  wsConnectionsPerToken: number;
  wsConnections: number;
  subscriptionsPerToken: number;
  subscriptions: number;
  /** PEM files: serve HTTPS (and WSS) instead of plain HTTP; both or neither */
  tlsCert: string | null;
  tlsKey: string | null;
  /** concurrent HTTP connections (WebSockets and event streams included) per client address */
  connectionsPerAddress: number;
  /** how long a client may take to send a request's headers, and the whole request */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** how long a graphql-sse reservation (PUT) may wait for its event stream (GET) */
  sseReservationMs: number;
  /** graphql-sse reservations waiting for their event stream, per client address and per process */
  sseReservationsPerAddress: number;
  sseReservations: number;
  /** queries and subscriptions one WebSocket, and one graphql-sse single-connection stream, may run at once */
  wsOperationsPerSocket: number;
  sseOperationsPerStream: number;
  /** namespace quotas (src/domain/quota.ts): objects of each kind one namespace may hold */
  quotaPods: number;
  quotaReplicaSets: number;
  quotaDeployments: number;
  /** /metrics without a token even when auth is on */
  metricsPublic: boolean;
  /** SIGTERM/SIGINT: the whole shutdown's bound, after which the process exits non-zero */
  shutdownTimeoutMs: number;
}

export const DEFAULT_SUBSCRIPTION_BUFFER = 1000;

/** How long a client may take to send a request's headers, and the whole request (src/http/timeouts.ts). */
export const DEFAULT_REQUEST_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000 };

export class ConfigError extends Error {}

interface Option {
  env: string;
  flag: string;
  help: string;
  parse: (raw: string) => unknown;
  key: keyof Config;
  default: unknown;
}

const int = (min: number, max: number) => (raw: string) => {
  if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${n}`);
  return n;
};
const optionalInt = (min: number, max: number) => (raw: string) => (raw === "" || raw === "off" ? null : int(min, max)(raw));
const bool = (raw: string) => {
  const v = raw.trim().toLowerCase();
  if (["on", "true", "1", "yes"].includes(v)) return true;
  if (["off", "false", "0", "no"].includes(v)) return false;
  throw new Error(`must be on or off, got "${raw}"`);
};
const oneOf = <T extends string>(values: readonly T[]) => (raw: string) => {
  if (!values.includes(raw as T)) throw new Error(`must be one of ${values.join(", ")}, got "${raw}"`);
  return raw;
};
const postgresUrl = (raw: string) => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("must be a postgresql:// URL");
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") throw new Error("must be a postgresql:// URL");
  return raw;
};
const nonEmpty = (raw: string) => {
  if (raw.trim() === "") throw new Error("must not be empty");
  return raw;
};
const optionalList = (raw: string) => raw.split(",").map((s) => s.trim()).filter(Boolean);
const origins = (raw: string) =>
  optionalList(raw).map((o) => {
    if (o === "*") return o;
    let url: URL | null = null;
    try {
      url = new URL(o);
    } catch {
      // refused below
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== o.replace(/\/$/, "")) throw new Error(`must list origins like https://app.example.com or *, got "${o}"`);
    return url.origin;
  });
const readableFile = (raw: string) => {
  try {
    accessSync(raw, constants.R_OK);
  } catch {
    throw new Error(`must name a readable file, got "${raw}"`);
  }
  return raw;
};
const secret = (raw: string) => {
  if (raw.trim().length < 16) throw new Error("must be at least 16 characters");
  return raw.trim();
};
const list = (raw: string) => {
  const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error("must list at least one name");
  return items;
};

export const OPTIONS: Option[] = [
  { env: "HOST", flag: "--host", key: "host", default: "127.0.0.1", parse: nonEmpty, help: "interface to listen on" },
  { env: "PORT", flag: "--port", key: "port", default: 4000, parse: int(0, 65535), help: "HTTP and WebSocket port" },
  { env: "DATABASE_URL", flag: "--database-url", key: "databaseUrl", default: null, parse: postgresUrl, help: "Postgres URL; unset: embedded Postgres in DATA_DIR" },
  { env: "DATA_DIR", flag: "--data-dir", key: "dataDir", default: "./.deploye/pgdata", parse: nonEmpty, help: "embedded Postgres data directory" },
  { env: "LOG_LEVEL", flag: "--log-level", key: "logLevel", default: "info", parse: oneOf(["debug", "info", "warn", "error", "silent"] as const), help: "debug, info, warn, error or silent" },
  { env: "CONTROLLERS", flag: "--controllers", key: "controllers", default: true, parse: bool, help: "off: no controllers here; other instances reconcile (the node agent follows SIMULATOR)" },
  { env: "WORKERS", flag: "--workers", key: "workers", default: 4, parse: int(1, 64), help: "reconcile workers per controller" },
  { env: "RESYNC_MS", flag: "--resync-ms", key: "resyncMs", default: 30_000, parse: int(100, 86_400_000), help: "periodic resync of every object (ms)" },
  { env: "SIMULATOR", flag: "--simulator", key: "simulator", default: true, parse: bool, help: "on: the simulated kubelet (node agent) runs pods, with or without CONTROLLERS; off: an external agent uses updatePodStatus" },
  { env: "SIM_NODES", flag: "--sim-nodes", key: "nodes", default: ["node-1", "node-2", "node-3"], parse: list, help: "simulated node names, comma separated" },
  { env: "SIM_NODE_LEASE_MS", flag: "--sim-node-lease-ms", key: "nodeLeaseMs", default: 40_000, parse: int(400, 3_600_000), help: "the node agent's lease on its nodes (ms), renewed every quarter; new pods go only to nodes with a live lease; live agents run the pods of a node without one" },
  { env: "SIM_STARTUP_MS", flag: "--sim-startup-ms", key: "podStartupMs", default: 1000, parse: int(0, 86_400_000), help: "default pod startup time in the simulator (ms)" },
  { env: "SIM_MAX_GRACE_SECONDS", flag: "--sim-max-grace-seconds", key: "maxGraceSeconds", default: null, parse: optionalInt(0, 86_400), help: "cap on termination grace periods (demos, tests)" },
  { env: "CHANGELOG_RETENTION_MS", flag: "--changelog-retention-ms", key: "changeLogRetentionMs", default: 3_600_000, parse: optionalInt(1000, 2 ** 31 * 1000), help: "compact change-log rows older than this; off: keep" },
  { env: "CHANGELOG_MAX_ROWS", flag: "--changelog-max-rows", key: "changeLogMaxRows", default: 1_000_000, parse: optionalInt(100, 2 ** 40), help: "keep at most this many change-log rows; off: no limit" },
  { env: "AUTH", flag: "--auth", key: "auth", default: null, parse: bool, help: "on: require API tokens; default off only for a loopback HOST" },
  // no flag: a secret on the command line shows in every process listing
  { env: "DEPLOYE_BOOTSTRAP_TOKEN", flag: "", key: "bootstrapToken", default: null, parse: secret, help: "made an admin token at start-up" },
  { env: "CORS_ORIGINS", flag: "--cors-origins", key: "corsOrigins", default: [], parse: origins, help: "origins allowed to call from a browser, comma separated (* without credentials)" },
  { env: "ALLOWED_HOSTS", flag: "--allowed-hosts", key: "allowedHosts", default: [], parse: optionalList, help: "Host names accepted besides loopback ones while auth is off" },
  { env: "MUTATION_RATE", flag: "--mutation-rate", key: "mutationRate", default: 50, parse: int(1, 1_000_000), help: "mutations per second per token (refill of its bucket)" },
  { env: "MUTATION_BURST", flag: "--mutation-burst", key: "mutationBurst", default: 500, parse: int(1, 1_000_000), help: "mutations a token may send at once (size of its bucket)" },
  { env: "MAX_BATCH", flag: "--max-batch", key: "maxBatch", default: 10, parse: int(1, 100), help: "operations in one batched HTTP request" },
  { env: "WS_CONNECTIONS_PER_TOKEN", flag: "--ws-connections-per-token", key: "wsConnectionsPerToken", default: 50, parse: int(1, 1_000_000), help: "concurrent WebSocket connections per token" },
  { env: "WS_CONNECTIONS", flag: "--ws-connections", key: "wsConnections", default: 5000, parse: int(1, 1_000_000), help: "concurrent WebSocket connections per process" },
  { env: "SUBSCRIPTIONS_PER_TOKEN", flag: "--subscriptions-per-token", key: "subscriptionsPerToken", default: 200, parse: int(1, 1_000_000), help: "concurrent subscriptions per token" },
  { env: "SUBSCRIPTIONS", flag: "--subscriptions", key: "subscriptions", default: 10_000, parse: int(1, 1_000_000), help: "concurrent subscriptions per process" },
  { env: "CONNECTIONS_PER_ADDRESS", flag: "--connections-per-address", key: "connectionsPerAddress", default: 1000, parse: int(1, 1_000_000), help: "concurrent connections per client address (429 past it)" },
  { env: "SSE_RESERVATION_MS", flag: "--sse-reservation-ms", key: "sseReservationMs", default: 30_000, parse: int(100, 600_000), help: "a graphql-sse reservation without its event stream ends after this (ms)" },
  { env: "HEADERS_TIMEOUT_MS", flag: "--headers-timeout-ms", key: "headersTimeoutMs", default: DEFAULT_REQUEST_TIMEOUTS.headersMs, parse: int(100, 600_000), help: "a request's headers must arrive within this (ms), else 408 and close" },
  { env: "REQUEST_TIMEOUT_MS", flag: "--request-timeout-ms", key: "requestTimeoutMs", default: DEFAULT_REQUEST_TIMEOUTS.requestMs, parse: int(100, 3_600_000), help: "a whole request, body included, must arrive within this (ms), else 408 and close" },
  { env: "SSE_RESERVATIONS_PER_ADDRESS", flag: "--sse-reservations-per-address", key: "sseReservationsPerAddress", default: 100, parse: int(1, 1_000_000), help: "graphql-sse reservations one client address may hold unconnected (429 past it)" },
  { env: "SSE_RESERVATIONS", flag: "--sse-reservations", key: "sseReservations", default: 10_000, parse: int(1, 1_000_000), help: "graphql-sse reservations held unconnected per process (429 past it)" },
  { env: "WS_OPERATIONS_PER_SOCKET", flag: "--ws-operations-per-socket", key: "wsOperationsPerSocket", default: 100, parse: int(1, 1_000_000), help: "queries and subscriptions one WebSocket may run at once (RATE_LIMITED past it)" },
  { env: "SSE_OPERATIONS_PER_STREAM", flag: "--sse-operations-per-stream", key: "sseOperationsPerStream", default: 100, parse: int(1, 1_000_000), help: "queries and subscriptions one graphql-sse single-connection stream may run at once (RATE_LIMITED past it)" },
  { env: "QUOTA_PODS_PER_NAMESPACE", flag: "--quota-pods-per-namespace", key: "quotaPods", default: DEFAULT_QUOTAS.pods, parse: int(1, 100_000_000), help: "pods one namespace may hold (QUOTA_EXCEEDED past it)" },
  { env: "QUOTA_REPLICASETS_PER_NAMESPACE", flag: "--quota-replicasets-per-namespace", key: "quotaReplicaSets", default: DEFAULT_QUOTAS.replicaSets, parse: int(1, 100_000_000), help: "ReplicaSets one namespace may hold" },
  { env: "QUOTA_DEPLOYMENTS_PER_NAMESPACE", flag: "--quota-deployments-per-namespace", key: "quotaDeployments", default: DEFAULT_QUOTAS.deployments, parse: int(1, 100_000_000), help: "Deployments one namespace may hold" },
  { env: "SUBSCRIPTION_BUFFER", flag: "--subscription-buffer", key: "subscriptionBuffer", default: DEFAULT_SUBSCRIPTION_BUFFER, parse: int(1, 1_000_000), help: "events a subscriber may fall behind before it is ended (RESUBSCRIBE)" },
  { env: "TLS_CERT", flag: "--tls-cert", key: "tlsCert", default: null, parse: readableFile, help: "PEM certificate (chain): serve HTTPS and WSS (with TLS_KEY)" },
  { env: "TLS_KEY", flag: "--tls-key", key: "tlsKey", default: null, parse: readableFile, help: "PEM private key of TLS_CERT" },
  { env: "METRICS_PUBLIC", flag: "--metrics-public", key: "metricsPublic", default: false, parse: bool, help: "on: /metrics needs no token even with auth on (scrapers on a trusted network)" },
  { env: "SHUTDOWN_TIMEOUT_MS", flag: "--shutdown-timeout-ms", key: "shutdownTimeoutMs", default: 10_000, parse: int(100, 600_000), help: "bound on a graceful shutdown (ms); past it the process exits 1" },
];

const SECRET_KEY = /bootstrapToken|secret|password/i;

/** The configuration as it may be logged: no URL password, no token or secret. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (SECRET_KEY.test(key)) out[key] = value == null ? value : "[redacted]";
    else if (key === "databaseUrl" && typeof value === "string") {
      const url = new URL(value);
      if (url.password) url.password = "redacted";
      out[key] = url.toString();
    } else out[key] = value;
  }
  return out;
}

/** Reads flags (`--port 4000` or `--port=4000`) over environment variables over defaults. */
export function loadConfig(env: Record<string, string | undefined> = process.env, argv: string[] = []): Config {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!OPTIONS.some((o) => o.flag === name)) throw new ConfigError(`unknown flag ${name}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`flag ${name} needs a value`);
    flags.set(name, value);
  }
  const config: Record<string, unknown> = {};
  for (const option of OPTIONS) {
    const fromFlag = flags.get(option.flag);
    const raw = fromFlag ?? env[option.env];
    if (raw === undefined || (fromFlag === undefined && raw === "")) {
      config[option.key] = option.default;
      continue;
    }
    try {
      config[option.key] = option.parse(raw);
    } catch (err) {
      const name = fromFlag !== undefined ? option.flag : option.env;
      throw new ConfigError(`${name} ${(err as Error).message}`);
    }
  }
  if ((config.tlsCert === null) !== (config.tlsKey === null)) throw new ConfigError("TLS_CERT and TLS_KEY go together: set both or neither");
  return withAuthDefault(config as unknown as Config);
}

/** Loopback interface names and addresses: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/** AUTH defaults to off only on a loopback HOST; off anywhere else is refused. */
function withAuthDefault(config: Config): Config {
  const loopback = isLoopback(config.host);
  if ((config.auth as boolean | null) === null) return { ...config, auth: !loopback };
  if (!config.auth && !loopback) throw new ConfigError(`AUTH=off needs a loopback HOST (127.0.0.1, ::1, localhost), got HOST=${config.host}: anyone who can reach it could use the API`);
  return config;
}

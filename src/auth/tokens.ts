// API tokens: random secrets with a recognisable prefix (`dpl_`, so secret scanners find leaked
// ones), stored only as their SHA-256 and compared in constant time. Each has a name, a role, the
// namespaces it is limited to (none: every namespace), an optional expiry and a last-used time that
// is written at most once a minute. Revoking deletes the row.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../db/client.ts";

export const ROLES = ["viewer", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const TOKEN_PREFIX = "dpl_";
/** characters of a secret kept to tell tokens apart in `token list` */
const SHOWN = TOKEN_PREFIX.length + 6;
const LAST_USED_EVERY_MS = 60_000;
/** the stored name of DEPLOYE_BOOTSTRAP_TOKEN's record */
export const BOOTSTRAP_NAME = "bootstrap";

/** Who is calling: a verified token, or anyone (auth off). */
export interface Principal {
  /** the token's hash (null: auth is off) */
  tokenHash: Buffer | null;
  name: string;
  role: Role;
  /** null: every namespace */
  namespaces: readonly string[] | null;
  expiresAt: Date | null;
}

/** Auth off: every caller may do everything. */
export const EVERYONE: Principal = { tokenHash: null, name: "anonymous", role: "admin", namespaces: null, expiresAt: null };

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  namespaces: string[] | null;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

export interface NewToken {
  name: string;
  role: Role;
  namespaces?: string[] | null;
  expiresAt?: Date | null;
}

export class TokenError extends Error {
  constructor(
    readonly code: "BAD_USER_INPUT" | "ALREADY_EXISTS" | "NOT_FOUND",
    message: string,
  ) {
    super(message);
  }
}

export const generateSecret = () => TOKEN_PREFIX + randomBytes(32).toString("base64url");
export const hashSecret = (secret: string) => createHash("sha256").update(secret, "utf8").digest();

/** The secret of an `Authorization: Bearer <secret>` value (null: not a Bearer credential). */
export function bearerSecret(authorization: string | null): string | null {
  const m = authorization && /^Bearer\s+(\S{1,512})\s*$/i.exec(authorization);
  return m ? m[1] : null;
}

/** `30d`, `12h`, `90m` or `3600s` → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new TokenError("BAD_USER_INPUT", `expiry must be like 30d, 12h, 90m or 3600s, got "${text}"`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s"];
}

const NAME = /^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

interface Row {
  id: string;
  name: string;
  role: Role;
  namespaces: string[] | null;
  /** bytea: a Uint8Array, not necessarily a Buffer */
  token_hash: Uint8Array;
  prefix: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
}

const info = (r: Row): TokenInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  namespaces: r.namespaces?.length ? r.namespaces : null,
  prefix: r.prefix,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
});

export class TokenStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates a token; the secret is returned here and nowhere else. */
  async create(token: NewToken): Promise<{ secret: string; token: TokenInfo }> {
    const problems = [
      !NAME.test(token.name) && `name must be lower-case letters, digits, '-', '_' or '.' (at most 63), got "${token.name.slice(0, 80)}"`,
      !ROLES.includes(token.role) && `role must be one of ${ROLES.join(", ")}`,
      token.namespaces && token.namespaces.length === 0 && "namespaces must list at least one namespace (leave it out for every namespace)",
      token.namespaces && token.namespaces.length > 256 && "at most 256 namespaces",
      ...(token.namespaces ?? []).filter((ns) => !NAMESPACE.test(ns)).map((ns) => `namespace "${ns.slice(0, 80)}" is not a valid namespace name`),
      token.expiresAt && token.expiresAt <= this.now() && "expiry must be in the future",
    ].filter(Boolean);
    if (problems.length) throw new TokenError("BAD_USER_INPUT", problems.join("; "));
    const secret = generateSecret();
    const rows = await this.db.$queryRaw<Row[]>`
      INSERT INTO api_tokens (name, role, namespaces, token_hash, prefix, expires_at)
      VALUES (${token.name}, ${token.role}, ${[...new Set(token.namespaces ?? [])].sort()}::text[], ${hashSecret(secret)}, ${secret.slice(0, SHOWN)}, ${token.expiresAt?.toISOString() ?? null}::timestamptz)
      ON CONFLICT (name) DO NOTHING
      RETURNING *`;
    if (!rows.length) throw new TokenError("ALREADY_EXISTS", `a token named "${token.name}" exists`);
    return { secret, token: info(rows[0]) };
  }

  async list(): Promise<TokenInfo[]> {
    return (await this.db.$queryRaw<Row[]>`SELECT * FROM api_tokens ORDER BY name LIMIT 10000`).map(info);
  }

  async revoke(name: string): Promise<TokenInfo> {
    const rows = await this.db.$queryRaw<Row[]>`DELETE FROM api_tokens WHERE name = ${name} RETURNING *`;
    if (!rows.length) throw new TokenError("NOT_FOUND", `no token named "${name.slice(0, 80)}"`);
    return info(rows[0]);
  }

  /**
   * Makes `secret` the admin token named "bootstrap". Idempotent, and safe when several instances
   * start at once; a changed secret replaces the previous bootstrap token.
   */
  async bootstrap(secret: string): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO api_tokens (name, role, token_hash, prefix)
      VALUES (${BOOTSTRAP_NAME}, 'admin', ${hashSecret(secret)}, ${secret.slice(0, Math.min(SHOWN, secret.length - 8))})
      ON CONFLICT (name) DO UPDATE SET role = 'admin', namespaces = '{}', expires_at = NULL, token_hash = EXCLUDED.token_hash, prefix = EXCLUDED.prefix
      WHERE api_tokens.token_hash <> EXCLUDED.token_hash OR api_tokens.role <> 'admin' OR api_tokens.expires_at IS NOT NULL OR api_tokens.namespaces <> '{}'`;
  }

  /** The principal of a presented secret, or null when it is unknown or expired. */
  async verify(secret: string): Promise<Principal | null> {
    const hash = hashSecret(secret);
    const [row] = await this.db.$queryRaw<Row[]>`SELECT * FROM api_tokens WHERE token_hash = ${hash}`;
    if (!row || !timingSafeEqual(row.token_hash, hash)) return null;
    const now = this.now();
    if (row.expires_at && row.expires_at <= now) return null;
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USED_EVERY_MS) {
      // at most one write a minute per token, whatever the number of requests or instances
      await this.db.$executeRaw`
        UPDATE api_tokens SET last_used_at = ${now.toISOString()}::timestamptz
        WHERE id = ${row.id}::uuid AND (last_used_at IS NULL OR last_used_at <= ${new Date(now.getTime() - LAST_USED_EVERY_MS).toISOString()}::timestamptz)`;
    }
    return { tokenHash: hash, name: row.name, role: row.role, namespaces: info(row).namespaces, expiresAt: row.expires_at };
  }

  /** Of the given token hashes, those that are still valid (open subscriptions re-check theirs). */
  async stillValid(hashes: Buffer[]): Promise<Set<string>> {
    if (!hashes.length) return new Set();
    const rows = await this.db.$queryRaw<{ token_hash: Uint8Array }[]>`
      SELECT token_hash FROM api_tokens WHERE token_hash = ANY(${hashes}::bytea[]) AND (expires_at IS NULL OR expires_at > ${this.now().toISOString()}::timestamptz)`;
    return new Set(rows.map((r) => Buffer.from(r.token_hash).toString("hex")));
  }
}

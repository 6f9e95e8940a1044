// `npm run token -- create --name ci --role editor [--namespace team-a …] [--expires 30d]`,
// `npm run token -- list`, `npm run token -- revoke --name ci`. Talks to DATABASE_URL (applying
// pending migrations first). The secret is printed once, by create; mistakes print one line and
// exit 2.
import { ConfigError, loadConfig } from "../config.ts";
import { createDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { parseDuration, ROLES, TokenError, TokenStore, type Role, type TokenInfo } from "./tokens.ts";

const USAGE = "usage: token create --name N --role viewer|editor|admin [--namespace NS …] [--expires 30d] | token list | token revoke --name N";

function parseFlags(argv: string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s);
    if (!["--name", "--role", "--namespace", "--expires"].includes(name)) throw new ConfigError(`unknown argument "${argv[i]}"; ${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return flags;
}

const one = (flags: Map<string, string[]>, name: string): string => {
  const values = flags.get(name);
  if (!values || values.length !== 1) throw new ConfigError(`${name} is required once; ${USAGE}`);
  return values[0];
};

const row = (t: TokenInfo) =>
  [t.name, t.role, t.namespaces?.join(",") ?? "*", `${t.prefix}…`, t.createdAt.toISOString(), t.expiresAt?.toISOString() ?? "never", t.lastUsedAt?.toISOString() ?? "never"].join("\t");

export async function tokenCommand(argv: string[], env: Record<string, string | undefined>, out: (line: string) => void): Promise<void> {
  const [command, ...rest] = argv;
  if (!["create", "list", "revoke"].includes(command)) throw new ConfigError(USAGE);
  const flags = parseFlags(rest);
  const { databaseUrl } = loadConfig({ DATABASE_URL: env.DATABASE_URL });
  if (!databaseUrl) throw new ConfigError("DATABASE_URL must be set: the token command writes to the server's database");
  await migrate(databaseUrl);
  const db = createDb(databaseUrl);
  try {
    const store = new TokenStore(db);
    if (command === "list") {
      out(["NAME", "ROLE", "NAMESPACES", "PREFIX", "CREATED", "EXPIRES", "LAST USED"].join("\t"));
      for (const t of await store.list()) out(row(t));
    } else if (command === "revoke") {
      out(`revoked ${(await store.revoke(one(flags, "--name"))).name}`);
    } else {
      const role = one(flags, "--role");
      if (!ROLES.includes(role as Role)) throw new ConfigError(`--role must be one of ${ROLES.join(", ")}, got "${role}"`);
      const expires = flags.has("--expires") ? new Date(Date.now() + parseDuration(one(flags, "--expires"))) : null;
      const { secret, token } = await store.create({ name: one(flags, "--name"), role: role as Role, namespaces: flags.get("--namespace") ?? null, expiresAt: expires });
      out(`created ${token.name} (${token.role}, namespaces ${token.namespaces?.join(",") ?? "all"}, expires ${token.expiresAt?.toISOString() ?? "never"})`);
      out("secret (shown once; send as Authorization: Bearer <secret>):");
      out(secret);
    }
  } finally {
    await db.$disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  tokenCommand(process.argv.slice(2), process.env, (line) => console.log(line)).catch((err) => {
    if (err instanceof ConfigError || err instanceof TokenError) {
      console.error(`token: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  });
}

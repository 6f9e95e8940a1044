// PostGraphile 5 (amber preset) on a deploye database, for the query benchmark's baseline.
// deploye has no foreign keys (ownership is the generated owner_uid column), so smart-tag comments
// on the bench database tell PostGraphile the two relations: replica_sets.owner_uid → deployments,
// pods.owner_uid → replica_sets. Usage: postgraphile-server.ts <databaseUrl> <port>
import { createServer } from "node:http";
import pg from "pg";

// PostGraphile 5 declares Node >= 22; on Node 20 the one thing it misses is Promise.withResolvers
// (ES2024), given here before it loads.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};
const { postgraphile } = await import("postgraphile");
const { makePgService } = await import("postgraphile/adaptors/pg");
const { grafserv } = await import("postgraphile/grafserv/node");
const { PostGraphileAmberPreset } = await import("postgraphile/presets/amber");

const [url, port] = process.argv.slice(2);
const c = new pg.Client({ connectionString: url });
await c.connect();
await c.query(`COMMENT ON TABLE replica_sets IS E'@foreignKey (owner_uid) references deployments (uid)|@fieldName owner|@foreignFieldName replicaSets'`);
await c.query(`COMMENT ON TABLE pods IS E'@foreignKey (owner_uid) references replica_sets (uid)|@fieldName owner|@foreignFieldName pods'`);
await c.end();

const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: url, schemas: ["public"], poolConfig: { max: 10 } })],
  grafserv: { graphqlPath: "/graphql", graphiql: false, watch: false },
});
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server);
server.listen(Number(port), "127.0.0.1", () => console.log(`postgraphile listening on ${port}`));
process.on("SIGTERM", () => {
  server.close();
  void Promise.resolve(pgl.release()).then(() => process.exit(0));
});

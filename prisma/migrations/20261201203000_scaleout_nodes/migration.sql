-- Nodes (issue 15, scale-out). A node agent (SIMULATOR=on) holds a lease on each of its SIM_NODES
-- and renews it; a node is live while any agent's lease on it has not expired. The ReplicaSet
-- controller binds each pod it creates to the least-loaded live node, the load being `nodes.pods`:
-- the pods bound to the node, kept by the triggers below in the transaction of every pod write.

-- CreateTable
CREATE TABLE "nodes" (
    "name" TEXT NOT NULL,
    "pods" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "nodes_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "node_leases" (
    "node" TEXT NOT NULL,
    "holder" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "node_leases_pkey" PRIMARY KEY ("node","holder")
);

-- The pods already bound. No pod write may commit between this count and the triggers below
-- (an instance still running during the migration): the lock holds them off until the commit.
LOCK TABLE "pods" IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO "nodes" ("name", "pods") SELECT "node_name", count(*) FROM "pods" WHERE "node_name" IS NOT NULL GROUP BY "node_name";

-- Every pod row counts on its node from the write that binds it (an INSERT with node_name, or the
-- agent's UPDATE of a null node_name) to its DELETE, terminating or not, as a scheduler counts it.
-- Pod writes hold the change-log lock (deploye_lock), so these updates of `nodes` are serialized
-- and a transaction holding that lock reads exact counts. INSERT and DELETE count a statement's
-- rows at once (transition tables); the node agent's binding of a pod created unbound (node_name
-- is set at most once) is counted row by row.
CREATE FUNCTION deploye_node_pods() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    IF NEW.node_name IS NOT NULL THEN
      INSERT INTO nodes (name, pods) VALUES (NEW.node_name, 1) ON CONFLICT (name) DO UPDATE SET pods = nodes.pods + 1;
    END IF;
    UPDATE nodes SET pods = pods - 1 WHERE name = OLD.node_name;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO nodes (name, pods)
      SELECT node_name, count(*) FROM changed WHERE node_name IS NOT NULL GROUP BY node_name ORDER BY node_name
      ON CONFLICT (name) DO UPDATE SET pods = nodes.pods + EXCLUDED.pods;
  ELSE
    UPDATE nodes SET pods = nodes.pods - gone.pods
      FROM (SELECT node_name, count(*)::int AS pods FROM changed WHERE node_name IS NOT NULL GROUP BY node_name) gone
      WHERE nodes.name = gone.node_name;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER pods_node_insert AFTER INSERT ON pods REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION deploye_node_pods();
CREATE TRIGGER pods_node_delete AFTER DELETE ON pods REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION deploye_node_pods();
CREATE TRIGGER pods_node_bind AFTER UPDATE OF node_name ON pods FOR EACH ROW
  WHEN (OLD.node_name IS DISTINCT FROM NEW.node_name) EXECUTE FUNCTION deploye_node_pods();

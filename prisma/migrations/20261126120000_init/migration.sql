-- CreateTable
CREATE TABLE "deployments" (
    "uid" UUID NOT NULL DEFAULT gen_random_uuid(),
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "resource_version" BIGINT NOT NULL DEFAULT 0,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "creation_timestamp" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletion_timestamp" TIMESTAMPTZ(3),
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "finalizers" JSONB NOT NULL DEFAULT '[]',
    "owner_references" JSONB NOT NULL DEFAULT '[]',
    "replicas" INTEGER NOT NULL,
    "selector" JSONB NOT NULL,
    "template" JSONB NOT NULL,
    "strategy" JSONB NOT NULL,
    "min_ready_seconds" INTEGER NOT NULL,
    "revision_history_limit" INTEGER NOT NULL,
    "progress_deadline_seconds" INTEGER NOT NULL,
    "paused" BOOLEAN NOT NULL,
    "observed_generation" INTEGER NOT NULL DEFAULT 0,
    "status_replicas" INTEGER NOT NULL DEFAULT 0,
    "updated_replicas" INTEGER NOT NULL DEFAULT 0,
    "ready_replicas" INTEGER NOT NULL DEFAULT 0,
    "available_replicas" INTEGER NOT NULL DEFAULT 0,
    "unavailable_replicas" INTEGER NOT NULL DEFAULT 0,
    "collision_count" INTEGER NOT NULL DEFAULT 0,
    "conditions" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "deployments_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "replica_sets" (
    "uid" UUID NOT NULL DEFAULT gen_random_uuid(),
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "resource_version" BIGINT NOT NULL DEFAULT 0,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "creation_timestamp" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletion_timestamp" TIMESTAMPTZ(3),
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "finalizers" JSONB NOT NULL DEFAULT '[]',
    "owner_references" JSONB NOT NULL DEFAULT '[]',
    "owner_uid" UUID GENERATED ALWAYS AS ((jsonb_path_query_first("owner_references", '$[*] ? (@.controller == true).uid') #>> '{}')::uuid) STORED,
    "replicas" INTEGER NOT NULL,
    "selector" JSONB NOT NULL,
    "template" JSONB NOT NULL,
    "min_ready_seconds" INTEGER NOT NULL,
    "status_replicas" INTEGER NOT NULL DEFAULT 0,
    "fully_labeled_replicas" INTEGER NOT NULL DEFAULT 0,
    "ready_replicas" INTEGER NOT NULL DEFAULT 0,
    "available_replicas" INTEGER NOT NULL DEFAULT 0,
    "observed_generation" INTEGER NOT NULL DEFAULT 0,
    "conditions" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "replica_sets_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "pods" (
    "uid" UUID NOT NULL DEFAULT gen_random_uuid(),
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "resource_version" BIGINT NOT NULL DEFAULT 0,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "creation_timestamp" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletion_timestamp" TIMESTAMPTZ(3),
    "deletion_grace_period_seconds" INTEGER,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "finalizers" JSONB NOT NULL DEFAULT '[]',
    "owner_references" JSONB NOT NULL DEFAULT '[]',
    "owner_uid" UUID GENERATED ALWAYS AS ((jsonb_path_query_first("owner_references", '$[*] ? (@.controller == true).uid') #>> '{}')::uuid) STORED,
    "spec" JSONB NOT NULL,
    "node_name" TEXT,
    "phase" TEXT NOT NULL DEFAULT 'Pending',
    "ready" BOOLEAN NOT NULL DEFAULT false,
    "conditions" JSONB NOT NULL DEFAULT '[]',
    "container_statuses" JSONB NOT NULL DEFAULT '[]',
    "start_time" TIMESTAMPTZ(3),
    "pod_ip" TEXT,

    CONSTRAINT "pods_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "events" (
    "uid" UUID NOT NULL DEFAULT gen_random_uuid(),
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "resource_version" BIGINT NOT NULL DEFAULT 0,
    "type" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "involved_kind" TEXT NOT NULL,
    "involved_name" TEXT NOT NULL,
    "involved_uid" UUID NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "first_timestamp" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_timestamp" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "change_log" (
    "id" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "uid" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "object" JSONB NOT NULL,
    "prev_labels" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change_log_horizon" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "through" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "change_log_horizon_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "deployments_labels_idx" ON "deployments" USING GIN ("labels");

-- CreateIndex
CREATE UNIQUE INDEX "deployments_namespace_name_key" ON "deployments"("namespace", "name");

-- CreateIndex
CREATE INDEX "replica_sets_owner_uid_idx" ON "replica_sets"("owner_uid");

-- CreateIndex
CREATE INDEX "replica_sets_labels_idx" ON "replica_sets" USING GIN ("labels");

-- CreateIndex
CREATE UNIQUE INDEX "replica_sets_namespace_name_key" ON "replica_sets"("namespace", "name");

-- CreateIndex
CREATE INDEX "pods_owner_uid_idx" ON "pods"("owner_uid");

-- CreateIndex
CREATE INDEX "pods_labels_idx" ON "pods" USING GIN ("labels");

-- CreateIndex
CREATE UNIQUE INDEX "pods_namespace_name_key" ON "pods"("namespace", "name");

-- CreateIndex
CREATE INDEX "events_namespace_involved_name_idx" ON "events"("namespace", "involved_name");

-- CreateIndex
CREATE UNIQUE INDEX "events_namespace_name_key" ON "events"("namespace", "name");

-- CreateIndex
CREATE UNIQUE INDEX "events_involved_uid_reason_message_key" ON "events"("involved_uid", "reason", "message");

-- CreateIndex
CREATE INDEX "change_log_created_at_idx" ON "change_log"("created_at");


-- Change log ----------------------------------------------------------------------------------
-- Every write to an object table is stamped and logged by triggers, so no code path can forget.
-- Ids come from one sequence and are taken only while holding a transaction-scoped advisory lock
-- that is held until commit: ids are therefore assigned in commit order, and a reader that has
-- seen id N has seen every id below N (this is what makes watch resume exact). A statement-level
-- BEFORE trigger takes the lock before the statement locks any row, so writers queue on it and
-- can never deadlock on rows (as long as nobody takes row locks with SELECT ... FOR UPDATE
-- before writing).

CREATE FUNCTION deploye_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7234013851);
  RETURN NULL;
END $$;

CREATE SEQUENCE "change_log_id_seq" AS BIGINT;

-- An UPDATE that changes nothing keeps its resourceVersion and logs nothing. (Generated columns
-- are not computed yet in a BEFORE trigger, so they are left out of the comparison.)
CREATE FUNCTION deploye_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - 'owner_uid') = (to_jsonb(NEW) - 'owner_uid') THEN
    RETURN NEW;
  END IF;
  NEW.resource_version := nextval('change_log_id_seq');
  RETURN NEW;
END $$;

-- A MODIFIED row also records the labels before the change (prev_labels), so a label-selector
-- watch knows from the row alone whether the object matched before (it sends ADDED or DELETED on
-- a transition), however much of the log has been compacted. NULL for ADDED and DELETED rows (the
-- DELETED object is the row before deletion) and for tables without labels (events).
CREATE FUNCTION deploye_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  change_id BIGINT;
BEGIN
  IF TG_OP = 'DELETE' THEN
    change_id := nextval('change_log_id_seq');
    INSERT INTO change_log (id, kind, namespace, name, uid, type, object)
    VALUES (change_id, TG_ARGV[0], OLD.namespace, OLD.name, OLD.uid, 'DELETED',
            to_jsonb(OLD) || jsonb_build_object('resource_version', change_id));
    RETURN OLD;
  END IF;
  INSERT INTO change_log (id, kind, namespace, name, uid, type, object, prev_labels)
  VALUES (NEW.resource_version, TG_ARGV[0], NEW.namespace, NEW.name, NEW.uid,
          CASE TG_OP WHEN 'INSERT' THEN 'ADDED' ELSE 'MODIFIED' END, to_jsonb(NEW),
          CASE TG_OP WHEN 'UPDATE' THEN to_jsonb(OLD) -> 'labels' END);
  RETURN NEW;
END $$;

-- Runs at COMMIT, once per change-log row, always with the transaction's highest id: identical
-- (channel, payload) pairs in one transaction are delivered once, so each transaction sends
-- exactly one notification, carrying its highest change id.
CREATE FUNCTION deploye_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('deploye_changes', currval('change_log_id_seq')::text);
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER change_log_notify AFTER INSERT ON change_log
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION deploye_notify();

-- The same four triggers on every object table.
DO $$
DECLARE
  t RECORD;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('deployments', 'Deployment'), ('replica_sets', 'ReplicaSet'), ('pods', 'Pod'), ('events', 'Event')) AS v(tbl, kind) LOOP
    EXECUTE format('CREATE TRIGGER %1$s_lock BEFORE INSERT OR UPDATE OR DELETE ON %1$I FOR EACH STATEMENT EXECUTE FUNCTION deploye_lock()', t.tbl);
    EXECUTE format('CREATE TRIGGER %1$s_stamp BEFORE INSERT OR UPDATE ON %1$I FOR EACH ROW EXECUTE FUNCTION deploye_stamp()', t.tbl);
    EXECUTE format('CREATE TRIGGER %1$s_log AFTER INSERT OR DELETE ON %1$I FOR EACH ROW EXECUTE FUNCTION deploye_log(%2$L)', t.tbl, t.kind);
    EXECUTE format('CREATE TRIGGER %1$s_log_update AFTER UPDATE ON %1$I FOR EACH ROW WHEN (OLD.resource_version IS DISTINCT FROM NEW.resource_version) EXECUTE FUNCTION deploye_log(%2$L)', t.tbl, t.kind);
  END LOOP;
END $$;

-- Compaction horizon: one row; every change-log row with id <= through may have been compacted
-- away, every later row is kept. Compaction raises it in the transaction that deletes, so a reader
-- that sees both in one snapshot knows exactly whether its rows are complete (watch answers GONE).
ALTER TABLE "change_log_horizon" ADD CONSTRAINT "change_log_horizon_one_row" CHECK ("id" = 1);
INSERT INTO "change_log_horizon" ("id", "through") VALUES (1, 0);

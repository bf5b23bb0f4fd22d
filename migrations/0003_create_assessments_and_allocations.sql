-- Integrated assessment, eligibility decisions, resource allocation system (RAS) versions and
-- indicative budgets (issue 3). Answers and RAS definitions are jsonb documents validated by the
-- application's zod schemas; the columns the database must enforce or index are plain columns.
-- Completed assessments, decisions, allocations, judgements and overrides are append-only: a
-- change is a new row (a reassessment, a new judgement, a new override), never an edit.

CREATE TABLE ras_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  -- The version's own id inside the definition, for example 'demo-adult-mental-health-v1'.
  code text NOT NULL,
  name text NOT NULL,
  effective_from date NOT NULL,
  definition jsonb NOT NULL,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  published_by uuid REFERENCES users(id),
  published_at timestamptz,
  UNIQUE (partnership_id, code),
  UNIQUE (partnership_id, id),
  CHECK (definition->>'id' = code),
  CHECK ((status = 'published') = (published_at IS NOT NULL))
);
CREATE INDEX ras_versions_current_idx ON ras_versions (partnership_id, status, effective_from DESC);

CREATE TABLE assessments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  -- 1 for the first assessment, then 2, 3… for each reassessment.
  sequence integer NOT NULL CHECK (sequence >= 1),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed')),
  answers jsonb NOT NULL DEFAULT '{}'::jsonb,
  ras_version_id uuid NOT NULL REFERENCES ras_versions(id),
  version integer NOT NULL DEFAULT 1,
  started_by uuid REFERENCES users(id),
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  completed_by uuid REFERENCES users(id),
  completed_at timestamptz,
  UNIQUE (person_id, sequence),
  CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE UNIQUE INDEX assessments_one_draft_key ON assessments (person_id) WHERE status = 'draft';
CREATE INDEX assessments_partnership_idx ON assessments (partnership_id, status, completed_at DESC);

CREATE TABLE eligibility_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  assessment_id uuid NOT NULL UNIQUE REFERENCES assessments(id),
  person_id uuid NOT NULL REFERENCES people(id),
  rules_version text NOT NULL,
  care_act_eligible boolean NOT NULL,
  nhs_right text NOT NULL CHECK (nhs_right IN ('section_117', 'continuing_healthcare', 'local_offer')),
  decision jsonb NOT NULL,
  explanation text NOT NULL,
  decided_by uuid REFERENCES users(id),
  decided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eligibility_decisions_person_idx ON eligibility_decisions (person_id);

-- A worker's different professional judgement on Care Act eligibility, always with a reason.
CREATE TABLE eligibility_judgements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  decision_id uuid NOT NULL REFERENCES eligibility_decisions(id),
  care_act_eligible boolean NOT NULL,
  reason text NOT NULL CHECK (length(btrim(reason)) >= 10),
  recorded_by uuid REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX eligibility_judgements_decision_idx ON eligibility_judgements (decision_id, recorded_at DESC);

CREATE TABLE allocations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  assessment_id uuid NOT NULL UNIQUE REFERENCES assessments(id),
  person_id uuid NOT NULL REFERENCES people(id),
  ras_version_id uuid NOT NULL REFERENCES ras_versions(id),
  -- The inputs, exactly as calculated: question id → answer id, and whether section 117 applied.
  answers jsonb NOT NULL,
  section_117 boolean NOT NULL DEFAULT false,
  -- The result: points per answer, contingency, limits, periods and funding streams.
  result jsonb NOT NULL,
  total_points integer NOT NULL CHECK (total_points >= 0),
  annual_pence bigint NOT NULL CHECK (annual_pence >= 0),
  calculated_by uuid REFERENCES users(id),
  calculated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX allocations_person_idx ON allocations (person_id, calculated_at DESC);
CREATE INDEX allocations_version_idx ON allocations (ras_version_id);
CREATE INDEX allocations_partnership_idx ON allocations (partnership_id, id);

-- The worker's different figure: the RAS is a starting point, never a cap.
CREATE TABLE allocation_overrides (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  allocation_id uuid NOT NULL REFERENCES allocations(id),
  annual_pence bigint NOT NULL CHECK (annual_pence >= 0),
  reason text NOT NULL CHECK (length(btrim(reason)) >= 10),
  recorded_by uuid REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX allocation_overrides_allocation_idx ON allocation_overrides (allocation_id, recorded_at DESC);

-- A RAS version may change only while it is a draft that no assessment uses. Publishing is the
-- one change allowed to a draft's status; after that the definition is fixed for ever.
CREATE FUNCTION pooled_ras_version_guard() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' OR EXISTS (SELECT 1 FROM assessments WHERE ras_version_id = OLD.id) THEN
      RAISE EXCEPTION 'RAS version % is in use and cannot be deleted: make a new version', OLD.code
        USING ERRCODE = 'P0001', HINT = 'pooled:ras_version_in_use';
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.definition IS DISTINCT FROM OLD.definition OR NEW.code IS DISTINCT FROM OLD.code
     OR NEW.effective_from IS DISTINCT FROM OLD.effective_from OR NEW.name IS DISTINCT FROM OLD.name
     OR NEW.partnership_id IS DISTINCT FROM OLD.partnership_id THEN
    IF OLD.status <> 'draft' OR EXISTS (SELECT 1 FROM assessments WHERE ras_version_id = OLD.id) THEN
      RAISE EXCEPTION 'RAS version % is in use and cannot be changed: make a new version', OLD.code
        USING ERRCODE = 'P0001', HINT = 'pooled:ras_version_in_use';
    END IF;
  END IF;
  IF OLD.status = 'published' AND NEW.status <> 'published' THEN
    RAISE EXCEPTION 'RAS version % is published and cannot be unpublished', OLD.code
      USING ERRCODE = 'P0001', HINT = 'pooled:ras_version_in_use';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER ras_versions_guard BEFORE UPDATE OR DELETE ON ras_versions
  FOR EACH ROW EXECUTE FUNCTION pooled_ras_version_guard();

-- A completed assessment is a record of what was decided: it cannot be changed or deleted.
CREATE FUNCTION pooled_assessment_guard() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF OLD.status = 'completed' THEN
    RAISE EXCEPTION 'a completed assessment cannot be changed: start a reassessment'
      USING ERRCODE = 'P0001', HINT = 'pooled:assessment_completed';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER assessments_guard BEFORE UPDATE OR DELETE ON assessments
  FOR EACH ROW EXECUTE FUNCTION pooled_assessment_guard();

CREATE TRIGGER eligibility_decisions_append_only BEFORE UPDATE OR DELETE ON eligibility_decisions
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();
CREATE TRIGGER eligibility_judgements_append_only BEFORE UPDATE OR DELETE ON eligibility_judgements
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();
CREATE TRIGGER allocations_append_only BEFORE UPDATE OR DELETE ON allocations
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();
CREATE TRIGGER allocation_overrides_append_only BEFORE UPDATE OR DELETE ON allocation_overrides
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ras_versions', 'assessments', 'eligibility_decisions',
    'eligibility_judgements', 'allocations', 'allocation_overrides']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY partnership_isolation ON %I USING (partnership_id = pooled_partnership()) WITH CHECK (partnership_id = pooled_partnership())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON ras_versions TO pooled_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON assessments TO pooled_app;
GRANT SELECT, INSERT ON eligibility_decisions, eligibility_judgements, allocations,
  allocation_overrides TO pooled_app;

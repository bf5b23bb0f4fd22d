-- Support plans, sign-off decisions, reviews and outcome measures (issue 4). A plan's content
-- (outcomes, items, funding streams and holding options, crisis plan, risks) is a jsonb document
-- validated by the application's zod schemas; what the database must enforce or index is in
-- columns. Plans are versioned per person: a change after sign-off is a new version, and the
-- signed-off versions, their decisions and the measures are never edited.

-- Each partnership's sign-off thresholds and spending rules (zod-validated jsonb), with history.
CREATE TABLE partnership_policies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  kind text NOT NULL CHECK (kind IN ('sign_off', 'spending_rules')),
  policy jsonb NOT NULL,
  recorded_by uuid REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX partnership_policies_current_idx
  ON partnership_policies (partnership_id, kind, recorded_at DESC);

CREATE TABLE support_plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  -- 1 for the first plan, then 2, 3… for each new version.
  sequence integer NOT NULL CHECK (sequence >= 1),
  allocation_id uuid REFERENCES allocations(id),
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'submitted', 'approved', 'refused', 'superseded')),
  document jsonb NOT NULL DEFAULT '{}'::jsonb,
  total_annual_pence bigint NOT NULL DEFAULT 0 CHECK (total_annual_pence >= 0),
  indicative_annual_pence bigint CHECK (indicative_annual_pence >= 0),
  -- Who must sign it off, worked out when it is submitted.
  route text CHECK (route IN ('coordinator', 'team_manager', 'panel')),
  version integer NOT NULL DEFAULT 1,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  submitted_by uuid REFERENCES users(id),
  submitted_at timestamptz,
  approved_on date,
  approved_at timestamptz,
  person_agreed_at timestamptz,
  person_agreement jsonb,
  UNIQUE (person_id, sequence),
  UNIQUE (partnership_id, id),
  CHECK ((status = 'approved') = (approved_at IS NOT NULL) OR status = 'superseded'),
  CHECK (status = 'draft' OR submitted_at IS NOT NULL)
);
-- At most one plan being written or waiting for sign-off per person.
CREATE UNIQUE INDEX support_plans_one_open_key ON support_plans (person_id)
  WHERE status IN ('draft', 'submitted');
CREATE INDEX support_plans_queue_idx ON support_plans (partnership_id, status, route, submitted_at);
CREATE INDEX support_plans_person_idx ON support_plans (person_id, sequence DESC);

-- Every sign-off step: approved, refused (with reasons) or passed up to the next level.
CREATE TABLE plan_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  plan_id uuid NOT NULL REFERENCES support_plans(id),
  step text NOT NULL CHECK (step IN ('coordinator', 'team_manager', 'panel')),
  outcome text NOT NULL CHECK (outcome IN ('approved', 'refused', 'escalated')),
  reason text,
  decided_by uuid REFERENCES users(id),
  decided_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK (outcome <> 'refused' OR length(btrim(coalesce(reason, ''))) >= 10)
);
CREATE INDEX plan_decisions_plan_idx ON plan_decisions (plan_id, decided_at);

CREATE TABLE reviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  plan_id uuid NOT NULL REFERENCES support_plans(id),
  kind text NOT NULL CHECK (kind IN ('planned', 'unplanned')),
  -- The rule that requires a planned review (for example 'care_plan_first'), or the CLD review
  -- reason of an unplanned one.
  rule text NOT NULL,
  earliest_on date,
  due_on date NOT NULL,
  status text NOT NULL DEFAULT 'due' CHECK (status IN ('due', 'completed', 'cancelled')),
  document jsonb,
  completed_on date,
  completed_by uuid REFERENCES users(id),
  completed_at timestamptz,
  cancelled_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'completed') = (completed_on IS NOT NULL)),
  CHECK (earliest_on IS NULL OR earliest_on <= due_on)
);
CREATE INDEX reviews_due_idx ON reviews (partnership_id, status, due_on);
CREATE INDEX reviews_person_idx ON reviews (person_id, due_on);
CREATE INDEX reviews_plan_idx ON reviews (plan_id);

-- Outcome measures at baseline and at each review: answers by item id (never the licensed
-- wording) and the score the rules gave.
CREATE TABLE outcome_measures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  plan_id uuid REFERENCES support_plans(id),
  review_id uuid REFERENCES reviews(id),
  instrument text NOT NULL CHECK (instrument IN ('swemwbs', 'eq5d5l', 'ascot_sct4',
    'employment', 'accommodation', 'goal_attainment')),
  taken_on date NOT NULL,
  answers jsonb NOT NULL,
  score jsonb NOT NULL DEFAULT '{}'::jsonb,
  recorded_by uuid REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX outcome_measures_person_idx ON outcome_measures (person_id, instrument, taken_on);

-- A plan that has been signed off (or refused, or replaced) is a record of what was agreed:
-- only the move to 'superseded' and recording the person's agreement are allowed after that.
CREATE FUNCTION pooled_support_plan_guard() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'a submitted support plan cannot be deleted'
        USING ERRCODE = 'P0001', HINT = 'pooled:plan_fixed';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status IN ('approved', 'refused', 'superseded') THEN
    IF NEW.document IS DISTINCT FROM OLD.document
       OR NEW.total_annual_pence IS DISTINCT FROM OLD.total_annual_pence
       OR NEW.person_id IS DISTINCT FROM OLD.person_id
       OR NEW.sequence IS DISTINCT FROM OLD.sequence
       OR (NEW.status IS DISTINCT FROM OLD.status AND NEW.status <> 'superseded') THEN
      RAISE EXCEPTION 'support plan version % is signed off or closed and cannot be changed: make a new version', OLD.sequence
        USING ERRCODE = 'P0001', HINT = 'pooled:plan_fixed';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER support_plans_guard BEFORE UPDATE OR DELETE ON support_plans
  FOR EACH ROW EXECUTE FUNCTION pooled_support_plan_guard();

CREATE TRIGGER plan_decisions_append_only BEFORE UPDATE OR DELETE ON plan_decisions
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();
CREATE TRIGGER outcome_measures_append_only BEFORE UPDATE OR DELETE ON outcome_measures
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();
CREATE TRIGGER partnership_policies_append_only BEFORE UPDATE OR DELETE ON partnership_policies
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['partnership_policies', 'support_plans', 'plan_decisions', 'reviews',
    'outcome_measures']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY partnership_isolation ON %I USING (partnership_id = pooled_partnership()) WITH CHECK (partnership_id = pooled_partnership())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT ON partnership_policies, plan_decisions, outcome_measures TO pooled_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON support_plans TO pooled_app;
GRANT SELECT, INSERT, UPDATE ON reviews TO pooled_app;

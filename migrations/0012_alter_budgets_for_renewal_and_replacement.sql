-- Budgets across plan versions and financial years (issue 5, point 1). Decision:
-- docs/decisions/0014-budgets-and-payment-runs.md, addendum "New years and new plan versions".
--
-- A budget can now end before 31 March: when a new plan version is signed off in the same
-- financial year, the old version's budgets end the day before the new one's start and a new
-- budget is made from that day. So a person may have more than one budget for a stream in a
-- year, but only one that has not ended.
ALTER TABLE budgets
  ADD COLUMN ends_on date,
  ADD COLUMN replaced_by_plan_id uuid REFERENCES support_plans(id),
  ADD COLUMN ended_at timestamptz,
  -- An ended budget may end before it started (a new version that starts on the same day).
  ADD CONSTRAINT budgets_ends_after_start CHECK (ends_on IS NULL OR ends_on >= starts_on - 1),
  ADD CONSTRAINT budgets_ended_together CHECK ((ends_on IS NULL) = (ended_at IS NULL));
ALTER TABLE budgets DROP CONSTRAINT budgets_partnership_id_person_id_stream_id_financial_year_key;
CREATE UNIQUE INDEX budgets_one_open_key ON budgets (partnership_id, person_id, stream_id, financial_year)
  WHERE ends_on IS NULL;
-- One budget per plan, stream and year: what makes renewal and approval idempotent.
CREATE UNIQUE INDEX budgets_plan_stream_year_key ON budgets (plan_id, stream_id, financial_year);

-- A commitment of an ended budget keeps only what it covered up to the end (commitments are
-- append-only, so the reduction is a row of its own). Append-only too.
CREATE TABLE commitment_ends (
  commitment_id uuid PRIMARY KEY REFERENCES commitments(id),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  ends_on date NOT NULL,
  -- What the commitment is now (pence): never less than what was invoiced against it.
  amount_pence bigint NOT NULL CHECK (amount_pence >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER commitment_ends_append_only BEFORE UPDATE OR DELETE ON commitment_ends
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();
ALTER TABLE commitment_ends ENABLE ROW LEVEL SECURITY;
CREATE POLICY partnership_isolation ON commitment_ends
  USING (partnership_id = pooled_partnership()) WITH CHECK (partnership_id = pooled_partnership());
GRANT SELECT, INSERT ON commitment_ends TO pooled_app;

-- Renewal finds the plans in force a batch at a time, by person.
CREATE INDEX support_plans_approved_idx ON support_plans (partnership_id, person_id)
  WHERE status = 'approved';

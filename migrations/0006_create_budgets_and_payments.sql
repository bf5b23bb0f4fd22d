-- Budgets, client contributions, direct payment schedules, payment runs, managed-budget
-- commitments and provider invoices (issue 5). Money moves only on the ledger (0005): these
-- tables say what is due, who prepared and approved a run, and what was committed or invoiced.
-- Decisions: docs/decisions/0014-budgets-and-payment-runs.md.

-- A person's budget for one stream of an approved plan and one financial year (1 April to
-- 31 March, named by the year it starts in). The amount is what the plan allocates for the part
-- of the year it covers; balances are on the ledger (account budget:<id>).
CREATE TABLE budgets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  plan_id uuid NOT NULL REFERENCES support_plans(id),
  stream_id text NOT NULL,
  stream_name text NOT NULL,
  funding_body text NOT NULL CHECK (funding_body IN ('council', 'nhs')),
  holding text NOT NULL CHECK (holding IN ('direct_payment', 'managed', 'third_party',
    'individual_service_fund', 'mixed')),
  financial_year integer NOT NULL CHECK (financial_year BETWEEN 2000 AND 2200),
  starts_on date NOT NULL,
  amount_pence bigint NOT NULL CHECK (amount_pence >= 0),
  ledger_account_id uuid NOT NULL REFERENCES ledger_accounts(id),
  -- The account payments go to (direct payment bank or card account, or the organisation
  -- holding the money); null when nothing is paid (a managed budget).
  holding_account_id uuid REFERENCES ledger_accounts(id),
  payee_name text,
  payee_reference text,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, person_id, stream_id, financial_year),
  CHECK (holding_account_id IS NULL OR payee_name IS NOT NULL AND payee_reference IS NOT NULL)
);
CREATE INDEX budgets_person_idx ON budgets (person_id, financial_year DESC);

-- The financial assessment's outcome: the weekly client contribution from a date. Append-only:
-- a new assessment is a new row; the latest effective on a day applies.
CREATE TABLE financial_assessments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  weekly_contribution_pence bigint NOT NULL CHECK (weekly_contribution_pence >= 0),
  effective_from date NOT NULL,
  recorded_by uuid REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX financial_assessments_person_idx ON financial_assessments (person_id, effective_from);

-- A payment run: prepared by one finance officer, approved by another (four eyes), posted.
CREATE TABLE payment_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  status text NOT NULL DEFAULT 'prepared'
    CHECK (status IN ('prepared', 'approved', 'posted', 'cancelled')),
  due_up_to date NOT NULL,
  prepared_by uuid NOT NULL REFERENCES users(id),
  prepared_at timestamptz NOT NULL DEFAULT now(),
  approved_by uuid REFERENCES users(id),
  approved_at timestamptz,
  posted_at timestamptz,
  line_count integer NOT NULL DEFAULT 0 CHECK (line_count >= 0),
  total_pence bigint NOT NULL DEFAULT 0 CHECK (total_pence >= 0),
  -- Four eyes, enforced by the database as well as the service.
  CONSTRAINT payment_runs_four_eyes CHECK (approved_by IS NULL OR approved_by <> prepared_by),
  CHECK (status IN ('prepared', 'cancelled') OR approved_by IS NOT NULL AND approved_at IS NOT NULL),
  CHECK (status <> 'posted' OR posted_at IS NOT NULL)
);
CREATE INDEX payment_runs_list_idx ON payment_runs (partnership_id, prepared_at DESC);

-- What is due to be paid, four-weekly in advance, and one-off payments. due → in_run → paid,
-- or cancelled. A paid line never changes; the ledger posting of a line has the idempotency key
-- payment-line:<id>, so it is paid at most once whatever happens to runs.
CREATE TABLE payment_schedule_lines (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  budget_id uuid NOT NULL REFERENCES budgets(id),
  person_id uuid NOT NULL REFERENCES people(id),
  kind text NOT NULL CHECK (kind IN ('periodic', 'one_off')),
  period_no smallint NOT NULL CHECK (period_no BETWEEN 1 AND 13),
  due_on date NOT NULL,
  amount_pence bigint NOT NULL CHECK (amount_pence > 0),
  contribution_pence bigint NOT NULL DEFAULT 0 CHECK (contribution_pence >= 0),
  description text NOT NULL,
  reference text NOT NULL,
  status text NOT NULL DEFAULT 'due' CHECK (status IN ('due', 'in_run', 'paid', 'cancelled')),
  run_id uuid REFERENCES payment_runs(id),
  ledger_transaction_id uuid REFERENCES ledger_transactions(id),
  paid_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, reference),
  CHECK ((status IN ('in_run', 'paid')) = (run_id IS NOT NULL)),
  CHECK ((status = 'paid') = (ledger_transaction_id IS NOT NULL AND paid_at IS NOT NULL))
);
CREATE INDEX payment_schedule_lines_due_idx ON payment_schedule_lines (partnership_id, due_on)
  WHERE status = 'due';
CREATE INDEX payment_schedule_lines_run_idx ON payment_schedule_lines (run_id, status);
CREATE INDEX payment_schedule_lines_budget_idx ON payment_schedule_lines (budget_id, due_on);

-- The lines of a run, as they were when it was prepared (payee, account, amount, reference):
-- the payment file is made from these. A line belongs to at most one run.
CREATE TABLE payment_run_lines (
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  run_id uuid NOT NULL REFERENCES payment_runs(id),
  line_id uuid NOT NULL REFERENCES payment_schedule_lines(id),
  person_id uuid NOT NULL REFERENCES people(id),
  funding_body text NOT NULL CHECK (funding_body IN ('council', 'nhs')),
  payee text NOT NULL,
  account_reference text NOT NULL,
  amount_pence bigint NOT NULL CHECK (amount_pence > 0),
  reference text NOT NULL,
  PRIMARY KEY (run_id, line_id),
  CONSTRAINT payment_run_lines_one_run UNIQUE (line_id)
);

-- Managed (notional) budgets: what the plan commits to each provider for the year.
CREATE TABLE commitments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  budget_id uuid NOT NULL REFERENCES budgets(id),
  person_id uuid NOT NULL REFERENCES people(id),
  item_id text NOT NULL,
  what text NOT NULL,
  provider_name text NOT NULL,
  provider_account_id uuid NOT NULL REFERENCES ledger_accounts(id),
  amount_pence bigint NOT NULL CHECK (amount_pence >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (budget_id, item_id)
);

-- A provider's invoice against a commitment; posted to the ledger (key invoice:<id>).
CREATE TABLE provider_invoices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  commitment_id uuid NOT NULL REFERENCES commitments(id),
  invoice_number text NOT NULL CHECK (length(invoice_number) > 0),
  invoice_date date NOT NULL,
  amount_pence bigint NOT NULL CHECK (amount_pence > 0),
  ledger_transaction_id uuid NOT NULL REFERENCES ledger_transactions(id),
  recorded_by uuid REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (commitment_id, invoice_number)
);

-- A paid schedule line is fixed; schedule lines are never deleted.
CREATE FUNCTION pooled_schedule_line_guard() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status IN ('paid', 'cancelled') THEN
    RAISE EXCEPTION 'payment schedule line % is % and cannot be changed', OLD.reference, OLD.status
      USING ERRCODE = 'P0001', HINT = 'pooled:line_fixed';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER payment_schedule_lines_guard BEFORE UPDATE OR DELETE ON payment_schedule_lines
  FOR EACH ROW EXECUTE FUNCTION pooled_schedule_line_guard();

CREATE TRIGGER financial_assessments_append_only BEFORE UPDATE OR DELETE ON financial_assessments
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();
CREATE TRIGGER commitments_append_only BEFORE UPDATE OR DELETE ON commitments
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();
CREATE TRIGGER provider_invoices_append_only BEFORE UPDATE OR DELETE ON provider_invoices
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['budgets', 'financial_assessments', 'payment_runs',
    'payment_schedule_lines', 'payment_run_lines', 'commitments', 'provider_invoices']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY partnership_isolation ON %I USING (partnership_id = pooled_partnership()) WITH CHECK (partnership_id = pooled_partnership())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT ON financial_assessments, commitments, provider_invoices TO pooled_app;
GRANT SELECT, INSERT, UPDATE ON budgets, payment_runs, payment_schedule_lines TO pooled_app;
GRANT SELECT, INSERT, DELETE ON payment_run_lines TO pooled_app;

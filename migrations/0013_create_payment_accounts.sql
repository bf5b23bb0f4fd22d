-- Issue 5 follow-ups. Decision: docs/decisions/0019-payment-accounts-recovery-withdrawal-demo-seed.md.
--
-- 1. Payee and account details of each holding account (direct payment, third party, ISF):
--    the payee's name and a UK bank account, a prepaid card reference or the holding
--    organisation's supplier reference. Append-only history: the newest row is in force. The
--    details in force are copied to the budgets of the account (budgets.payee_name and
--    payee_reference, what a payment run takes its lines from) and to the lines of runs still
--    waiting for approval; an approved run keeps what it was approved with (trigger below). A
--    card reference becomes the holding account's ledger reference, which the statement import
--    matches card lines by.
CREATE TABLE payment_accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  holding_account_id uuid NOT NULL,
  person_id uuid NOT NULL REFERENCES people(id),
  kind text NOT NULL CHECK (kind IN ('bank', 'card', 'organisation')),
  payee_name text NOT NULL CHECK (length(btrim(payee_name)) BETWEEN 1 AND 140),
  sort_code text CHECK (sort_code ~ '^[0-9]{6}$'),
  account_number text CHECK (account_number ~ '^[0-9]{8}$'),
  card_reference text CHECK (length(btrim(card_reference)) BETWEEN 1 AND 60),
  organisation_reference text CHECK (length(btrim(organisation_reference)) BETWEEN 1 AND 60),
  -- What the payment file's account column carries for these details.
  file_reference text GENERATED ALWAYS AS (
    CASE kind
      WHEN 'bank' THEN substr(sort_code, 1, 2) || '-' || substr(sort_code, 3, 2) || '-'
        || substr(sort_code, 5, 2) || ' ' || account_number
      WHEN 'card' THEN card_reference
      ELSE organisation_reference
    END) STORED,
  recorded_by uuid REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  FOREIGN KEY (partnership_id, holding_account_id) REFERENCES ledger_accounts (partnership_id, id),
  CHECK ((kind = 'bank') = (sort_code IS NOT NULL AND account_number IS NOT NULL)),
  CHECK (kind = 'bank' OR sort_code IS NULL AND account_number IS NULL),
  CHECK ((kind = 'card') = (card_reference IS NOT NULL)),
  CHECK ((kind = 'organisation') = (organisation_reference IS NOT NULL))
);
CREATE INDEX payment_accounts_holding_idx ON payment_accounts (holding_account_id, recorded_at DESC);
CREATE TRIGGER payment_accounts_append_only BEFORE UPDATE OR DELETE ON payment_accounts
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();

-- A budget made later for the same holding account (a new year, a new plan) is paid to the
-- details in force, not to the default reference.
CREATE FUNCTION pooled_budget_payee() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
DECLARE d record;
BEGIN
  IF NEW.holding_account_id IS NOT NULL THEN
    SELECT payee_name, file_reference INTO d FROM payment_accounts
     WHERE holding_account_id = NEW.holding_account_id
     ORDER BY recorded_at DESC, id DESC LIMIT 1;
    IF FOUND THEN
      NEW.payee_name := d.payee_name;
      NEW.payee_reference := d.file_reference;
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER budgets_payee BEFORE INSERT ON budgets
  FOR EACH ROW EXECUTE FUNCTION pooled_budget_payee();

-- A holding account's reference (what statements name it by) may change, and nothing else of
-- any ledger account: balances are sums of entries, never touched here.
DROP TRIGGER ledger_accounts_append_only ON ledger_accounts;
CREATE FUNCTION pooled_ledger_account_guard() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.kind <> 'holding_account'
     OR (to_jsonb(NEW) - 'reference') IS DISTINCT FROM (to_jsonb(OLD) - 'reference') THEN
    RAISE EXCEPTION '% on % is not allowed: the ledger is append-only; correct a posting with a reversal',
        TG_OP, TG_TABLE_NAME
      USING ERRCODE = 'P0001', HINT = 'pooled:ledger_append_only';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER ledger_accounts_append_only BEFORE UPDATE OR DELETE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION pooled_ledger_account_guard();

-- The payee and account of a run's line change only while the run waits for approval.
CREATE FUNCTION pooled_run_line_guard() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF (to_jsonb(NEW) - 'payee' - 'account_reference')
       IS DISTINCT FROM (to_jsonb(OLD) - 'payee' - 'account_reference')
     OR NOT EXISTS (SELECT 1 FROM payment_runs r WHERE r.id = OLD.run_id AND r.status = 'prepared') THEN
    RAISE EXCEPTION 'the lines of payment run % keep what it was approved with', OLD.run_id
      USING ERRCODE = 'P0001', HINT = 'pooled:run_fixed';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER payment_run_lines_guard BEFORE UPDATE ON payment_run_lines
  FOR EACH ROW EXECUTE FUNCTION pooled_run_line_guard();

-- 2. A proposed recovery may be withdrawn, with the reason; nothing was posted for it.
ALTER TABLE recoveries
  ADD COLUMN withdrawn_by uuid REFERENCES users(id),
  ADD COLUMN withdrawn_at timestamptz,
  ADD COLUMN withdrawal_reason text,
  ADD CONSTRAINT recoveries_withdrawn CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL
    AND length(btrim(coalesce(withdrawal_reason, ''))) > 0));

-- 3. Seeds that finished (the demo): a demo partnership without its row was left half made.
CREATE TABLE seed_runs (
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  seed text NOT NULL,
  completed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (partnership_id, seed)
);
-- Demo partnerships made before this migration: the card statement import is the demo's last
-- long step, so one with an import is taken as complete.
INSERT INTO seed_runs (partnership_id, seed)
  SELECT p.id, 'demo' FROM partnerships p
   WHERE p.code = 'demo'
     AND EXISTS (SELECT 1 FROM statement_imports i WHERE i.partnership_id = p.id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['payment_accounts', 'seed_runs']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY partnership_isolation ON %I USING (partnership_id = pooled_partnership()) WITH CHECK (partnership_id = pooled_partnership())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT ON payment_accounts TO pooled_app;
GRANT SELECT ON seed_runs TO pooled_app;
GRANT UPDATE (reference) ON ledger_accounts TO pooled_app;
GRANT UPDATE (payee, account_reference) ON payment_run_lines TO pooled_app;

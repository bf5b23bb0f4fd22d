-- The double-entry ledger (issue 5): accounts, transactions (headers) and entries. Every entry
-- is a signed, non-zero amount in pence (positive = debit, negative = credit) and every
-- transaction's entries sum to zero. The database itself refuses an unbalanced transaction, a
-- header without its entries, entries appended to a finished transaction, and any update,
-- delete or truncate: a correction is a reversal (a new transaction with the negated entries).
-- A balance is never stored: it is the sum of an account's entries.
--
-- Balance is checked set-based so a bulk import of hundreds of thousands of entries stays cheap:
-- all of a transaction's entries go in one INSERT statement, and a statement-level trigger with
-- a transition table checks, once per statement, every transaction the statement touched
-- (count equal to the header's entry_count, sum zero). A deferred constraint trigger on the
-- headers refuses, at commit, a header whose entries never arrived.

CREATE TABLE ledger_accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  -- Natural key, so creating accounts is idempotent: 'pot:council', 'budget:<budget id>',
  -- 'holding:<person id>:<stream id>', 'provider:nhs:<name>', 'recoveries:council'…
  key text NOT NULL CHECK (length(key) > 0),
  kind text NOT NULL CHECK (kind IN ('stream_pot', 'person_budget', 'holding_account',
    'provider_payable', 'contributions', 'recoveries', 'spending', 'payments_out')),
  funding_body text CHECK (funding_body IN ('council', 'nhs')),
  person_id uuid REFERENCES people(id),
  -- No foreign key: budgets arrive in migration 0006.
  budget_id uuid,
  name text NOT NULL,
  -- The card or bank account reference, or the provider's name.
  reference text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, key),
  UNIQUE (partnership_id, id)
);
CREATE INDEX ledger_accounts_person_idx ON ledger_accounts (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX ledger_accounts_budget_idx ON ledger_accounts (budget_id) WHERE budget_id IS NOT NULL;

CREATE TABLE ledger_transactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  -- What caused the posting, e.g. 'payment-line:<id>': the same key never posts twice.
  idempotency_key text NOT NULL CHECK (length(idempotency_key) > 0),
  kind text NOT NULL CHECK (kind IN ('allocation', 'contribution', 'payment', 'spend', 'invoice',
    'recovery', 'reversal', 'adjustment')),
  occurred_on date NOT NULL,
  description text NOT NULL,
  -- How many entries the transaction has; its entries must all arrive in one statement.
  entry_count integer NOT NULL CHECK (entry_count >= 2),
  -- A transaction is reversed at most once; a reversal is never itself reversed (trigger below).
  reverses_id uuid UNIQUE,
  posted_by uuid REFERENCES users(id),
  posted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (partnership_id, idempotency_key),
  UNIQUE (partnership_id, id),
  FOREIGN KEY (partnership_id, reverses_id) REFERENCES ledger_transactions (partnership_id, id),
  CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL))
);
CREATE INDEX ledger_transactions_occurred_idx ON ledger_transactions (partnership_id, occurred_on);

CREATE TABLE ledger_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  transaction_id uuid NOT NULL,
  account_id uuid NOT NULL,
  -- Signed pence: positive = debit, negative = credit.
  amount_pence bigint NOT NULL CHECK (amount_pence <> 0),
  -- What the entry came from, e.g. 'card:<card transaction id>', 'line:<schedule line id>'.
  source_ref text,
  -- Composite keys: an entry, its transaction and its account are in the same partnership.
  FOREIGN KEY (partnership_id, transaction_id) REFERENCES ledger_transactions (partnership_id, id),
  FOREIGN KEY (partnership_id, account_id) REFERENCES ledger_accounts (partnership_id, id)
);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id) INCLUDE (amount_pence);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);
CREATE INDEX ledger_entries_source_idx ON ledger_entries (partnership_id, source_ref)
  WHERE source_ref IS NOT NULL;

-- Once per INSERT statement on ledger_entries: every transaction the statement touched must now
-- have exactly entry_count entries, all of them from this statement, summing to zero. Runs as
-- the owner so row-level security never hides an entry from the count.
CREATE FUNCTION pooled_ledger_check_entries() RETURNS trigger
  LANGUAGE plpgsql
  SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$
DECLARE bad record;
BEGIN
  SELECT x.* INTO bad
    FROM (SELECT n.transaction_id, n.entries, n.total, t.entry_count,
                 (SELECT count(*) FROM ledger_entries e WHERE e.transaction_id = n.transaction_id) AS stored
            FROM (SELECT transaction_id, count(*) AS entries, sum(amount_pence) AS total
                    FROM new_entries GROUP BY transaction_id) n
            JOIN ledger_transactions t ON t.id = n.transaction_id) x
   WHERE x.total <> 0 OR x.entries <> x.entry_count OR x.stored <> x.entry_count
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % is unbalanced or incomplete: % entries in this statement summing to % pence, % stored, % expected',
        bad.transaction_id, bad.entries, bad.total, bad.stored, bad.entry_count
      USING ERRCODE = 'P0001', HINT = 'pooled:ledger_unbalanced';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION pooled_ledger_check_entries();

-- At commit, for each new header: its entries exist, count and balance. A reversal's entries
-- are exactly the reversed transaction's, negated (per account), and a reversal is never
-- itself reversed.
CREATE FUNCTION pooled_ledger_check_transaction() RETURNS trigger
  LANGUAGE plpgsql
  SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$
DECLARE
  stored bigint;
  total numeric;
  reversed_kind text;
BEGIN
  SELECT count(*), coalesce(sum(amount_pence), 0) INTO stored, total
    FROM ledger_entries WHERE transaction_id = NEW.id;
  IF stored <> NEW.entry_count OR total <> 0 THEN
    RAISE EXCEPTION 'ledger transaction % (%) has % entries summing to % pence; % balanced entries expected',
        NEW.id, NEW.idempotency_key, stored, total, NEW.entry_count
      USING ERRCODE = 'P0001', HINT = 'pooled:ledger_unbalanced';
  END IF;
  IF NEW.reverses_id IS NOT NULL THEN
    SELECT kind INTO reversed_kind FROM ledger_transactions WHERE id = NEW.reverses_id;
    IF reversed_kind = 'reversal' THEN
      RAISE EXCEPTION 'ledger transaction % is a reversal and cannot itself be reversed', NEW.reverses_id
        USING ERRCODE = 'P0001', HINT = 'pooled:ledger_reversal';
    END IF;
    IF EXISTS (
      SELECT account_id, sum(amount_pence) FROM ledger_entries WHERE transaction_id = NEW.id
        GROUP BY account_id
      EXCEPT
      SELECT account_id, -sum(amount_pence) FROM ledger_entries WHERE transaction_id = NEW.reverses_id
        GROUP BY account_id
    ) OR EXISTS (
      SELECT account_id, -sum(amount_pence) FROM ledger_entries WHERE transaction_id = NEW.reverses_id
        GROUP BY account_id
      EXCEPT
      SELECT account_id, sum(amount_pence) FROM ledger_entries WHERE transaction_id = NEW.id
        GROUP BY account_id
    ) THEN
      RAISE EXCEPTION 'ledger transaction % does not exactly reverse %', NEW.id, NEW.reverses_id
        USING ERRCODE = 'P0001', HINT = 'pooled:ledger_reversal';
    END IF;
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION pooled_ledger_check_transaction();

-- The ledger is append-only: no update, delete or truncate of accounts, headers or entries.
CREATE FUNCTION pooled_ledger_refuse_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  RAISE EXCEPTION '% on % is not allowed: the ledger is append-only; correct a posting with a reversal',
      TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'P0001', HINT = 'pooled:ledger_append_only';
END
$$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ledger_accounts', 'ledger_transactions', 'ledger_entries']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION pooled_ledger_refuse_change()', t || '_append_only', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION pooled_ledger_refuse_change()', t || '_no_truncate', t);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY partnership_isolation ON %I USING (partnership_id = pooled_partnership()) WITH CHECK (partnership_id = pooled_partnership())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT ON ledger_accounts, ledger_transactions, ledger_entries TO pooled_app;

-- Statement imports, card and bank transactions, light-touch monitoring flags and recoveries
-- (issue 5 points 6 and 7). Money moves only on the ledger (0005): an import batch's new card
-- transactions are posted as one ledger transaction (key 'import:<import id>:<batch no>') with
-- one entry per holding account, the net of its rows, and the balancing entries on the funding
-- bodies' spending accounts; each card transaction records that ledger transaction. A
-- confirmed recovery is a ledger transaction of kind 'recovery'. Budgets and schedule lines (0006) are read, never referenced by foreign key here.

-- One run of `pooled import statements` or of the import page: who, when, which file (name and
-- SHA-256), and what happened to its rows. The bad rows' report keeps the first 1,000 bad rows
-- (line and problems); bad_count counts them all.
CREATE TABLE statement_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  format text NOT NULL CHECK (length(format) BETWEEN 1 AND 50),
  file_name text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$' OR sha256 = ''),
  imported_by uuid REFERENCES users(id),
  actor text NOT NULL,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'refused', 'failed')),
  message text,
  rows_read integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
  imported_count integer NOT NULL DEFAULT 0 CHECK (imported_count >= 0),
  duplicate_count integer NOT NULL DEFAULT 0 CHECK (duplicate_count >= 0),
  bad_count integer NOT NULL DEFAULT 0 CHECK (bad_count >= 0),
  bad_rows jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(bad_rows) = 'array'),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (partnership_id, id)
);
CREATE INDEX statement_imports_list_idx ON statement_imports (partnership_id, started_at DESC);

-- A transaction from a card or bank statement, signed as the holding account sees it (negative
-- = money out). Deduplicated on the provider's own transaction id, per provider format and per
-- holding account: a card provider's ids are unique across its cards, but a bank's references
-- are often unique only within one account, so the account is part of the key; a file
-- imported twice (or a transaction repeated within a file) adds nothing. Append-only.
--
-- Written in bulk (a million rows a file), so every per-row cost counts (decision 0016): no
-- foreign keys (each is a lookup per row; with them and four indexes an import ran at a fiftieth
-- of COPY's rate) and one index: the dedupe key, which is the primary key and leads with the
-- holding account so it also serves the reads by account. `id` names a row to the API; it is
-- made by whoever writes the row (a random UUID) and not indexed, since nothing looks a row up
-- by it and its index cost a bulk insert a third of its time. The references are checked
-- set-based by the import instead, in the statement that inserts (statements/import.ts): the
-- holding accounts are joined to ledger_accounts (kind 'holding_account', in the partnership
-- under row-level security) and the import to statement_imports. Nothing deletes an import, an account or a
-- ledger transaction, so a reference cannot break later.
CREATE TABLE card_transactions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL,
  import_id uuid NOT NULL,
  batch_no integer NOT NULL CHECK (batch_no >= 1),
  -- The ledger transaction this row was posted in: one per import batch (idempotency key
  -- 'import:<import_id>:<batch_no>'), with one entry per holding account, the net of the
  -- batch's new rows on that account. Null only when the batch's new rows net to zero on every
  -- account, so there was nothing to post.
  ledger_transaction_id uuid,
  line_no integer NOT NULL CHECK (line_no >= 1),
  provider text NOT NULL,
  holding_account_id uuid NOT NULL,
  account_reference text NOT NULL,
  provider_transaction_id text NOT NULL CHECK (length(provider_transaction_id) BETWEEN 1 AND 100),
  occurred_on date NOT NULL,
  amount_pence bigint NOT NULL CHECK (amount_pence <> 0),
  description text NOT NULL,
  mcc text CHECK (mcc ~ '^[0-9]{4}$'),
  -- A support plan category or a never-buy category (statements/categories.ts); null: unknown.
  category text,
  -- The plan item (its id in the plan document) the spend was matched to, if any.
  plan_item_id text,
  PRIMARY KEY (holding_account_id, provider, provider_transaction_id)
);
CREATE TRIGGER card_transactions_append_only BEFORE UPDATE OR DELETE ON card_transactions
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();

-- How a partnership tunes the monitoring (absent row: the defaults).
CREATE TABLE monitoring_settings (
  partnership_id uuid PRIMARY KEY REFERENCES partnerships(id),
  balance_weeks integer NOT NULL DEFAULT 8 CHECK (balance_weeks BETWEEN 1 AND 52),
  no_activity_weeks integer NOT NULL DEFAULT 12 CHECK (no_activity_weeks BETWEEN 1 AND 52),
  updated_by uuid REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Something that may need a finance officer's attention. At most one unresolved flag (open,
-- contacted or recovery proposed) per person and kind; dismissing needs a reason.
CREATE TABLE monitoring_flags (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  holding_account_id uuid REFERENCES ledger_accounts(id),
  kind text NOT NULL CHECK (kind IN ('balance_above_weeks', 'outside_plan_categories',
    'never_buy_category', 'no_activity', 'overspend')),
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'dismissed', 'contacted', 'recovery_proposed', 'resolved')),
  raised_on date NOT NULL,
  raised_at timestamptz NOT NULL DEFAULT now(),
  reason text,
  actioned_by uuid REFERENCES users(id),
  actioned_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  CHECK (status <> 'dismissed' OR length(btrim(coalesce(reason, ''))) > 0),
  UNIQUE (partnership_id, id)
);
CREATE UNIQUE INDEX monitoring_flags_one_open_idx ON monitoring_flags (partnership_id, person_id, kind)
  WHERE status IN ('open', 'contacted', 'recovery_proposed');
CREATE INDEX monitoring_flags_queue_idx ON monitoring_flags (partnership_id, raised_at)
  WHERE status IN ('open', 'contacted', 'recovery_proposed');
CREATE INDEX monitoring_flags_person_idx ON monitoring_flags (person_id, kind, raised_at DESC);

-- A recovery of money from a holding account (NHS: SI 2013/1617 reg 15; council: Care Act
-- s 33 and SI 2014/2871), with what the written notice must say: the reasons, the amount, the
-- time limit to repay, who must repay, and the right to ask for reconsideration. Proposed, then
-- confirmed (posted to the ledger) or withdrawn.
CREATE TABLE recoveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  holding_account_id uuid NOT NULL,
  flag_id uuid,
  amount_pence bigint NOT NULL CHECK (amount_pence > 0),
  reasons text NOT NULL CHECK (length(btrim(reasons)) > 0),
  repay_by date NOT NULL,
  who_must_repay text NOT NULL CHECK (length(btrim(who_must_repay)) > 0),
  reconsideration text NOT NULL CHECK (length(btrim(reconsideration)) > 0),
  status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'confirmed', 'withdrawn')),
  proposed_by uuid REFERENCES users(id),
  proposed_at timestamptz NOT NULL DEFAULT now(),
  confirmed_by uuid REFERENCES users(id),
  confirmed_at timestamptz,
  ledger_transaction_id uuid REFERENCES ledger_transactions(id),
  FOREIGN KEY (partnership_id, holding_account_id) REFERENCES ledger_accounts (partnership_id, id),
  FOREIGN KEY (partnership_id, flag_id) REFERENCES monitoring_flags (partnership_id, id),
  CHECK ((status = 'confirmed') = (ledger_transaction_id IS NOT NULL AND confirmed_at IS NOT NULL))
);
CREATE INDEX recoveries_person_idx ON recoveries (person_id, proposed_at DESC);

-- A confirmed or withdrawn recovery is a record of what was decided.
CREATE FUNCTION pooled_recovery_guard() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status <> 'proposed' THEN
    RAISE EXCEPTION 'recovery % is % and cannot be changed', OLD.id, OLD.status
      USING ERRCODE = 'P0001', HINT = 'pooled:recovery_fixed';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER recoveries_guard BEFORE UPDATE OR DELETE ON recoveries
  FOR EACH ROW EXECUTE FUNCTION pooled_recovery_guard();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['statement_imports', 'card_transactions', 'monitoring_settings',
    'monitoring_flags', 'recoveries']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY partnership_isolation ON %I USING (partnership_id = pooled_partnership()) WITH CHECK (partnership_id = pooled_partnership())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT ON card_transactions TO pooled_app;
GRANT SELECT, INSERT, UPDATE ON statement_imports, monitoring_settings, monitoring_flags,
  recoveries TO pooled_app;

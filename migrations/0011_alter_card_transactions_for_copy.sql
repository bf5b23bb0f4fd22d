-- Card transactions written by COPY (decision 0018). A statement import of a million rows ran
-- at a twentieth of a plain COPY's rate, because PostgreSQL refuses COPY FROM into a table with
-- row-level security for a role it applies to, so every row went through INSERT … SELECT … ON
-- CONFLICT. Now:
--   * the table belongs to its own role, pooled_statement_writer, which may do nothing else: it
--     has no privileges but its own table and reading two tables under row-level security. The
--     import switches to it for the COPY alone; as the table's owner it is not refused COPY;
--   * the partnership check row-level security made on insert is made by a statement trigger
--     instead, on every insert and COPY, whoever writes: each new row's holding account and
--     import must be in the row's partnership, read as the writing role, so under row-level
--     security for pooled_statement_writer and pooled_app (a row for another partnership, or
--     with no partnership set, finds nothing and is refused);
--   * rows are narrower, since COPY's cost is mostly bytes: the batch's ledger transaction moves
--     to statement_import_batches (one row a batch, not one a transaction), the statement format
--     is the import's, the account reference is the holding account's, and the MCC a number;
--   * the dedupe key is the holding account and the provider's transaction id, without the
--     format: the same account's transactions imported through a different mapping (a provider
--     that changed its file layout) are the same transactions.
-- Reads are unchanged: row-level security on card_transactions still applies to pooled_app.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pooled_statement_writer') THEN
    CREATE ROLE pooled_statement_writer NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

DO $$
BEGIN
  EXECUTE format('GRANT pooled_statement_writer TO %I', current_user);
EXCEPTION WHEN OTHERS THEN NULL;
END
$$;

-- One row per import batch: its ledger transaction (key 'import:<import id>:<batch no>'), null
-- when the batch's new rows net to zero on every account so nothing was posted.
CREATE TABLE statement_import_batches (
  partnership_id uuid NOT NULL,
  import_id uuid NOT NULL,
  batch_no integer NOT NULL CHECK (batch_no >= 1),
  ledger_transaction_id uuid,
  rows_imported integer NOT NULL CHECK (rows_imported >= 0),
  PRIMARY KEY (import_id, batch_no),
  FOREIGN KEY (partnership_id, import_id) REFERENCES statement_imports (partnership_id, id)
);
CREATE TRIGGER statement_import_batches_append_only BEFORE UPDATE OR DELETE
  ON statement_import_batches FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();

INSERT INTO statement_import_batches
  (partnership_id, import_id, batch_no, ledger_transaction_id, rows_imported)
SELECT partnership_id, import_id, batch_no, (array_agg(ledger_transaction_id))[1], count(*)
  FROM card_transactions GROUP BY partnership_id, import_id, batch_no;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM card_transactions
              GROUP BY holding_account_id, provider_transaction_id HAVING count(*) > 1) THEN
    RAISE EXCEPTION 'card_transactions holds one provider transaction id twice on one holding account under two statement formats; the new key (account, transaction id) cannot keep both';
  END IF;
END
$$;

ALTER TABLE card_transactions RENAME TO card_transactions_0007;
-- In the order COPY writes best and the key is read: a row's fixed-width columns first.
CREATE TABLE card_transactions (
  id uuid NOT NULL,
  partnership_id uuid NOT NULL,
  import_id uuid NOT NULL,
  holding_account_id uuid NOT NULL,
  batch_no integer NOT NULL CHECK (batch_no >= 1),
  line_no integer NOT NULL CHECK (line_no >= 1),
  occurred_on date NOT NULL,
  amount_pence bigint NOT NULL CHECK (amount_pence <> 0),
  -- An opaque identifier: compared byte by byte (the "C" collation), which is also the cheapest
  -- for the key's index.
  provider_transaction_id text COLLATE "C" NOT NULL
    CHECK (length(provider_transaction_id) BETWEEN 1 AND 100),
  description text NOT NULL,
  -- The merchant category code as a number (0742 is 742): a four-digit code, checked without a
  -- pattern match per row; shown with its leading zeros.
  mcc smallint CHECK (mcc BETWEEN 0 AND 9999),
  -- A support plan category or a never-buy category (statements/categories.ts); null: unknown.
  category text,
  -- The plan item (its id in the plan document) the spend was matched to, if any.
  plan_item_id text,
  PRIMARY KEY (holding_account_id, provider_transaction_id)
);
INSERT INTO card_transactions (id, partnership_id, import_id, holding_account_id, batch_no,
  line_no, occurred_on, amount_pence, provider_transaction_id, description, mcc, category,
  plan_item_id)
SELECT id, partnership_id, import_id, holding_account_id, batch_no, line_no, occurred_on,
       amount_pence, provider_transaction_id, description, mcc::smallint, category, plan_item_id
  FROM card_transactions_0007;
DROP TABLE card_transactions_0007;

CREATE TRIGGER card_transactions_append_only BEFORE UPDATE OR DELETE ON card_transactions
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();
CREATE TRIGGER card_transactions_no_truncate BEFORE TRUNCATE ON card_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION pooled_refuse_change();

-- The partnership check, once a statement over its new rows (a transition table keeps COPY's
-- batched writes; a row trigger would not). Not SECURITY DEFINER on purpose: the accounts and
-- imports are read as the writing role, so under row-level security.
CREATE FUNCTION pooled_card_transactions_check() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.partnership_id, n.holding_account_id, n.import_id INTO bad
    FROM (SELECT DISTINCT partnership_id, holding_account_id, import_id FROM new_rows) n
    LEFT JOIN ledger_accounts a
      ON a.id = n.holding_account_id AND a.kind = 'holding_account'
     AND a.partnership_id = n.partnership_id
    LEFT JOIN statement_imports i ON i.id = n.import_id AND i.partnership_id = n.partnership_id
   WHERE a.id IS NULL OR i.id IS NULL
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'card transactions refused: holding account % or import % is not in partnership %',
      bad.holding_account_id, bad.import_id, bad.partnership_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER card_transactions_partnership_check AFTER INSERT ON card_transactions
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pooled_card_transactions_check();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['statement_import_batches', 'card_transactions']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY partnership_isolation ON %I USING (partnership_id = pooled_partnership()) WITH CHECK (partnership_id = pooled_partnership())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT ON statement_import_batches TO pooled_app;
GRANT SELECT, INSERT ON card_transactions TO pooled_app;
GRANT USAGE ON SCHEMA public TO pooled_statement_writer;
GRANT SELECT ON ledger_accounts, statement_imports TO pooled_statement_writer;
-- A new owner needs CREATE on the schema at the moment of the change, not after.
GRANT CREATE ON SCHEMA public TO pooled_statement_writer;
ALTER TABLE card_transactions OWNER TO pooled_statement_writer;
REVOKE CREATE ON SCHEMA public FROM pooled_statement_writer;

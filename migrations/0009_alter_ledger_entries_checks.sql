-- Ledger entries (migration 0005) checked set-based instead of row by row. A bulk posting of
-- 200,000 entries spent about two thirds of its time in the three foreign-key triggers on
-- ledger_entries (partnerships, the transaction, the account), each fired once per row. The
-- statement-level trigger that already checks balance now also checks, once per statement, that
-- every entry's transaction and account exist in the entry's partnership; nothing can delete or
-- truncate a header or an account (0005), so the reference cannot break later. The index on
-- source_ref goes too: nothing reads entries by source yet, and every index slows each insert.

ALTER TABLE ledger_entries
  DROP CONSTRAINT ledger_entries_partnership_id_fkey,
  DROP CONSTRAINT ledger_entries_partnership_id_transaction_id_fkey,
  DROP CONSTRAINT ledger_entries_partnership_id_account_id_fkey;
DROP INDEX ledger_entries_source_idx;

CREATE OR REPLACE FUNCTION pooled_ledger_check_entries() RETURNS trigger
  LANGUAGE plpgsql
  SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$
DECLARE bad record;
BEGIN
  -- Every transaction the statement touched: its header is in the entries' partnership, and it
  -- now has exactly entry_count entries, all from this statement, summing to zero.
  SELECT x.* INTO bad
    FROM (SELECT n.transaction_id, n.entries, n.total, t.id AS header, t.entry_count,
                 (SELECT count(*) FROM ledger_entries e WHERE e.transaction_id = n.transaction_id) AS stored
            FROM (SELECT transaction_id, partnership_id, count(*) AS entries, sum(amount_pence) AS total
                    FROM new_entries GROUP BY transaction_id, partnership_id) n
            LEFT JOIN ledger_transactions t
              ON t.id = n.transaction_id AND t.partnership_id = n.partnership_id) x
   WHERE x.header IS NULL OR x.total <> 0 OR x.entries <> x.entry_count OR x.stored <> x.entry_count
   LIMIT 1;
  IF FOUND THEN
    IF bad.header IS NULL THEN
      RAISE EXCEPTION 'ledger entries name transaction %, which is not in their partnership', bad.transaction_id
        USING ERRCODE = '23503', HINT = 'pooled:ledger_no_transaction';
    END IF;
    RAISE EXCEPTION 'ledger transaction % is unbalanced or incomplete: % entries in this statement summing to % pence, % stored, % expected',
        bad.transaction_id, bad.entries, bad.total, bad.stored, bad.entry_count
      USING ERRCODE = 'P0001', HINT = 'pooled:ledger_unbalanced';
  END IF;
  -- Every account named is in the entries' partnership.
  SELECT n.account_id INTO bad
    FROM (SELECT DISTINCT account_id, partnership_id FROM new_entries) n
   WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a
                      WHERE a.id = n.account_id AND a.partnership_id = n.partnership_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger entries name account %, which is not in their partnership', bad.account_id
      USING ERRCODE = '23503', HINT = 'pooled:ledger_no_account';
  END IF;
  RETURN NULL;
END
$$;

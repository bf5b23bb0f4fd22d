-- Person search by name under row-level security.
--
-- With a row-level security policy, PostgreSQL will not use a condition to search an index
-- unless every function in it is LEAKPROOF (it could otherwise leak rows of other partnerships
-- through errors). lower() and LIKE are not leakproof, so `lower(family_name) LIKE 'ash%'` was
-- checked row by row after the policy: every name search read the whole partnership (about
-- 1.7 s at 1,000,000 people; docs/PERFORMANCE.md). Plain text comparisons are leakproof, so we
-- keep lower-cased copies of the names in the "C" collation (byte order, where a prefix is a
-- range) and search them with ranges:
--   family_name_key >= 'ash' AND family_name_key < 'ash' || chr(1114111)
-- The old expression indexes could never be used by the application role; they are dropped.
ALTER TABLE people
  ADD COLUMN family_name_key text COLLATE "C" GENERATED ALWAYS AS (lower(family_name)) STORED,
  ADD COLUMN given_name_key text COLLATE "C" GENERATED ALWAYS AS (lower(given_name)) STORED;

CREATE INDEX people_family_key_idx ON people (partnership_id, family_name_key, given_name_key);
CREATE INDEX people_given_key_idx ON people (partnership_id, given_name_key, family_name_key);

DROP INDEX people_family_name_idx;
DROP INDEX people_given_name_idx;

-- Jobs the web application runs once a day for each partnership (decision 0020): the
-- light-touch monitoring of every holding account (issue 5: flags are computed on import and
-- daily), so that no operator has to remember a cron entry. One row per job, partnership and day.
-- A running instance claims a day by inserting its row; an instance that finds the row already
-- there leaves the day alone, unless that run failed or was started over an hour ago and never
-- finished (its instance stopped part way), when it may claim it again.
CREATE TABLE daily_runs (
  job text NOT NULL CHECK (job IN ('monitoring')),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  day date NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- What the run did (the job's own counts), once finished.
  outcome jsonb,
  -- Why the last attempt failed; null while running and once it succeeds.
  error text,
  attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  PRIMARY KEY (job, partnership_id, day),
  CHECK (finished_at IS NULL OR error IS NULL)
);

ALTER TABLE daily_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY partnership_isolation ON daily_runs
  USING (partnership_id = pooled_partnership()) WITH CHECK (partnership_id = pooled_partnership());

GRANT SELECT, INSERT ON daily_runs TO pooled_app;
GRANT UPDATE (started_at, finished_at, outcome, error, attempts) ON daily_runs TO pooled_app;

-- Every saved version of a draft support plan's document (issue 4: "two people editing the same
-- plan: the second save is told the plan changed and shown what changed"). When a save is refused
-- as stale, the page compares the version the person opened with the latest one and lists the
-- differences, with who saved them and when. Append-only.

CREATE TABLE support_plan_revisions (
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  plan_id uuid NOT NULL REFERENCES support_plans(id),
  -- support_plans.version after the save.
  version integer NOT NULL CHECK (version >= 1),
  document jsonb NOT NULL,
  saved_by uuid REFERENCES users(id),
  saved_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (plan_id, version)
);

-- The drafts already written start their history at their current version.
INSERT INTO support_plan_revisions (partnership_id, plan_id, version, document, saved_by, saved_at)
SELECT partnership_id, id, version, document, updated_by, updated_at
  FROM support_plans WHERE status = 'draft';

CREATE TRIGGER support_plan_revisions_append_only BEFORE UPDATE OR DELETE ON support_plan_revisions
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();

ALTER TABLE support_plan_revisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY partnership_isolation ON support_plan_revisions
  USING (partnership_id = pooled_partnership())
  WITH CHECK (partnership_id = pooled_partnership());
GRANT SELECT, INSERT ON support_plan_revisions TO pooled_app;

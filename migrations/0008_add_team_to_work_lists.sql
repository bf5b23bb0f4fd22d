-- The team work lists (the sign-off queue and due reviews) read a team's waiting plans and due
-- reviews. Joining through people visits every person in the team (thousands) on every page
-- view; with the person's team copied onto the plan and review rows, an index gives the first page
-- directly. The copy is kept by the database: it is set from the person on insert and follows the
-- person when they move team, so it cannot drift.

ALTER TABLE support_plans ADD COLUMN team_id uuid REFERENCES teams(id);
ALTER TABLE reviews ADD COLUMN team_id uuid REFERENCES teams(id);

UPDATE support_plans s SET team_id = p.team_id FROM people p
 WHERE p.id = s.person_id AND p.team_id IS NOT NULL;
UPDATE reviews r SET team_id = p.team_id FROM people p
 WHERE p.id = r.person_id AND p.team_id IS NOT NULL;

CREATE INDEX support_plans_team_queue_idx ON support_plans (team_id, submitted_at, id)
  WHERE status = 'submitted';
CREATE INDEX reviews_team_due_idx ON reviews (team_id, due_on, id) WHERE status = 'due';

CREATE FUNCTION pooled_team_of_person() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  SELECT p.team_id INTO NEW.team_id FROM people p WHERE p.id = NEW.person_id;
  RETURN NEW;
END
$$;
CREATE TRIGGER support_plans_team BEFORE INSERT OR UPDATE OF person_id, team_id ON support_plans
  FOR EACH ROW EXECUTE FUNCTION pooled_team_of_person();
CREATE TRIGGER reviews_team BEFORE INSERT OR UPDATE OF person_id, team_id ON reviews
  FOR EACH ROW EXECUTE FUNCTION pooled_team_of_person();

CREATE FUNCTION pooled_person_moved_team() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  UPDATE support_plans SET team_id = NEW.team_id
   WHERE person_id = NEW.id AND team_id IS DISTINCT FROM NEW.team_id;
  UPDATE reviews SET team_id = NEW.team_id
   WHERE person_id = NEW.id AND team_id IS DISTINCT FROM NEW.team_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER people_team_follows AFTER UPDATE OF team_id ON people
  FOR EACH ROW WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id)
  EXECUTE FUNCTION pooled_person_moved_team();

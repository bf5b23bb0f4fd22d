-- Foundation: tenancy (partnerships), organisations, teams, users and roles, sessions,
-- people, representatives, care teams, consent, break-glass, audit and API clients.
-- Every table that holds personal or financial data carries partnership_id and is guarded by
-- row-level security keyed on the transaction setting pooled.partnership_id.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pooled_app') THEN
    CREATE ROLE pooled_app NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

DO $$
BEGIN
  EXECUTE format('GRANT pooled_app TO %I', current_user);
EXCEPTION WHEN OTHERS THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO pooled_app;

CREATE FUNCTION pooled_partnership() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('pooled.partnership_id', true), '')::uuid $$;

CREATE FUNCTION pooled_refuse_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$ BEGIN RAISE EXCEPTION '% on % is not allowed: this table is append-only', TG_OP, TG_TABLE_NAME; END $$;

CREATE TABLE partnerships (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  kind text NOT NULL CHECK (kind IN ('council', 'icb', 'nhs_trust', 'provider')),
  name text NOT NULL,
  ods_code text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, name)
);

CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partnership_id, name)
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  organisation_id uuid REFERENCES organisations(id),
  email text NOT NULL,
  full_name text NOT NULL,
  password_hash text,
  must_change_password boolean NOT NULL DEFAULT true,
  failed_sign_ins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  disabled_at timestamptz,
  last_sign_in_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_partnership_idx ON users (partnership_id);

CREATE TABLE team_members (
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  team_id uuid NOT NULL REFERENCES teams(id),
  user_id uuid NOT NULL REFERENCES users(id),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

CREATE TABLE role_grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  user_id uuid NOT NULL REFERENCES users(id),
  role text NOT NULL CHECK (role IN ('budget_holder', 'representative', 'care_coordinator',
    'team_manager', 'finance_officer', 'broker', 'commissioner', 'practice_curator',
    'partnership_admin')),
  granted_by uuid REFERENCES users(id),
  granted_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users(id)
);
CREATE UNIQUE INDEX role_grants_active_key ON role_grants (user_id, role) WHERE revoked_at IS NULL;

CREATE TABLE sessions (
  id text PRIMARY KEY,
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  user_id uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE people (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  external_id text,
  council_person_id text,
  nhs_number char(10),
  given_name text NOT NULL,
  family_name text NOT NULL,
  preferred_name text,
  date_of_birth date NOT NULL,
  address_line1 text,
  address_line2 text,
  town text,
  postcode text,
  phone text,
  email text,
  communication_needs text,
  primary_support_reason text NOT NULL DEFAULT 'Mental Health Support',
  s117_section text CHECK (s117_section IN ('3', '37', '45A', '47', '48')),
  s117_discharge_date date,
  care_coordinator_id uuid REFERENCES users(id),
  team_id uuid REFERENCES teams(id),
  lead_organisation_id uuid REFERENCES organisations(id),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX people_nhs_number_key ON people (partnership_id, nhs_number) WHERE nhs_number IS NOT NULL;
CREATE UNIQUE INDEX people_external_id_key ON people (partnership_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX people_council_id_key ON people (partnership_id, council_person_id) WHERE council_person_id IS NOT NULL;
CREATE INDEX people_family_name_idx ON people (partnership_id, lower(family_name) text_pattern_ops, lower(given_name));
CREATE INDEX people_given_name_idx ON people (partnership_id, lower(given_name) text_pattern_ops);
CREATE INDEX people_dob_idx ON people (partnership_id, date_of_birth);
CREATE INDEX people_coordinator_idx ON people (care_coordinator_id);
CREATE INDEX people_team_idx ON people (team_id);

CREATE TABLE person_representatives (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  user_id uuid REFERENCES users(id),
  name text NOT NULL,
  relationship text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('representative', 'nominee', 'attorney', 'deputy', 'advocate')),
  phone text,
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz
);
CREATE INDEX person_representatives_person_idx ON person_representatives (person_id);

CREATE TABLE care_team_members (
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  user_id uuid NOT NULL REFERENCES users(id),
  role_on_team text NOT NULL DEFAULT 'practitioner',
  added_at timestamptz NOT NULL DEFAULT now(),
  added_by uuid REFERENCES users(id),
  PRIMARY KEY (person_id, user_id)
);
CREATE INDEX care_team_members_user_idx ON care_team_members (user_id);

CREATE TABLE consents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  scope text NOT NULL CHECK (scope IN ('assessment_and_planning', 'full_record', 'finance_only')),
  given_on date NOT NULL,
  how_given text NOT NULL CHECK (how_given IN ('verbal', 'written', 'electronic', 'by_representative')),
  given_by text NOT NULL DEFAULT 'the person',
  notes text,
  recorded_by uuid NOT NULL REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  withdrawn_on date,
  withdrawal_reason text,
  withdrawn_recorded_by uuid REFERENCES users(id),
  CHECK (withdrawn_on IS NULL OR withdrawn_on >= given_on)
);
CREATE INDEX consents_person_idx ON consents (person_id);

CREATE TABLE break_glass_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  person_id uuid NOT NULL REFERENCES people(id),
  user_id uuid NOT NULL REFERENCES users(id),
  reason text NOT NULL CHECK (length(btrim(reason)) >= 10),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  reviewed_by uuid REFERENCES users(id),
  reviewed_at timestamptz,
  review_note text
);
CREATE INDEX break_glass_person_user_idx ON break_glass_events (person_id, user_id, expires_at);
CREATE INDEX break_glass_created_idx ON break_glass_events (partnership_id, created_at DESC);

CREATE TABLE api_clients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  name text NOT NULL,
  token_prefix text NOT NULL UNIQUE,
  token_hash text NOT NULL,
  permissions text[] NOT NULL,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  partnership_id uuid NOT NULL REFERENCES partnerships(id),
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  user_id uuid REFERENCES users(id),
  api_client_id uuid REFERENCES api_clients(id),
  actor text NOT NULL,
  action text NOT NULL,
  record_type text NOT NULL,
  record_id text,
  person_id uuid REFERENCES people(id),
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  reason text,
  ip text
);
CREATE INDEX audit_events_person_idx ON audit_events (person_id, at DESC);
CREATE INDEX audit_events_partnership_at_idx ON audit_events (partnership_id, at DESC);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, at DESC);
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION pooled_refuse_change();

-- Row-level security: one policy per table, same rule everywhere.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['organisations', 'teams', 'users', 'team_members', 'role_grants',
    'sessions', 'people', 'person_representatives', 'care_team_members', 'consents',
    'break_glass_events', 'api_clients', 'audit_events']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY partnership_isolation ON %I USING (partnership_id = pooled_partnership()) WITH CHECK (partnership_id = pooled_partnership())', t);
  END LOOP;
END
$$;
ALTER TABLE partnerships ENABLE ROW LEVEL SECURITY;
CREATE POLICY partnership_isolation ON partnerships USING (id = pooled_partnership());

GRANT SELECT ON partnerships TO pooled_app;
GRANT SELECT, INSERT, UPDATE ON organisations, teams, users, team_members, role_grants,
  people, person_representatives, care_team_members, consents, break_glass_events, api_clients
  TO pooled_app;
GRANT DELETE ON team_members, care_team_members TO pooled_app;
GRANT SELECT, INSERT ON audit_events TO pooled_app;
GRANT USAGE ON SEQUENCE audit_events_id_seq TO pooled_app;

// Table types for Kysely. Keep in step with migrations/*.sql (the database is the truth).
import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A civil date column: read and written as 'YYYY-MM-DD'. */
type CivilDate = string;

export interface PartnershipsTable {
  id: Generated<string>;
  code: string;
  name: string;
  created_at: Generated<Date>;
}
export interface OrganisationsTable {
  id: Generated<string>;
  partnership_id: string;
  kind: 'council' | 'icb' | 'nhs_trust' | 'provider';
  name: string;
  ods_code: string | null;
  created_at: Generated<Date>;
}
export interface TeamsTable {
  id: Generated<string>;
  partnership_id: string;
  organisation_id: string;
  name: string;
  created_at: Generated<Date>;
}
export interface UsersTable {
  id: Generated<string>;
  partnership_id: string;
  organisation_id: string | null;
  email: string;
  full_name: string;
  password_hash: string | null;
  must_change_password: Generated<boolean>;
  failed_sign_ins: Generated<number>;
  locked_until: Date | null;
  disabled_at: Date | null;
  last_sign_in_at: Date | null;
  created_at: Generated<Date>;
}
export interface TeamMembersTable {
  partnership_id: string;
  team_id: string;
  user_id: string;
  added_at: Generated<Date>;
}
export interface RoleGrantsTable {
  id: Generated<string>;
  partnership_id: string;
  user_id: string;
  role: string;
  granted_by: string | null;
  granted_at: Generated<Date>;
  revoked_at: Date | null;
  revoked_by: string | null;
}
export interface SessionsTable {
  id: string;
  partnership_id: string;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
}
export interface PeopleTable {
  id: Generated<string>;
  partnership_id: string;
  external_id: string | null;
  council_person_id: string | null;
  nhs_number: string | null;
  given_name: string;
  family_name: string;
  preferred_name: string | null;
  date_of_birth: CivilDate;
  address_line1: string | null;
  address_line2: string | null;
  town: string | null;
  postcode: string | null;
  phone: string | null;
  email: string | null;
  communication_needs: string | null;
  primary_support_reason: Generated<string>;
  s117_section: string | null;
  s117_discharge_date: CivilDate | null;
  care_coordinator_id: string | null;
  team_id: string | null;
  lead_organisation_id: string | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** lower(family_name) in the "C" collation, for index-backed name search (migration 0002). */
  family_name_key: GeneratedAlways<string>;
  /** lower(given_name) in the "C" collation. */
  given_name_key: GeneratedAlways<string>;
}
export interface PersonRepresentativesTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  user_id: string | null;
  name: string;
  relationship: string;
  kind: 'representative' | 'nominee' | 'attorney' | 'deputy' | 'advocate';
  phone: string | null;
  email: string | null;
  created_at: Generated<Date>;
  ended_at: Date | null;
}
export interface CareTeamMembersTable {
  partnership_id: string;
  person_id: string;
  user_id: string;
  role_on_team: Generated<string>;
  added_at: Generated<Date>;
  added_by: string | null;
}
export interface ConsentsTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  scope: 'assessment_and_planning' | 'full_record' | 'finance_only';
  given_on: CivilDate;
  how_given: 'verbal' | 'written' | 'electronic' | 'by_representative';
  given_by: Generated<string>;
  notes: string | null;
  recorded_by: string;
  recorded_at: Generated<Date>;
  withdrawn_on: CivilDate | null;
  withdrawal_reason: string | null;
  withdrawn_recorded_by: string | null;
}
export interface BreakGlassEventsTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  user_id: string;
  reason: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  review_note: string | null;
}
export interface ApiClientsTable {
  id: Generated<string>;
  partnership_id: string;
  name: string;
  token_prefix: string;
  token_hash: string;
  permissions: string[];
  created_by: string | null;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}
export interface AuditEventsTable {
  id: Generated<number>;
  partnership_id: string;
  at: Generated<Date>;
  user_id: string | null;
  api_client_id: string | null;
  actor: string;
  action: string;
  record_type: string;
  record_id: string | null;
  person_id: string | null;
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
  reason: string | null;
  ip: string | null;
}

type Json<T = Record<string, unknown>> = ColumnType<T, string, string>;

export interface RasVersionsTable {
  id: Generated<string>;
  partnership_id: string;
  code: string;
  name: string;
  effective_from: CivilDate;
  definition: Json<unknown>;
  status: ColumnType<'draft' | 'published', 'draft' | 'published' | undefined, 'published'>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  published_by: string | null;
  published_at: Date | null;
}
export interface AssessmentsTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  sequence: number;
  status: ColumnType<'draft' | 'completed', 'draft' | 'completed' | undefined, 'completed'>;
  answers: Json<unknown>;
  ras_version_id: string;
  version: Generated<number>;
  started_by: string | null;
  started_at: Generated<Date>;
  updated_by: string | null;
  updated_at: Generated<Date>;
  completed_by: string | null;
  completed_at: Date | null;
}
export interface EligibilityDecisionsTable {
  id: Generated<string>;
  partnership_id: string;
  assessment_id: string;
  person_id: string;
  rules_version: string;
  care_act_eligible: boolean;
  nhs_right: 'section_117' | 'continuing_healthcare' | 'local_offer';
  decision: Json<unknown>;
  explanation: string;
  decided_by: string | null;
  decided_at: Generated<Date>;
}
export interface EligibilityJudgementsTable {
  id: Generated<string>;
  partnership_id: string;
  decision_id: string;
  care_act_eligible: boolean;
  reason: string;
  recorded_by: string | null;
  recorded_at: Generated<Date>;
}
export interface AllocationsTable {
  id: Generated<string>;
  partnership_id: string;
  assessment_id: string;
  person_id: string;
  ras_version_id: string;
  answers: Json<Record<string, string>>;
  section_117: Generated<boolean>;
  result: Json<unknown>;
  total_points: number;
  annual_pence: number;
  calculated_by: string | null;
  calculated_at: Generated<Date>;
}
export interface AllocationOverridesTable {
  id: Generated<string>;
  partnership_id: string;
  allocation_id: string;
  annual_pence: number;
  reason: string;
  recorded_by: string | null;
  recorded_at: Generated<Date>;
}

export interface PartnershipPoliciesTable {
  id: Generated<string>;
  partnership_id: string;
  kind: 'sign_off' | 'spending_rules';
  policy: Json<unknown>;
  recorded_by: string | null;
  recorded_at: Generated<Date>;
}
export type PlanStatus = 'draft' | 'submitted' | 'approved' | 'refused' | 'superseded';
export type SignOffLevel = 'coordinator' | 'team_manager' | 'panel';
export interface SupportPlansTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  /** The person's team, kept by the database (migration 0008): never written by the app. */
  team_id: ColumnType<string | null, never, never>;
  sequence: number;
  allocation_id: string | null;
  status: ColumnType<PlanStatus, PlanStatus | undefined, PlanStatus>;
  document: Json<unknown>;
  total_annual_pence: Generated<number>;
  indicative_annual_pence: number | null;
  route: SignOffLevel | null;
  version: Generated<number>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_by: string | null;
  updated_at: Generated<Date>;
  submitted_by: string | null;
  submitted_at: Date | null;
  approved_on: CivilDate | null;
  approved_at: Date | null;
  person_agreed_at: Date | null;
  person_agreement: Json<unknown> | null;
}
export interface PlanDecisionsTable {
  id: Generated<string>;
  partnership_id: string;
  plan_id: string;
  step: SignOffLevel;
  outcome: 'approved' | 'refused' | 'escalated';
  reason: string | null;
  decided_by: string | null;
  decided_at: Generated<Date>;
}
export interface SupportPlanRevisionsTable {
  partnership_id: string;
  plan_id: string;
  version: number;
  document: unknown;
  saved_by: string | null;
  saved_at: Generated<Date>;
}

export interface ReviewsTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  /** The person's team, kept by the database (migration 0008): never written by the app. */
  team_id: ColumnType<string | null, never, never>;
  plan_id: string;
  kind: 'planned' | 'unplanned';
  rule: string;
  earliest_on: CivilDate | null;
  due_on: CivilDate;
  status: ColumnType<
    'due' | 'completed' | 'cancelled',
    'due' | 'completed' | 'cancelled' | undefined
  >;
  document: Json<unknown> | null;
  completed_on: CivilDate | null;
  completed_by: string | null;
  completed_at: Date | null;
  cancelled_reason: string | null;
  created_at: Generated<Date>;
}
export interface OutcomeMeasuresTable {
  id: Generated<string>;
  partnership_id: string;
  person_id: string;
  plan_id: string | null;
  review_id: string | null;
  instrument:
    'swemwbs' | 'eq5d5l' | 'ascot_sct4' | 'employment' | 'accommodation' | 'goal_attainment';
  taken_on: CivilDate;
  answers: Json<unknown>;
  score: Json<unknown>;
  recorded_by: string | null;
  recorded_at: Generated<Date>;
}

export interface Schema {
  partnerships: PartnershipsTable;
  organisations: OrganisationsTable;
  teams: TeamsTable;
  users: UsersTable;
  team_members: TeamMembersTable;
  role_grants: RoleGrantsTable;
  sessions: SessionsTable;
  people: PeopleTable;
  person_representatives: PersonRepresentativesTable;
  care_team_members: CareTeamMembersTable;
  consents: ConsentsTable;
  break_glass_events: BreakGlassEventsTable;
  api_clients: ApiClientsTable;
  audit_events: AuditEventsTable;
  ras_versions: RasVersionsTable;
  assessments: AssessmentsTable;
  eligibility_decisions: EligibilityDecisionsTable;
  eligibility_judgements: EligibilityJudgementsTable;
  allocations: AllocationsTable;
  allocation_overrides: AllocationOverridesTable;
  partnership_policies: PartnershipPoliciesTable;
  support_plans: SupportPlansTable;
  support_plan_revisions: SupportPlanRevisionsTable;
  plan_decisions: PlanDecisionsTable;
  reviews: ReviewsTable;
  outcome_measures: OutcomeMeasuresTable;
}

// The roles a user can hold in a partnership, and what each may do.
import { z } from 'zod';

export const ROLES = [
  'budget_holder',
  'representative',
  'care_coordinator',
  'team_manager',
  'finance_officer',
  'broker',
  'commissioner',
  'practice_curator',
  'partnership_admin',
] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const ROLE_LABELS: Record<Role, string> = {
  budget_holder: 'Budget holder',
  representative: 'Representative',
  care_coordinator: 'Care coordinator',
  team_manager: 'Team manager',
  finance_officer: 'Finance officer',
  broker: 'Broker',
  commissioner: 'Commissioner',
  practice_curator: 'Good-practice curator',
  partnership_admin: 'Partnership administrator',
};

/** Roles whose work is with individual people's records (subject to care-team access rules). */
export const CASEWORK_ROLES: readonly Role[] = [
  'care_coordinator',
  'team_manager',
  'finance_officer',
  'broker',
];

/** Roles that may see the audit trail and break-glass events. */
export const OVERSIGHT_ROLES: readonly Role[] = ['team_manager', 'partnership_admin'];

export const ORGANISATION_KINDS = ['council', 'icb', 'nhs_trust', 'provider'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
export const ORGANISATION_KIND_LABELS: Record<OrganisationKind, string> = {
  council: 'Council',
  icb: 'Integrated care board (ICB)',
  nhs_trust: 'NHS trust',
  provider: 'Provider',
};
/** Which side of the NHS/council boundary an organisation sits on (consent is needed to cross). */
export function sectorOf(kind: OrganisationKind): 'nhs' | 'council' | 'provider' {
  switch (kind) {
    case 'council':
      return 'council';
    case 'icb':
    case 'nhs_trust':
      return 'nhs';
    case 'provider':
      return 'provider';
  }
}

// The header navigation depends on the user's roles.
import type { UserPrincipal } from '../auth/principal.js';
import type { Role } from '../auth/roles.js';

export interface NavItem {
  href: string;
  text: string;
  current?: boolean;
}

const ITEMS: { href: string; text: string; roles: Role[] }[] = [
  { href: '/caseload', text: 'My caseload', roles: ['care_coordinator'] },
  { href: '/team', text: 'Team caseload', roles: ['team_manager'] },
  {
    href: '/people',
    text: 'Find a person',
    roles: ['care_coordinator', 'team_manager', 'finance_officer', 'broker'],
  },
  { href: '/people/new', text: 'Add a person', roles: ['care_coordinator', 'team_manager'] },
  { href: '/sign-off', text: 'Sign-off', roles: ['care_coordinator', 'team_manager'] },
  {
    href: '/reviews',
    text: 'Reviews',
    roles: ['care_coordinator', 'team_manager', 'partnership_admin'],
  },
  {
    href: '/oversight/break-glass',
    text: 'Break-glass log',
    roles: ['team_manager', 'partnership_admin'],
  },
  { href: '/audit', text: 'Audit', roles: ['team_manager', 'partnership_admin'] },
  {
    href: '/reports',
    text: 'Reports',
    roles: ['commissioner', 'team_manager', 'partnership_admin'],
  },
  { href: '/finance/monitoring', text: 'Monitoring', roles: ['finance_officer'] },
  { href: '/finance/statements', text: 'Statements', roles: ['finance_officer'] },
  { href: '/payments', text: 'Payment runs', roles: ['finance_officer'] },
  { href: '/finance/ledger', text: 'Ledger', roles: ['finance_officer'] },
  { href: '/admin', text: 'Administration', roles: ['partnership_admin'] },
];

export function navigationFor(p: UserPrincipal | undefined, path: string): NavItem[] {
  if (!p || p.mustChangePassword) return [];
  return ITEMS.filter((i) => i.roles.some((r) => p.roles.has(r))).map((i) => ({
    href: i.href,
    text: i.text,
    current: path === i.href || (i.href !== '/people' && path.startsWith(`${i.href}/`)),
  }));
}

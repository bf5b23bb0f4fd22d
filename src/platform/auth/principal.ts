// Who is acting: a signed-in user or an API client, always inside one partnership.
import type { OrganisationKind, Role } from './roles.js';

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  partnershipId: string;
  partnershipName: string;
  fullName: string;
  email: string;
  roles: ReadonlySet<Role>;
  teamIds: readonly string[];
  organisationId: string | null;
  organisationKind: OrganisationKind | null;
  mustChangePassword: boolean;
  sessionId: string;
}

export interface ApiClientPrincipal {
  kind: 'api_client';
  clientId: string;
  partnershipId: string;
  name: string;
  permissions: ReadonlySet<string>;
}

export type Principal = UserPrincipal | ApiClientPrincipal;

export function hasRole(p: Principal | undefined, ...roles: Role[]): boolean {
  return p?.kind === 'user' && roles.some((r) => p.roles.has(r));
}

export function actorLabel(p: Principal): string {
  return p.kind === 'user' ? `${p.fullName} <${p.email}>` : `API client ${p.name}`;
}

// Fictional people for the demo partnership (filled in by the people work).
import type { Tx } from '../../platform/db/database.js';

export interface DemoContext {
  partnershipId: string;
  orgs: { council: string; icb: string; nhs_trust: string };
  teams: { north: string; south: string };
  userIds: Record<string, string>;
}

export function seedDemoPeople(tx: Tx, ctx: DemoContext): Promise<void> {
  // Replaced by the demo people generator.
  return Promise.resolve(ctx.partnershipId && tx ? undefined : undefined);
}

// Fictional people for the demo partnership (filled in by the people work).
import type { Tx } from '../../platform/db/database.js';

export interface DemoContext {
  partnershipId: string;
  orgs: { council: string; icb: string; nhs_trust: string };
  teams: { north: string; south: string };
  userIds: Record<string, string>;
}

export async function seedDemoPeople(_tx: Tx, _ctx: DemoContext): Promise<void> {
  // Replaced by the demo people generator.
}

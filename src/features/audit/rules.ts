// How the audit trail reads to people: plain-English sentences, London days, pages. Pure.
import type { AuditAction } from '../../platform/audit/audit.js';
import type { CivilDate } from '../../platform/dates.js';
import { ROLES, ROLE_LABELS, type Role } from '../../platform/auth/roles.js';

export const PAGE_SIZE = 50;

/** The instant a London calendar day starts (midnight is never skipped or repeated in London). */
export function londonDayStart(day: CivilDate): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  return new Date(guess - londonOffsetMs(new Date(guess)));
}

/** The start of the day after: the exclusive end of a date range that includes `day`. */
export function londonDayEnd(day: CivilDate): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10) as CivilDate;
  return londonDayStart(next);
}

// Intl formatters are expensive to build: one of each, made once.
const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
const LONDON_DAY = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const LONDON_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function londonOffsetMs(at: Date): number {
  const parts = LONDON_PARTS.formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
  return asUtc - Math.floor(at.getTime() / 60_000) * 60_000;
}

/** '3 March 2026 at 10:04' in London time. */
export function londonWhen(at: Date): string {
  return `${LONDON_DAY.format(at)} at ${LONDON_TIME.format(at)}`;
}

/** The role that best describes someone in an access history: the first they hold, in role order. */
export function describeRole(roles: readonly string[]): string | undefined {
  const held = ROLES.filter((r: Role) => roles.includes(r));
  const first = held[0];
  return first ? ROLE_LABELS[first].toLowerCase().replace('(icb)', '').trim() : undefined;
}

const NOUNS: Record<string, string> = {
  person: 'the record',
  consent: 'a consent record',
  representative: 'a representative',
  care_team: 'the care team',
  break_glass_event: 'an emergency access',
  access_log: 'who has looked at the record',
};

/** What someone did, as the end of a sentence: "viewed the record". */
export function describeAction(action: string, recordType: string): string {
  const noun = NOUNS[recordType] ?? 'the record';
  if (recordType === 'access_log') return 'looked at who has seen the record';
  switch (action) {
    case 'read':
      return `viewed ${noun}`;
    case 'search':
      return 'found the record in a search';
    case 'list':
      return 'saw the record in a list';
    case 'create':
      return recordType === 'person' ? 'created the record' : `added ${noun}`;
    case 'update':
      return `changed ${noun}`;
    case 'import':
      return 'imported the record from a file';
    case 'export':
      return 'exported the record';
    case 'break_glass':
      return 'used emergency access to open the record';
    case 'access_refused':
      return 'was refused access to the record';
    default:
      return `${action.replaceAll('_', ' ')} ${noun}`;
  }
}

export interface AccessEntry {
  at: Date;
  who: string;
  role: string | undefined;
  action: string;
  recordType: string;
  reason: string | null;
}

/** "Sam Okafor (care coordinator) viewed the record on 3 March 2026 at 10:04" */
export function accessSentence(e: AccessEntry): string {
  const who = e.role ? `${e.who} (${e.role})` : e.who;
  const reason = e.reason ? `. The reason given was: ${e.reason}` : '';
  return `${who} ${describeAction(e.action, e.recordType)} on ${londonWhen(e.at)}${reason}`;
}

/** The person's name without the email the audit actor label carries. */
export function actorName(actor: string): string {
  return actor.replace(/\s*<[^>]*>\s*$/, '').trim() || actor;
}

export const ACTION_LABELS: Record<AuditAction, string> = {
  read: 'Viewed',
  search: 'Searched',
  list: 'Listed',
  create: 'Created',
  update: 'Changed',
  import: 'Imported',
  export: 'Exported',
  break_glass: 'Emergency access',
  access_refused: 'Access refused',
  sign_in: 'Signed in',
  sign_in_failed: 'Sign-in failed',
  sign_out: 'Signed out',
  grant: 'Role given',
  revoke: 'Role or access taken away',
};
export const AUDIT_ACTIONS = Object.keys(ACTION_LABELS) as [AuditAction, ...AuditAction[]];

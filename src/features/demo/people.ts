// Fifty fictional people for the demo partnership. Everything here is invented: NHS numbers are
// in the 999 range (never issued to patients), phone numbers in Ofcom's drama ranges, postcodes
// in the made-up "BK" area and email addresses at example.com. Deterministic: a seeded generator,
// so every demo database is the same.
import type { DemoPersonForAssessment } from './assessments.js';
import type { Tx } from '../../platform/db/database.js';
import { nhsCheckDigit } from '../../platform/nhs-number.js';

export interface DemoContext {
  partnershipId: string;
  orgs: { council: string; icb: string; nhs_trust: string };
  teams: { north: string; south: string };
  userIds: Record<string, string>;
}

/** mulberry32: a tiny seeded generator, good enough for demo variety. */
function generator(seed: number) {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  return { next, int, pick };
}

// Given and family names from many backgrounds, paired by hand so no pair is a well-known name.
const NAMES: readonly [string, string][] = [
  ['Jamie', 'Carter'],
  ['Amara', 'Okonkwo-Reed'],
  ['Tomasz', 'Wielgosz'],
  ['Bethan', 'Pryce-Llewellyn'],
  ['Imran', 'Chaudhry'],
  ['Niamh', 'Fennelly'],
  ['Kwame', 'Asante-Bright'],
  ['Harriet', 'Oakenshaw'],
  ['Deepa', 'Venkataraman'],
  ['Callum', 'Strachan'],
  ['Yasmin', 'El-Amrani'],
  ['Gareth', 'Thornbury'],
  ['Mei', 'Lindqvist-Chan'],
  ['Olusegun', 'Adeyemi'],
  ['Rosalind', 'Hartcliffe'],
  ['Aleksandra', 'Nowicka'],
  ['Declan', 'Moriarty-Shaw'],
  ['Farida', 'Hussain'],
  ['Winston', 'Campbell-Pryor'],
  ['Saoirse', 'Dunleavy'],
  ['Ravi', 'Pillai'],
  ['Edith', 'Marchbank'],
  ['Ji-woo', 'Park'],
  ['Terence', 'Whitlock'],
  ['Ayesha', 'Begum'],
  ['Lukas', 'Brandauer'],
  ['Chidinma', 'Eze'],
  ['Rhys', 'Ap Gwilym'],
  ['Sunita', 'Ramgoolam'],
  ['Florin', 'Dumitrescu'],
  ['Maureen', 'Gallacher'],
  ['Tariq', 'Mahmood'],
  ['Keisha', 'Braithwaite'],
  ['Piotr', 'Zielinski'],
  ['Georgina', 'Ashcombe'],
  ['Abdi', 'Warsame'],
  ['Lorna', 'McCorquodale'],
  ['Hamza', 'Qureshi'],
  ['Ffion', 'Haverfield'],
  ['Desmond', 'Okafor-Lyle'],
  ['Priyanka', 'Desai'],
  ['Stanley', 'Pembridge'],
  ['Zofia', 'Kaminska'],
  ['Oisin', 'Breathnach'],
  ['Marcia', 'Lindo'],
  ['Arjun', 'Sandhu'],
  ['Eleanor', 'Quarrington'],
  ['Kofi', 'Mensah-Hollis'],
  ['Shirin', 'Farahani'],
  ['Bernard', 'Tillotson'],
];

const STREETS = [
  'Heather Lane',
  'Mill Race Road',
  'Brackenside Close',
  'Cobbler’s Row',
  'Larkhill Avenue',
  'Fennel Street',
  'Old Tannery Yard',
  'Willowmere Drive',
  'Station Approach',
  'Kestrel Court',
];
const TOWNS = ['Brackenford', 'Millbrook', 'Eastwell', 'Thornby', 'Ashcombe Vale'];
const INWARD_LETTERS = [
  'A',
  'B',
  'D',
  'E',
  'F',
  'G',
  'H',
  'J',
  'L',
  'N',
  'P',
  'Q',
  'R',
  'S',
  'T',
  'U',
  'W',
  'X',
  'Y',
  'Z',
];
const OTHER_REASONS = [
  'Social Support: Substance misuse support',
  'Support with Memory & Cognition',
  'Learning Disability Support',
  'Social Support: Support for Social Isolation/Other',
  'Physical Support: Personal care support',
] as const;
const COMMUNICATION_NEEDS: Record<number, string> = {
  2: 'Polish interpreter for meetings; written information in Polish please',
  8: 'Tamil interpreter, female interpreter preferred',
  12: 'Easy read information',
  19: 'British Sign Language interpreter',
  26: 'Igbo interpreter for assessments',
  33: 'Large print, and phone calls rather than letters',
  41: 'Easy read information, and extra time in meetings',
  45: 'Prefers text messages to phone calls',
};
// People entitled to section 117 after-care: index → [section, discharge date].
const S117: Record<number, [string, string]> = {
  3: ['3', '2023-09-14'],
  6: ['37', '2021-03-02'],
  11: ['3', '2024-11-28'],
  17: ['3', '2025-06-10'],
  21: ['37', '2019-12-05'],
  27: ['3', '2022-07-19'],
  31: ['3', '2025-02-21'],
  38: ['37', '2024-04-30'],
  44: ['3', '2026-03-16'],
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Creates the demo people; returns them in order, for the demo assessments. */
export async function seedDemoPeople(tx: Tx, ctx: DemoContext): Promise<DemoPersonForAssessment[]> {
  const rng = generator(20_260_401);
  const sam = ctx.userIds['coordinator@demo.pooled.test'] ?? null;
  const priya = ctx.userIds['coordinator2@demo.pooled.test'] ?? null;
  const usedNhs = new Set<string>();
  const nhsNumber = (): string => {
    for (;;) {
      const nine = `999${pad(rng.int(0, 999_999), 6)}`;
      const check = nhsCheckDigit(nine);
      const n = `${nine}${check ?? ''}`;
      if (check !== undefined && !usedNhs.has(n)) {
        usedNhs.add(n);
        return n;
      }
    }
  };

  const rows = NAMES.map(([given, family], i) => {
    // 0–14: Sam's caseload (north, NHS-led); 15–29: Priya's (south, council-led);
    // 30–49: waiting for a coordinator, in either team.
    const coordinator = i < 15 ? sam : i < 30 ? priya : null;
    const team =
      i < 15
        ? ctx.teams.north
        : i < 30
          ? ctx.teams.south
          : i % 2
            ? ctx.teams.north
            : ctx.teams.south;
    const lead =
      i < 15
        ? ctx.orgs.nhs_trust
        : i < 30
          ? ctx.orgs.council
          : i % 3
            ? ctx.orgs.nhs_trust
            : ctx.orgs.council;
    const dob = `${rng.int(1941, 2006)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
    const reason = i % 6 === 5 ? rng.pick(OTHER_REASONS) : 'Mental Health Support';
    const s117 = S117[i];
    const postcode = `BK${rng.int(1, 19)} ${rng.int(1, 9)}${rng.pick(INWARD_LETTERS)}${rng.pick(INWARD_LETTERS)}`;
    return {
      partnership_id: ctx.partnershipId,
      given_name: given,
      family_name: family,
      preferred_name: i === 9 ? 'Cal' : i === 24 ? 'Ash' : null,
      date_of_birth: dob,
      nhs_number: i % 10 < 7 ? nhsNumber() : null,
      council_person_id: i % 5 < 3 ? `BCC${pad(100_000 + i * 37, 6)}` : null,
      address_line1: `${rng.int(1, 120)} ${rng.pick(STREETS)}`,
      address_line2: i % 7 === 0 ? `Flat ${rng.int(1, 12)}` : null,
      town: rng.pick(TOWNS),
      postcode,
      phone:
        i % 4 === 3 ? `01632 960${pad(rng.int(0, 999), 3)}` : `07700 900${pad(rng.int(0, 999), 3)}`,
      email: i % 3 === 0 ? `${given.toLowerCase().replace(/[^a-z]/g, '')}.${i}@example.com` : null,
      communication_needs: COMMUNICATION_NEEDS[i] ?? null,
      primary_support_reason: reason,
      s117_section: s117?.[0] ?? null,
      s117_discharge_date: s117?.[1] ?? null,
      care_coordinator_id: coordinator,
      team_id: team,
      lead_organisation_id: lead,
    };
  });
  const people = await tx
    .insertInto('people')
    .values(rows)
    .returning(['id', 'care_coordinator_id'])
    .execute();
  const id = (i: number): string => {
    const p = people[i];
    if (!p) throw new Error(`demo person ${i} missing`);
    return p.id;
  };
  const recorder = (i: number) => people[i]?.care_coordinator_id ?? sam ?? priya ?? '';

  // Consent to share for most people; a few have none; one has withdrawn theirs.
  const consents = people
    .map((_, i) => i)
    .filter((i) => i % 9 !== 4)
    .map((i) => ({
      partnership_id: ctx.partnershipId,
      person_id: id(i),
      scope: i % 8 === 7 ? ('assessment_and_planning' as const) : ('full_record' as const),
      given_on: `20${rng.int(23, 25)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`,
      how_given: rng.pick(['verbal', 'written', 'written', 'electronic'] as const),
      given_by: 'the person',
      notes: null,
      recorded_by: recorder(i),
      withdrawn_on: i === 5 ? '2026-01-15' : null,
      withdrawal_reason: i === 5 ? 'Does not want the council to see health notes for now' : null,
      withdrawn_recorded_by: i === 5 ? recorder(i) : null,
    }));
  await tx.insertInto('consents').values(consents).execute();

  const reps = [
    {
      i: 0,
      name: 'Pat Carter',
      relationship: 'Parent',
      kind: 'representative' as const,
      userId: ctx.userIds['representative@demo.pooled.test'] ?? null,
    },
    {
      i: 7,
      name: 'Miriam Oakenshaw',
      relationship: 'Sister',
      kind: 'nominee' as const,
      userId: null,
    },
    {
      i: 14,
      name: 'Brackenshire Advocacy Project',
      relationship: 'Independent advocate',
      kind: 'advocate' as const,
      userId: null,
    },
    {
      i: 22,
      name: 'Colin Marchbank',
      relationship: 'Son',
      kind: 'attorney' as const,
      userId: null,
    },
    {
      i: 33,
      name: 'Ewa Zielinska',
      relationship: 'Partner',
      kind: 'representative' as const,
      userId: null,
    },
  ];
  await tx
    .insertInto('person_representatives')
    .values(
      reps.map((r) => ({
        partnership_id: ctx.partnershipId,
        person_id: id(r.i),
        user_id: r.userId,
        name: r.name,
        relationship: r.relationship,
        kind: r.kind,
        phone: `07700 900${pad(100 + r.i, 3)}`,
        email: null,
      })),
    )
    .execute();

  // The council finance officer and the broker are on a few care teams (the finance officer on
  // those of the direct payments whose cards and bank accounts she records).
  const finance = ctx.userIds['finance@demo.pooled.test'];
  const broker = ctx.userIds['broker@demo.pooled.test'];
  const careTeam = [
    ...(finance
      ? [0, 1, 2, 10, 15, 16, 20].map((i) => ({ i, userId: finance, role: 'Finance officer' }))
      : []),
    ...(broker ? [0, 3, 18].map((i) => ({ i, userId: broker, role: 'Support broker' })) : []),
  ];
  if (careTeam.length > 0)
    await tx
      .insertInto('care_team_members')
      .values(
        careTeam.map((m) => ({
          partnership_id: ctx.partnershipId,
          person_id: id(m.i),
          user_id: m.userId,
          role_on_team: m.role,
          added_by: recorder(m.i) || null,
        })),
      )
      .execute();
  return people.map((p, index) => ({
    id: p.id,
    index,
    coordinatorId: p.care_coordinator_id,
    s117: S117[index],
  }));
}

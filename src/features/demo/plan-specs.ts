// The demo's support plans as data: whose plan, who writes and signs it off and when, how
// each funding stream is held, the outcomes in the person's own words, the items (costed as
// shares of the person's indicative budget, so every plan fits the budget the real rules gave),
// the crisis plan, risks and baseline measures. Everything is invented.
import type { HoldingOption, PlanItemCategory } from '../planning/index.js';

const SAM = 'coordinator@demo.pooled.test';
const PRIYA = 'coordinator2@demo.pooled.test';
const MORGAN = 'manager@demo.pooled.test';
export const DEMO_FINANCE = 'finance@demo.pooled.test';
export const DEMO_FINANCE_2 = 'finance2@demo.pooled.test';

export type Level = 1 | 2 | 3 | 4 | 5;

export interface ItemSpec {
  id: string;
  what: string;
  details?: string;
  category: PlanItemCategory;
  provider: { kind: 'provider' | 'personal_assistant'; name: string };
  /** Cost as a share of the indicative weekly budget (once, as a share of the annual, for 'once'). */
  share: number;
  frequency: 'weekly' | 'once';
  body: 'council' | 'nhs';
  outcomeIds: string[];
}

export interface PlanSpec {
  index: number;
  author: string;
  /** Who signs it off; none: the plan waits for sign-off. */
  approver: string | null;
  /** Days before the seed day the plan was submitted (and signed off, when it was). */
  daysAgo: number;
  /** Days from the seed day the support starts (negative: in the past). */
  startsIn: number;
  holdings: Partial<Record<'council' | 'nhs', HoldingOption>>;
  outcomes: { id: string; text: string; needIds: string[] }[];
  items: ItemSpec[];
  crisis: { whoToCall: string; whatToDo: string; setAsideShare: number };
  risk?: {
    risk: string;
    whatCouldHappen: string;
    personsView: string;
    approach: string;
    positive?: { decision: string; benefits: string };
  };
  overBudgetJustification?: string;
  /** Weekly contribution from a financial assessment, as a share of the weekly budget. */
  contributionShare?: number;
  /** Baseline outcome measures on the day of sign-off. */
  baseline?: { swemwbs: Level[]; eq5d: [Level, Level, Level, Level, Level, number] };
}

const pa = (name: string) => ({ kind: 'personal_assistant' as const, name });
const provider = (name: string) => ({ kind: 'provider' as const, name });

/**
 * The demo's plans. Indices are demo people with a completed assessment (assessments.ts):
 * 2 (Tomasz), 10 (Yasmin), 6 (Kwame, section 117 after-care) and 8 (Deepa) are on Sam's
 * caseload (north); 16 (Declan), 18 (Winston), 20 (Ravi) and 22 (Ji-woo) on Priya's (south).
 */
export const DEMO_PLANS: readonly PlanSpec[] = [
  {
    index: 2,
    author: SAM,
    approver: MORGAN,
    daysAgo: 52, // the first review, 6 to 8 weeks after sign-off, is due within days
    startsIn: -50,
    holdings: { council: 'direct_payment', nhs: 'managed' },
    outcomes: [
      {
        id: 'swim',
        text: 'I want to go swimming twice a week again and feel fit',
        needIds: ['community_services'],
      },
      {
        id: 'flat',
        text: 'I want to keep my flat tidy so I am not ashamed to have friends round',
        needIds: ['habitable_home', 'relationships'],
      },
      {
        id: 'talk',
        text: 'I want someone to talk to who understands, in Polish if possible',
        needIds: ['relationships'],
      },
    ],
    items: [
      {
        id: 'pa-home',
        what: 'Personal assistant, 6 hours a week, help at home and going out',
        category: 'personal_assistant',
        provider: pa('Marta Kowal'),
        share: 0.35,
        frequency: 'weekly',
        body: 'council',
        outcomeIds: ['flat', 'swim'],
      },
      {
        id: 'swimming',
        what: 'Swimming at Millbrook Leisure Centre, twice a week',
        category: 'leisure',
        provider: provider('Millbrook Leisure Centre'),
        share: 0.06,
        frequency: 'weekly',
        body: 'council',
        outcomeIds: ['swim'],
      },
      {
        id: 'counselling',
        what: 'Counselling in Polish, weekly',
        category: 'therapy',
        provider: provider('Brackenford Talking Therapies'),
        share: 0.3,
        frequency: 'weekly',
        body: 'nhs',
        outcomeIds: ['talk'],
      },
    ],
    crisis: {
      whoToCall:
        'The North CMHT duty worker on 01632 960 100; out of hours the crisis line 0800 000 0000',
      whatToDo:
        'If I stop answering the phone for two days, Marta calls the duty worker. I would like to stay at home with more visits rather than go to hospital.',
      setAsideShare: 0.02,
    },
    risk: {
      risk: 'Going swimming on my own by bus',
      whatCouldHappen: 'I could get anxious on a crowded bus and turn back, or have a panic attack',
      personsView: 'I used to go on my own and I want to again. I know the signs and what helps.',
      approach: 'Marta comes the first few times, then Tomasz goes alone and texts her when home.',
      positive: {
        decision: 'Tomasz will travel to the pool alone after the first month',
        benefits: 'Independence and confidence, and swimming is what helps him most',
      },
    },
    baseline: { swemwbs: [2, 2, 1, 3, 2, 2, 3], eq5d: [1, 1, 2, 2, 4, 45] },
  },
  {
    index: 10,
    author: SAM,
    approver: MORGAN,
    daysAgo: 80, // the first review is overdue
    startsIn: -77,
    holdings: { council: 'managed', nhs: 'direct_payment' },
    outcomes: [
      {
        id: 'work',
        text: 'I want to get back to work, even a few hours a week',
        needIds: ['work_education_volunteering'],
      },
      {
        id: 'peers',
        text: 'I want to meet people who have been through it too',
        needIds: ['relationships'],
      },
    ],
    items: [
      {
        id: 'job-coach',
        what: 'Supported employment: a job coach, weekly',
        category: 'employment_support',
        provider: provider('Brackenshire Works'),
        share: 0.3,
        frequency: 'weekly',
        body: 'council',
        outcomeIds: ['work'],
      },
      {
        id: 'peer-group',
        what: 'Peer support group and recovery college courses',
        category: 'peer_support',
        provider: provider('Eastwell Recovery College'),
        share: 0.2,
        frequency: 'weekly',
        body: 'nhs',
        outcomeIds: ['peers'],
      },
      {
        id: 'travel',
        what: 'Bus fares to the group and to work',
        category: 'transport',
        provider: provider('Brackenshire Buses'),
        share: 0.08,
        frequency: 'weekly',
        body: 'nhs',
        outcomeIds: ['work', 'peers'],
      },
    ],
    crisis: {
      whoToCall: 'My sister, then the North CMHT on 01632 960 100',
      whatToDo:
        'Yasmin stops the job hours for a week and the coach tells the employer, as agreed.',
      setAsideShare: 0,
    },
    risk: {
      risk: 'Stress from starting work',
      whatCouldHappen: 'Yasmin could become unwell again if work is too much too soon',
      personsView: 'Not working is worse for me. I want to try, slowly.',
      approach: 'Start with 4 hours a week and review with the job coach every month',
      positive: {
        decision: 'Yasmin will start paid work of 4 hours a week',
        benefits: 'Work gives structure, money and self-respect',
      },
    },
  },
  {
    index: 6,
    author: SAM,
    approver: MORGAN,
    daysAgo: 35,
    startsIn: -28,
    holdings: { council: 'managed', nhs: 'managed' },
    outcomes: [
      {
        id: 'settle',
        text: 'I want to settle into my new flat and not end up back in hospital',
        needIds: ['habitable_home', 'home_safety'],
      },
      {
        id: 'cook',
        text: 'I want to learn to cook proper meals for myself',
        needIds: ['nutrition'],
      },
      {
        id: 'allotment',
        text: 'I want to be outdoors doing something useful',
        needIds: ['community_services'],
      },
    ],
    items: [
      {
        id: 'support',
        what: 'Support worker visits, 3 times a week',
        category: 'agency_support',
        provider: provider('Kestrel Community Support'),
        share: 0.45,
        frequency: 'weekly',
        body: 'council',
        outcomeIds: ['settle', 'cook'],
      },
      {
        id: 'allotment',
        what: 'Community allotment project, two days a week',
        category: 'day_or_community_activity',
        provider: provider('Thornby Growing Together'),
        share: 0.2,
        frequency: 'weekly',
        body: 'nhs',
        outcomeIds: ['allotment'],
      },
    ],
    crisis: {
      whoToCall: 'The North CMHT duty worker on 01632 960 100',
      whatToDo:
        'Kestrel staff call the duty worker if Kwame misses two visits. He has asked for his sister to be told.',
      setAsideShare: 0.03,
    },
    baseline: { swemwbs: [3, 2, 2, 2, 3, 2, 2], eq5d: [1, 2, 2, 1, 3, 60] },
  },
  {
    index: 16,
    author: PRIYA,
    approver: PRIYA,
    daysAgo: 40,
    startsIn: -35,
    holdings: { council: 'direct_payment' },
    contributionShare: 0.1,
    outcomes: [
      {
        id: 'son',
        text: 'I want to be a good dad and take my son to football',
        needIds: ['caring_for_a_child', 'relationships'],
      },
      {
        id: 'morning',
        text: 'I want help to get going in the mornings',
        needIds: ['personal_hygiene', 'nutrition'],
      },
    ],
    items: [
      {
        id: 'pa-mornings',
        what: 'Personal assistant, three mornings a week',
        category: 'personal_assistant',
        provider: pa('Gary Holt'),
        share: 0.4,
        frequency: 'weekly',
        body: 'council',
        outcomeIds: ['morning'],
      },
      {
        id: 'bus',
        what: 'Bus fares to football on Saturdays',
        category: 'transport',
        provider: provider('Brackenshire Buses'),
        share: 0.05,
        frequency: 'weekly',
        body: 'council',
        outcomeIds: ['son'],
      },
    ],
    crisis: {
      whoToCall: 'South CMHT on 01632 960 200; my mum for my son',
      whatToDo: 'My mum has my son if I am unwell. Gary knows to call the team.',
      setAsideShare: 0,
    },
    baseline: { swemwbs: [2, 3, 2, 2, 2, 3, 3], eq5d: [1, 1, 2, 1, 3, 55] },
  },
  {
    index: 18,
    author: PRIYA,
    approver: PRIYA,
    daysAgo: 20,
    startsIn: -14,
    holdings: { council: 'managed', nhs: 'managed' },
    outcomes: [
      {
        id: 'music',
        text: 'I would like to play in a band again',
        needIds: ['community_services', 'relationships'],
      },
      {
        id: 'sleep',
        text: 'I want fewer crises and to sleep through the night',
        needIds: ['home_safety'],
      },
    ],
    items: [
      {
        id: 'music-group',
        what: 'Community music group, weekly',
        category: 'day_or_community_activity',
        provider: provider('Ashcombe Vale Music Collective'),
        share: 0.12,
        frequency: 'weekly',
        body: 'council',
        outcomeIds: ['music'],
      },
      {
        id: 'cbt',
        what: 'CBT for sleep, weekly for 12 weeks',
        category: 'therapy',
        provider: provider('Brackenford Talking Therapies'),
        share: 0.25,
        frequency: 'weekly',
        body: 'nhs',
        outcomeIds: ['sleep'],
      },
    ],
    crisis: {
      whoToCall: 'South CMHT on 01632 960 200',
      whatToDo: 'Winston would like a phone call first, then a visit.',
      setAsideShare: 0,
    },
  },
  {
    index: 20,
    author: PRIYA,
    approver: PRIYA,
    daysAgo: 5,
    startsIn: 7, // the first payment is in the payment run waiting for approval
    holdings: { council: 'direct_payment' },
    outcomes: [
      {
        id: 'course',
        text: 'I would like to finish my college course',
        needIds: ['work_education_volunteering'],
      },
    ],
    items: [
      {
        id: 'pa-study',
        what: 'Personal assistant, 4 hours a week, study support',
        category: 'personal_assistant',
        provider: pa('Leah Brennan'),
        share: 0.3,
        frequency: 'weekly',
        body: 'council',
        outcomeIds: ['course'],
      },
      {
        id: 'laptop',
        what: 'A laptop for coursework',
        category: 'equipment',
        provider: provider('Thornby Computers'),
        share: 0.04,
        frequency: 'once',
        body: 'council',
        outcomeIds: ['course'],
      },
    ],
    crisis: {
      whoToCall: 'South CMHT on 01632 960 200',
      whatToDo: 'Ravi emails his tutor to pause the course; Leah lets the team know.',
      setAsideShare: 0,
    },
  },
  {
    // Over the indicative budget: waiting for the team manager.
    index: 8,
    author: SAM,
    approver: null,
    daysAgo: 3,
    startsIn: 14,
    holdings: { council: 'direct_payment', nhs: 'managed' },
    overBudgetJustification:
      'Deepa needs a female Tamil-speaking personal assistant; the only one available charges more than the usual rate.',
    outcomes: [
      {
        id: 'temple',
        text: 'I want to go to the temple and see my friends there again',
        needIds: ['community_services', 'relationships'],
      },
      {
        id: 'meals',
        text: 'I want to eat properly, not just toast',
        needIds: ['nutrition'],
      },
    ],
    items: [
      {
        id: 'pa-tamil',
        what: 'Tamil-speaking personal assistant, 10 hours a week',
        category: 'personal_assistant',
        provider: pa('Kavitha Raj'),
        share: 0.85,
        frequency: 'weekly',
        body: 'council',
        outcomeIds: ['temple', 'meals'],
      },
      {
        id: 'therapy',
        what: 'Psychotherapy, fortnightly',
        category: 'therapy',
        provider: provider('Brackenford Talking Therapies'),
        share: 0.3,
        frequency: 'weekly',
        body: 'nhs',
        outcomeIds: ['temple'],
      },
    ],
    crisis: {
      whoToCall: 'North CMHT on 01632 960 100, with a Tamil interpreter',
      whatToDo: 'Kavitha calls the team if Deepa has not eaten for two days.',
      setAsideShare: 0,
    },
  },
  {
    // Within budget: waiting for the care coordinator.
    index: 22,
    author: PRIYA,
    approver: null,
    daysAgo: 2,
    startsIn: 21,
    holdings: { council: 'direct_payment' },
    outcomes: [
      {
        id: 'garden',
        text: 'I want to keep my garden going, it is where I feel calm',
        needIds: ['habitable_home'],
      },
    ],
    items: [
      {
        id: 'gardener',
        what: 'Help in the garden, every other week',
        category: 'other',
        provider: provider('Millbrook Garden Helpers'),
        share: 0.15,
        frequency: 'weekly',
        body: 'council',
        outcomeIds: ['garden'],
      },
    ],
    crisis: {
      whoToCall: 'South CMHT on 01632 960 200',
      whatToDo: 'Ji-woo would like her neighbour told; the team visits the same day.',
      setAsideShare: 0,
    },
  },
];

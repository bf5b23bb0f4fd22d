// A sensible default RAS for adult mental health, written by us for the demo partnership
// (issue 3 point 6). Twelve questions; each answer's points grow with the support needed.
// At £350 a point, 5 % contingency held back for overrides, the indicative annual budget runs
// from the £1,000 minimum to £33,600 (96 points), capped at £60,000. Split 60 % social care,
// 40 % NHS personal health budget.
import type { RasVersionInput } from './rules.ts';

type Level = readonly [id: string, text: string, points: number];

const LEVELS = (none: string, some: string, lots: string, all: string): Level[] => [
  ['none', none, 0],
  ['some', some, 2],
  ['lots', lots, 5],
  ['all', all, 8],
];

function question(id: string, text: string, levels: readonly Level[]) {
  return {
    id,
    text,
    answers: levels.map(([answerId, answerText, points]) => ({
      id: answerId,
      text: answerText,
      points,
    })),
  };
}

export const DEMO_RAS: RasVersionInput = {
  id: 'demo-adult-mental-health-v1',
  name: 'Adult mental health RAS (demo)',
  effectiveFrom: '2026-04-01',
  questions: [
    question(
      'personal-care',
      'Looking after yourself: washing, dressing and keeping clean',
      LEVELS(
        'I manage this myself',
        'I need reminding or encouraging sometimes',
        'I need someone with me most days',
        'I need someone to help me every day',
      ),
    ),
    question(
      'medication',
      'Managing your medication',
      LEVELS(
        'I manage my medication myself',
        'I need reminders to take it',
        'Someone needs to give it to me or watch me take it',
        'I need help several times a day and my health is at risk without it',
      ),
    ),
    question(
      'eating',
      'Eating and drinking enough',
      LEVELS(
        'I eat and drink well on my own',
        'I need prompting to eat regular meals',
        'I need help to shop and cook most days',
        'I need someone to make sure I eat every day',
      ),
    ),
    question(
      'daily-routine',
      'Keeping a daily routine: getting up, going to bed, planning your day',
      LEVELS(
        'I keep a routine myself',
        'I need some help to plan my week',
        'I need help to get going most days',
        'I cannot keep any routine without help every day',
      ),
    ),
    question(
      'keeping-safe',
      'Keeping yourself safe',
      LEVELS(
        'I keep myself safe',
        'I sometimes need support when things are hard',
        'I am often at risk and need regular checks',
        'I am at risk most of the time and need someone nearby',
      ),
    ),
    question(
      'relationships',
      'Keeping in touch with family and friends',
      LEVELS(
        'I keep in touch as I want to',
        'I need some encouragement',
        'I need help to stay in touch',
        'I have lost touch and need a lot of support to reconnect',
      ),
    ),
    question(
      'work-learning',
      'Work, learning or volunteering',
      LEVELS(
        'I do this without support',
        'I need some support to keep going',
        'I need regular support to take part',
        'I need support to start at all',
      ),
    ),
    question(
      'community',
      'Getting out and using local places, like shops, transport and leisure',
      LEVELS(
        'I go out on my own',
        'I need someone with me sometimes',
        'I need someone with me most times',
        'I cannot go out without someone with me',
      ),
    ),
    question(
      'money',
      'Managing money and bills',
      LEVELS(
        'I manage my money myself',
        'I need help with letters and bills sometimes',
        'I need regular help to budget',
        'Someone needs to manage my money with me',
      ),
    ),
    question(
      'accommodation',
      'Keeping your home',
      LEVELS(
        'My home is settled and I look after it',
        'I need some help with cleaning or repairs',
        'My tenancy is at risk without regular help',
        'I have no settled home or am about to lose it',
      ),
    ),
    question('crisis', 'How often you reach a crisis', [
      ['none', 'Not in the last year', 0],
      ['once', 'Once in the last year', 3],
      ['several', 'Two to four times in the last year', 6],
      ['often', 'More than four times in the last year', 10],
    ]),
    question('carer', 'Support from family, friends or a carer', [
      ['lots', 'I get all the support I need from people close to me', 0],
      ['some', 'People close to me help with some things', 2],
      ['little', 'People close to me help a little, or are finding it hard', 4],
      ['none', 'I have no one to help me', 6],
    ]),
  ],
  pricing: { kind: 'pricePerPoint', pencePerPoint: 35_000 },
  fundingStreams: [
    { id: 'social-care', kind: 'socialCare', name: 'Council social care', shareBasisPoints: 6_000 },
    {
      id: 'nhs-phb',
      kind: 'nhsPersonalHealthBudget',
      name: 'NHS personal health budget',
      shareBasisPoints: 4_000,
    },
  ],
  contingency: { basisPoints: 500, mode: 'held' },
  section117: { nhsShareBasisPoints: 5_000 },
  minimumAnnualPence: 100_000,
  maximumAnnualPence: 6_000_000,
};

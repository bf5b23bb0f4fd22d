import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCivilDate } from '../../platform/dates.ts';
import {
  accessSentence,
  actorName,
  describeRole,
  londonDayEnd,
  londonDayStart,
  londonWhen,
} from './rules.ts';

test('London days start at local midnight, in winter and in summer', () => {
  const cases: [string, string, string][] = [
    ['2026-01-15', '2026-01-15T00:00:00.000Z', '2026-01-16T00:00:00.000Z'],
    ['2026-07-01', '2026-06-30T23:00:00.000Z', '2026-07-01T23:00:00.000Z'],
    ['2026-03-29', '2026-03-29T00:00:00.000Z', '2026-03-29T23:00:00.000Z'], // clocks go forward
    ['2026-10-25', '2026-10-24T23:00:00.000Z', '2026-10-26T00:00:00.000Z'], // clocks go back
    ['2026-12-31', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ];
  for (const [day, start, end] of cases) {
    assert.equal(londonDayStart(parseCivilDate(day)).toISOString(), start, day);
    assert.equal(londonDayEnd(parseCivilDate(day)).toISOString(), end, day);
  }
});

test('an access reads as a plain-English sentence in London time', () => {
  const cases: [Parameters<typeof accessSentence>[0], string][] = [
    [
      {
        at: new Date('2026-03-03T10:04:00Z'),
        who: 'Sam Okafor',
        role: 'care coordinator',
        action: 'read',
        recordType: 'person',
        reason: null,
      },
      'Sam Okafor (care coordinator) viewed the record on 3 March 2026 at 10:04',
    ],
    [
      {
        at: new Date('2026-07-03T10:04:00Z'),
        who: 'Morgan Ellis',
        role: 'team manager',
        action: 'update',
        recordType: 'consent',
        reason: null,
      },
      'Morgan Ellis (team manager) changed a consent record on 3 July 2026 at 11:04',
    ],
    [
      {
        at: new Date('2026-03-03T22:30:00Z'),
        who: 'Jo Mensah',
        role: 'broker',
        action: 'break_glass',
        recordType: 'person',
        reason: 'Crisis call overnight',
      },
      'Jo Mensah (broker) used emergency access to open the record on 3 March 2026 at 22:30. The reason given was: Crisis call overnight',
    ],
    [
      {
        at: new Date('2026-03-03T10:04:00Z'),
        who: 'The system "EPR"',
        role: undefined,
        action: 'create',
        recordType: 'person',
        reason: null,
      },
      'The system "EPR" created the record on 3 March 2026 at 10:04',
    ],
  ];
  for (const [entry, sentence] of cases) assert.equal(accessSentence(entry), sentence);
});

test('roles and actor names read naturally', () => {
  assert.equal(describeRole(['team_manager', 'care_coordinator']), 'care coordinator');
  assert.equal(describeRole(['partnership_admin']), 'partnership administrator');
  assert.equal(describeRole([]), undefined);
  assert.equal(actorName('Sam Okafor <sam@example.org>'), 'Sam Okafor');
  assert.equal(actorName('API client EPR'), 'API client EPR');
  assert.equal(londonWhen(new Date('2026-01-01T09:05:00Z')), '1 January 2026 at 09:05');
});

// Browser journeys about people: a coordinator adds a person (fixing a bad NHS number on the
// way), finds them and opens their record; a coordinator outside the care team is refused and
// gets emergency access by giving a reason. Axe checks every page visited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPerson } from '../support/factories.ts';
import { checkA11y } from './support/browser.ts';
import { CaseloadPage } from './support/caseload-page.ts';
import { startJourney, type Journey } from './support/journey.ts';
import {
  BreakGlassPage,
  PeopleSearchPage,
  PersonFormPage,
  PersonRecordPage,
  RefusedPage,
} from './support/people-pages.ts';
import { headingOf, SignInPage } from './support/sign-in-page.ts';
import { AccessLogPage, BreakGlassLogPage } from './support/oversight-pages.ts';

let journey: Journey;
before(async () => {
  journey = await startJourney('test/e2e/people.test.ts');
});
after(() => journey.close());

const path = (url: string) => new URL(url).pathname;

test('a coordinator adds a person, fixing a bad NHS number, then finds them and opens the record', async () => {
  const coordinator = await journey.user(['care_coordinator'], { name: 'Robin Ashworth' });
  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(coordinator.email, coordinator.password);

  const caseload = new CaseloadPage(page);
  assert.equal(path(page.url()), '/caseload');
  await caseload.check();
  assert.equal(await caseload.currentNavigationItem(), 'My caseload');
  assert.deepEqual(await caseload.people(), []);

  await caseload.addAPerson();
  assert.equal(path(page.url()), '/people/new');
  const form = new PersonFormPage(page);
  await form.check();

  // Typed markup must come back as text, never as HTML.
  const needs = 'Needs an interpreter (<b>Polish</b>) & easy read';
  await form.fill({
    givenName: 'Ffion',
    familyName: 'Pritchard-Oyelaran',
    dateOfBirth: { day: '7', month: '11', year: '1979' },
    nhsNumber: '943 476 5918', // the check digit should be 9
    postcode: 'ls1 4ap',
    communicationNeeds: needs,
  });
  await form.submit();

  assert.equal(path(page.url()), '/people/new', 'the same page comes back');
  assert.match(await page.title(), /^Error: /);
  const summary = await form.errorSummary().innerText();
  assert.match(summary, /There is a problem/);
  assert.match(summary, /Enter a valid NHS number: the last digit does not match the check/);
  assert.deepEqual(await form.values(), {
    givenName: 'Ffion',
    familyName: 'Pritchard-Oyelaran',
    day: '7',
    month: '11',
    year: '1979',
    nhsNumber: '943 476 5918',
    postcode: 'ls1 4ap',
    communicationNeeds: needs,
  });
  await form.check('Add a person with an error');
  await form
    .errorSummary()
    .getByRole('link', { name: /Enter a valid NHS number/ })
    .click();
  await page.locator('#nhsNumber:focus').waitFor();

  await form.setNhsNumber('943 476 5919');
  await form.submit();

  const record = new PersonRecordPage(page);
  const personId = record.personId();
  assert.equal(await headingOf(page), 'Ffion Pritchard-Oyelaran');
  await record.check();
  assert.equal(await record.detail('NHS number'), '943 476 5919');
  assert.equal(await record.detail('Date of birth'), '7 November 1979');
  assert.match(await record.detail('Address'), /LS1 4AP/);
  assert.equal(await record.detail('Communication needs'), needs);
  assert.equal(await record.detail('Care coordinator'), 'Robin Ashworth');
  assert.match(await record.whyYouCanSeeThis(), /You are their care coordinator/);

  // The person is now on the caseload.
  await caseload.open();
  assert.deepEqual(await caseload.people(), ['Pritchard-Oyelaran, Ffion']);

  // Find them by name and open the record from the results.
  await caseload.findAPerson();
  const search = new PeopleSearchPage(page);
  await checkA11y(page, 'Find a person');
  await search.searchByName('Pritchard-Oyelaran');
  const rows = await search.resultRows();
  assert.equal(rows.length, 1);
  assert.match(rows[0] ?? '', /943 476 5919/);
  await search.openResult('Pritchard-Oyelaran, Ffion');
  assert.equal(record.personId(), personId);
  await record.check('Person’s record, from search');

  // A search that finds no one says so.
  await search.open();
  await search.searchByName('Nobody-by-this-name');
  assert.match(await page.locator('main').innerText(), /No one found/);
});

test('a coordinator outside the care team is refused, then gets emergency access with a reason', async () => {
  const owner = await journey.user(['care_coordinator']);
  const person = await createPerson(journey.app.db, journey.partnership, {
    givenName: 'Noor',
    familyName: 'Haddad-Lindqvist',
    dateOfBirth: '1990-02-14',
    coordinatorId: owner.id,
  });
  const outsider = await journey.user(['care_coordinator'], {
    teamId: journey.partnership.otherTeamId,
    name: 'Kit Outside',
  });
  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(outsider.email, outsider.password);
  await new CaseloadPage(page).check();

  // Search shows the person, marked as emergency access only.
  const search = await new PeopleSearchPage(page).open();
  await search.searchByName('Haddad-Lindqvist');
  const rows = await search.resultRows();
  assert.equal(rows.length, 1);
  assert.match(rows[0] ?? '', /Emergency access only/);

  // Opening the record is refused, with the way to break glass.
  const refusal = page.waitForResponse((r) => path(r.url()) === `/people/${person.id}`);
  await search.openResult('Haddad-Lindqvist, Noor');
  assert.equal((await refusal).status(), 403);
  assert.equal(await headingOf(page), 'You do not have access to this');
  assert.doesNotMatch(await page.locator('main').innerText(), /14 February 1990/);
  const refused = new RefusedPage(page);
  await refused.check();
  await refused.followBreakGlassLink();
  assert.equal(path(page.url()), `/people/${person.id}/break-glass`);

  const breakGlass = new BreakGlassPage(page);
  await breakGlass.check();
  await breakGlass.giveReason('urgent');
  assert.match(await page.title(), /^Error: /);
  assert.ok((await breakGlass.errorSummary().innerText()).length > 0);
  assert.equal(
    await page.getByLabel('Why do you need to see this record now?').inputValue(),
    'urgent',
  );
  await breakGlass.check('Get emergency access with an error');

  const reason = 'Duty worker: Noor called in crisis and her coordinator is away';
  await breakGlass.giveReason(reason);
  const record = new PersonRecordPage(page);
  assert.equal(record.personId(), person.id);
  assert.equal(await headingOf(page), 'Noor Haddad-Lindqvist');
  assert.match(await record.whyYouCanSeeThis(), /Emergency \(break-glass\) access/);
  await record.check('Person’s record, by emergency access');

  const events = await journey.app.db.system
    .selectFrom('break_glass_events')
    .select(['reason', 'user_id'])
    .where('person_id', '=', person.id)
    .execute();
  assert.deepEqual(events, [{ reason, user_id: outsider.id }]);

  // The person's team manager sees the emergency access, with the reason, and reviews it.
  const manager = await journey.user(['team_manager'], { name: 'Mo Manager' });
  const managerPage = await journey.newPage();
  await (await new SignInPage(managerPage).open()).signIn(manager.email, manager.password);
  assert.equal(path(managerPage.url()), '/team');
  await checkA11y(managerPage, 'Team caseload');
  const log = await new BreakGlassLogPage(managerPage).open();
  const entry = await log.entryFor('Noor Haddad-Lindqvist').innerText();
  assert.match(entry, /Kit Outside/);
  assert.match(entry, new RegExp(reason));
  assert.match(entry, /Waiting for review/);
  await log.review('Noor Haddad-Lindqvist', 'Checked with Kit: a real crisis call.');
  assert.match(await log.entryFor('Noor Haddad-Lindqvist').innerText(), /Reviewed/);
  await log.check('Break-glass log, after a review');

  // And the person's access history names who looked, in plain English.
  const history = await new AccessLogPage(managerPage).open(person.id);
  assert.ok(
    (await history.entries()).some((line) => line.includes('Kit Outside')),
    'the access history names the person who broke glass',
  );
});

// Outcome measures pages (issue 4 point 8): record one instrument at a time (at baseline or at a
// review), see each instrument's measurements over time with the change from the baseline, and
// the short "Outcome measures" part of a person's page.
//
// Wording: the app configuration has no wording path yet, so the wording file
// config/questionnaires/demo-wording.json is read once when the routes are built and checked with
// the wording schema (start-up fails with the schema's messages if it is wrong). It is placeholder
// text, not the licensed questionnaires; pages say so and show each copyright line.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../../platform/http/app.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import { Invalid, type FieldError } from '../../platform/http/errors.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import { civilDateFromParts, todayInLondon, type CivilDate } from '../../platform/dates.js';
import type { Db } from '../../platform/db/database.js';
import type { PersonPanel } from '../people/index.js';
import {
  ASCOT_DOMAINS,
  ASCOT_LEVELS,
  EQ5D_DIMENSIONS,
  EQ5D_LEVELS,
  SWEMWBS_ITEMS,
  SWEMWBS_LEVELS,
  parseQuestionnaireWordingJson,
  type AscotDomain,
  type Eq5dDimension,
  type QuestionnaireWording,
} from './questionnaires.js';
import {
  ACCOMMODATION_STATUSES,
  EMPLOYMENT_STATUSES,
  formatHundredths,
  formatThousandths,
  type MeasureChanges,
  type MeasureScore,
  type NumberChange,
} from './rules.js';
import {
  createMeasuresService,
  isRecordedInstrument,
  RECORDED_INSTRUMENTS,
  type InstrumentHistory,
  type MeasuresService,
  type RecordedInstrument,
} from './service.js';

export interface RouteDeps {
  db: Db;
  now: () => Date;
}

const WORDING_FILE = new URL('../../../config/questionnaires/demo-wording.json', import.meta.url);

function loadWording(): QuestionnaireWording {
  const r = parseQuestionnaireWordingJson(readFileSync(WORDING_FILE, 'utf8'));
  if (!r.ok)
    throw new Error(`The questionnaire wording file is not valid: ${r.messages.join('; ')}`);
  return r.wording;
}

const ctxOf = (req: FastifyRequest): AuditContext => ({ principal: currentUser(req), ip: req.ip });
const param = (req: FastifyRequest, name: string): string =>
  (req.params as Record<string, string>)[name] ?? '';
const query = (req: FastifyRequest, name: string): string => {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim() : '';
};

/** Names of the instruments and their parts. These are the measures' public names, not wording. */
const INSTRUMENT_NAMES: Record<RecordedInstrument, string> = {
  swemwbs: 'Wellbeing (SWEMWBS)',
  eq5d5l: 'Health today (EQ-5D-5L)',
  ascot_sct4: 'Social care outcomes (ASCOT SCT4)',
  employment: 'Employment status',
  accommodation: 'Accommodation status',
};
const EQ5D_NAMES: Record<Eq5dDimension, string> = {
  MO: 'mobility',
  SC: 'self-care',
  UA: 'usual activities',
  PD: 'pain or discomfort',
  AD: 'anxiety or depression',
};
const ASCOT_NAMES: Record<AscotDomain, string> = {
  controlOverDailyLife: 'control over daily life',
  personalCleanlinessAndComfort: 'personal cleanliness and comfort',
  foodAndDrink: 'food and drink',
  personalSafety: 'personal safety',
  socialParticipation: 'social participation and involvement',
  occupation: 'occupation',
  accommodationCleanlinessAndComfort: 'accommodation cleanliness and comfort',
  dignity: 'dignity',
};

type FormValues = Record<string, string>;

interface Parsed {
  values: FormValues;
  errors: FieldError[];
  takenOn: CivilDate | null;
  answers: Record<string, unknown>;
}

const LEVEL_TEXT = /^[1-5]$/;

/** The posted form as answers by item id; every missing or bad answer is its own error. */
function parseForm(instrument: RecordedInstrument, body: unknown, today: CivilDate): Parsed {
  const values: FormValues = {};
  const errors: FieldError[] = [];
  const answers: Record<string, unknown> = {};
  const v = (name: string) => (values[name] = field(body, name));

  const [day, month, year] = ['day', 'month', 'year'].map((p) => v(`taken_on-${p}`));
  let takenOn: CivilDate | null = null;
  if (day === '' && month === '' && year === '') takenOn = today;
  else {
    takenOn = civilDateFromParts(day ?? '', month ?? '', year ?? '') ?? null;
    if (!takenOn)
      errors.push({
        field: 'taken_on',
        message: 'The date taken must be a real date, like 23 11 2026',
      });
  }
  v('review_id');

  switch (instrument) {
    case 'swemwbs':
      SWEMWBS_ITEMS.forEach((item, i) => {
        const a = v(item);
        if (LEVEL_TEXT.test(a)) answers[item] = Number(a);
        else
          errors.push({
            field: item,
            message: `Select an answer for statement ${String(i + 1)} of ${String(SWEMWBS_ITEMS.length)}`,
          });
      });
      break;
    case 'eq5d5l': {
      for (const d of EQ5D_DIMENSIONS) {
        const a = v(d);
        if (LEVEL_TEXT.test(a)) answers[d] = Number(a);
        else errors.push({ field: d, message: `Select a level for ${EQ5D_NAMES[d]}` });
      }
      const vas = v('vas');
      if (vas !== '') {
        if (/^\d{1,3}$/.test(vas) && Number(vas) <= 100) answers.vas = Number(vas);
        else
          errors.push({
            field: 'vas',
            message: 'The health score must be a whole number from 0 to 100, or left empty',
          });
      }
      break;
    }
    case 'ascot_sct4':
      for (const d of ASCOT_DOMAINS) {
        const a = v(d);
        if ((ASCOT_LEVELS as readonly string[]).includes(a)) answers[d] = a;
        else errors.push({ field: d, message: `Select an answer for ${ASCOT_NAMES[d]}` });
      }
      break;
    case 'employment':
    case 'accommodation': {
      const list: readonly string[] =
        instrument === 'employment' ? EMPLOYMENT_STATUSES : ACCOMMODATION_STATUSES;
      const a = v('status');
      if (list.includes(a)) answers.status = a;
      else
        errors.push({
          field: 'status',
          message: `Select the ${instrument === 'employment' ? 'employment' : 'accommodation'} status`,
        });
      break;
    }
  }
  return { values, errors, takenOn, answers };
}

// ---------------------------------------------------------------------------------------------
// Showing scores and changes as plain text

const NOT_COMPARABLE = 'Not comparable: one of the two measurements has no score';
const yesNoUnknown = (b: boolean | null) => (b === null ? 'not known' : b ? 'yes' : 'no');

/** A change as '+1.23 (from 17.43 to 18.66)'; `show` formats a value, signed or not. */
function numberChangeText(c: NumberChange, show: (n: number, signed: boolean) => string): string {
  if (c.change === null || c.from === null || c.to === null) return NOT_COMPARABLE;
  if (c.change === 0) return `No change (${show(c.to, false)})`;
  return `${show(c.change, true)} (from ${show(c.from, false)} to ${show(c.to, false)})`;
}

const hundredths = (n: number, signed: boolean) => formatHundredths(n, { signed });
const thousandths = (n: number, signed: boolean) => formatThousandths(n, { signed });
const whole = (n: number, signed: boolean) => (signed && n > 0 ? `+${String(n)}` : String(n));

/** Rows of [label, value] describing one measurement's score. */
function scoreRows(score: MeasureScore): [string, string][] {
  switch (score.instrument) {
    case 'swemwbs':
      return [
        [
          'Metric score (7 to 35)',
          score.metricHundredths === null ? 'No score' : formatHundredths(score.metricHundredths),
        ],
        ['Raw score', score.raw === null ? 'No score' : `${String(score.raw)} of 35`],
      ];
    case 'eq5d5l':
      return [
        ['Profile', score.profile ?? 'Incomplete'],
        [
          'Index, England value set',
          score.indexThousandths
            ? formatThousandths(score.indexThousandths.england2018)
            : 'No index',
        ],
        [
          'Index, NICE crosswalk to the UK 3L value set',
          score.indexThousandths
            ? formatThousandths(score.indexThousandths.ukCrosswalk)
            : 'No index',
        ],
        ['Health score (0 to 100)', score.vas === null ? 'Not given' : String(score.vas)],
      ];
    case 'ascot_sct4':
      return [['Score (0 to 24)', score.score === null ? 'No score' : String(score.score)]];
    case 'employment':
      return [
        ['Status', score.status],
        ['In paid work', yesNoUnknown(score.paid)],
      ];
    case 'accommodation':
      return [
        ['Status', score.status],
        ['Settled accommodation', yesNoUnknown(score.settled)],
      ];
    case 'goal_attainment':
      return [];
  }
}

function statusChangeText(from: string | null, to: string | null, changed: boolean | null) {
  if (changed === null) return NOT_COMPARABLE;
  return changed ? `Changed from “${from ?? ''}” to “${to ?? ''}”` : `No change (${to ?? ''})`;
}

/** Rows of [label, change] from the baseline to the latest. */
function changeRows(
  instrument: RecordedInstrument,
  changes: { england: MeasureChanges; crosswalk: MeasureChanges },
): [string, string][] {
  const e = changes.england;
  switch (instrument) {
    case 'swemwbs':
      return [['Metric score', numberChangeText(e.swemwbsMetricHundredths, hundredths)]];
    case 'eq5d5l':
      return [
        ['Index, England value set', numberChangeText(e.eq5dIndexThousandths, thousandths)],
        [
          'Index, NICE crosswalk',
          numberChangeText(changes.crosswalk.eq5dIndexThousandths, thousandths),
        ],
        ['Health score (0 to 100)', numberChangeText(e.eq5dVas, whole)],
      ];
    case 'ascot_sct4':
      return [['Score', numberChangeText(e.ascotScore, whole)]];
    case 'employment':
      return [
        ['Status', statusChangeText(e.employment.from, e.employment.to, e.employment.changed)],
      ];
    case 'accommodation':
      return [
        [
          'Status',
          statusChangeText(e.accommodation.from, e.accommodation.to, e.accommodation.changed),
        ],
      ];
  }
}

const summaryRows = (rows: [string, string][]) =>
  rows.map(([k, v]) => ({ key: { text: k }, value: { text: v } }));

/** One instrument's history as the pages show it. */
function describe(h: InstrumentHistory) {
  const latest = h.measurements.at(-1);
  return {
    instrument: h.instrument,
    name: INSTRUMENT_NAMES[h.instrument],
    count: h.measurements.length,
    measurements: h.measurements.map((m, i) => ({
      id: m.id,
      takenOn: m.takenOn,
      baseline: i === 0,
      atReview: m.reviewId !== null,
      rows: scoreRows(m.score),
    })),
    latest: latest ? { takenOn: latest.takenOn, rows: summaryRows(scoreRows(latest.score)) } : null,
    headline: latest
      ? scoreRows(latest.score)
          .slice(0, h.instrument === 'eq5d5l' ? 3 : 1)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; ')
      : null,
    changes: h.changes ? summaryRows(changeRows(h.instrument, h.changes)) : null,
    changeHeadline: h.changes ? (changeRows(h.instrument, h.changes)[0] ?? ['', ''])[1] : null,
  };
}

const mayRecord = (user: ReturnType<typeof currentUser>) =>
  user.roles.has('care_coordinator') || user.roles.has('team_manager');

// ---------------------------------------------------------------------------------------------

function formOptions(instrument: RecordedInstrument, wording: QuestionnaireWording) {
  switch (instrument) {
    case 'swemwbs':
      return {
        questions: SWEMWBS_ITEMS.map((item) => ({
          id: item,
          text: wording.swemwbs.items[item],
          items: SWEMWBS_LEVELS.map((l) => ({
            value: String(l),
            text: wording.swemwbs.responses[`${l}`],
          })),
        })),
      };
    case 'eq5d5l':
      return {
        questions: EQ5D_DIMENSIONS.map((d) => ({
          id: d,
          text: wording.eq5d5l.dimensions[d].question,
          items: EQ5D_LEVELS.map((l) => ({
            value: String(l),
            text: wording.eq5d5l.dimensions[d].levels[`${l}`],
          })),
        })),
      };
    case 'ascot_sct4':
      return {
        questions: ASCOT_DOMAINS.map((d) => ({
          id: d,
          text: wording.ascot_sct4.domains[d].question,
          items: ASCOT_LEVELS.map((l) => ({
            value: l,
            text: wording.ascot_sct4.domains[d].levels[l],
          })),
        })),
      };
    case 'employment':
      return { statuses: EMPLOYMENT_STATUSES };
    case 'accommodation':
      return { statuses: ACCOMMODATION_STATUSES };
  }
}

export function measureRoutes(deps: RouteDeps) {
  const service = createMeasuresService(deps);
  const wording = loadWording();

  return (app: FastifyInstance): void => {
    const renderForm = (
      reply: FastifyReply,
      page: {
        personId: string;
        personName: string;
        instrument: RecordedInstrument;
        values: FormValues;
        errors?: FieldError[];
        status?: number;
      },
    ) => {
      const questionnaire =
        page.instrument === 'swemwbs' ||
        page.instrument === 'eq5d5l' ||
        page.instrument === 'ascot_sct4'
          ? wording[page.instrument]
          : null;
      return reply.render(
        'measures/views/new.njk',
        {
          pageTitle: `Record ${INSTRUMENT_NAMES[page.instrument].toLowerCase()}`,
          personId: page.personId,
          personName: page.personName,
          instrument: page.instrument,
          instrumentName: INSTRUMENT_NAMES[page.instrument],
          questionnaire,
          notice: questionnaire && wording.placeholder ? wording.notice : null,
          vas: page.instrument === 'eq5d5l' ? wording.eq5d5l.vas : null,
          values: page.values,
          ...formOptions(page.instrument, wording),
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };

    app.get('/people/:id/measures/new', async (req, reply) => {
      const chosen = query(req, 'instrument');
      const instrument = isRecordedInstrument(chosen) ? chosen : null;
      const reviewId = query(req, 'review_id');
      const form = await service.forForm(ctxOf(req), param(req, 'id'), instrument);
      const personName = `${form.person.givenName} ${form.person.familyName}`;
      const review = form.reviewIds.includes(reviewId) ? reviewId : '';
      if (!instrument)
        return reply.render('measures/views/choose.njk', {
          pageTitle: 'Which outcome measure do you want to record?',
          personId: form.person.id,
          personName,
          instruments: RECORDED_INSTRUMENTS.map((i) => ({
            href: `/people/${form.person.id}/measures/new?instrument=${i}${review ? `&review_id=${review}` : ''}`,
            name: INSTRUMENT_NAMES[i],
          })),
        });
      const today = todayInLondon(deps.now());
      const [y, m, d] = today.split('-');
      return renderForm(reply, {
        personId: form.person.id,
        personName,
        instrument,
        values: {
          'taken_on-day': String(Number(d)),
          'taken_on-month': String(Number(m)),
          'taken_on-year': y ?? '',
          review_id: review,
        },
      });
    });

    app.post('/people/:id/measures/new', async (req, reply) => {
      const chosen = query(req, 'instrument') || field(req.body, 'instrument');
      if (!isRecordedInstrument(chosen))
        throw new Invalid([
          { field: 'instrument', message: 'Choose an outcome measure to record' },
        ]);
      const ctx = ctxOf(req);
      const personId = param(req, 'id');
      const form = await service.forForm(ctx, personId, chosen);
      const parsed = parseForm(chosen, req.body, todayInLondon(deps.now()));
      const again = (errors: FieldError[]) =>
        renderForm(reply, {
          personId: form.person.id,
          personName: `${form.person.givenName} ${form.person.familyName}`,
          instrument: chosen,
          values: parsed.values,
          errors,
          status: 400,
        });
      if (parsed.errors.length > 0 || !parsed.takenOn) return again(parsed.errors);
      const reviewId = parsed.values.review_id ?? '';
      try {
        await service.record(ctx, form.person.id, {
          instrument: chosen,
          takenOn: parsed.takenOn,
          reviewId: reviewId === '' ? null : reviewId,
          answers: parsed.answers,
        });
      } catch (error) {
        if (error instanceof Invalid) return again(error.errors);
        throw error;
      }
      return reply
        .flash(`${INSTRUMENT_NAMES[chosen]} recorded`)
        .redirect(`/people/${form.person.id}/measures`, 303);
    });

    app.get('/people/:id/measures', async (req, reply) => {
      const view = await service.history(ctxOf(req), param(req, 'id'));
      return reply.render('measures/views/history.njk', {
        pageTitle: `Outcome measures: ${view.person.givenName} ${view.person.familyName}`,
        personId: view.person.id,
        personName: `${view.person.givenName} ${view.person.familyName}`,
        instruments: view.instruments.map(describe),
        copyright: {
          swemwbs: wording.swemwbs.copyright,
          eq5d5l: wording.eq5d5l.copyright,
          ascot_sct4: wording.ascot_sct4.copyright,
        },
        mayRecord: mayRecord(currentUser(req)),
      });
    });
  };
}

/** The "Outcome measures" part of a person's page: the latest of each and the change. */
export function measuresPanel(deps: RouteDeps): PersonPanel {
  const service: MeasuresService = createMeasuresService(deps);
  return async (ctx, personId, user) => {
    if (user.roles.has('commissioner') && user.roles.size === 1) return null;
    const view = await service.history(ctx, personId, 'list');
    return {
      template: 'measures/views/_panel.njk',
      data: {
        instruments: view.instruments.filter((h) => h.measurements.length > 0).map(describe),
        mayRecord: mayRecord(user),
      },
    };
  };
}

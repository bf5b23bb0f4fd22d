// The administrator's RAS version form: posted fields (pounds, percentages, a date in three
// boxes, rows of bands and funding streams, and the questions in a simple line format) into a
// RAS version checked by the rules, and a version back into the form's values. Every mistake
// comes back as a message tied to the field it is about; the posted values are kept as typed.
import { civilDateFromParts } from '../../platform/dates.js';
import type { FieldError } from '../../platform/http/errors.js';
import { formatPounds, parsePounds, pence } from '../../platform/money.js';
import { FUNDING_STREAM_KINDS, rasVersionSchema, type RasVersion } from './rules.js';

export type FormValues = Record<string, string>;

export const STREAM_KIND_LABELS: Record<(typeof FUNDING_STREAM_KINDS)[number], string> = {
  socialCare: 'Social care',
  nhsPersonalHealthBudget: 'NHS personal health budget',
  section117: 'Section 117 after-care',
  other: 'Other',
};

const SIMPLE_FIELDS = [
  'code',
  'name',
  'effectiveFrom-day',
  'effectiveFrom-month',
  'effectiveFrom-year',
  'pricingKind',
  'pricePerPoint',
  'contingencyPercent',
  'contingencyMode',
  'minimum',
  'maximum',
  'section117NhsShare',
  'questions',
] as const;
const BAND_PARTS = ['from', 'to', 'amount'] as const;
const STREAM_PARTS = ['id', 'name', 'kind', 'share'] as const;
/** Rows beyond this are ignored: no partnership needs more. */
const MAX_ROWS = 40;
/** Empty rows offered after the filled ones, so a row can be added without JavaScript. */
const SPARE_ROWS = 2;

function text(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const v = (body as Record<string, unknown>)[name];
  const s: unknown = Array.isArray(v) ? (v as unknown[])[0] : v;
  // Keep line breaks in the questions; trim every other field.
  if (typeof s !== 'string') return '';
  return name === 'questions' ? s.replace(/\r\n?/g, '\n') : s.trim();
}

const rowKey = (kind: 'band' | 'stream', i: number, part: string) => `${kind}-${String(i)}-${part}`;

/** What was posted, kept as typed so the form can show it again. */
export function postedValues(body: unknown): FormValues {
  const values: FormValues = {};
  for (const f of SIMPLE_FIELDS) values[f] = text(body, f);
  for (let i = 0; i < MAX_ROWS; i++) {
    for (const p of BAND_PARTS) values[rowKey('band', i, p)] = text(body, rowKey('band', i, p));
    for (const p of STREAM_PARTS)
      values[rowKey('stream', i, p)] = text(body, rowKey('stream', i, p));
  }
  return values;
}

function rowFilled(values: FormValues, kind: 'band' | 'stream', i: number): boolean {
  const parts = kind === 'band' ? BAND_PARTS : STREAM_PARTS.filter((p) => p !== 'id');
  return parts.some((p) => (values[rowKey(kind, i, p)] ?? '') !== '');
}

function filledRows(values: FormValues, kind: 'band' | 'stream'): number[] {
  const rows: number[] = [];
  for (let i = 0; i < MAX_ROWS; i++) if (rowFilled(values, kind, i)) rows.push(i);
  return rows;
}

/**
 * The rows to draw: every row up to the last filled one, then spare empty rows (at least
 * `minimum` in all). With `more`, a few more spare rows (the "Add more rows" button).
 */
export function formRows(
  values: FormValues,
  kind: 'band' | 'stream',
  minimum: number,
  more = false,
): { index: number; number: number; values: Record<string, string> }[] {
  const filled = filledRows(values, kind);
  const last = filled.length > 0 ? (filled[filled.length - 1] ?? 0) + 1 : 0;
  const count = Math.min(
    MAX_ROWS,
    Math.max(minimum, last + SPARE_ROWS + (more ? SPARE_ROWS + 1 : 0)),
  );
  const parts = kind === 'band' ? BAND_PARTS : STREAM_PARTS;
  return Array.from({ length: count }, (_, index) => ({
    index,
    number: index + 1,
    values: Object.fromEntries(parts.map((p) => [p, values[rowKey(kind, index, p)] ?? ''])),
  }));
}

// ---------------------------------------------------------------------------------------------
// Reading the fields

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Pounds to pence; a negative amount is passed on for the rules to refuse in their words. */
function pounds(raw: string, what: string): Parsed<number> {
  const r = parsePounds(raw);
  if (r.ok) return { ok: true, value: r.value };
  if (r.problem === 'empty')
    return { ok: false, message: `Enter ${what} in pounds, like 350 or 1,250.50` };
  if (r.problem === 'not-money')
    return { ok: false, message: `Enter ${what} in pounds and pence, like 12.50` };
  return { ok: false, message: r.message.replace(/^Amount/, upperFirst(what)) };
}

/** '60', '60%', '12.5', '12.25 %' to basis points. */
function percent(raw: string, what: string): Parsed<number> {
  const s = raw.replace(/\s+/g, '');
  if (s === '') return { ok: false, message: `Enter ${what} as a percentage, like 60` };
  const m = /^([-−]?)(\d+)(?:\.(\d+))?%?$/.exec(s);
  if (!m) return { ok: false, message: `Enter ${what} as a percentage, like 60 or 12.5` };
  const fraction = m[3] ?? '';
  if (fraction.length > 2)
    return {
      ok: false,
      message: `${upperFirst(what)} must have no more than 2 numbers after the decimal point`,
    };
  const bp = Number(m[2]) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(bp)) return { ok: false, message: `${upperFirst(what)} is too large` };
  return { ok: true, value: m[1] === '' ? bp : -bp };
}

function wholeNumber(raw: string, what: string, example: string): Parsed<number> {
  const s = raw.replace(/\s+/g, '').replace(/^−/, '-');
  if (s === '') return { ok: false, message: `Enter ${what}, like ${example}` };
  if (!/^-?\d{1,9}$/.test(s))
    return { ok: false, message: `${upperFirst(what)} must be a whole number, like ${example}` };
  return { ok: true, value: Number(s) };
}

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s === '' ? 'stream' : s;
}

interface QuestionLines {
  questions: {
    id: string;
    text: string;
    answers: { id: string; text: string; points: number }[];
  }[];
  /** Line numbers (from 1): of each question, and of each of its answers. */
  lines: { line: number; answers: number[] }[];
  errors: string[];
}

/**
 * The questions in a line format an administrator can type and read:
 *
 *     medication | Managing your medication
 *     - none | I manage my medication myself | 0
 *     - some | I need reminders to take it | 2
 *
 * A question line is its id, a bar, then its text. An answer line starts with a hyphen, then
 * the answer's id, its text and its points, separated by bars. Blank lines are ignored.
 */
export function parseQuestionLines(source: string): QuestionLines {
  const out: QuestionLines = { questions: [], lines: [], errors: [] };
  const at = (n: number, message: string) =>
    out.errors.push(`Questions, line ${String(n)}: ${message}`);
  source.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('-')) {
      const parts = line.slice(1).split('|');
      const current = out.questions[out.questions.length - 1];
      if (!current) {
        at(n, 'an answer must come after its question. Put the question on the line before it');
        return;
      }
      if (parts.length < 3) {
        at(
          n,
          'an answer needs its id, its text and its points, separated by |, like "- some | I need reminders | 2"',
        );
        return;
      }
      const id = (parts[0] ?? '').trim();
      const points = (parts[parts.length - 1] ?? '').trim();
      const answerText = parts.slice(1, -1).join('|').trim();
      if (id === '') return void at(n, 'enter the answer’s id before the first |');
      if (answerText === '') return void at(n, `enter the text of answer "${id}"`);
      if (!/^-?\d{1,9}$/.test(points))
        return void at(n, `the points for answer "${id}" must be a whole number, like 2`);
      current.answers.push({ id, text: answerText, points: Number(points) });
      out.lines[out.lines.length - 1]?.answers.push(n);
      return;
    }
    const bar = line.indexOf('|');
    if (bar < 0) {
      at(
        n,
        'a question needs its id, a |, then its text, like "medication | Managing your medication". Start answer lines with a hyphen',
      );
      return;
    }
    const id = line.slice(0, bar).trim();
    const questionText = line.slice(bar + 1).trim();
    if (id === '') return void at(n, 'enter the question’s id before the |');
    if (questionText === '') return void at(n, `enter the text of question "${id}"`);
    out.questions.push({ id, text: questionText, answers: [] });
    out.lines.push({ line: n, answers: [] });
  });
  return out;
}

export function questionLines(version: Pick<RasVersion, 'questions'>): string {
  return version.questions
    .map((q) =>
      [
        `${q.id} | ${q.text}`,
        ...q.answers.map((a) => `- ${a.id} | ${a.text} | ${String(a.points)}`),
      ].join('\n'),
    )
    .join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// The whole form

export type RasFormResult = { ok: true; version: RasVersion } | { ok: false; errors: FieldError[] };

/**
 * Reads the posted form into a RAS version and checks it with the rules' schema. Fields that
 * cannot be read are reported in this form's words; the rest is checked by the rules, whose
 * messages (overlapping bands, a negative price, shares not adding up to 100 %) are kept as
 * they are and tied to the field they are about.
 */
export function parseRasForm(values: FormValues): RasFormResult {
  const errors: FieldError[] = [];
  const v = (k: string) => values[k] ?? '';
  const fail = (field: string, message: string) => {
    errors.push({ field, message });
    return undefined;
  };
  const read = <T>(field: string, r: Parsed<T>): T | undefined =>
    r.ok ? r.value : fail(field, r.message);

  const code =
    v('code') === '' ? fail('code', 'Enter an id for this version, like adult-mh-2027') : v('code');
  const name = v('name') === '' ? fail('name', 'Enter a name for this version') : v('name');

  const [day, month, year] = ['day', 'month', 'year'].map((p) => v(`effectiveFrom-${p}`));
  let effectiveFrom: string | undefined;
  if (day === '' && month === '' && year === '')
    fail('effectiveFrom', 'Enter the date this version takes effect');
  else {
    effectiveFrom = civilDateFromParts(day ?? '', month ?? '', year ?? '');
    if (!effectiveFrom)
      fail('effectiveFrom', 'The date it takes effect must be a real date, like 1 4 2027');
  }

  const bandRows = filledRows(values, 'band');
  let pricing: unknown;
  if (v('pricingKind') === 'pricePerPoint') {
    const p = read('pricePerPoint', pounds(v('pricePerPoint'), 'the price per point'));
    pricing = { kind: 'pricePerPoint', pencePerPoint: p };
  } else if (v('pricingKind') === 'bands') {
    const bands = bandRows.map((i) => {
      const label = `band ${String(i + 1)}`;
      const from = read(
        rowKey('band', i, 'from'),
        wholeNumber(v(rowKey('band', i, 'from')), `the points ${label} starts at`, '70'),
      );
      const toRaw = v(rowKey('band', i, 'to'));
      const to =
        toRaw === ''
          ? null
          : read(rowKey('band', i, 'to'), wholeNumber(toRaw, `the points ${label} ends at`, '115'));
      const amount = read(
        rowKey('band', i, 'amount'),
        pounds(v(rowKey('band', i, 'amount')), `the yearly amount for ${label}`),
      );
      return { fromPoints: from, toPoints: to, annualPence: amount };
    });
    pricing = { kind: 'bands', bands };
  } else fail('pricingKind', 'Select how points become pounds: a price per point or bands');

  const contingencyBp = read(
    'contingencyPercent',
    percent(v('contingencyPercent'), 'the contingency'),
  );
  const mode = v('contingencyMode');
  if (mode !== 'added' && mode !== 'held')
    fail('contingencyMode', 'Select whether the contingency is added to budgets or held back');
  const minimum = read('minimum', pounds(v('minimum'), 'the minimum'));
  const maximum = read('maximum', pounds(v('maximum'), 'the maximum'));
  const s117 = read(
    'section117NhsShare',
    percent(v('section117NhsShare'), 'the NHS share of section 117 after-care'),
  );

  const streamRows = filledRows(values, 'stream');
  const usedIds = new Set<string>();
  const names = new Map<string, number>();
  const fundingStreams = streamRows.map((i) => {
    const label = `funding stream ${String(i + 1)}`;
    const streamName = v(rowKey('stream', i, 'name'));
    if (streamName === '') fail(rowKey('stream', i, 'name'), `Enter the name of ${label}`);
    else {
      const before = names.get(streamName.toLowerCase());
      if (before !== undefined)
        fail(
          rowKey('stream', i, 'name'),
          `Funding streams ${String(before + 1)} and ${String(i + 1)} are both called "${streamName}": give each its own name`,
        );
      names.set(streamName.toLowerCase(), i);
    }
    const kind = v(rowKey('stream', i, 'kind'));
    if (!(FUNDING_STREAM_KINDS as readonly string[]).includes(kind))
      fail(rowKey('stream', i, 'kind'), `Select the kind of ${label}`);
    const share = read(
      rowKey('stream', i, 'share'),
      percent(v(rowKey('stream', i, 'share')), `the share of ${label}`),
    );
    // Keep a stream's id from the version it came from; a new stream takes one from its name.
    let id = v(rowKey('stream', i, 'id')) || slug(streamName);
    for (let n = 2; usedIds.has(id); n++) id = `${slug(streamName)}-${String(n)}`;
    usedIds.add(id);
    return { id, kind, name: streamName, shareBasisPoints: share };
  });
  if (streamRows.length === 0) fail('fundingStreams', 'Add at least one funding stream');

  const q = parseQuestionLines(v('questions'));
  if (v('questions').trim() === '')
    fail('questions', 'Enter the questions, each with its answers and their points');
  for (const message of q.errors) fail('questions', message);

  const candidate = {
    id: code,
    name,
    effectiveFrom,
    questions: q.questions,
    pricing,
    fundingStreams,
    contingency: { basisPoints: contingencyBp, mode },
    section117: { nhsShareBasisPoints: s117 },
    minimumAnnualPence: minimum,
    maximumAnnualPence: maximum,
  };
  const checked = rasVersionSchema.safeParse(candidate);
  if (checked.success && errors.length === 0) return { ok: true, version: checked.data };

  // The rules' messages, tied to their field; skipped where the field already has a message
  // (a value that could not be read reaches the rules as missing).
  const hasError = new Set(errors.map((e) => e.field));
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      const field = fieldFor(path, bandRows, streamRows);
      if (hasError.has(field)) continue;
      const message =
        field === 'questions' ? questionMessage(path, issue.message, q.lines) : issue.message;
      if (!errors.some((e) => e.field === field && e.message === message))
        errors.push({ field, message });
    }
  }
  return { ok: false, errors };
}

function fieldFor(
  path: readonly (string | number)[],
  bandRows: readonly number[],
  streamRows: readonly number[],
): string {
  const [top, second, third, fourth] = path;
  switch (top) {
    case 'id':
      return 'code';
    case 'name':
      return 'name';
    case 'effectiveFrom':
      return 'effectiveFrom';
    case 'questions':
      return 'questions';
    case 'pricing':
      if (second === 'pencePerPoint') return 'pricePerPoint';
      if (second === 'bands') {
        const row = typeof third === 'number' ? (bandRows[third] ?? 0) : 0;
        const part = fourth === 'toPoints' ? 'to' : fourth === 'annualPence' ? 'amount' : 'from';
        return rowKey('band', row, part);
      }
      return 'pricingKind';
    case 'fundingStreams': {
      if (typeof second !== 'number') return 'fundingStreams';
      const row = streamRows[second] ?? 0;
      return rowKey(
        'stream',
        row,
        third === 'shareBasisPoints' ? 'share' : third === 'kind' ? 'kind' : 'name',
      );
    }
    case 'contingency':
      return second === 'mode' ? 'contingencyMode' : 'contingencyPercent';
    case 'section117':
      return 'section117NhsShare';
    case 'minimumAnnualPence':
      return 'minimum';
    case 'maximumAnnualPence':
      return 'maximum';
    case undefined:
    default:
      return 'form';
  }
}

/** A rules message about a question or answer, with the line it is on. */
function questionMessage(
  path: readonly (string | number)[],
  message: string,
  lines: QuestionLines['lines'],
): string {
  const [, qi, part, ai] = path;
  if (typeof qi !== 'number') return `Questions: ${message}`;
  const q = lines[qi];
  const line = part === 'answers' && typeof ai === 'number' ? q?.answers[ai] : q?.line;
  return line === undefined
    ? `Questions: ${message}`
    : `Questions, line ${String(line)}: ${message}`;
}

// ---------------------------------------------------------------------------------------------
// A version back into the form

const poundsText = (p: number) => formatPounds(pence(p)).replace('£', '');
const percentText = (bp: number) => {
  const whole = Math.trunc(bp / 100);
  const rest = bp % 100;
  return rest === 0
    ? String(whole)
    : `${String(whole)}.${String(rest).padStart(2, '0').replace(/0$/, '')}`;
};

export function versionValues(version: RasVersion): FormValues {
  const [year = '', month = '', day = ''] = version.effectiveFrom.split('-');
  const values: FormValues = {
    code: version.id,
    name: version.name,
    'effectiveFrom-day': day.replace(/^0/, ''),
    'effectiveFrom-month': month.replace(/^0/, ''),
    'effectiveFrom-year': year,
    pricingKind: version.pricing.kind,
    pricePerPoint:
      version.pricing.kind === 'pricePerPoint' ? poundsText(version.pricing.pencePerPoint) : '',
    contingencyPercent: percentText(version.contingency.basisPoints),
    contingencyMode: version.contingency.mode,
    minimum: poundsText(version.minimumAnnualPence),
    maximum: poundsText(version.maximumAnnualPence),
    section117NhsShare: percentText(version.section117.nhsShareBasisPoints),
    questions: questionLines(version),
  };
  if (version.pricing.kind === 'bands')
    version.pricing.bands.forEach((b, i) => {
      values[rowKey('band', i, 'from')] = String(b.fromPoints);
      values[rowKey('band', i, 'to')] = b.toPoints === null ? '' : String(b.toPoints);
      values[rowKey('band', i, 'amount')] = poundsText(b.annualPence);
    });
  version.fundingStreams.forEach((s, i) => {
    values[rowKey('stream', i, 'id')] = s.id;
    values[rowKey('stream', i, 'name')] = s.name;
    values[rowKey('stream', i, 'kind')] = s.kind;
    values[rowKey('stream', i, 'share')] = percentText(s.shareBasisPoints);
  });
  return values;
}

/** A new id for a copy: '…-v1' becomes '…-v2'; anything else gets '-2' (or the next free). */
export function nextVersionId(id: string, taken: ReadonlySet<string>): string {
  const m = /^(.*-v)(\d+)$/.exec(id);
  let n = m ? Number(m[2]) + 1 : 2;
  const stem = m ? (m[1] ?? '') : `${id}-`;
  while (taken.has(`${stem}${String(n)}`)) n++;
  return `${stem}${String(n)}`;
}

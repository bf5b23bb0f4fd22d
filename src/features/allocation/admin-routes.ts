// Administrators' RAS pages: the partnership's versions, a new draft, the version in full with
// the impact preview of a draft, changing a draft, and publishing it. Partnership
// administrators only; every change is audited (ras-service.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserPrincipal } from '../../platform/auth/principal.js';
import { audit } from '../../platform/audit/audit.js';
import { inPartnership, type Tx } from '../../platform/db/database.js';
import { todayInLondon } from '../../platform/dates.js';
import { currentUser } from '../../platform/http/app.js';
import { Conflict, NotFound, type FieldError } from '../../platform/http/errors.js';
import type { ErrorSummaryItem } from '../../platform/http/forms.js';
import { previewImpact, type ImpactPreviewResult } from './preview.js';
import {
  STREAM_KIND_LABELS,
  formRows,
  nextVersionId,
  parseRasForm,
  postedValues,
  versionValues,
  type FormValues,
} from './ras-form.js';
import {
  NO_SUCH_VERSION,
  RAS_RECORD_TYPE,
  changeDraft,
  createDraft,
  getRasVersion,
  isEditable,
  publishDraft,
  rasOverview,
  startingPoint,
  whenCurrent,
  type RasAdmin,
} from './ras-service.js';
import { FUNDING_STREAM_KINDS, formatBasisPoints, section117Streams } from './rules.js';
import { RAS_IN_USE_MESSAGE, isUuid, type StoredRasVersion } from './store.js';
import type { AllocationRouteDeps } from './routes.js';

interface AdminRequest {
  user: UserPrincipal;
  a: RasAdmin;
  run: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
}

function adminRequest(deps: AllocationRouteDeps, req: FastifyRequest): AdminRequest {
  const user = currentUser(req, 'partnership_admin');
  return {
    user,
    a: {
      ctx: { principal: user, ip: req.ip },
      partnershipId: user.partnershipId,
      userId: user.userId,
    },
    run: (fn) => inPartnership(deps.db, user.partnershipId, fn),
  };
}

/** A version id from the path: anything that is not a UUID names nothing. */
function versionId(req: FastifyRequest): string {
  const id = (req.params as Record<string, unknown>).id;
  if (typeof id !== 'string' || !isUuid(id)) throw new NotFound(NO_SUCH_VERSION);
  return id;
}

const MIN_BAND_ROWS = 4;
const MIN_STREAM_ROWS = 3;

interface FormErrors {
  errorList: ErrorSummaryItem[];
  fieldErrors: Record<string, string>;
}

/** The summary lists every message; each field shows its first. Dates link to the day box. */
function describe(errors: readonly FieldError[]): FormErrors {
  const fieldErrors: Record<string, string> = {};
  for (const e of errors) fieldErrors[e.field] ??= e.message;
  return {
    errorList: errors.map((e) => ({
      text: e.message,
      href: `#${e.field === 'effectiveFrom' ? 'effectiveFrom-day' : e.field}`,
    })),
    fieldErrors,
  };
}

function formPage(
  reply: FastifyReply,
  page: {
    pageTitle: string;
    action: string;
    backHref: string;
    submitText: string;
    values: FormValues;
    errors?: FormErrors;
    moreRows?: boolean;
    intro?: string;
  },
) {
  const { values, errors, moreRows, ...rest } = page;
  return reply.render(
    'allocation/views/admin-form.njk',
    {
      ...rest,
      values,
      bandRows: formRows(values, 'band', MIN_BAND_ROWS, moreRows),
      streamRows: formRows(values, 'stream', MIN_STREAM_ROWS, moreRows),
      kindItems: FUNDING_STREAM_KINDS.map((k) => ({ value: k, text: STREAM_KIND_LABELS[k] })),
      ...errors,
    },
    errors ? 400 : 200,
  );
}

/** A conflict about the id becomes a message on the id field; any other conflict goes on up. */
function idConflict(error: unknown): FieldError[] | undefined {
  if (error instanceof Conflict && error.message !== RAS_IN_USE_MESSAGE)
    return [{ field: 'code', message: error.message }];
  const e = error as { code?: unknown } | null;
  if (e?.code === '23505')
    return [
      {
        field: 'code',
        message: 'There is already a RAS version with this id. Give this version its own id.',
      },
    ];
  return undefined;
}

const statusText = (v: StoredRasVersion) => (v.status === 'draft' ? 'Draft' : 'Published');

/** What the version page shows about a version, ready for the template. */
function describeVersion(v: StoredRasVersion) {
  const d = v.definition;
  return {
    id: v.id,
    status: v.status,
    statusText: statusText(v),
    uses: v.uses,
    editable: isEditable(v),
    createdAt: v.createdAt,
    publishedAt: v.publishedAt,
    definition: d,
    contingency: `${formatBasisPoints(d.contingency.basisPoints)} ${d.contingency.mode === 'added' ? 'added to each budget' : 'held back by the partnership for overrides'}`,
    streams: d.fundingStreams.map((s) => ({
      ...s,
      kindText: STREAM_KIND_LABELS[s.kind],
      share: formatBasisPoints(s.shareBasisPoints),
    })),
    section117: section117Streams(d).map((s) => ({
      name: s.name,
      share: formatBasisPoints(s.shareBasisPoints),
    })),
    bands:
      d.pricing.kind === 'bands'
        ? d.pricing.bands.map((b) => ({
            points:
              b.toPoints === null
                ? `${String(b.fromPoints)} or more`
                : `${String(b.fromPoints)} to ${String(b.toPoints)}`,
            annualPence: b.annualPence,
          }))
        : [],
    maxPoints: d.questions.reduce((t, q) => t + Math.max(...q.answers.map((a) => a.points)), 0),
  };
}

export function adminRasRoutes(deps: AllocationRouteDeps) {
  return (app: FastifyInstance): void => {
    app.get('/admin/ras', async (req, reply) => {
      const r = adminRequest(deps, req);
      const today = todayInLondon(deps.now());
      const { versions, current } = await r.run((tx) => rasOverview(tx, today));
      return reply.render('allocation/views/admin-list.njk', {
        pageTitle: 'Resource allocation (RAS)',
        backHref: '/admin',
        columnWidth: 'full',
        current: current ? { id: current.id, name: current.definition.name } : undefined,
        versions: versions.map((v) => ({
          id: v.id,
          code: v.definition.id,
          name: v.definition.name,
          effectiveFrom: v.definition.effectiveFrom,
          status: v.status,
          statusText: statusText(v),
          uses: v.uses,
          current: v.id === current?.id,
        })),
      });
    });

    const newPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      values: FormValues | undefined,
      errors?: FormErrors,
      moreRows = false,
    ) => {
      const r = adminRequest(deps, req);
      const from = (req.query as Record<string, unknown>).from;
      const fromId = typeof from === 'string' && isUuid(from) ? from : undefined;
      let intro: string;
      if (values === undefined) {
        const start = await r.run((tx) => startingPoint(tx, todayInLondon(deps.now()), fromId));
        values = versionValues({
          ...start.version,
          id: nextVersionId(start.version.id, start.takenIds),
        });
        intro = start.from
          ? `This draft starts as a copy of ${start.from.definition.name} (${start.from.definition.id}). Change what you need, then save it. Nothing is used until you publish it.`
          : 'This draft starts as a copy of the demonstration RAS for adult mental health. Change what you need, then save it. Nothing is used until you publish it.';
      } else intro = 'Nothing is used until you publish it.';
      return formPage(reply, {
        pageTitle: 'Make a new RAS version',
        action: fromId ? `/admin/ras/new?from=${fromId}` : '/admin/ras/new',
        backHref: '/admin/ras',
        submitText: 'Save draft',
        values,
        intro,
        moreRows,
        ...(errors ? { errors } : {}),
      });
    };

    app.get('/admin/ras/new', async (req, reply) => newPage(req, reply, undefined));

    app.post('/admin/ras/new', async (req, reply) => {
      const r = adminRequest(deps, req);
      const values = postedValues(req.body);
      if ((req.body as Record<string, unknown> | undefined)?.action === 'more-rows')
        return newPage(req, reply, values, undefined, true);
      const form = parseRasForm(values);
      if (!form.ok) return newPage(req, reply, values, describe(form.errors));
      let id: string;
      try {
        id = await r.run((tx) => createDraft(tx, r.a, form.version));
      } catch (error) {
        const problem = idConflict(error);
        if (problem) return newPage(req, reply, values, describe(problem));
        throw error;
      }
      reply.flash(`${form.version.name} has been saved as a draft`);
      return reply.redirect(`/admin/ras/${id}`, 303);
    });

    app.get('/admin/ras/:id', async (req, reply) => {
      const r = adminRequest(deps, req);
      const id = versionId(req);
      const today = todayInLondon(deps.now());
      const { version, current } = await r.run(async (tx) => {
        const v = await getRasVersion(tx, id);
        return { version: v, current: (await rasOverview(tx, today)).current };
      });
      let preview: ImpactPreviewResult | undefined;
      if (version.status === 'draft') {
        preview = await previewImpact(deps.db, r.user.partnershipId, version.definition);
        await r.run((tx) =>
          audit(tx, r.a.ctx, {
            action: 'read',
            recordType: RAS_RECORD_TYPE,
            recordId: id,
            detail: {
              impactPreview: true,
              people: preview?.people ?? 0,
              notCalculable: preview?.notCalculable ?? 0,
            },
          }),
        );
      }
      return reply.render('allocation/views/admin-version.njk', {
        pageTitle: `${version.definition.name} (${version.definition.id})`,
        backHref: '/admin/ras',
        columnWidth: 'full',
        version: describeVersion(version),
        isCurrent: version.id === current?.id,
        current:
          current && current.id !== version.id
            ? { id: current.id, name: current.definition.name, code: current.definition.id }
            : undefined,
        preview,
      });
    });

    const editPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      version: StoredRasVersion,
      values: FormValues,
      errors?: FormErrors,
      moreRows = false,
    ) =>
      formPage(reply, {
        pageTitle: `Change ${version.definition.name}`,
        action: `/admin/ras/${version.id}/edit`,
        backHref: `/admin/ras/${version.id}`,
        submitText: 'Save changes',
        values,
        intro: 'This version is a draft: nothing uses it until you publish it.',
        moreRows,
        ...(errors ? { errors } : {}),
      });

    const refused = (reply: FastifyReply, version: StoredRasVersion) =>
      reply.render(
        'allocation/views/admin-refused.njk',
        {
          pageTitle: 'This RAS version cannot be changed',
          backHref: `/admin/ras/${version.id}`,
          version: describeVersion(version),
          message: RAS_IN_USE_MESSAGE,
        },
        409,
      );

    app.get('/admin/ras/:id/edit', async (req, reply) => {
      const r = adminRequest(deps, req);
      const id = versionId(req);
      const version = await r.run((tx) => getRasVersion(tx, id));
      if (!isEditable(version)) return refused(reply, version);
      return editPage(req, reply, version, versionValues(version.definition));
    });

    app.post('/admin/ras/:id/edit', async (req, reply) => {
      const r = adminRequest(deps, req);
      const id = versionId(req);
      const version = await r.run((tx) => getRasVersion(tx, id));
      if (!isEditable(version)) return refused(reply, version);
      const values = postedValues(req.body);
      if ((req.body as Record<string, unknown> | undefined)?.action === 'more-rows')
        return editPage(req, reply, version, values, undefined, true);
      const form = parseRasForm(values);
      if (!form.ok) return editPage(req, reply, version, values, describe(form.errors));
      try {
        await r.run((tx) => changeDraft(tx, r.a, id, form.version));
      } catch (error) {
        if (error instanceof Conflict && error.message === RAS_IN_USE_MESSAGE)
          return refused(reply, version);
        const problem = idConflict(error);
        if (problem) return editPage(req, reply, version, values, describe(problem));
        throw error;
      }
      reply.flash(`${form.version.name} has been changed`);
      return reply.redirect(`/admin/ras/${id}`, 303);
    });

    app.get('/admin/ras/:id/publish', async (req, reply) => {
      const r = adminRequest(deps, req);
      const id = versionId(req);
      const today = todayInLondon(deps.now());
      const { version, versions, current } = await r.run(async (tx) => {
        const v = await getRasVersion(tx, id);
        return { version: v, ...(await rasOverview(tx, today)) };
      });
      if (version.status !== 'draft') {
        reply.flash('This RAS version is already published');
        return reply.redirect(`/admin/ras/${id}`, 303);
      }
      return reply.render('allocation/views/admin-publish.njk', {
        pageTitle: `Publish ${version.definition.name}`,
        backHref: `/admin/ras/${id}`,
        version: describeVersion(version),
        when: whenCurrent(version, versions, current, today),
      });
    });

    app.post('/admin/ras/:id/publish', async (req, reply) => {
      const r = adminRequest(deps, req);
      const id = versionId(req);
      const version = await r.run((tx) => publishDraft(tx, r.a, id));
      reply.flash(`${version.definition.name} has been published`);
      return reply.redirect(`/admin/ras/${id}`, 303);
    });
  };
}

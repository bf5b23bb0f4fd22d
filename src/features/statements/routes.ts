// The statement import page for finance officers: upload a card or bank statement (CSV, as
// multipart/form-data, streamed into the import without holding the file in memory), choose its
// format; the upload redirects to the import's report: counts, what monitoring found (as the
// page's notice), and each bad row with its line. Each earlier import's report opens again from
// the list, and its bad rows download as CSV (line and problem), to fix in the file and import
// it again.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../../platform/http/app.js';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { Forbidden, NotFound, type FieldError } from '../../platform/http/errors.js';
import { csvFile } from '../../platform/csv.js';
import { csvDownload } from '../../platform/http/csv-download.js';
import { isUuid } from '../../platform/ids.js';
import { describeErrors } from '../../platform/http/forms.js';
import { actorLabel } from '../../platform/auth/principal.js';
import { importStatement, StatementImportRefused, type ImportResult } from './import.js';
import { boundaryOf, MultipartError, readUpload } from './multipart.js';
import { BUILT_IN_MAPPINGS, STATEMENT_FORMATS } from './rules.js';
import { st, type ImportStatus } from './tables.js';

export interface RouteDeps {
  db: Db;
  now: () => Date;
  /** Run after an import that added transactions (monitoring); returns a sentence for the report. */
  afterImport?: (partnershipId: string, result: ImportResult) => Promise<string>;
}

/** Bad rows shown on the report page (all are counted; the stored report keeps 1,000). */
const SHOWN_BAD_ROWS = 200;

const STATUS_TEXT: Record<ImportStatus, string> = {
  finished: 'Imported',
  refused: 'Refused',
  failed: 'Stopped',
  running: 'Importing',
};

/** A format's name as people read it (a provider's own mapping keeps its name). */
const formatLabel = (format: string): string =>
  (STATEMENT_FORMATS as string[]).includes(format)
    ? BUILT_IN_MAPPINGS[format as keyof typeof BUILT_IN_MAPPINGS].label
    : format;

/** One import of this partnership, or 404 (another partnership's is not found either). */
async function storedImport(db: Db, partnershipId: string, id: string) {
  if (!isUuid(id)) throw new NotFound('There is no statement import with that address.');
  const row = await inPartnership(db, partnershipId, (tx) =>
    st(tx).selectFrom('statement_imports').selectAll().where('id', '=', id).executeTakeFirst(),
  );
  if (!row) throw new NotFound('There is no statement import with that address.');
  return row;
}

const param = (req: FastifyRequest, name: string): string =>
  (req.params as Record<string, string>)[name] ?? '';

export function statementRoutes(deps: RouteDeps) {
  return (app: FastifyInstance): void => {
    const formats = STATEMENT_FORMATS.map((f) => ({
      value: f,
      text: BUILT_IN_MAPPINGS[f].label,
      columns: [
        BUILT_IN_MAPPINGS[f].transactionId,
        BUILT_IN_MAPPINGS[f].date,
        BUILT_IN_MAPPINGS[f].account,
        BUILT_IN_MAPPINGS[f].description,
        ...(BUILT_IN_MAPPINGS[f].mcc ? [BUILT_IN_MAPPINGS[f].mcc] : []),
        ...(BUILT_IN_MAPPINGS[f].amount.kind === 'signed'
          ? [BUILT_IN_MAPPINGS[f].amount.column]
          : [BUILT_IN_MAPPINGS[f].amount.debit, BUILT_IN_MAPPINGS[f].amount.credit]),
      ].join(', '),
    }));

    const renderForm = async (
      req: FastifyRequest,
      reply: FastifyReply,
      page: { format?: string; errors?: FieldError[]; status?: number } = {},
    ) => {
      const user = currentUser(req, 'finance_officer');
      const recent = await inPartnership(deps.db, user.partnershipId, (tx) =>
        st(tx)
          .selectFrom('statement_imports')
          .select([
            'id',
            'file_name',
            'format',
            'status',
            'imported_count',
            'duplicate_count',
            'bad_count',
            'started_at',
            'actor',
          ])
          .orderBy('started_at', 'desc')
          .limit(10)
          .execute(),
      );
      return reply.render(
        'statements/views/import.njk',
        {
          pageTitle: 'Import a card or bank statement',
          formats,
          format: page.format ?? '',
          recent,
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };

    app.get('/finance/statements', (req, reply) => renderForm(req, reply));

    // An import's report (where the upload goes, and from the list).
    app.get('/finance/statements/:id', async (req, reply) => {
      const user = currentUser(req, 'finance_officer');
      const row = await storedImport(deps.db, user.partnershipId, param(req, 'id'));
      const badRows = row.bad_rows;
      return reply.render('statements/views/report.njk', {
        pageTitle: `Statement import: ${row.file_name}`,
        fileName: row.file_name,
        formatLabel: formatLabel(row.format),
        stored: {
          status: STATUS_TEXT[row.status],
          message: row.message,
          startedAt: row.started_at,
          actor: row.actor,
        },
        result: {
          importId: row.id,
          rowsRead: row.rows_read,
          imported: row.imported_count,
          duplicates: row.duplicate_count,
          bad: row.bad_count,
          ignoredColumns: [],
        },
        badRows: badRows.slice(0, SHOWN_BAD_ROWS),
        moreBad: row.bad_count - Math.min(row.bad_count, SHOWN_BAD_ROWS),
        storedBad: badRows.length,
      });
    });

    // Its bad rows as CSV: the line in the file and every problem with it.
    app.get('/finance/statements/:id/bad-rows.csv', async (req, reply) => {
      const user = currentUser(req, 'finance_officer');
      const row = await storedImport(deps.db, user.partnershipId, param(req, 'id'));
      const csv = csvFile(
        ['line', 'problem'],
        row.bad_rows.map((b) => [String(b.line), b.problems.join('; ')]),
      );
      // The file's name in letters, digits and dashes (it goes in a header).
      const name = row.file_name
        .replace(/\.csv$/i, '')
        .replace(/[^A-Za-z0-9._-]+/g, '-')
        .replace(/^[-.]+|[-.]+$/g, '');
      return csvDownload(reply, `${name || 'statement'}-bad-rows.csv`).send(csv);
    });

    // The body is read here as a stream (multipart/form-data), not by the form parser.
    app.register((scope, _opts, done) => {
      scope.addContentTypeParser('multipart/form-data', (_req, payload, next) => {
        next(null, payload);
      });
      scope.post(
        '/finance/statements',
        { config: { csrf: 'multipart-field' } },
        async (req, reply) => {
          const user = currentUser(req, 'finance_officer');
          const boundary = boundaryOf(req.headers['content-type']);
          if (!boundary)
            return renderForm(req, reply, {
              errors: [{ field: 'file', message: 'Choose a CSV file to import' }],
              status: 400,
            });
          let upload;
          try {
            upload = await readUpload(req.body as AsyncIterable<Uint8Array>, boundary, 'file');
          } catch (error) {
            if (!(error instanceof MultipartError)) throw error;
            return renderForm(req, reply, {
              errors: [
                { field: 'file', message: `The upload could not be read: ${error.message}` },
              ],
              status: 400,
            });
          }
          // The CSRF token is the form's first field, read before any of the file (the app's
          // check is off for this route: the body is a stream).
          if (!req.csrfMatches(upload.fields._csrf)) {
            await upload.finish();
            throw new Forbidden(
              'This form has expired or did not come from Pooled. Go back, reload the page and try again.',
            );
          }
          const format = upload.fields.format ?? '';
          const errors: FieldError[] = [];
          if (!(STATEMENT_FORMATS as string[]).includes(format))
            errors.push({ field: 'format', message: 'Choose the kind of statement' });
          if (!upload.file || upload.file.filename === '')
            errors.push({ field: 'file', message: 'Choose a CSV file to import' });
          if (errors.length || !upload.file) {
            await upload.finish();
            return renderForm(req, reply, { format, errors, status: 400 });
          }
          let result: ImportResult;
          try {
            result = await importStatement(deps.db, {
              partnershipId: user.partnershipId,
              format,
              fileName: upload.file.filename,
              source: upload.file.data,
              userId: user.userId,
              actor: actorLabel(user),
            });
            await upload.finish();
          } catch (error) {
            if (error instanceof StatementImportRefused || error instanceof MultipartError) {
              if (error instanceof StatementImportRefused) await upload.finish();
              return renderForm(req, reply, {
                format,
                errors: [{ field: 'file', message: error.message }],
                status: 400,
              });
            }
            throw error;
          }
          if (result.status === 'refused') {
            await upload.finish();
            return renderForm(req, reply, {
              format,
              errors: [{ field: 'file', message: result.message ?? 'The file was refused' }],
              status: 400,
            });
          }
          const monitoring =
            deps.afterImport && result.touchedAccounts.length
              ? await deps.afterImport(user.partnershipId, result)
              : null;
          // Post, then redirect to the import's own report: reloading the page shows the report
          // again, where it would have sent the file again.
          const notes = [
            result.status === 'finished' ? 'Statement imported.' : '',
            result.ignoredColumns.length
              ? `Columns not used: ${result.ignoredColumns.join(', ')}.`
              : '',
            monitoring ?? '',
          ].filter(Boolean);
          if (notes.length) reply.flash(notes.join(' '));
          return reply.redirect(`/finance/statements/${result.importId}`, 303);
        },
      );
      done();
    });
  };
}

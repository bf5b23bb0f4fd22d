// Reports: counts for commissioners, managers and administrators. No names, no identifiers.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/audit.js';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { todayInLondon } from '../../platform/dates.js';
import { currentUser } from '../../platform/http/app.js';
import { csvDownload } from '../../platform/http/csv-download.js';
import { FEWER_THAN, SMALL_NUMBER_LIMIT, summaryCsv, summaryTables } from './rules.js';
import { summaryCounts } from './store.js';

export interface ReportsDeps {
  db: Db;
  now: () => Date;
}

const REPORT_ROLES = ['commissioner', 'team_manager', 'partnership_admin'] as const;

async function summary(deps: ReportsDeps, req: FastifyRequest, action: 'read' | 'export') {
  const user = currentUser(req, ...REPORT_ROLES);
  const today = todayInLondon(deps.now());
  const counts = await inPartnership(deps.db, user.partnershipId, async (tx) => {
    const c = await summaryCounts(tx, today);
    await audit(
      tx,
      { principal: user, ip: req.ip },
      { action, recordType: 'report', recordId: 'summary', detail: { asOf: today } },
    );
    return c;
  });
  return { user, today, ...summaryTables(counts) };
}

export function reportRoutes(deps: ReportsDeps) {
  return (app: FastifyInstance): void => {
    app.get('/reports', async (req, reply) => {
      const s = await summary(deps, req, 'read');
      return reply.render('reports/views/summary.njk', {
        pageTitle: 'Reports',
        partnershipName: s.user.partnershipName,
        today: s.today,
        total: s.total,
        tables: s.tables,
        fewerThan: FEWER_THAN,
        limit: SMALL_NUMBER_LIMIT,
      });
    });

    app.get('/reports/summary.csv', async (req, reply) => {
      const s = await summary(deps, req, 'export');
      return csvDownload(reply, `pooled-summary-${s.today}.csv`).send(summaryCsv(s));
    });
  };
}

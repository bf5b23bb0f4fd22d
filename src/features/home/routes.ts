// The first page after sign-in depends on the role: a coordinator's is their caseload.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { currentUser } from '../../platform/http/app.js';

export function homeRoutes(deps: { db: Db; startedAt: Date; version: string }) {
  return (app: FastifyInstance): void => {
    app.get('/', async (req, reply) => {
      const user = currentUser(req);
      if (user.roles.has('care_coordinator')) return reply.redirect('/caseload', 303);
      if (user.roles.has('team_manager')) return reply.redirect('/team', 303);
      if (user.roles.has('partnership_admin')) return reply.redirect('/admin', 303);
      if (user.roles.has('commissioner')) return reply.redirect('/reports', 303);
      // A finance officer's work queue: what monitoring found and waits for a decision.
      if (user.roles.has('finance_officer')) return reply.redirect('/finance/monitoring', 303);
      return reply.render('home/views/home.njk', { pageTitle: 'Pooled', user });
    });

    app.get('/health', async (_req, reply) => {
      const started = Date.now();
      try {
        await sql`select 1`.execute(deps.db.system);
        const migrations = await sql<{
          n: number;
        }>`select count(*)::int as n from schema_migrations`.execute(deps.db.system);
        return await reply.send({
          status: 'ok',
          version: deps.version,
          uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
          database: {
            status: 'ok',
            kind: deps.db.kind,
            latencyMs: Date.now() - started,
            migrations: migrations.rows[0]?.n ?? 0,
          },
        });
      } catch (error) {
        return reply.status(503).send({
          status: 'unavailable',
          version: deps.version,
          database: { status: 'unavailable', kind: deps.db.kind, error: (error as Error).message },
        });
      }
    });

    app.get('/accessibility', async (_req, reply) =>
      reply.render('home/views/accessibility.njk', { pageTitle: 'Accessibility statement' }),
    );
  };
}

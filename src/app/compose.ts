// The composition root: database → stores → services → app. No singletons elsewhere.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Db } from '../platform/db/database.js';
import { createSessionStore } from '../platform/auth/sessions.js';
import { authenticateApiToken } from '../platform/auth/api-tokens.js';
import { createApp, type Feature } from '../platform/http/app.js';
import { createViews } from '../platform/views/nunjucks.js';
import { authRoutes } from '../features/auth/routes.js';
import { createAccountStore } from '../features/auth/store.js';
import { homeRoutes } from '../features/home/routes.js';
import { peopleRoutes } from '../features/people/routes.js';
import { adminRoutes } from '../features/admin/routes.js';
import { auditRoutes } from '../features/audit/routes.js';
import { reportRoutes } from '../features/reports/routes.js';
import { apiRoutes } from '../features/api/routes.js';
import { createPeopleService } from '../features/people/index.js';
import { allocationRoutes } from '../features/allocation/routes.js';
import { planningPanel, planningRoutes } from '../features/planning/routes.js';
import { signOffRoutes } from '../features/planning/sign-off-routes.js';
import { policyRoutes } from '../features/planning/policy-routes.js';
import { reviewRoutes } from '../features/reviews/routes.js';
import { measureRoutes, measuresPanel } from '../features/measures/routes.js';
import { budgetPanel, paymentRoutes } from '../features/budgets/routes.js';
import { createBudgetsForApprovedPlan } from '../features/budgets/index.js';
import { ledgerRoutes } from '../features/ledger/index.js';
import { statementRoutes } from '../features/statements/index.js';
import { monitoringSettingsRoutes } from '../features/monitoring/settings-routes.js';
import { monitoringRoutes, monitorImported } from '../features/monitoring/index.js';
import {
  assessmentCaseloadActions,
  assessmentPanel,
  assessmentRoutes,
} from '../features/assessment/index.js';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export interface Services {
  config: Config;
  db: Db;
  now: () => Date;
}

export async function buildServer(services: Services): Promise<FastifyInstance> {
  const { config, db, now } = services;
  const sessions = createSessionStore(db, config.sessionHours, now);
  const accounts = createAccountStore(db);
  const features: Feature[] = [
    homeRoutes({ db, startedAt: now(), version: VERSION }),
    peopleRoutes({
      db,
      now,
      breakGlassHours: config.breakGlassHours,
      panels: [
        assessmentPanel({ db, now }),
        planningPanel({ db, now }),
        measuresPanel({ db, now }),
        budgetPanel({ db, now }),
      ],
      caseloadActions: [assessmentCaseloadActions({ db, now })],
    }),
    assessmentRoutes({ db, now }),
    planningRoutes({ db, now, onApproved: createBudgetsForApprovedPlan }),
    signOffRoutes({ db, now, onApproved: createBudgetsForApprovedPlan }),
    policyRoutes({ db, now }),
    reviewRoutes({ db, now }),
    measureRoutes({ db, now }),
    paymentRoutes({ db, now }),
    statementRoutes({ db, now, afterImport: monitorImported(db, now) }),
    monitoringSettingsRoutes({ db }),
    monitoringRoutes({ db, now }),
    ledgerRoutes({ db, now }),
    authRoutes({
      db,
      accounts,
      sessions,
      policy: { maxFailures: config.loginMaxFailures, lockoutMinutes: config.loginLockoutMinutes },
      secureCookies: config.secureCookies,
      signInRateLimitPerMinute: config.signInRateLimitPerMinute,
      now,
    }),
    adminRoutes({ db, now, secureCookies: config.secureCookies }),
    auditRoutes({ db, now, secureCookies: config.secureCookies }),
    reportRoutes({ db, now }),
    allocationRoutes({ db, now }),
    apiRoutes({
      db,
      people: createPeopleService({ db, now, breakGlassHours: config.breakGlassHours }),
      now,
      version: VERSION,
      rateLimitPerMinute: config.apiRateLimitPerMinute,
    }),
  ];
  return createApp(
    {
      db,
      views: createViews({ noCache: config.env === 'development' }),
      sessions,
      sessionSecret: config.sessionSecret,
      secureCookies: config.secureCookies,
      bodyLimitBytes: config.bodyLimitBytes,
      logLevel: config.logLevel,
      showStacks: config.env === 'development',
      production: config.env === 'production',
      signInRateLimitPerMinute: config.signInRateLimitPerMinute,
      authenticateBearer: (token) => authenticateApiToken(db, token, now),
    },
    features,
  );
}

// The JSON API under /api/v1: every operation in one list, registered and documented from it.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import { todayInLondon } from '../../platform/dates.js';
import type { PeopleService } from '../people/index.js';
import { assessmentOperations } from './assessments.js';
import { budgetOperations } from './budgets.js';
import { measureOperations } from './measures.js';
import { buildOpenApiDocument } from './openapi.js';
import { defineOperation, type Operation } from './operations.js';
import { peopleOperations } from './people.js';
import { planOperations } from './plans.js';
import { registerOperations } from './register.js';
import { reviewOperations } from './reviews.js';
import { CATALOGUE } from './schemas.js';

export interface ApiDeps {
  db: Db;
  people: PeopleService;
  now: () => Date;
  version: string;
  /** Requests a minute for one client: generous, it only stops a runaway loop. */
  rateLimitPerMinute?: number;
}

export const DEFAULT_API_RATE_LIMIT_PER_MINUTE = 600;

/** Every operation the API serves, the OpenAPI document's own route included. */
export function apiOperations(deps: ApiDeps): Operation[] {
  let document: Record<string, unknown> | undefined;
  const rateLimitPerMinute = deps.rateLimitPerMinute ?? DEFAULT_API_RATE_LIMIT_PER_MINUTE;
  const operations: Operation[] = [
    ...peopleOperations(deps),
    ...assessmentOperations(deps),
    ...planOperations(deps),
    ...reviewOperations(deps),
    ...measureOperations(deps),
    ...budgetOperations(deps),
    defineOperation({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      tag: 'About',
      permission: 'public',
      responses: { 200: { description: 'The OpenAPI 3.1 document for this API' } },
      async handler({ reply }) {
        document ??= buildOpenApiDocument(operations, CATALOGUE, {
          version: deps.version,
          today: todayInLondon(deps.now()),
          rateLimitPerMinute,
        });
        return reply.header('Cache-Control', 'public, max-age=300').send(document);
      },
    }),
  ];
  return operations;
}

export function apiRoutes(deps: ApiDeps) {
  return (app: FastifyInstance): void => {
    registerOperations(app, apiOperations(deps), {
      rateLimitPerMinute: deps.rateLimitPerMinute ?? DEFAULT_API_RATE_LIMIT_PER_MINUTE,
    });
  };
}

// What every people page needs from a request: who is asking (for the audit) and which person.
import type { FastifyRequest } from 'fastify';
import { currentUser } from '../../platform/http/app.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { PeopleService } from './service.js';

export interface PeopleRouteDeps {
  people: PeopleService;
  now: () => Date;
}

export const ctxOf = (req: FastifyRequest): AuditContext => ({
  principal: currentUser(req),
  ip: req.ip,
});

export const idParam = (req: FastifyRequest): string => (req.params as { id: string }).id;

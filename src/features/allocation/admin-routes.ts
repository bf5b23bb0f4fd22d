// Being written (issue 3).
import type { FastifyInstance } from 'fastify';
import type { AllocationRouteDeps } from './routes.js';

export function adminRasRoutes(_deps: AllocationRouteDeps) {
  return (_app: FastifyInstance): void => undefined;
}

// CSRF: a random value in an HttpOnly, SameSite=Strict cookie, and in every form an HMAC of it
// under the server secret. An unsafe request carrying a session must present the HMAC (form
// field _csrf, query _csrf, or header x-csrf-token). Works for signed-out forms too.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'pooled_csrf';

export const newCsrfSeed = (): string => randomBytes(24).toString('base64url');

export function csrfTokenFor(secret: string, seed: string): string {
  return createHmac('sha256', secret).update(`csrf:${seed}`).digest('base64url');
}

export function csrfTokenMatches(
  secret: string,
  seed: string | undefined,
  presented: unknown,
): boolean {
  if (!seed || typeof presented !== 'string' || presented.length === 0) return false;
  const expected = Buffer.from(csrfTokenFor(secret, seed));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

import { createHash, timingSafeEqual } from 'node:crypto';

/** What an `Authorization` header says about a bearer token: absent, wrong, or right. */
export type BearerCheck = 'missing' | 'invalid' | 'valid';

/**
 * Checks that an `Authorization` header carries `Bearer <token>`. Compares digests in constant
 * time, so neither the token nor its length leaks through timing.
 *
 * @example
 * if (checkBearerToken(req.headers.authorization, token) !== 'valid') res.writeHead(401).end();
 */
export function checkBearerToken(header: string | undefined, token: string): BearerCheck {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (match === null) return 'missing';
  const given = createHash('sha256').update(match[1] ?? '').digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}

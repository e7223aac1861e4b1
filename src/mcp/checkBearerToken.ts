import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when an `Authorization` header carries `Bearer <token>`. Compares digests in constant
 * time, so neither the token nor its length leaks through timing.
 *
 * @example
 * if (!checkBearerToken(req.headers.authorization, token)) res.writeHead(401).end();
 */
export function checkBearerToken(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = createHash('sha256').update(match?.[1] ?? '').digest();
  const expected = createHash('sha256').update(token).digest();
  return match !== null && timingSafeEqual(given, expected);
}

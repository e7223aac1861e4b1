import { randomUUID } from 'node:crypto';

/**
 * The bus's default id generator: a random prefix drawn once per bus (74 random bits, from
 * `crypto.randomUUID`) followed by a counter, e.g. `1b9d6bcd-bbfd-4b2d-9b5d-42`. Ids are unique
 * across buses and processes like random UUIDs, but cost one short string concatenation instead
 * of a `crypto.randomUUID()` call per message (measured ~10x cheaper once messages are retained
 * for `trace`). Pass `idGenerator: randomUUID` for RFC 4122 v4 ids.
 *
 * @example
 * const nextId = sequentialIds();
 * nextId(); // '1b9d6bcd-bbfd-4b2d-9b5d-0'
 */
export function sequentialIds(): () => string {
  const prefix = randomUUID().slice(0, 24);
  let counter = 0;
  return () => prefix + counter++;
}

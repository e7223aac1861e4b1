import { ContextError } from '../errors/ContextError.js';
import { checkContextPayload } from './checkContextPayload.js';
import type { ContextEntry } from '../actors/SessionContext.js';

/**
 * Checks one entry of a persisted snapshot (possibly read back from JSON, where an undefined
 * `createdByTool` was dropped) and returns it as the store keeps entries: frozen, with frozen
 * copies of `data` and `metadata`. Throws a {@link ContextError} naming `entries[index]...`.
 *
 * @example
 * const entry = readSnapshotEntry(JSON.parse(text)[0], 0, 1_048_576);
 */
export function readSnapshotEntry(raw: unknown, index: number, maxEntryBytes: number): ContextEntry {
  const at = `entries[${index}]`;
  if (typeof raw !== 'object' || raw === null) bad(at, 'must be an object');
  const entry = raw as Partial<Record<keyof ContextEntry, unknown>>;
  const sessionId = entry.sessionId;
  if (typeof sessionId !== 'string' || sessionId === '') bad(`${at}.sessionId`, 'must be a non-empty string');
  const createdByTool = entry.createdByTool;
  if (createdByTool !== undefined && typeof createdByTool !== 'string') bad(`${at}.createdByTool`, 'must be a string when present');
  const payload = checkContextPayload(entry.contextType, entry.data, entry.metadata, maxEntryBytes, {
    contextType: `${at}.contextType`,
    data: `${at}.data`,
    metadata: `${at}.metadata`,
  });
  return Object.freeze({
    sessionId,
    contextType: entry.contextType as string,
    data: payload.data,
    createdAt: finite(entry.createdAt, `${at}.createdAt`),
    updatedAt: finite(entry.updatedAt, `${at}.updatedAt`),
    createdByTool,
    expiresAt: finite(entry.expiresAt, `${at}.expiresAt`),
    metadata: payload.metadata,
    version: positiveInteger(entry.version, `${at}.version`),
  });
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) bad(path, 'must be a finite number');
  return value;
}

function positiveInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) bad(path, 'must be a positive integer');
  return value;
}

function bad(path: string, reason: string): never {
  throw new ContextError('CONTEXT_NOT_JSON', `${path} ${reason}`, { path });
}

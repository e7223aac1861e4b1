import { ContextError } from '../errors/ContextError.js';
import { toJsonData } from '../definition/toJsonData.js';

/** What a write to shared context stores besides its timestamps: checked, frozen copies. */
export interface ContextPayload {
  data: unknown;
  metadata: Record<string, unknown>;
}

/** Where the parts of a write sit, for error paths: `data` and `metadata`, or `entries[3].data`. */
export interface PayloadPaths {
  contextType: string;
  data: string;
  metadata: string;
}

const CONTEXT_TYPE = /^[A-Za-z0-9_][A-Za-z0-9_.:/@-]{0,127}$/;
const EMPTY_METADATA: Record<string, unknown> = Object.freeze({});
const SHARE_PATHS: PayloadPaths = { contextType: 'contextType', data: 'data', metadata: 'metadata' };

/**
 * Checks one write to shared context and copies it: `contextType` must be 1 to 128 characters
 * of letters, digits and `_ . : / @ -` (not starting with a punctuation mark other than `_`);
 * `data` and `metadata` must be JSON ({@link toJsonData}); together they must encode to at most
 * `maxEntryBytes` UTF-8 bytes. Throws a {@link ContextError} otherwise.
 *
 * @example
 * const { data, metadata } = checkContextPayload('analysis', { language: 'go' }, undefined, 1_048_576);
 */
export function checkContextPayload(
  contextType: unknown,
  data: unknown,
  metadata: unknown,
  maxEntryBytes: number,
  paths: PayloadPaths = SHARE_PATHS,
): ContextPayload {
  if (typeof contextType !== 'string' || !CONTEXT_TYPE.test(contextType)) {
    const shown = typeof contextType === 'string' ? JSON.stringify(contextType.slice(0, 40)) : typeof contextType;
    throw new ContextError(
      'CONTEXT_INVALID_TYPE',
      `${paths.contextType} must be 1-128 characters of letters, digits and _.:/@- starting with a letter, digit or _; got ${shown}`,
      { path: paths.contextType },
    );
  }
  const dataCopy = toJsonData(data, paths.data, maxEntryBytes);
  if (metadata === undefined) {
    checkBytes(dataCopy.bytesAtMost, () => [dataCopy.value], maxEntryBytes, paths.data);
    return { data: dataCopy.value, metadata: EMPTY_METADATA };
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ContextError('CONTEXT_NOT_JSON', `${paths.metadata} must be a plain object`, { path: paths.metadata });
  }
  const metadataCopy = toJsonData(metadata, paths.metadata, maxEntryBytes);
  checkBytes(dataCopy.bytesAtMost + metadataCopy.bytesAtMost, () => [dataCopy.value, metadataCopy.value], maxEntryBytes, paths.data);
  return { data: dataCopy.value, metadata: metadataCopy.value as Record<string, unknown> };
}

// Encodes only when the cheap upper bound says the entry might be over the limit.
function checkBytes(atMost: number, parts: () => unknown[], limit: number, path: string): void {
  if (atMost <= limit) return;
  let bytes = 0;
  for (const part of parts()) bytes += Buffer.byteLength(JSON.stringify(part), 'utf8');
  if (bytes <= limit) return;
  throw new ContextError('CONTEXT_ENTRY_TOO_LARGE', `${path}: the entry encodes to ${bytes} bytes of JSON, over the limit of ${limit}`, {
    path,
  });
}

import { IdentifierSchema } from '../definition/IdentifierSchema.js';
import { toJsonData, type JsonDataFailure } from '../definition/toJsonData.js';
import { RuntimeError } from '../errors/RuntimeError.js';

const payloadFailure: JsonDataFailure = (problem, message, path) =>
  new RuntimeError(problem === 'not_json' ? 'SIGNAL_PAYLOAD_NOT_JSON' : 'SIGNAL_PAYLOAD_TOO_LARGE', message, { path });

/**
 * Checks the arguments of `runtime.signal` and copies the payload: the name must be an
 * identifier (`SIGNAL_INVALID`); the payload must be JSON data (`SIGNAL_PAYLOAD_NOT_JSON`, naming
 * the path) of at most `maxBytes` UTF-8 bytes encoded (`SIGNAL_PAYLOAD_TOO_LARGE`), the limit of
 * one shared-context entry. An absent payload is `null`.
 *
 * @example
 * const payload = checkSignal('approval', { approved: true }, 1_048_576);
 */
export function checkSignal(name: unknown, payload: unknown, maxBytes: number): unknown {
  if (typeof name !== 'string' || !IdentifierSchema.safeParse(name).success) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 40)) : typeof name;
    throw new RuntimeError('SIGNAL_INVALID', `name must start with a letter and contain only letters, digits, "_" and "-"; got ${shown}`, { path: 'name' });
  }
  if (payload === undefined) return null;
  const copy = toJsonData(payload, 'payload', maxBytes, payloadFailure);
  if (copy.bytesAtMost > maxBytes) {
    const bytes = Buffer.byteLength(JSON.stringify(copy.value), 'utf8');
    if (bytes > maxBytes) throw payloadFailure('too_large', `payload: the signal encodes to ${bytes} bytes of JSON, over the limit of ${maxBytes}`, 'payload');
  }
  return copy.value;
}

import type * as FastCheck from 'fast-check';
import { RuntimeError } from '../errors/RuntimeError.js';

// fast-check is an optional peer: orchkit/testing and the CLI load without it, and only the
// property-based helpers need it. Imported once here, as ESM, so the arbitraries are made by the
// same fast-check the user's tests import.
const loaded: typeof FastCheck | undefined = await import('fast-check').then(
  (module) => module,
  () => undefined,
);

/**
 * The fast-check module, for a helper that draws random values. Throws `RuntimeError`
 * `PEER_DEPENDENCY_MISSING` when fast-check is not installed.
 *
 * @example
 * const fc = fastCheck('arbitraryWorkflow');
 * return fc.integer({ min: 1, max: 8 });
 */
export function fastCheck(feature: string): typeof FastCheck {
  if (loaded) return loaded;
  throw new RuntimeError('PEER_DEPENDENCY_MISSING', `${feature} needs the optional peer dependency fast-check: npm install --save-dev fast-check`);
}

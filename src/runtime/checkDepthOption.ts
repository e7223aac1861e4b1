import { RuntimeError } from '../errors/RuntimeError.js';

/** The default `maxWorkflowDepth`: a top-level run is depth 1, so 15 levels of children below it. */
export const DEFAULT_MAX_WORKFLOW_DEPTH = 16;

/**
 * `createRuntime({ maxWorkflowDepth })`: a whole number from 1 (no child runs) up; 16 by default.
 *
 * @example
 * checkDepthOption(undefined); // 16
 * checkDepthOption(0);         // throws RuntimeError INVALID_OPTION
 */
export function checkDepthOption(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_WORKFLOW_DEPTH;
  if (!Number.isInteger(value) || value < 1) {
    throw new RuntimeError('INVALID_OPTION', `maxWorkflowDepth must be a whole number, at least 1; got ${String(value)}`, { path: 'maxWorkflowDepth' });
  }
  return value;
}

import { WorkflowValidationError, type ValidationIssue } from '../errors/WorkflowValidationError.js';
import type { WorkflowDefinition } from './WorkflowDefinitionSchema.js';

const CHECKS: Record<string, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  array: (v) => Array.isArray(v),
};

/**
 * Applies the defaults of the definition's `input` description and checks required fields and
 * types, so a run never starts on input its wiring cannot read.
 *
 * @throws WorkflowValidationError with a path per problem (`input.repoPath`).
 */
export function resolveWorkflowInput(definition: WorkflowDefinition, input: unknown): Record<string, unknown> {
  const given = (input ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new WorkflowValidationError([{ code: 'INPUT_INVALID', path: 'input', message: 'workflow input must be an object' }]);
  }
  const resolved: Record<string, unknown> = { ...given };
  const issues: ValidationIssue[] = [];
  for (const [name, field] of Object.entries(definition.input)) {
    if (resolved[name] === undefined && field.default !== undefined) resolved[name] = field.default;
    const value = resolved[name];
    if (value === undefined) {
      if (field.required !== false && field.default === undefined) {
        issues.push({ code: 'INPUT_MISSING', path: `input.${name}`, message: `the workflow needs input "${name}"${field.description ? ` (${field.description})` : ''}` });
      }
    } else if (field.type !== undefined && !CHECKS[field.type]?.(value)) {
      issues.push({ code: 'INPUT_INVALID', path: `input.${name}`, message: `must be ${field.type}, got ${JSON.stringify(value)}` });
    }
  }
  if (issues.length > 0) throw new WorkflowValidationError(issues);
  return resolved;
}

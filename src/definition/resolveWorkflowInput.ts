import { WorkflowValidationError, type ValidationIssue } from '../errors/WorkflowValidationError.js';
import { toJsonData } from './toJsonData.js';
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
 * types, so a run never starts on input its wiring cannot read. The result is a frozen JSON copy:
 * keys such as `__proto__` or `constructor` stay own keys, and a caller changing its object later
 * does not change the run.
 *
 * @throws WorkflowValidationError with a path per problem (`input.repoPath`); `INPUT_NOT_JSON`
 *   for input that is not JSON data (a cycle, a function, a class instance).
 */
export function resolveWorkflowInput(definition: WorkflowDefinition, input: unknown): Record<string, unknown> {
  const given = (input ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new WorkflowValidationError([{ code: 'INPUT_INVALID', path: 'input', message: 'workflow input must be an object' }]);
  }
  const resolved: Record<string, unknown> = { ...given };
  const issues: ValidationIssue[] = [];
  for (const [name, field] of Object.entries(definition.input)) {
    const own = Object.hasOwn(resolved, name);
    if ((!own || resolved[name] === undefined) && field.default !== undefined) {
      // A data property, so that a field named `__proto__` is a field, not the prototype.
      Object.defineProperty(resolved, name, { value: field.default, enumerable: true, writable: true, configurable: true });
    }
    const value = Object.hasOwn(resolved, name) ? resolved[name] : undefined;
    if (value === undefined) {
      if (field.required !== false && field.default === undefined) {
        issues.push({ code: 'INPUT_MISSING', path: `input.${name}`, message: `the workflow needs input "${name}"${field.description ? ` (${field.description})` : ''}` });
      }
    } else if (field.type !== undefined && !CHECKS[field.type]?.(value)) {
      issues.push({ code: 'INPUT_INVALID', path: `input.${name}`, message: `must be ${field.type}, got ${describe(value)}` });
    }
  }
  if (issues.length > 0) throw new WorkflowValidationError(issues);
  return toJsonData(resolved, 'input', Number.POSITIVE_INFINITY, (_problem, message, path) =>
    new WorkflowValidationError([{ code: 'INPUT_NOT_JSON', path, message }]),
  ).value as Record<string, unknown>;
}

/** A short description of a value for a message; never throws (cycles, BigInt). */
function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? typeof value;
  } catch {
    return typeof value;
  }
}

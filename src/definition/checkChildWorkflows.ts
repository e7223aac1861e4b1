import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { containsExpression } from './checkWiring.js';
import { didYouMean } from './didYouMean.js';

/** What validation reads of a workflow a `workflow` step may call: its id, version and declared input. */
export interface WorkflowSignature {
  readonly id: string;
  readonly version?: string | number | undefined;
  readonly input?: Readonly<Record<string, { type?: string | undefined; default?: unknown; required?: boolean | undefined }>> | undefined;
}

const TYPE_CHECKS: Record<string, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  array: (v) => Array.isArray(v),
};

/**
 * The `workflow` steps of an unvalidated definition checked against the workflows they may call:
 * an unknown id or version is `UNKNOWN_WORKFLOW`; an input key the child does not declare is
 * `UNKNOWN_INPUT_FIELD`, a required child input not given `MISSING_INPUT_FIELD`, and a literal
 * (no `${{ }}`) of the wrong declared type `INPUT_TYPE_MISMATCH`. Of a workflow registered in
 * several versions, a step without `version` is checked against the last one given (the latest).
 *
 * @example
 * checkChildWorkflows(definition, runtime.workflows) // [{ code: 'UNKNOWN_WORKFLOW', path: 'steps[2].workflow', ... }]
 */
export function checkChildWorkflows(value: unknown, workflows: Iterable<WorkflowSignature>): ValidationIssue[] {
  const steps = (value as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return [];
  let byId: Map<string, Map<string, WorkflowSignature>> | undefined;
  const issues: ValidationIssue[] = [];
  for (let index = 0; index < steps.length; index++) {
    const step = steps[index] as Record<string, unknown> | null | undefined;
    if (typeof step !== 'object' || step === null || typeof step.workflow !== 'string' || 'tool' in step || 'wait' in step) continue;
    byId ??= indexById(workflows);
    const base = `steps[${index}]`;
    const versions = byId.get(step.workflow);
    if (!versions) {
      const hint = didYouMean(step.workflow, byId.keys());
      issues.push({ code: 'UNKNOWN_WORKFLOW', path: `${base}.workflow`, message: `no workflow "${step.workflow}" is registered${hint ? ` (did you mean "${hint}"?)` : ''}` });
      continue;
    }
    const version = typeof step.version === 'string' || typeof step.version === 'number' ? String(step.version) : undefined;
    const child = version === undefined ? [...versions.values()].at(-1) : versions.get(version);
    if (!child) {
      issues.push({ code: 'UNKNOWN_WORKFLOW', path: `${base}.version`, message: `workflow "${step.workflow}" has no version "${version}" (registered: ${[...versions.keys()].join(', ')})` });
      continue;
    }
    issues.push(...checkChildInput(step.input, child, base));
  }
  return issues;
}

function indexById(workflows: Iterable<WorkflowSignature>): Map<string, Map<string, WorkflowSignature>> {
  const byId = new Map<string, Map<string, WorkflowSignature>>();
  for (const workflow of workflows) {
    const versions = byId.get(workflow.id) ?? new Map<string, WorkflowSignature>();
    const version = String(workflow.version ?? '1');
    // Re-set so a later one is last (the latest), as in the registry.
    versions.delete(version);
    versions.set(version, workflow);
    byId.set(workflow.id, versions);
  }
  return byId;
}

function checkChildInput(input: unknown, child: WorkflowSignature, base: string): ValidationIssue[] {
  const given = input ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return []; // the schema reports it
  const declared = child.input ?? {};
  const names = Object.keys(declared);
  const issues: ValidationIssue[] = [];
  for (const [key, value] of Object.entries(given)) {
    const field = Object.hasOwn(declared, key) ? declared[key] : undefined;
    if (!field) {
      issues.push({ code: 'UNKNOWN_INPUT_FIELD', path: `${base}.input.${key}`, message: `workflow "${child.id}" declares no input "${key}" (inputs: ${names.join(', ') || 'none'})` });
    } else if (field.type !== undefined && !containsExpression(value) && !TYPE_CHECKS[field.type]?.(value)) {
      issues.push({ code: 'INPUT_TYPE_MISMATCH', path: `${base}.input.${key}`, message: `does not fit workflow "${child.id}": input "${key}" must be ${field.type}` });
    }
  }
  for (const [key, field] of Object.entries(declared)) {
    if (!Object.hasOwn(given, key) && field.required !== false && field.default === undefined) {
      issues.push({ code: 'MISSING_INPUT_FIELD', path: `${base}.input`, message: `workflow "${child.id}" needs input "${key}"` });
    }
  }
  return issues;
}

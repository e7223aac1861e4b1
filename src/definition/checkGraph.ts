import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { didYouMean } from './didYouMean.js';
import { findCycles } from './findCycles.js';
import type { RawStep } from './RawStep.js';

/** Unknown dependencies past this many get no "did you mean" hint. */
const MAX_HINTS = 20;

/** Duplicate ids, unknown dependencies and cycles, each with its path. */
export function checkGraph(steps: readonly RawStep[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const firstIndex = new Map<string, number>();
  for (const step of steps) {
    if (step.id === undefined) continue;
    const first = firstIndex.get(step.id);
    if (first === undefined) firstIndex.set(step.id, step.index);
    else {
      issues.push({
        code: 'DUPLICATE_STEP_ID',
        path: `steps[${step.index}].id`,
        message: `step id "${step.id}" is already used by steps[${first}]`,
      });
    }
  }

  const graph = new Map<string, string[]>();
  // Each hint compares against every step id: a few keep validation linear in the steps.
  let hintsLeft = MAX_HINTS;
  for (const step of steps) {
    const deps: string[] = [];
    step.dependsOn.forEach((dep, j) => {
      if (typeof dep !== 'string') return;
      if (!firstIndex.has(dep)) {
        const hint = hintsLeft-- > 0 ? didYouMean(dep, firstIndex.keys()) : undefined;
        issues.push({
          code: 'UNKNOWN_DEPENDENCY',
          path: `steps[${step.index}].dependsOn[${j}]`,
          message: `depends on "${dep}", which is not a step${hint ? ` (did you mean "${hint}"?)` : ''}`,
        });
      } else deps.push(dep);
    });
    if (step.id !== undefined && !graph.has(step.id)) graph.set(step.id, deps);
  }

  for (const cycle of findCycles(graph)) {
    const start = cycle[0] ?? '';
    issues.push({
      code: 'CYCLE',
      path: `steps[${firstIndex.get(start) ?? 0}].dependsOn`,
      message: `dependency cycle: ${cycle.join(' -> ')}`,
    });
  }
  return issues;
}

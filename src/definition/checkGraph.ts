import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { didYouMean } from './didYouMean.js';
import { findCycles } from './findCycles.js';
import type { RawStep } from './RawStep.js';

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
  for (const step of steps) {
    const deps: string[] = [];
    step.dependsOn.forEach((dep, j) => {
      if (typeof dep !== 'string') return;
      if (!firstIndex.has(dep)) {
        const hint = didYouMean(dep, firstIndex.keys());
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

/** Every transitive dependency of each step (for wiring checks); cycles are cut. */
export function ancestorsOf(steps: readonly RawStep[]): Map<string, Set<string>> {
  const direct = new Map<string, string[]>();
  for (const step of steps) {
    if (step.id !== undefined && !direct.has(step.id)) {
      direct.set(step.id, step.dependsOn.filter((d): d is string => typeof d === 'string'));
    }
  }
  const memo = new Map<string, Set<string>>();
  const resolve = (id: string, visiting: Set<string>): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const result = new Set<string>();
    visiting.add(id);
    for (const dep of direct.get(id) ?? []) {
      if (visiting.has(dep)) continue;
      result.add(dep);
      for (const a of resolve(dep, visiting)) result.add(a);
    }
    visiting.delete(id);
    memo.set(id, result);
    return result;
  };
  for (const id of direct.keys()) resolve(id, new Set());
  return memo;
}

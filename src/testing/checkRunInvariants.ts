import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { stepRetry } from '../definition/steps/stepTool.js';
import { BuiltInInvariant, type Breach } from './Invariant.js';
import type { ReplayRun } from './ReplayRun.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'timed_out']);

/**
 * The invariants that hold for any run, whatever the script: a terminal end, dependencies
 * before dependants, attempts within the retry policy, and nothing left running.
 *
 * @example
 * const breaches = checkRunInvariants(definition, run);
 */
export function checkRunInvariants(definition: WorkflowDefinition, run: ReplayRun): Breach[] {
  const breaches: Breach[] = [];
  const breach = (invariant: string, message: string): void => void breaches.push({ invariant, message });
  const { result, trace } = run;

  if (run.stalled !== undefined) breach(BuiltInInvariant.terminal, `the replay stalled: ${run.stalled}`);
  else if (!TERMINAL.has(result.status)) breach(BuiltInInvariant.terminal, `the run ended "${result.status}"`);

  const completed = new Set<string>();
  const skipped = new Set<string>();
  const starts = new Map<string, number>();
  for (const message of trace) {
    const stepId = message.stepId;
    if (stepId === undefined) continue;
    if (message.type === 'step.completed') completed.add(stepId);
    if (message.type === 'step.skipped') skipped.add(stepId);
    if (message.type !== 'step.started') continue;
    starts.set(stepId, (starts.get(stepId) ?? 0) + 1);
    const step = definition.steps.find((s) => s.id === stepId);
    for (const dep of step?.dependsOn ?? []) {
      if (completed.has(dep) || (skipped.has(dep) && step?.skipIfDependencySkipped === false)) continue;
      breach(BuiltInInvariant.dependencyOrder, `"${stepId}" started before its dependency "${dep}" completed`);
    }
  }

  for (const step of definition.steps) {
    const max = stepRetry(step)?.maxAttempts ?? 1;
    const attempts = Math.max(result.steps[step.id]?.attempts ?? 0, starts.get(step.id) ?? 0);
    if (attempts > max) breach(BuiltInInvariant.maxAttempts, `"${step.id}" was attempted ${attempts} times; at most ${max} allowed`);
  }

  if (run.executionsAfterResult > 0) breach(BuiltInInvariant.leftovers, `${run.executionsAfterResult} execution(s) still listed after the result`);
  if (run.timersAfterStop > 0) breach(BuiltInInvariant.leftovers, `${run.timersAfterStop} timer(s) still pending after runtime.stop()`);
  return breaches;
}

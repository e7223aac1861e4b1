import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { stepRetry, stepTool } from '../definition/steps/stepTool.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { BuiltInInvariant, type Breach } from './Invariant.js';
import { Outcome, errorCodeOf, isRetryable } from './Outcome.js';
import { scriptedOutcome, type OutcomeScript } from './OutcomeScript.js';
import type { ReplayRun } from './ReplayRun.js';

/**
 * Checks a run against the script it followed, in ways that hold whatever the interleaving:
 * a step completed only on an `OK`, failed only on a failure it could not retry (with that
 * error code), was retried only after a retryable failure, was skipped for its condition only
 * when the script decided false, and every tool call belongs to an attempt of that step.
 *
 * @example
 * const breaches = checkScriptConsistency(definition, registry, run, script);
 */
export function checkScriptConsistency(definition: WorkflowDefinition, tools: ToolRegistry, run: ReplayRun, script: OutcomeScript): Breach[] {
  const breaches: Breach[] = [];
  const breach = (invariant: string, message: string): void => void breaches.push({ invariant, message });
  for (const call of run.calls) {
    const step = definition.steps.find((s) => s.id === call.stepId);
    if ((step && stepTool(step)) === call.tool && call.attempt <= (run.result.steps[call.stepId]?.attempts ?? 0)) continue;
    breach(BuiltInInvariant.expectedCalls, `${call.tool} was called for "${call.stepId}" attempt ${call.attempt}, which the run does not account for`);
  }
  for (const step of definition.steps) {
    const actual = run.result.steps[step.id];
    if (!actual) continue;
    const tool = tools.require(stepTool(step) ?? '');
    const max = stepRetry(step)?.maxAttempts ?? 1;
    const decided = script.conditions[step.id] !== false;
    if (actual.skipReason === 'condition' && decided) breach(BuiltInInvariant.scriptConsistency, `"${step.id}" was skipped for a condition the script decided true`);
    if (step.when !== undefined && actual.attempts > 0 && !decided) breach(BuiltInInvariant.scriptConsistency, `"${step.id}" ran though its condition was decided false`);
    for (let attempt = 1; attempt < actual.attempts; attempt++) {
      const outcome = scriptedOutcome(script, step.id, attempt);
      if (outcome === Outcome.ok || !isRetryable(tool, outcome)) {
        breach(BuiltInInvariant.scriptConsistency, `"${step.id}" was tried again after attempt ${attempt} gave ${outcome}`);
      }
    }
    if (actual.attempts === 0) continue;
    const last = scriptedOutcome(script, step.id, actual.attempts);
    const final = last !== Outcome.ok && (!isRetryable(tool, last) || actual.attempts >= max);
    const routed = (actual.routedTo?.length ?? 0) > 0;
    if (actual.status === 'completed' && last !== Outcome.ok && !final) breach(BuiltInInvariant.scriptConsistency, `"${step.id}" completed on attempt ${actual.attempts}, which gave ${last}`);
    if (actual.status === 'failed' && !routed && (!final || actual.error?.code !== errorCodeOf(last))) {
      breach(BuiltInInvariant.scriptConsistency, `"${step.id}" failed with ${actual.error?.code ?? 'no error'} on attempt ${actual.attempts}, which gave ${last}`);
    }
    // Cancellation may overtake a failure in flight; nothing else may.
    if (final && last !== Outcome.timeout && !routed && actual.status !== 'failed' && actual.status !== 'cancelled') {
      breach(BuiltInInvariant.declaredFailures, `"${step.id}" should have failed with ${last}; it ended ${actual.status}`);
    }
  }
  return breaches;
}

import type { Arbitrary } from 'fast-check';
import { stepRetry, stepTool } from '../definition/steps/stepTool.js';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { arbitraryToolBehaviour } from './arbitraryToolBehaviour.js';
import { Outcome, attemptOutcomes, type OutcomeFilter } from './Outcome.js';
import { fastCheck } from './fastCheck.js';

/** What every step of one run does: an outcome per attempt, and the decision of each `when`. */
export interface OutcomeScript {
  /** Outcomes by step id, one per attempt; past the end the last one repeats (`OK` if empty). */
  attempts: Record<string, string[]>;
  /** Decisions of `when` conditions by step id (true when absent). */
  conditions: Record<string, boolean>;
}

/**
 * The outcome a script gives `stepId`'s attempt `attempt` (1-based).
 *
 * @example
 * scriptedOutcome({ attempts: { build: ['TIMEOUT', 'OK'] }, conditions: {} }, 'build', 2); // 'OK'
 */
export function scriptedOutcome(script: OutcomeScript, stepId: string, attempt: number): string {
  const outcomes = script.attempts[stepId] ?? [];
  return outcomes[Math.min(attempt, outcomes.length) - 1] ?? Outcome.ok;
}

/**
 * Random scripts for a definition: per step, one outcome per allowed attempt drawn from what its
 * tool declares (`TIMEOUT` only when the step has a time limit), and a decision per `when`.
 *
 * @example
 * fc.assert(fc.asyncProperty(arbitraryOutcomeScript(definition, registry), async (script) => ...));
 */
export function arbitraryOutcomeScript(definition: WorkflowDefinition, tools: ToolRegistry, filter: OutcomeFilter = {}): Arbitrary<OutcomeScript> {
  const fc = fastCheck('arbitraryOutcomeScript');
  const attempts: Record<string, Arbitrary<string[]>> = {};
  const conditions: Record<string, Arbitrary<boolean>> = {};
  for (const step of definition.steps) {
    const tool = tools.require(stepTool(step) ?? '');
    attempts[step.id] = arbitraryToolBehaviour(tool, { attempts: stepRetry(step)?.maxAttempts ?? 1, outcomes: attemptOutcomes(step, tool, filter) });
    if (step.when !== undefined) conditions[step.id] = fc.boolean();
  }
  return fc.record({ attempts: fc.record(attempts), conditions: fc.record(conditions) });
}

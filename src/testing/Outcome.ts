import type { AnyTool } from '../actors/defineTool.js';
import type { StepDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { kindOf } from '../machines/workflow/kinds/stepKinds.js';

/**
 * What one attempt of a step does in a test: `OK`, `TIMEOUT`, or the code of an error the tool
 * declares (`REPO_NOT_FOUND`). A `when` step is first decided `CONDITION_TRUE` or `CONDITION_FALSE`.
 *
 * @example
 * exploreWorkflow(definition, { tools, outcomes: { build_image: [Outcome.ok, Outcome.timeout] } });
 */
export const Outcome = {
  ok: 'OK',
  timeout: 'TIMEOUT',
  conditionTrue: 'CONDITION_TRUE',
  conditionFalse: 'CONDITION_FALSE',
} as const;
export type Outcome = string;

/** Which outcomes to explore, by step id or tool name (a step id wins); unlisted ones get every outcome. */
export type OutcomeFilter = Readonly<Record<string, readonly string[]>>;

/**
 * The model event of an outcome of one step, as paths list them.
 *
 * @example
 * outcomeEvent('build', Outcome.timeout); // 'build.TIMEOUT'
 */
export function outcomeEvent(stepId: string, outcome: string): string {
  return `${stepId}.${outcome}`;
}

/**
 * Splits a model event into step id and outcome (step ids never hold a dot).
 *
 * @example
 * parseOutcomeEvent('build.TIMEOUT'); // { stepId: 'build', outcome: 'TIMEOUT' }
 */
export function parseOutcomeEvent(event: string): { stepId: string; outcome: string } {
  const dot = event.indexOf('.');
  return { stepId: event.slice(0, dot), outcome: event.slice(dot + 1) };
}

/** True for the two decisions of a `when` condition. */
export function isConditionOutcome(outcome: string): boolean {
  return outcome === Outcome.conditionTrue || outcome === Outcome.conditionFalse;
}

/** Time limit of one attempt with the real tool: the step's, else the tool's default. */
export function effectiveTimeout(step: StepDefinition, tool: AnyTool): number | undefined {
  return step.timeoutMs ?? tool.timeoutMs;
}

/**
 * The outcomes of one attempt of a step: `OK`, every error code the tool declares, and `TIMEOUT`
 * when the attempt has a time limit; narrowed by `filter[stepId]` or `filter[toolName]`.
 */
export function attemptOutcomes(step: StepDefinition, tool: AnyTool, filter: OutcomeFilter = {}): string[] {
  const all = [Outcome.ok, ...Object.keys(tool.errors), ...(effectiveTimeout(step, tool) === undefined ? [] : [Outcome.timeout])];
  const wanted = filter[step.id] ?? filter[tool.name];
  return wanted === undefined ? all : all.filter((outcome) => wanted.includes(outcome));
}

/**
 * The outcomes of one attempt of a step that calls no tool (a `wait`), as its kind draws them:
 * `OK` (the signal came, or the sleep ended) and `WAIT_TIMEOUT` when it has a time limit.
 */
export function kindOutcomes(step: StepDefinition, filter: OutcomeFilter = {}): string[] {
  const all = kindOf(step).modelOutcomes(step, []);
  const wanted = filter[step.id];
  return wanted === undefined ? all : all.filter((outcome) => wanted.includes(outcome));
}

/** Whether a failure with this outcome may be retried: `TIMEOUT` may; a declared code unless `retryable: false`. */
export function isRetryable(tool: AnyTool | undefined, outcome: string): boolean {
  return outcome === Outcome.timeout || tool?.errors[outcome]?.retryable !== false;
}

/** The `StepResult.error.code` a failed attempt with this outcome leaves. */
export function errorCodeOf(outcome: string): string {
  return outcome === Outcome.timeout ? 'STEP_TIMEOUT' : outcome;
}

import type { Logger } from 'pino';
import type { CompensateSpec } from '../definition/steps/CompensateSchema.js';
import { compileTemplate } from '../definition/Template.js';
import type { StepDefinition, WorkflowDefinition, WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { toErrorInfo } from '../errors/toErrorInfo.js';
import type { WorkflowContext } from '../machines/workflow/WorkflowContext.js';
import type { ChildStart } from './createChildRuns.js';
import type { ExecuteOptions } from './Runtime.js';
import type { WorkflowExecution } from './startExecution.js';
import type { StepResult, WorkflowResult } from './WorkflowResult.js';

/** What compensations need from their runtime. */
export interface CompensationDeps {
  start(definition: WorkflowDefinitionInput, options: ExecuteOptions, child: ChildStart): WorkflowExecution;
  /** The compensation run started before under this id (a run resumed after a crash), if any. */
  existing(executionId: string): Promise<WorkflowExecution | WorkflowResult | undefined>;
  sessionData(sessionId: string): Record<string, unknown>;
  logger: Logger;
}

/** The step id a run's compensation run is started under: `<executionId>:compensation`. */
export const COMPENSATION_STEP = 'compensation';

type Compensable = StepDefinition & { compensate: CompensateSpec };

/**
 * The completed steps with a `compensate`, in the order their compensations run: the reverse of
 * `completed` (the order steps completed in, as the run's events, or a restored run's journal,
 * recorded it). A completed step missing from it (none should be) is undone last, by `finishedAt`.
 *
 * @example
 * compensationOrder(definition, context, ['build', 'push']).map((s) => s.id); // ['push', 'build']
 */
export function compensationOrder(definition: WorkflowDefinition, context: WorkflowContext, completed: readonly string[]): Compensable[] {
  const position = new Map<string, number>();
  completed.forEach((id, index) => position.set(id, index));
  const done = definition.steps.filter((step): step is Compensable => 'compensate' in step && step.compensate !== undefined && context.steps[step.id]?.status === 'completed');
  const rank = (step: StepDefinition): number => position.get(step.id) ?? -1;
  const finishedAt = (step: StepDefinition): number => context.steps[step.id]?.finishedAt ?? 0;
  return done.sort((a, b) => rank(b) - rank(a) || finishedAt(b) - finishedAt(a));
}

/**
 * Runs the compensations of a run that failed, timed out or was cancelled, one at a time in
 * reverse completion order (none after a completed run), and adds their results to
 * `result.compensations` (by the id of the step each undoes, in the order they ran); the run keeps
 * its status and error. The compensations are one child run, `<executionId>:compensation`, of a
 * workflow of one step per compensation (`concurrency: 1`, `errorPolicy: continue`), so a failing
 * compensation is recorded and the rest still run, each is a step state of that run (Inspector,
 * journal), and with a store it is durable: a parent resumed during its compensations takes that
 * run up, and the finished compensations do not run again. Inputs are resolved against the run's
 * final context first (its own step's output, and every completed step's).
 */
export async function runCompensations(
  definition: WorkflowDefinition,
  context: WorkflowContext,
  completed: readonly string[],
  result: WorkflowResult,
  deps: CompensationDeps,
): Promise<WorkflowResult> {
  if (result.status === 'completed') return result;
  const order = compensationOrder(definition, context, completed);
  if (order.length === 0) return result;
  const compensations: Record<string, StepResult> = {};
  const inputs: Record<string, Record<string, unknown>> = {};
  const steps: Record<string, unknown>[] = [];
  const scope = { input: context.input, steps: context.steps, env: context.env, context: deps.sessionData(context.sessionId) };
  for (const step of order) {
    const spec = step.compensate;
    let input: unknown;
    try {
      input = compileTemplate(spec.input, `steps.${step.id}.compensate.input`).evaluate(scope);
    } catch (error) {
      compensations[step.id] = { status: 'failed', attempts: 0, error: { ...toErrorInfo(error), code: 'EXPRESSION_FAILED', type: ErrorType.expression, retryable: false } };
      continue;
    }
    compensations[step.id] = { status: 'pending', attempts: 0 };
    inputs[step.id] = input as Record<string, unknown>;
    // Each key wired from the run's input: values are data, never read again as `${{ }}` templates.
    const wired = Object.fromEntries(Object.keys(input as object).map((k) => [k, `\${{ input[${JSON.stringify(step.id)}][${JSON.stringify(k)}] }}`]));
    const target = 'tool' in spec ? { tool: spec.tool } : { workflow: spec.workflow, ...(spec.version === undefined ? {} : { version: spec.version }) };
    steps.push({ id: step.id, ...target, input: wired });
  }
  if (steps.length > 0) {
    const executionId = `${context.executionId}:${COMPENSATION_STEP}`;
    try {
      const found = await deps.existing(executionId);
      const run =
        found === undefined || 'actor' in found
          ? await (found ?? deps.start(
              { id: `${definition.id}-compensation`, version: definition.version, concurrency: 1, errorPolicy: { mode: 'continue' }, steps: steps as WorkflowDefinitionInput['steps'] },
              { input: inputs, correlationId: context.correlationId, sessionId: context.sessionId },
              { executionId, depth: context.depth ?? 1, parent: { executionId: context.executionId, stepId: COMPENSATION_STEP } },
            )).result
          : found;
      for (const id of Object.keys(inputs)) {
        const ran = run.steps[id];
        compensations[id] = ran ?? { status: 'cancelled', attempts: 0 };
      }
    } catch (error) {
      // The compensations could not start (a stopping runtime, a tool this runtime lacks): each is reported failed.
      deps.logger.error({ err: error, executionId: context.executionId }, 'compensations could not run');
      const info = { ...toErrorInfo(error), retryable: false };
      for (const id of Object.keys(inputs)) compensations[id] = { status: 'failed', attempts: 0, error: info };
    }
  }
  return { ...result, compensations };
}

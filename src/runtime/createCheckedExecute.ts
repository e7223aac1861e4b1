import { validatesInTurns, validateWorkflow, type ValidateOptions } from '../definition/validateWorkflow.js';
import { validateWorkflowAsync } from '../definition/validateWorkflowAsync.js';
import type { WorkflowDefinition, WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { WorkflowValidationError, type ValidationIssue } from '../errors/WorkflowValidationError.js';
import type { PreparedWorkflow } from './restoreExecution.js';
import type { ExecuteOptions } from './Runtime.js';
import type { WorkflowResult } from './WorkflowResult.js';

/** What {@link createCheckedExecute} needs of the runtime. */
export interface CheckedExecuteDeps {
  /** What definitions are checked against: the runtime's tools (its catalog marks what `validateWorkflowAsync` accepted). */
  validation(): ValidateOptions;
  /** The runtime's compiled definitions, by the object the caller passed. */
  compiled: WeakMap<object, PreparedWorkflow>;
  prepare(definition: WorkflowDefinition): PreparedWorkflow;
  start(source: WorkflowDefinitionInput, options: ExecuteOptions | undefined): Promise<WorkflowResult>;
  assertRunning(): void;
}

/** Turns the issues of a definition into the error its caller sees (definition text adds lines). */
export type InvalidDefinition = (issues: readonly ValidationIssue[]) => Error;

/**
 * The runtime's path for a definition a caller awaits (`executeWorkflow`, `executeCustomWorkflow`):
 * a long one (more than one turn's worth of steps) is validated in turns of the event loop first
 * (`validateWorkflowAsync`; its errors reject the promise), so no caller's definition holds the
 * event loop for the whole of its validation; a short one is checked at once, as `startWorkflow`
 * does (its errors throw, as before).
 *
 * @example
 * const executeChecked = createCheckedExecute({ validation: () => ({ tools }), compiled, prepare, start, assertRunning });
 * await executeChecked(definition, { input });
 */
export function createCheckedExecute(deps: CheckedExecuteDeps) {
  const { compiled } = deps;
  return (source: unknown, options: ExecuteOptions | undefined, invalid?: InvalidDefinition): Promise<WorkflowResult> => {
    deps.assertRunning();
    if (compiled.has(source as object) || !validatesInTurns(source)) {
      const checked = invalid ? validateWorkflow(source, deps.validation()) : undefined;
      if (invalid && checked && !checked.success) throw invalid(checked.issues);
      return deps.start((checked?.definition ?? source) as WorkflowDefinitionInput, options);
    }
    return validateWorkflowAsync(source, deps.validation()).then((checked) => {
      if (!checked.success) throw invalid ? invalid(checked.issues) : new WorkflowValidationError(checked.issues);
      compiled.set(source as object, deps.prepare(checked.definition));
      return deps.start(source as WorkflowDefinitionInput, options);
    });
  };
}

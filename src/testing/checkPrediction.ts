import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { stepTool } from '../definition/steps/stepTool.js';
import type { ModelPrediction } from './buildWorkflowModel.js';
import { BuiltInInvariant, type Breach } from './Invariant.js';
import type { ReplayRun } from './ReplayRun.js';

/**
 * Compares a replay with what the abstract model predicts for its path: the workflow status,
 * each step's status, attempts and error code; that steps the path fails end failed; and that
 * the runtime called no tool the path does not account for.
 *
 * @example
 * const breaches = checkPrediction(definition, run, model.predict(path.state));
 */
export function checkPrediction(definition: WorkflowDefinition, run: ReplayRun, prediction: ModelPrediction): Breach[] {
  const breaches: Breach[] = [];
  const { result } = run;

  for (const call of run.calls) {
    const step = definition.steps.find((s) => s.id === call.stepId);
    const expected = prediction.steps[call.stepId]?.attempts ?? 0;
    if ((step && stepTool(step)) === call.tool && call.attempt <= expected) continue;
    breaches.push({
      invariant: BuiltInInvariant.expectedCalls,
      message: `${call.tool} was called for "${call.stepId}" attempt ${call.attempt}; the path expects ${step ? `${stepTool(step) ?? 'wait'} up to attempt ${expected}` : 'no such step'}`,
    });
  }
  if (run.stalled !== undefined) return breaches;

  const differences: string[] = [];
  if (result.status !== prediction.status) differences.push(`workflow ${result.status}, predicted ${prediction.status}`);
  for (const [id, predicted] of Object.entries(prediction.steps)) {
    const actual = result.steps[id];
    const routed = (actual?.routedTo?.length ?? 0) > 0;
    if (predicted.status === 'failed' && actual?.status !== 'failed' && !routed) {
      breaches.push({ invariant: BuiltInInvariant.declaredFailures, message: `"${id}" should have failed; it ended ${actual?.status ?? 'missing'}` });
    }
    if (actual?.status !== predicted.status) differences.push(`"${id}" ${actual?.status ?? 'missing'}, predicted ${predicted.status}`);
    else if (actual.attempts !== predicted.attempts) differences.push(`"${id}" made ${actual.attempts} attempt(s), predicted ${predicted.attempts}`);
    else if (predicted.errorCode !== undefined && actual.error?.code !== predicted.errorCode) {
      differences.push(`"${id}" failed with ${actual.error?.code ?? 'no error'}, predicted ${predicted.errorCode}`);
    }
  }
  if (differences.length > 0) breaches.push({ invariant: BuiltInInvariant.prediction, message: differences.join('; ') });
  return breaches;
}

import { createActor, type AnyMachineSnapshot } from 'xstate';
import type { ModelContext, ModelPrediction, WorkflowModel } from './buildWorkflowModel.js';
import { Outcome, outcomeEvent } from './Outcome.js';
import { scriptedOutcome, type OutcomeScript } from './OutcomeScript.js';

/**
 * Walks the abstract model with a script's outcomes (in the model's canonical order) and returns
 * its prediction, or `undefined` when the script draws an outcome the model does not explore.
 *
 * @example
 * const prediction = predictScript(model, { attempts: { build: ['BUILD_FAILED'] }, conditions: {} });
 */
export function predictScript(model: WorkflowModel, script: OutcomeScript): ModelPrediction | undefined {
  const actor = createActor(model.machine).start();
  try {
    for (let snapshot = actor.getSnapshot() as AnyMachineSnapshot; snapshot.status === 'active'; snapshot = actor.getSnapshot() as AnyMachineSnapshot) {
      const context = snapshot.context as ModelContext;
      const stepId = model.nextStep(context);
      const step = stepId === undefined ? undefined : context.steps[stepId];
      if (stepId === undefined || step === undefined) return undefined;
      const outcome =
        step.awaiting === 'condition'
          ? script.conditions[stepId] === false
            ? Outcome.conditionFalse
            : Outcome.conditionTrue
          : scriptedOutcome(script, stepId, step.attempts);
      const event = { type: outcomeEvent(stepId, outcome) };
      if (!snapshot.can(event)) return undefined;
      actor.send(event);
    }
    return model.predict(actor.getSnapshot() as AnyMachineSnapshot);
  } finally {
    actor.stop();
  }
}

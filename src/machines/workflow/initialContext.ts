import type { WorkflowDefinition } from '../../definition/WorkflowDefinitionSchema.js';
import type { StepState, WorkflowContext, WorkflowMachineInput } from './WorkflowContext.js';

/** The context a workflow machine starts with: every step pending, nothing running. */
export function initialContext(definition: WorkflowDefinition, input: WorkflowMachineInput, now: number): WorkflowContext {
  const steps: Record<string, StepState> = {};
  for (const step of definition.steps) steps[step.id] = { status: 'pending', attempts: 0 };
  const context: WorkflowContext = {
    workflowId: definition.id,
    version: definition.version,
    executionId: input.executionId,
    correlationId: input.correlationId,
    sessionId: input.sessionId,
    input: input.input ?? {},
    env: input.env ?? {},
    steps,
    queue: [],
    running: 0,
    open: definition.steps.length,
    failures: 0,
    startedAt: input.startedAt ?? now,
  };
  if (input.depth !== undefined && input.depth > 1) context.depth = input.depth;
  if (input.parent !== undefined) context.parent = { executionId: input.parent.executionId, stepId: input.parent.stepId };
  return context;
}

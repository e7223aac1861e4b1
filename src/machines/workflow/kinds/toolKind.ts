import { ToolStepSchema } from '../../../definition/steps/ToolStepSchema.js';
import type { StepKind } from './StepKind.js';

/** `tool`: one call of a registered tool, with retries, a timeout and routing. */
export const toolKind: StepKind = {
  key: 'tool',
  schema: ToolStepSchema,
  plan: () => ({ expressions: [] }),
  diagram: (step) => ({ shape: 'box', detail: 'tool' in step ? step.tool : '' }),
  modelOutcomes: (_step, toolOutcomes) => [...toolOutcomes],
};

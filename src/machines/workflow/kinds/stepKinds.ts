import { stepKindKey, type StepKindKey } from '../../../definition/steps/stepKindKey.js';
import type { StepDefinition } from '../../../definition/WorkflowDefinitionSchema.js';
import { mapKind } from './mapKind.js';
import type { StepKind } from './StepKind.js';
import { toolKind } from './toolKind.js';
import { waitKind } from './waitKind.js';
import { workflowKind } from './workflowKind.js';

/** Every step kind, by its key. A new kind is one file plus its line here. */
export const stepKinds: Readonly<Record<StepKindKey, StepKind>> = { tool: toolKind, map: mapKind, wait: waitKind, workflow: workflowKind };

/** The kind of a validated step. */
export function kindOf(step: StepDefinition): StepKind {
  return stepKinds[stepKindKey(step) ?? 'tool'];
}

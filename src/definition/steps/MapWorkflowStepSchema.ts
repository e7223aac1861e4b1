import { z } from 'zod';
import { MapSpecSchema } from './MapStepSchema.js';
import { stepCommonShape } from './StepCommon.js';
import { childRunShape } from './WorkflowStepSchema.js';

/**
 * A `map` step over a workflow: one child execution of the registered workflow per item (ids
 * `<executionId>:<stepId>:<index>`), outputs in item order; the map rules (concurrency,
 * `maxFailures`, per-item retries) are the tool map's. Its input may read the item and `index`.
 */
export const MapWorkflowStepSchema = z
  .object({
    ...stepCommonShape,
    map: MapSpecSchema,
    ...childRunShape,
  })
  .strict();
export type MapWorkflowStepDefinition = z.infer<typeof MapWorkflowStepSchema>;

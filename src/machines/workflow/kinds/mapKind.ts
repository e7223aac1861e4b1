import { MapStepSchema } from '../../../definition/steps/MapStepSchema.js';
import { compileTemplate } from '../../../definition/Template.js';
import type { StepKind } from './StepKind.js';

/** Step-level failure of a map step whose failed items exceed `maxFailures`. */
export const MAP_TOO_MANY_FAILURES = 'MAP_TOO_MANY_FAILURES';
/** Step-level failure of a map step whose `items` is not an array. */
export const MAP_ITEMS_NOT_ARRAY = 'MAP_ITEMS_NOT_ARRAY';

/**
 * `map`: one call of `tool` per item of `map.items`, at most `map.concurrency` at once (else the
 * workflow's concurrency), each item with its own attempts; the output is the item outputs in
 * item order, a tolerated failure as `null`.
 */
export const mapKind: StepKind = {
  key: 'map',
  schema: MapStepSchema,
  plan(step, index, definition) {
    if (!('map' in step)) return { expressions: [] };
    const items = compileTemplate(step.map.items, `steps[${index}].map.items`);
    if (items.errors[0]) throw items.errors[0];
    return {
      fanOut: {
        items,
        as: step.map.as,
        concurrency: step.map.concurrency ?? definition.concurrency ?? Infinity,
        maxFailures: step.map.maxFailures,
      },
      expressions: items.expressions,
    };
  },
  diagram: (step) => ({ shape: 'stack', detail: 'map' in step ? `map ${step.map.as}: ${'tool' in step ? step.tool : `workflow ${step.workflow}`}` : '' }),
  modelOutcomes: (_step, toolOutcomes) => [...toolOutcomes.filter((o) => o !== 'TIMEOUT'), MAP_TOO_MANY_FAILURES],
};

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stepLayout, stepRecord, tableOf } from '../src/machines/workflow/StepTable.js';
import type { StepState, WorkflowContext } from '../src/machines/workflow/WorkflowContext.js';
import { WorkflowDraft } from '../src/machines/workflow/WorkflowDraft.js';

const statuses = ['pending', 'running', 'completed', 'failed'] as const;

function baseContext(ids: string[]): WorkflowContext {
  const steps: Record<string, StepState> = {};
  for (const id of ids) steps[id] = { status: 'pending', attempts: 0 };
  return { workflowId: 'w', version: '1', executionId: 'e', correlationId: 'c', sessionId: 's', input: {}, env: {}, steps, queue: [], running: 0, open: ids.length, failures: 0, startedAt: 0 };
}

describe('step table', () => {
  it('for all edit sequences: the steps read and serialize as the plain record they stand for, and no earlier context changes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.array(fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.constantFrom(...statuses), fc.nat({ max: 5 })), { maxLength: 5 }), { maxLength: 25 })),
        ),
        ([n, events]) => {
          const ids = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? `step-${i}` : `s${i}`));
          const layout = stepLayout(ids);
          let context = baseContext(ids);
          const model: Record<string, StepState> = { ...context.steps };
          const earlier: { context: WorkflowContext; json: string }[] = [];
          for (const edits of events) {
            earlier.push({ context, json: JSON.stringify(context) });
            const draft = new WorkflowDraft(context, layout);
            for (const [i, status, attempts] of edits) {
              const id = ids[i] as string;
              draft.set(id, { status, attempts });
              model[id] = { ...model[id], status, attempts };
            }
            context = draft.done().context;
          }
          const steps = context.steps;
          expect(JSON.parse(JSON.stringify(steps))).toEqual(model);
          expect(Object.keys(steps)).toEqual(ids);
          expect(Object.entries(steps)).toEqual(ids.map((id) => [id, model[id]]));
          for (const id of ids) expect(Object.hasOwn(steps, id) && id in steps).toBe(true);
          expect(Object.hasOwn(steps, 'toString')).toBe(false);
          for (const { context: before, json } of earlier) expect(JSON.stringify(before)).toBe(json);
          // A snapshot restored from JSON has a plain record: it is laid out into a table again.
          const restored = stepRecord(layout, tableOf(JSON.parse(JSON.stringify(steps)) as Record<string, StepState>, layout));
          expect(JSON.stringify(restored)).toBe(JSON.stringify(steps));
          if (events.length > 0) {
            // A table: no inherited keys (so `steps.constructor` is not the Object function), and read-only.
            expect(steps.constructor).toBeUndefined();
            expect(() => {
              (steps as Record<string, unknown>).s0 = { status: 'completed' };
            }).toThrow(TypeError);
          }
        },
      ),
      { seed: 20261204, numRuns: 200 },
    );
  });
});

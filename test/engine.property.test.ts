import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRuntime, validateWorkflow, type WorkflowDefinitionInput } from '../src/index.js';
import { createCountingClock, drive } from './support/leakCheck.js';
import { scriptedTool, type Outcome } from './support/scriptedTool.js';

/** A random DAG: each step depends on a random subset of earlier steps. */
const dagArbitrary = fc.integer({ min: 1, max: 40 }).chain((size) =>
  fc.tuple(
    fc.array(fc.array(fc.nat({ max: Math.max(0, size - 1) }), { maxLength: 3 }), { minLength: size, maxLength: size }),
    fc.array(fc.array(fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'transient', 'fatal'), { minLength: 1, maxLength: 3 }), { minLength: size, maxLength: size }),
    fc.constantFrom<'fail_fast' | 'continue'>('fail_fast', 'continue'),
    fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  ).map(([deps, outcomes, mode, concurrency]) => {
    const steps = deps.map((d, i) => ({
      id: `s${i}`,
      tool: 'work',
      dependsOn: [...new Set(d.filter((j) => j < i).map((j) => `s${j}`))],
      retry: { maxAttempts: 2, initialDelayMs: 10, jitter: 'none' as const },
    }));
    const script = Object.fromEntries(outcomes.map((o, i) => [`s${i}`, o]));
    const definition: WorkflowDefinitionInput = { id: 'random', steps, errorPolicy: { mode }, ...(concurrency ? { concurrency } : {}) };
    return { definition, script };
  }),
);

describe('random DAGs (property)', () => {
  it('every run ends in a terminal status, respects dependencies, and runs each step once when nothing fails', async () => {
    await fc.assert(
      fc.asyncProperty(dagArbitrary, fc.boolean(), async ({ definition, script }, allOk) => {
        const calls: { stepId: string; attempt: number }[] = [];
        const clock = createCountingClock();
        const runtime = createRuntime({ tools: [scriptedTool('work', allOk ? {} : script, calls)], clock });
        try {
          const result = await drive(clock, runtime.executeWorkflow(definition), 100);
          expect(['completed', 'failed']).toContain(result.status);
          for (const step of Object.values(result.steps)) expect(['completed', 'failed', 'skipped', 'cancelled']).toContain(step.status);

          const trace = runtime.trace(result.correlationId);
          const completedAt = new Map<string, number>();
          trace.forEach((m, index) => {
            if (m.type === 'step.completed' && m.stepId) completedAt.set(m.stepId, index);
            if (m.type === 'step.started' && m.stepId) {
              const deps = definition.steps.find((s) => s.id === m.stepId)?.dependsOn ?? [];
              for (const dep of deps) expect(completedAt.get(dep) ?? Infinity).toBeLessThan(index);
            }
          });
          if (allOk) {
            expect(result.status).toBe('completed');
            expect(calls.map((c) => c.stepId).sort()).toEqual(definition.steps.map((s) => s.id).sort());
          }
          for (const step of Object.values(result.steps)) expect(step.attempts).toBeLessThanOrEqual(2);
        } finally {
          await runtime.stop();
        }
        expect(clock.pending).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});

/** Independent reference: does the graph have a duplicate id, a missing dependency, or a cycle? */
function referenceInvalid(steps: { id: string; dependsOn: string[] }[]): boolean {
  const ids = steps.map((s) => s.id);
  if (new Set(ids).size !== ids.length) return true;
  if (steps.some((s) => s.dependsOn.some((d) => !ids.includes(d)))) return true;
  const deps = new Map(steps.map((s) => [s.id, s.dependsOn]));
  const done = new Set<string>();
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const [id, ds] of deps) {
      if (!done.has(id) && ds.every((d) => done.has(d))) {
        done.add(id);
        progressed = true;
      }
    }
  }
  return done.size !== deps.size;
}

describe('validator (property)', () => {
  it('rejects a definition if and only if it has a cycle, a missing dependency or a duplicate id', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.constantFrom(...names), dependsOn: fc.uniqueArray(fc.constantFrom(...names, 'zz'), { maxLength: 3 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        (steps) => {
          const result = validateWorkflow({ id: 'g', steps: steps.map((s) => ({ ...s, tool: 'work' })) });
          expect(!result.success).toBe(referenceInvalid(steps));
          if (!result.success) {
            const codes = new Set(result.issues.map((i) => i.code));
            for (const code of codes) expect(['DUPLICATE_STEP_ID', 'UNKNOWN_DEPENDENCY', 'CYCLE']).toContain(code);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

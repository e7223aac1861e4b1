// The pure resume rules: remaining delays, and which steps are reused, run again or wait.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Deadline, JournalEntry, JournalKind } from '../src/runtime/store/ExecutionStore.js';
import { idempotencyKey } from '../src/runtime/store/idempotencyKey.js';
import { planResume } from '../src/runtime/store/planResume.js';
import { delayNameOf, pendingTimers, remainingDelay } from '../src/runtime/store/remainingDelay.js';
import { retryTimerId, timeoutTimerId } from '../src/machines/workflow/workflowIds.js';

const KINDS: JournalKind[] = ['step.started', 'step.completed', 'step.failed', 'step.skipped', 'step.retrying'];

describe('remainingDelay', () => {
  it('is never negative, and is the time left before the deadline', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 0, max: 2 ** 45 }), (dueAt, now) => {
        const left = remainingDelay(dueAt, now);
        expect(left).toBeGreaterThanOrEqual(0);
        expect(left).toBe(dueAt > now ? dueAt - now : 0);
        // The timer fires at the original deadline, or at once when it has passed.
        expect(now + left).toBe(Math.max(dueAt, now));
      }),
    );
    expect(remainingDelay(Number.NaN, 5)).toBe(0);
  });

  it('maps deadlines to the machine delays they re-arm, earliest first', () => {
    const deadlines: Deadline[] = [
      { executionId: 'e', kind: 'workflow_timeout', key: 'workflow', dueAt: 900 },
      { executionId: 'e', kind: 'retry', key: 'a', dueAt: 150 },
      { executionId: 'e', kind: 'context_expiry', key: 'analysis', dueAt: 50 },
      { executionId: 'e', kind: 'step_timeout', key: 'b', dueAt: 400 },
    ];
    expect(pendingTimers(deadlines, 100).map((t) => [t.delayName, t.remainingMs])).toEqual([
      [undefined, 0],
      ['retry:a', 50],
      ['timeout:b', 300],
      ['workflow_timeout', 800],
    ]);
    // One naming scheme: the ids the compiler gives its delayed events (workflowIds), map items included.
    expect(delayNameOf('retry', 'x')).toBe(retryTimerId('x'));
    expect(delayNameOf('step_timeout', 'scan[2]')).toBe(timeoutTimerId('scan', 2));
    expect(delayNameOf('retry', 'not a call id')).toBeUndefined();
  });
});

describe('planResume', () => {
  it('reuses completed outputs, re-runs started steps with their idempotency key, resumes retry waits', () => {
    const journal: JournalEntry[] = [
      { executionId: 'e', seq: 1, stepId: 'a', kind: 'step.started', attempt: 1, at: 0 },
      { executionId: 'e', seq: 2, stepId: 'a', kind: 'step.completed', attempt: 1, output: { n: 1 }, at: 1 },
      { executionId: 'e', seq: 3, stepId: 'b', kind: 'step.started', attempt: 1, at: 2 },
      { executionId: 'e', seq: 4, stepId: 'c', kind: 'step.started', attempt: 1, at: 2 },
      { executionId: 'e', seq: 5, stepId: 'c', kind: 'step.retrying', attempt: 1, at: 3 },
      { executionId: 'e', seq: 6, stepId: 'd', kind: 'step.skipped', attempt: 0, at: 3 },
    ];
    const deadlines: Deadline[] = [
      { executionId: 'e', kind: 'retry', key: 'c', dueAt: 1_000 },
      { executionId: 'e', kind: 'step_timeout', key: 'a', dueAt: 5_000 }, // stale: a is done
      { executionId: 'e', kind: 'step_timeout', key: 'b', dueAt: 5_000 },
    ];
    const live = { sessionId: 's', contextType: 'x', data: 1, createdAt: 0, updatedAt: 0, createdByTool: undefined, expiresAt: 900, metadata: {}, version: 1 };
    const plan = planResume({ executionId: 'e', journal, deadlines, contextEntries: [live, { ...live, contextType: 'old', expiresAt: 400 }], now: 400 });
    expect(plan.completed).toEqual({ a: { attempt: 1, output: { n: 1 } } });
    expect(plan.rerun).toEqual([{ stepId: 'b', attempt: 1, idempotencyKey: 'e:b' }]);
    expect(plan.retrying).toEqual([{ stepId: 'c', nextAttempt: 2, remainingMs: 600 }]);
    expect(plan.settled).toEqual({ d: 'step.skipped' });
    expect(plan.timers.map((t) => `${t.kind}:${t.key}:${t.remainingMs}`)).toEqual(['retry:c:600', 'step_timeout:b:4600']);
    expect(plan.context.map((e) => e.contextType)).toEqual(['x']);
    expect(idempotencyKey('e', 'b')).toBe('e:b');
  });

  it('puts every journaled step in exactly one bucket, decided by its last entry', () => {
    const entry = fc.record({ stepId: fc.constantFrom('a', 'b', 'c', 'd'), kind: fc.constantFrom(...KINDS), attempt: fc.integer({ min: 1, max: 5 }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), fc.integer({ min: 0, max: 10_000 }), (entries, now) => {
        const journal: JournalEntry[] = entries.map((e, i) => ({ executionId: 'e', seq: i + 1, at: i, ...e }));
        const plan = planResume({ executionId: 'e', journal: [...journal].reverse(), deadlines: [], now });
        const buckets = [
          ...Object.keys(plan.completed),
          ...Object.keys(plan.settled),
          ...plan.rerun.map((r) => r.stepId),
          ...plan.retrying.map((r) => r.stepId),
        ];
        const steps = new Set(journal.map((e) => e.stepId));
        expect(buckets.sort()).toEqual([...steps].sort());
        for (const stepId of steps) {
          const last = journal.filter((e) => e.stepId === stepId).at(-1) as JournalEntry;
          if (last.kind === 'step.completed') expect(plan.completed[stepId]?.attempt).toBe(last.attempt);
          if (last.kind === 'step.started') expect(plan.rerun.find((r) => r.stepId === stepId)?.idempotencyKey).toBe(`e:${stepId}`);
        }
        plan.retrying.forEach((r) => expect(r.remainingMs).toBe(0));
      }),
    );
  });
});

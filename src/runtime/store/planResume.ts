import type { ContextEntry } from '../../actors/SessionContext.js';
import type { Deadline, JournalEntry, JournalKind } from './ExecutionStore.js';
import { idempotencyKey } from './idempotencyKey.js';
import { pendingTimers, remainingDelay, type PendingTimer } from './remainingDelay.js';

/** What {@link planResume} reads: the stored state of one execution and the time of resume. */
export interface ResumeInput {
  executionId: string;
  journal: readonly JournalEntry[];
  deadlines: readonly Deadline[];
  contextEntries?: readonly ContextEntry[];
  now: number;
}

/** How to resume one execution; every step of the journal is in exactly one of the step lists. */
export interface ResumePlan {
  /** Steps done: their journaled output is reused, they never run again. */
  completed: Record<string, { attempt: number; output: unknown }>;
  /** Steps that ended failed or skipped: their outcome stands. */
  settled: Record<string, Extract<JournalKind, 'step.failed' | 'step.skipped'>>;
  /** Steps that were running when the process died: they run again with the same idempotency key. */
  rerun: { stepId: string; attempt: number; idempotencyKey: string }[];
  /** Steps waiting to retry: the next attempt starts after `remainingMs`. */
  retrying: { stepId: string; nextAttempt: number; remainingMs: number }[];
  /** Deadlines still pending, with what remains; those of finished steps are left out. */
  timers: PendingTimer[];
  /** Shared-context entries still live at `now` (expired ones stay expired). */
  context: ContextEntry[];
}

/**
 * Applies the resume rules (see `remainingDelay`) to one execution's journal and deadlines. Pure:
 * the runtime reads the store, calls this, and restores the machine from the persisted snapshot
 * accordingly. The last journal entry of a step decides its fate.
 *
 * @example
 * const plan = planResume({ executionId, journal: await store.journal(executionId), deadlines: await store.deadlines(executionId), now: clock.now() });
 * plan.rerun.forEach((s) => log.warn({ step: s.stepId, key: s.idempotencyKey }, 'step runs again after a crash'));
 */
export function planResume(input: ResumeInput): ResumePlan {
  const last = new Map<string, JournalEntry>();
  for (const entry of [...input.journal].sort((a, b) => a.seq - b.seq)) last.set(entry.stepId, entry);
  const plan: ResumePlan = { completed: {}, settled: {}, rerun: [], retrying: [], timers: [], context: [] };
  const finished = new Set<string>();
  for (const [stepId, entry] of last) {
    switch (entry.kind) {
      case 'step.completed':
        plan.completed[stepId] = { attempt: entry.attempt, output: entry.output };
        finished.add(stepId);
        break;
      case 'step.failed':
      case 'step.skipped':
        plan.settled[stepId] = entry.kind;
        finished.add(stepId);
        break;
      case 'step.started':
        plan.rerun.push({ stepId, attempt: entry.attempt, idempotencyKey: idempotencyKey(input.executionId, stepId) });
        break;
      case 'step.retrying': {
        const wait = input.deadlines.find((d) => d.kind === 'retry' && d.key === stepId);
        // No recorded wait: the retry is due now rather than never.
        plan.retrying.push({ stepId, nextAttempt: entry.attempt + 1, remainingMs: wait === undefined ? 0 : remainingDelay(wait.dueAt, input.now) });
        break;
      }
    }
  }
  const stepKinds = new Set(['retry', 'step_timeout', 'wait']);
  plan.timers = pendingTimers(
    input.deadlines.filter((d) => !(stepKinds.has(d.kind) && finished.has(d.key))),
    input.now,
  );
  plan.context = (input.contextEntries ?? []).filter((e) => e.expiresAt > input.now);
  return plan;
}

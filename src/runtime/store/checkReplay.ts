import { StoreError } from '../../errors/StoreError.js';
import type { JournalEntry, JournalEntryInput } from './ExecutionStore.js';

/**
 * Decides a `recordStep` whose `seq` is already taken: the same step, kind and attempt is a
 * retry of a write that did commit (its snapshot was written with it), so the stored entry is
 * the answer; anything else is `STORE_CONFLICT`.
 *
 * @example
 * if (existing) return checkReplay(existing, entry);
 */
export function checkReplay(existing: JournalEntry, entry: JournalEntryInput): JournalEntry {
  if (existing.stepId === entry.stepId && existing.kind === entry.kind && existing.attempt === entry.attempt) return existing;
  throw new StoreError(
    'STORE_CONFLICT',
    `journal seq ${existing.seq} of execution ${existing.executionId} already holds ${existing.kind} of step ${existing.stepId}`,
    { executionId: existing.executionId },
  );
}

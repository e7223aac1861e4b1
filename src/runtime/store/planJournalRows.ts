import { StoreError } from '../../errors/StoreError.js';
import { checkReplay } from './checkReplay.js';
import { encodeJson } from './encodeJson.js';
import type { JournalEntry, JournalEntryInput } from './ExecutionStore.js';
import { journalFromRow, type JsonColumn, type Row } from './fromRow.js';

/** What `recordSteps` writes and answers, decided before anything is written. */
export interface JournalPlan {
  /** Rows to insert, JSON encoded, in order. */
  added: Row[];
  /** One entry per input entry: the new one, or the stored one a replay returns. */
  answer: JournalEntry[];
}

/**
 * Refuses a batch the three stores could number differently: entries either all carry `seq` or
 * none does (`STORE_INVALID_DATA`), and no `seq` is given twice (`STORE_CONFLICT`).
 *
 * @example
 * checkBatch(executionId, entries);
 */
export function checkBatch(executionId: string, entries: readonly JournalEntryInput[]): void {
  const given = entries.filter((entry) => entry.seq !== undefined).map((entry) => entry.seq);
  if (given.length > 0 && given.length < entries.length) {
    throw new StoreError('STORE_INVALID_DATA', `journal entries of execution ${executionId} in one write must all carry a seq, or none`, { executionId });
  }
  if (new Set(given).size !== given.length) throw new StoreError('STORE_CONFLICT', `a journal seq of execution ${executionId} is given twice in one write`, { executionId });
}

/**
 * Numbers and encodes a batch of journal entries for the memory and SQLite stores (PostgreSQL
 * does the same in SQL): entries without `seq` take the numbers after `maxSeq`; an entry
 * whose `seq` is stored already is a replay (the same step, kind and attempt: the stored entry is
 * the answer) or `STORE_CONFLICT`. Everything is encoded here, so a value that is not JSON fails
 * before the store changes.
 *
 * @example
 * const { added, answer } = planJournalRows(executionId, entries, { maxSeq, stored: (seq) => rowAt(seq), now, json });
 */
export function planJournalRows(
  executionId: string,
  entries: readonly JournalEntryInput[],
  options: { maxSeq: number; stored: (seq: number) => Row | undefined; now: number; json: JsonColumn },
): JournalPlan {
  checkBatch(executionId, entries);
  let next = options.maxSeq;
  const added: Row[] = [];
  const answer: JournalEntry[] = [];
  for (const entry of entries) {
    const existing = entry.seq === undefined ? undefined : options.stored(entry.seq);
    if (existing) {
      answer.push(checkReplay(journalFromRow(existing, options.json), entry));
      continue;
    }
    const seq = entry.seq ?? ++next;
    const row: Row = {
      execution_id: executionId,
      seq,
      step_id: entry.stepId,
      kind: entry.kind,
      attempt: entry.attempt,
      output: entry.output === undefined ? null : encodeJson(entry.output, 'step output', executionId),
      error: entry.error === undefined ? null : encodeJson(entry.error, 'step error', executionId),
      recorded_at: entry.at ?? options.now,
    };
    added.push(row);
    answer.push(journalFromRow(row, options.json));
  }
  return { added, answer };
}

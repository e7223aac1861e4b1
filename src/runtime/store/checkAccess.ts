import { StoreError } from '../../errors/StoreError.js';

/** What a write is about to do to an execution. */
export type StoreAction = 'record' | 'finish' | 'request';

/** The columns a write checks, as every backend reads them (inside its transaction). */
export interface AccessRow {
  status: string;
  owner: string | null | undefined;
}

const FINISHED = new Set(['completed', 'failed', 'timed_out']);

/**
 * The rules every backend applies before a write, so the three agree: an unknown execution is
 * `STORE_NOT_FOUND`; a write fenced by `owner` fails with `STORE_CONFLICT` unless that owner
 * holds the lease (a node whose lease was taken over cannot write); a finished execution takes no
 * more steps and no second finish; a cancelled one takes no pause or resume request. Steps still
 * in flight after a cancel request are recorded, and the owner finishes it as `cancelled`.
 *
 * @example
 * checkAccess(rowOf(executionId), executionId, 'record', options.owner);
 */
export function checkAccess(row: AccessRow | undefined, executionId: string, action: StoreAction, owner?: string): asserts row is AccessRow {
  if (row === undefined) throw new StoreError('STORE_NOT_FOUND', `no execution ${executionId} in the store`, { executionId });
  if (owner !== undefined && row.owner !== owner) {
    const holder = row.owner == null ? 'nobody holds it' : `${row.owner} holds it`;
    throw new StoreError('STORE_CONFLICT', `execution ${executionId} is not owned by ${owner} (${holder}); its lease was lost`, { executionId });
  }
  const closed = action === 'request' ? FINISHED.has(row.status) || row.status === 'cancelled' : FINISHED.has(row.status);
  if (closed) throw new StoreError('STORE_CONFLICT', `execution ${executionId} is already ${row.status}`, { executionId });
}

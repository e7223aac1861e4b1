// retryStoreWrite: a retryable store failure is tried again; a retry refused because the first
// try committed after all counts as done; anything else fails at once.
import { describe, expect, it } from 'vitest';
import { StoreError } from '../src/errors/StoreError.js';
import { retryStoreWrite } from '../src/runtime/store/retryStoreWrite.js';

const unavailable = (): StoreError => StoreError.unavailable('connection lost');
const conflict = (): StoreError => new StoreError('STORE_CONFLICT', 'already in the store');

/** A write that fails with each error of `script` in turn, then succeeds. */
function scripted(script: (() => Error)[]) {
  let calls = 0;
  const write = async (): Promise<string> => {
    const next = script[calls++];
    if (next) throw next();
    return 'written';
  };
  return { write, calls: () => calls };
}

describe('retryStoreWrite', () => {
  it('tries a STORE_UNAVAILABLE write again, up to three tries in all', async () => {
    const once = scripted([unavailable]);
    expect(await retryStoreWrite(once.write, undefined, [1, 1])).toBe('written');
    expect(once.calls()).toBe(2);
    const always = scripted([unavailable, unavailable, unavailable]);
    await expect(retryStoreWrite(always.write, undefined, [1, 1])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(always.calls()).toBe(3);
  });

  it('takes a conflict on a retry as done when the first try committed, and as a failure when it did not', async () => {
    const committed = scripted([unavailable, conflict]);
    expect(await retryStoreWrite(committed.write, async () => true, [1, 1])).toBeUndefined();
    const taken = scripted([unavailable, conflict]);
    await expect(retryStoreWrite(taken.write, async () => false, [1, 1])).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
  });

  it('fails at once on an error that is not retryable, conflicts on a first try included', async () => {
    for (const error of [conflict, () => StoreError.corrupt('/x.db'), () => new Error('bug')]) {
      const write = scripted([error]);
      await expect(retryStoreWrite(write.write, async () => true, [1, 1])).rejects.toThrow();
      expect(write.calls()).toBe(1);
    }
  });
});

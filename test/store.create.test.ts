// createStore: one URL names the backend, as `--store` and the `store` option take it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRuntimeError } from '../src/errors/RuntimeError.js';
import { StoreError, isStoreError } from '../src/errors/StoreError.js';
import { createStore } from '../src/runtime/store/createStore.js';

describe('createStore', () => {
  it('picks the backend from the URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orchkit-create-'));
    try {
      const stores = [
        createStore('memory:'),
        createStore(`sqlite:${join(dir, 'a.db')}`),
        createStore(join(dir, 'b.sqlite')),
        createStore('sqlite::memory:'),
        createStore('postgres://postgres@127.0.0.1:5432/test?schema=orchkit_unused'),
        createStore('postgresql://postgres@127.0.0.1:5432/test'),
      ];
      expect(stores.map((s) => s.kind)).toEqual(['memory', 'sqlite', 'sqlite', 'sqlite', 'postgres', 'postgres']);
      await stores[3]?.createExecution({ executionId: 'e', workflowId: 'w', version: '1', definition: {}, input: {}, correlationId: 'c', sessionId: 's' });
      expect((await stores[3]?.getExecution('e'))?.status).toBe('running');
      // Nothing is opened before the first call, so closing an unused PostgreSQL store costs nothing.
      for (const store of stores) await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown URL or a schema name that is not an identifier', () => {
    for (const bad of ['mysql://x', 'store.txt', 'sqlite:', 'postgres://h/db?schema=a;drop']) {
      let error: unknown;
      try {
        createStore(bad);
      } catch (e) {
        error = e;
      }
      expect(isRuntimeError(error), bad).toBe(true);
      expect((error as { code: string }).code).toBe('INVALID_OPTION');
    }
  });

  it('StoreError carries a stable code, a type, retryable and its JSON form', () => {
    const corrupt = StoreError.corrupt('/tmp/x.db', new Error('file is not a database'));
    expect(isStoreError(corrupt)).toBe(true);
    expect(corrupt.toJSON()).toEqual({
      type: 'crash',
      code: 'STORE_CORRUPT',
      message: expect.stringContaining('/tmp/x.db') as string,
      retryable: false,
      details: { path: '/tmp/x.db' },
    });
    expect(StoreError.unavailable('down').retryable).toBe(true);
    expect(StoreError.schemaTooNew('x', 9, 2).code).toBe('STORE_SCHEMA_TOO_NEW');
  });
});

// The SQLite file itself: damaged files are refused with a clear error and never recreated; old schemas migrate.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStoreError, type StoreError } from '../src/errors/StoreError.js';
import { createSqliteStore } from '../src/runtime/store/SqliteStore.js';
import { SQLITE_MIGRATIONS } from '../src/runtime/store/sqliteSchema.js';
import { STORE_SCHEMA_VERSION } from '../src/runtime/store/schemaVersion.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orchkit-sqlite-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStoreError(error)) throw new Error(`expected a StoreError, got ${String(error)}`);
  return error;
}

function rawVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number }).v;
  } finally {
    db.close();
  }
}

const newExecution = (id: string) => ({
  executionId: id,
  workflowId: 'wf',
  version: '1',
  definition: { id: 'wf', steps: [] },
  input: {},
  correlationId: id,
  sessionId: 's',
});

describe('SQLite store file', () => {
  it('opens in WAL mode with synchronous=NORMAL at the current schema version', async () => {
    const path = join(dir, 'nested', 'store.db');
    const store = createSqliteStore({ path });
    await store.init();
    await store.createExecution(newExecution('e1'));
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
    expect(rawVersion(path)).toBe(STORE_SCHEMA_VERSION);
  });

  it('refuses a file of random bytes with STORE_CORRUPT naming it, and leaves it as it was', async () => {
    const path = join(dir, 'random.db');
    const bytes = randomBytes(16_384);
    writeFileSync(path, bytes);
    const store = createSqliteStore({ path });
    const error = await failure(store.init());
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.path).toBe(path);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/restore it from a backup, or move it away/);
    expect(error.retryable).toBe(false);
    // Every later call fails the same way: nothing was recreated in its place.
    expect((await failure(store.listExecutions())).code).toBe('STORE_CORRUPT');
    expect(readFileSync(path).equals(bytes)).toBe(true);
    await store.close();
  });

  it('refuses a truncated file with STORE_CORRUPT naming it', async () => {
    const path = join(dir, 'truncated.db');
    const store = createSqliteStore({ path });
    for (let i = 0; i < 300; i++) {
      await store.createExecution(newExecution(`e${i}`));
      await store.recordStep(`e${i}`, { stepId: 'a', kind: 'step.completed', attempt: 1, output: { i } }, { pad: 'x'.repeat(2000), i });
    }
    await store.close(); // checkpoints the WAL into the file
    const size = statSync(path).size;
    truncateSync(path, Math.floor(size / 2));
    const reopened = createSqliteStore({ path });
    const error = await failure(reopened.init());
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.path).toBe(path);
    expect(error.message).toContain(path);
    expect(statSync(path).size).toBe(Math.floor(size / 2));
    await reopened.close();
  });

  it('migrates a store of schema version 1, keeping its executions', async () => {
    const path = join(dir, 'v1.db');
    const db = new Database(path);
    db.exec(SQLITE_MIGRATIONS[0] as string);
    db.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    db.prepare(
      `INSERT INTO executions (execution_id, workflow_id, version, definition, input, correlation_id, session_id, status, snapshot, result, created_at, updated_at)
       VALUES ('old', 'wf', '1', '{"id":"wf"}', '{"n":1}', 'c', 's', 'running', '{"value":"x"}', NULL, 5, 5)`,
    ).run();
    db.prepare(`INSERT INTO journal (execution_id, seq, step_id, kind, attempt, output, error, recorded_at) VALUES ('old', 1, 'a', 'step.completed', 1, '{"ok":true}', NULL, 6)`).run();
    db.close();

    const store = createSqliteStore({ path });
    await store.init();
    expect(await store.getExecution('old')).toMatchObject({ executionId: 'old', definition: { id: 'wf' }, input: { n: 1 }, snapshot: { value: 'x' }, status: 'running' });
    expect(await store.journal('old')).toEqual([{ executionId: 'old', seq: 1, stepId: 'a', kind: 'step.completed', attempt: 1, output: { ok: true }, at: 6 }]);
    // What version 2 added works on the migrated file: leases, deadlines, context entries.
    expect((await store.claimRunnable({ owner: 'n1', leaseMs: 1000 })).map((r) => r.executionId)).toEqual(['old']);
    await store.setDeadline({ executionId: 'old', kind: 'retry', key: 'a', dueAt: Date.now() + 1000 });
    expect(await store.deadlines('old')).toHaveLength(1);
    await store.close();
    expect(rawVersion(path)).toBe(STORE_SCHEMA_VERSION);
  });

  it('migrates a store of schema version 2 (before kept signals), keeping its executions', async () => {
    const path = join(dir, 'v2.db');
    const db = new Database(path);
    db.exec(SQLITE_MIGRATIONS[0] as string);
    db.exec(SQLITE_MIGRATIONS[1] as string);
    db.prepare('INSERT INTO schema_version (version) VALUES (2)').run();
    db.prepare(
      `INSERT INTO executions (execution_id, workflow_id, version, definition, input, correlation_id, session_id, status, snapshot, result, created_at, updated_at)
       VALUES ('old', 'wf', '1', '{"id":"wf"}', '{}', 'c', 's', 'running', '{"value":"x"}', NULL, 5, 5)`,
    ).run();
    db.close();

    const store = createSqliteStore({ path });
    await store.init();
    expect(await store.getExecution('old')).toMatchObject({ executionId: 'old', status: 'running' });
    // What version 3 added works on the migrated file: signals kept for a run.
    expect(await store.addSignal('old', 'go', { n: 1 })).toBe(1);
    expect(await store.signals('old', 0)).toEqual([{ seq: 1, name: 'go', payload: { n: 1 } }]);
    await store.close();
    expect(rawVersion(path)).toBe(STORE_SCHEMA_VERSION);
  });

  it('refuses a store written by a newer orchkit with STORE_SCHEMA_TOO_NEW, without touching it', async () => {
    const path = join(dir, 'future.db');
    const first = createSqliteStore({ path });
    await first.init();
    await first.close();
    const db = new Database(path);
    db.prepare('UPDATE schema_version SET version = ?').run(STORE_SCHEMA_VERSION + 7);
    db.close();

    const store = createSqliteStore({ path });
    const error = await failure(store.init());
    expect(error.code).toBe('STORE_SCHEMA_TOO_NEW');
    expect(error.message).toContain(`schema version ${STORE_SCHEMA_VERSION + 7}`);
    expect(error.message).toContain(path);
    await store.close();
    expect(rawVersion(path)).toBe(STORE_SCHEMA_VERSION + 7);
  });

  it('lets a second process-like connection see committed steps (WAL readers)', async () => {
    const path = join(dir, 'shared.db');
    const writer = createSqliteStore({ path });
    const reader = createSqliteStore({ path });
    await writer.createExecution(newExecution('e1'));
    await writer.recordStep('e1', { stepId: 'a', kind: 'step.completed', attempt: 1, output: 1 }, { s: 1 });
    expect((await reader.getExecution('e1'))?.snapshot).toEqual({ s: 1 });
    expect(await reader.journal('e1')).toHaveLength(1);
    await writer.close();
    await reader.close();
  });
});

// PostgreSQL specifics: lost connections (a clear error or a reconnect, never silent loss), migrations, an unreachable server.
// Runs for real when CI=true (fails if PostgreSQL is unreachable); elsewhere skips itself, saying why.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStoreError, type StoreError } from '../src/errors/StoreError.js';
import type { ExecutionStore } from '../src/runtime/store/ExecutionStore.js';
import { createPostgresStore } from '../src/runtime/store/PostgresStore.js';
import { postgresMigrations } from '../src/runtime/store/postgresSchema.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';
import { STORE_SCHEMA_VERSION } from '../src/runtime/store/schemaVersion.js';

const PG_URL = process.env.ORCHKIT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';
const probe = await probePostgres(PG_URL, 1500);
const skipReason = probe.reachable ? '' : probe.reason;

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStoreError(error)) throw new Error(`expected a StoreError, got ${String(error)}`);
  return error;
}

/** Retries a call that may fail with STORE_UNAVAILABLE while the pool reconnects; any other error fails the test. */
async function eventually<T>(call: () => Promise<T>): Promise<{ value: T; unavailable: number }> {
  let unavailable = 0;
  for (;;) {
    try {
      return { value: await call(), unavailable };
    } catch (error) {
      if (!isStoreError(error) || error.code !== 'STORE_UNAVAILABLE' || unavailable >= 3) throw error;
      expect(error.retryable).toBe(true);
      unavailable++;
    }
  }
}

const newExecution = (id: string) => ({
  executionId: id,
  workflowId: 'wf',
  version: '1',
  definition: { id: 'wf', steps: [{ id: 'a', tool: 't' }] },
  input: { id },
  correlationId: id,
  sessionId: 's',
});

const suite = !probe.reachable && !IN_CI ? describe.skip : describe;
const title = !probe.reachable && !IN_CI ? `PostgreSQL store — skipped: ${skipReason} (CI=true makes this a failure)` : 'PostgreSQL store';

suite(title, () => {
  let admin: pg.Client;
  let schema: string;
  let app: string;
  const stores: ExecutionStore[] = [];
  const open = (extra: { connectionString?: string; connectionTimeoutMs?: number } = {}) => {
    const store = createPostgresStore({ connectionString: PG_URL, schema, applicationName: app, ...extra });
    stores.push(store);
    return store;
  };
  const terminate = async (): Promise<number> =>
    (
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`,
        [app],
      )
    ).rowCount ?? 0;

  beforeEach(async () => {
    if (!probe.reachable) throw new Error(`CI=true requires PostgreSQL: ${skipReason}`);
    schema = `orchkit_test_${randomBytes(6).toString('hex')}`;
    app = `${schema}_app`;
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
  });
  afterEach(async () => {
    if (!probe.reachable) return;
    for (const store of stores.splice(0)) await store.close();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('reconnects after its idle connections are terminated, and loses nothing written', async () => {
    const store = open();
    for (let i = 0; i < 20; i++) {
      await store.createExecution(newExecution(`e${i}`));
      await store.recordStep(`e${i}`, { stepId: 'a', kind: 'step.completed', attempt: 1, output: { i } }, { i });
    }
    expect(await terminate()).toBeGreaterThan(0);
    const { value: listed } = await eventually(() => store.listExecutions({ limit: 100 }));
    expect(listed).toHaveLength(20);
    for (let i = 0; i < 20; i++) {
      const { value: journal } = await eventually(() => store.journal(`e${i}`));
      expect(journal).toEqual([expect.objectContaining({ seq: 1, stepId: 'a', output: { i } })]);
      expect((await store.getExecution(`e${i}`))?.snapshot).toEqual({ i });
    }
    // Still a working store: it writes again.
    await eventually(() => store.createExecution(newExecution('after')));
    expect(await store.getExecution('after')).toBeDefined();
  });

  it('fails a write cut off mid-transaction with STORE_UNAVAILABLE; the retry with the same seq writes it once', async () => {
    const store = open();
    await store.createExecution(newExecution('e1'));
    await store.recordStep('e1', { seq: 1, stepId: 'a', kind: 'step.started', attempt: 1 }, { at: 'started' });
    // A second client holds the execution row, so the store's recordStep waits inside its transaction.
    const blocker = new pg.Client({ connectionString: PG_URL });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM "${schema}".executions WHERE execution_id = 'e1' FOR UPDATE`);
    const entry = { seq: 2, stepId: 'a', kind: 'step.completed' as const, attempt: 1, output: { done: true } };
    // Handled from the start: the rejection may arrive before `terminate()` returns.
    const write = failure(store.recordStep('e1', entry, { at: 'completed' }));
    for (let i = 0; i < 100; i++) {
      const waiting = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [app]);
      if ((waiting.rowCount ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await terminate()).toBeGreaterThan(0);
    const error = await write;
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    await blocker.query('ROLLBACK');
    await blocker.end();

    const { value: stored } = await eventually(() => store.recordStep('e1', entry, { at: 'completed' }));
    expect(stored).toMatchObject({ seq: 2, kind: 'step.completed', output: { done: true } });
    // A second retry (as after an unknown COMMIT outcome) is a no-op.
    await store.recordStep('e1', entry, { at: 'completed' });
    expect((await store.journal('e1')).map((e) => e.seq)).toEqual([1, 2]);
    expect((await store.getExecution('e1'))?.snapshot).toEqual({ at: 'completed' });
  });

  it('reports an unreachable server as a retryable STORE_UNAVAILABLE', async () => {
    const store = open({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMs: 500 });
    const error = await failure(store.init());
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect((await failure(store.getExecution('e1'))).code).toBe('STORE_UNAVAILABLE');
  });

  it('migrates a schema of version 1 and refuses one from a newer orchkit', async () => {
    const quoted = `"${schema}"`;
    await admin.query(`CREATE SCHEMA ${quoted}`);
    await admin.query(postgresMigrations(quoted)[0] as string);
    await admin.query(`INSERT INTO ${quoted}.schema_version (version) VALUES (1)`);
    await admin.query(
      `INSERT INTO ${quoted}.executions (execution_id, workflow_id, version, definition, input, correlation_id, session_id, status, created_at, updated_at)
       VALUES ('old', 'wf', '1', '{"id":"wf"}', '{}', 'c', 's', 'running', 1, 1)`,
    );
    const store = open();
    await store.init();
    expect((await admin.query(`SELECT version FROM ${quoted}.schema_version`)).rows).toEqual([{ version: STORE_SCHEMA_VERSION }]);
    expect((await store.claimRunnable({ owner: 'n1', leaseMs: 1000 })).map((r) => r.executionId)).toEqual(['old']);

    await admin.query(`UPDATE ${quoted}.schema_version SET version = $1`, [STORE_SCHEMA_VERSION + 1]);
    const newer = open();
    const error = await failure(newer.init());
    expect(error.code).toBe('STORE_SCHEMA_TOO_NEW');
    expect(error.message).toContain(schema);
  });

  it('lets several nodes initialise a new schema at once', async () => {
    const nodes = [open(), open(), open()];
    await Promise.all(nodes.map((store) => store.init()));
    await nodes[0]?.createExecution(newExecution('e1'));
    expect((await nodes[2]?.getExecution('e1'))?.executionId).toBe('e1');
  });
});

// One contract, three stores: memory, SQLite in a temp dir, PostgreSQL when reachable (required when CI=true).
// Imports src/ directly: the store is not yet re-exported from the public entry (the lead wires it in).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStoreError, type StoreErrorCode } from '../src/errors/StoreError.js';
import type { ExecutionStore, NewExecution } from '../src/runtime/store/ExecutionStore.js';
import { createMemoryStore } from '../src/runtime/store/MemoryStore.js';
import { createPostgresStore } from '../src/runtime/store/PostgresStore.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';
import { createSqliteStore } from '../src/runtime/store/SqliteStore.js';

const PG_URL = process.env.ORCHKIT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';
const probe = await probePostgres(PG_URL, 1500);

interface ManualClock {
  t: number;
  now(): number;
}
interface Harness {
  store: ExecutionStore;
  clock: ManualClock;
  /** A second connection to the same data (a second pool on PostgreSQL, a second handle on SQLite). */
  peer(): ExecutionStore;
  cleanup(): Promise<void>;
}

async function dropSchema(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}

/** Each backend: how to open a connection to one fresh, isolated store, and how to remove it. */
type Setup = (clock: ManualClock) => { open: () => ExecutionStore; dispose: () => Promise<void> };
const backends: { name: string; setup: Setup }[] = [
  { name: 'memory', setup: (clock) => ((store) => ({ open: () => store, dispose: async () => undefined }))(createMemoryStore({ clock })) },
  {
    name: 'sqlite',
    setup: (clock) => {
      const dir = mkdtempSync(join(tmpdir(), 'orchkit-store-'));
      return { open: () => createSqliteStore({ path: join(dir, 'store.db'), clock }), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    setup: (clock) => {
      const schema = `orchkit_test_${randomBytes(6).toString('hex')}`;
      return { open: () => createPostgresStore({ connectionString: PG_URL, schema, clock, applicationName: `${schema}_app` }), dispose: () => dropSchema(schema) };
    },
  },
];

function harness(setup: Setup): Harness {
  const clock: ManualClock = { t: 1_700_000_000_000, now() { return this.t; } };
  const { open, dispose } = setup(clock);
  const store = open();
  let second: ExecutionStore | undefined;
  return {
    store,
    clock,
    peer: () => (second ??= open()),
    async cleanup() {
      await store.close();
      await second?.close();
      await dispose();
    },
  };
}

const SNAPSHOT = { status: 'active', value: { steps: { a: 'running' } }, context: { steps: { a: { status: 'running', attempts: 1 } } } };

function execution(id: string, overrides: Partial<NewExecution> = {}): NewExecution {
  return {
    executionId: id,
    workflowId: 'wf',
    version: '1',
    definition: { id: 'wf', steps: [{ id: 'a', tool: 'echo', input: { text: 'héllo ✓' } }] },
    input: { n: 1 },
    correlationId: `c-${id}`,
    sessionId: 's1',
    ...overrides,
  };
}

async function expectStoreError(promise: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStoreError(error), `expected a StoreError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}

for (const backend of backends) {
  const unreachable = backend.name === 'postgres' && !probe.reachable;
  if (unreachable && !IN_CI) {
    describe.skip(`store contract: postgres — skipped: ${probe.reachable ? '' : probe.reason} (CI=true makes this a failure)`, () => {
      it('needs PostgreSQL', () => undefined);
    });
    continue;
  }

  describe(`store contract: ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      if (unreachable) throw new Error(`CI=true requires PostgreSQL: ${probe.reachable ? '' : probe.reason}`);
      h = harness(backend.setup);
      await h.store.init();
    });
    afterEach(async () => {
      await h?.cleanup();
    });

    it('creates, reads back and refuses a duplicate id', async () => {
      const created = await h.store.createExecution(execution('e1'));
      expect(created).toEqual({ ...execution('e1'), status: 'running', snapshot: null, createdAt: h.clock.t, updatedAt: h.clock.t });
      expect(await h.store.getExecution('e1')).toEqual(created);
      expect(await h.store.getExecution('nope')).toBeUndefined();
      await expectStoreError(h.store.createExecution(execution('e1')), 'STORE_CONFLICT');
      await h.store.init(); // idempotent
    });

    it('records steps in order, with the snapshot, and keeps absent apart from null', async () => {
      await h.store.createExecution(execution('e1'));
      h.clock.t += 5;
      const first = await h.store.recordStep('e1', { stepId: 'a', kind: 'step.started', attempt: 1 }, SNAPSHOT);
      const second = await h.store.recordStep('e1', { stepId: 'a', kind: 'step.completed', attempt: 1, output: null }, { ...SNAPSHOT, status: 'x' });
      const error = { type: 'execution_error', code: 'BOOM', message: 'nope' };
      await h.store.recordStep('e1', { stepId: 'b', kind: 'step.failed', attempt: 2, error, at: 42 }, { done: true });
      expect(first).toEqual({ executionId: 'e1', seq: 1, stepId: 'a', kind: 'step.started', attempt: 1, at: h.clock.t });
      expect(second).toMatchObject({ seq: 2, output: null });
      const journal = await h.store.journal('e1');
      expect(journal.map((e) => [e.seq, e.stepId, e.kind])).toEqual([
        [1, 'a', 'step.started'],
        [2, 'a', 'step.completed'],
        [3, 'b', 'step.failed'],
      ]);
      expect(journal[2]).toEqual({ executionId: 'e1', seq: 3, stepId: 'b', kind: 'step.failed', attempt: 2, error, at: 42 });
      expect('output' in (journal[0] as object)).toBe(false);
      const record = await h.store.getExecution('e1');
      expect(record?.snapshot).toEqual({ done: true });
      expect(record?.updatedAt).toBe(h.clock.t);
      expect(await h.store.journal('unknown')).toEqual([]);
      await expectStoreError(h.store.recordStep('unknown', { stepId: 'a', kind: 'step.started', attempt: 1 }, {}), 'STORE_NOT_FOUND');
    });

    it('writes a step atomically: a snapshot that is not JSON leaves neither journal entry nor snapshot', async () => {
      await h.store.createExecution(execution('e1'));
      await h.store.recordStep('e1', { stepId: 'a', kind: 'step.started', attempt: 1 }, SNAPSHOT);
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      for (const bad of [{ big: 10n }, cyclic]) {
        const dueAt = h.clock.t + 1000;
        const write = h.store.recordStep('e1', { stepId: 'a', kind: 'step.completed', attempt: 1, output: { ok: true } }, bad, {
          setDeadlines: [{ executionId: 'e1', kind: 'retry', key: 'a', dueAt }],
        });
        await expectStoreError(write, 'STORE_INVALID_DATA');
      }
      expect((await h.store.journal('e1')).map((e) => e.kind)).toEqual(['step.started']);
      expect((await h.store.getExecution('e1'))?.snapshot).toEqual(SNAPSHOT);
      expect(await h.store.deadlines('e1')).toEqual([]);
      // The store is still usable, and the next seq is the one the failed write did not take.
      expect((await h.store.recordStep('e1', { stepId: 'a', kind: 'step.completed', attempt: 1 }, SNAPSHOT)).seq).toBe(2);
    });

    it('treats a repeated seq as a retry of the same write, and a different entry as a conflict', async () => {
      await h.store.createExecution(execution('e1'));
      const entry = { seq: 1, stepId: 'a', kind: 'step.completed' as const, attempt: 1, output: { n: 1 } };
      const stored = await h.store.recordStep('e1', entry, SNAPSHOT);
      expect(await h.store.recordStep('e1', entry, SNAPSHOT)).toEqual(stored);
      expect(await h.store.journal('e1')).toHaveLength(1);
      await expectStoreError(h.store.recordStep('e1', { ...entry, stepId: 'b' }, SNAPSHOT), 'STORE_CONFLICT');
    });

    it('records a batch in one write: replays answered from the journal, new entries numbered, a conflict writes nothing', async () => {
      await h.store.createExecution(execution('e1', { owner: 'n1', leaseExpiresAt: h.clock.t + 1000 }));
      const first = { seq: 1, stepId: 'a', kind: 'step.completed' as const, attempt: 1, output: { n: 1 } };
      await h.store.recordStep('e1', first, { at: 1 }, { owner: 'n1' });
      const batch = await h.store.recordSteps('e1', [first, { seq: 2, stepId: 'b', kind: 'step.started', attempt: 1 }, { seq: 3, stepId: 'b', kind: 'step.completed', attempt: 1, output: null }, { seq: 4, stepId: 'c', kind: 'step.started', attempt: 1 }], { at: 3 }, { owner: 'n1' });
      expect(batch.map((e) => [e.seq, e.stepId, e.kind, e.output])).toEqual([[1, 'a', 'step.completed', { n: 1 }], [2, 'b', 'step.started', undefined], [3, 'b', 'step.completed', null], [4, 'c', 'step.started', undefined]]);
      expect(await h.store.journal('e1')).toEqual(batch);
      expect((await h.store.getExecution('e1'))?.snapshot).toEqual({ at: 3 });
      // Only replays: nothing is written, not even the snapshot.
      expect(await h.store.recordSteps('e1', [first], { at: 'stale' }, { owner: 'n1' })).toEqual([batch[0]]);
      expect((await h.store.getExecution('e1'))?.snapshot).toEqual({ at: 3 });
      // One entry of the batch conflicts with the journal, another node writes, a value is not JSON: none of the batch lands.
      await expectStoreError(h.store.recordSteps('e1', [{ seq: 5, stepId: 'c', kind: 'step.completed', attempt: 1 }, { ...first, stepId: 'z' }], { at: 5 }, { owner: 'n1' }), 'STORE_CONFLICT');
      await expectStoreError(h.store.recordSteps('e1', [{ seq: 5, stepId: 'c', kind: 'step.completed', attempt: 1 }], { at: 5 }, { owner: 'n2' }), 'STORE_CONFLICT');
      await expectStoreError(h.store.recordSteps('e1', [{ seq: 5, stepId: 'c', kind: 'step.completed', attempt: 1 }, { seq: 5, stepId: 'c', kind: 'step.completed', attempt: 1 }], { at: 5 }), 'STORE_CONFLICT');
      await expect(h.store.recordSteps('e1', [{ seq: 5, stepId: 'c', kind: 'step.completed', attempt: 1, output: { n: 1n } }], { at: 5 })).rejects.toThrow();
      await expectStoreError(h.store.recordSteps('e1', [{ seq: 5, stepId: 'c', kind: 'step.completed', attempt: 1 }, { stepId: 'd', kind: 'step.started', attempt: 1 }], { at: 5 }), 'STORE_INVALID_DATA');
      expect((await h.store.journal('e1')).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect((await h.store.getExecution('e1'))?.snapshot).toEqual({ at: 3 });
      // Without seqs, entries take the next numbers in order.
      const numbered = await h.store.recordSteps('e1', [{ stepId: 'c', kind: 'step.completed', attempt: 1 }, { stepId: 'd', kind: 'step.started', attempt: 1 }], { at: 6 });
      expect(numbered.map((e) => [e.seq, e.stepId])).toEqual([[5, 'c'], [6, 'd']]);
      expect((await h.store.journal('e1')).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('finishes once: status, result, snapshot; lease and deadlines cleared; later writes refused', async () => {
      await h.store.createExecution(execution('e1', { owner: 'n1', leaseExpiresAt: h.clock.t + 1000 }));
      await h.store.setDeadline({ executionId: 'e1', kind: 'workflow_timeout', key: 'workflow', dueAt: h.clock.t + 60_000 });
      h.clock.t += 10;
      await expectStoreError(h.store.finishExecution('e1', 'completed', {}, {}, { owner: 'n2' }), 'STORE_CONFLICT');
      const done = await h.store.finishExecution('e1', 'completed', { status: 'completed', output: { x: [1, 'two'] } }, { final: true }, { owner: 'n1' });
      expect(done).toMatchObject({ status: 'completed', result: { status: 'completed', output: { x: [1, 'two'] } }, snapshot: { final: true }, updatedAt: h.clock.t });
      expect(done.owner).toBeUndefined();
      expect(done.leaseExpiresAt).toBeUndefined();
      expect(await h.store.deadlines('e1')).toEqual([]);
      await expectStoreError(h.store.finishExecution('e1', 'failed', null, {}), 'STORE_CONFLICT');
      await expectStoreError(h.store.recordStep('e1', { stepId: 'a', kind: 'step.started', attempt: 1 }, {}), 'STORE_CONFLICT');
      await expectStoreError(h.store.setStatus('e1', 'paused'), 'STORE_CONFLICT');
      await expectStoreError(h.store.finishExecution('nope', 'failed', null, {}), 'STORE_NOT_FOUND');
    });

    it('keeps signals for an execution in order, each with its seq, until it finishes', async () => {
      await h.store.createExecution(execution('e1'));
      await h.store.createExecution(execution('e2'));
      expect(await h.store.addSignal('e1', 'approval', { approved: true, by: ['ann', 'bo'] })).toBe(1);
      expect(await h.store.addSignal('e2', 'approval', null)).toBe(1);
      expect(await h.store.addSignal('e1', 'go', 'x')).toBe(2);
      expect(await h.store.signals('e1', 0)).toEqual([
        { seq: 1, name: 'approval', payload: { approved: true, by: ['ann', 'bo'] } },
        { seq: 2, name: 'go', payload: 'x' },
      ]);
      expect(await h.store.signals('e1', 1)).toEqual([{ seq: 2, name: 'go', payload: 'x' }]);
      expect(await h.store.signals('e2', 0)).toEqual([{ seq: 1, name: 'approval', payload: null }]);
      await expectStoreError(h.store.addSignal('nope', 'go', 1), 'STORE_NOT_FOUND');
      await h.store.finishExecution('e1', 'completed', {}, {});
      await expectStoreError(h.store.addSignal('e1', 'go', 1), 'STORE_CONFLICT');
    });

    it('lists newest first, by status and owner, up to a limit', async () => {
      for (let i = 0; i < 5; i++) {
        h.clock.t += 1;
        await h.store.createExecution(execution(`e${i}`, i % 2 === 0 ? { owner: 'n1', leaseExpiresAt: h.clock.t + 5000 } : {}));
      }
      await h.store.finishExecution('e1', 'failed', { error: 'x' }, {});
      expect((await h.store.listExecutions()).map((r) => r.executionId)).toEqual(['e4', 'e3', 'e2', 'e1', 'e0']);
      expect((await h.store.listExecutions({ status: 'running' })).map((r) => r.executionId)).toEqual(['e4', 'e3', 'e2', 'e0']);
      expect((await h.store.listExecutions({ owner: 'n1', limit: 2 })).map((r) => r.executionId)).toEqual(['e4', 'e2']);
      expect((await h.store.listExecutions({ status: 'failed' })).map((r) => r.executionId)).toEqual(['e1']);
    });

    it('keeps deadlines as absolute times: upsert, clear, list earliest first, and with a step', async () => {
      await h.store.createExecution(execution('e1'));
      const t = h.clock.t;
      await h.store.setDeadline({ executionId: 'e1', kind: 'workflow_timeout', key: 'workflow', dueAt: t + 600_000 });
      await h.store.setDeadline({ executionId: 'e1', kind: 'retry', key: 'a', dueAt: t + 900 });
      await h.store.setDeadline({ executionId: 'e1', kind: 'retry', key: 'a', dueAt: t + 200 });
      await h.store.setDeadline({ executionId: 'e1', kind: 'step_timeout', key: 'b', dueAt: t + 30_000 });
      expect((await h.store.deadlines('e1')).map((d) => [d.kind, d.key, d.dueAt - t])).toEqual([
        ['retry', 'a', 200],
        ['step_timeout', 'b', 30_000],
        ['workflow_timeout', 'workflow', 600_000],
      ]);
      expect(await h.store.clearDeadline('e1', 'retry', 'a')).toBe(true);
      expect(await h.store.clearDeadline('e1', 'retry', 'a')).toBe(false);
      await h.store.recordStep('e1', { stepId: 'b', kind: 'step.retrying', attempt: 1 }, SNAPSHOT, {
        setDeadlines: [{ executionId: 'e1', kind: 'retry', key: 'b', dueAt: t + 500 }],
        clearDeadlines: [{ executionId: 'e1', kind: 'step_timeout', key: 'b' }],
      });
      expect((await h.store.deadlines('e1')).map((d) => `${d.kind}:${d.key}`)).toEqual(['retry:b', 'workflow_timeout:workflow']);
      await expectStoreError(h.store.setDeadline({ executionId: 'nope', kind: 'retry', key: 'a', dueAt: t }), 'STORE_NOT_FOUND');
    });

    it('round-trips shared-context entries; expired ones are neither loaded nor kept', async () => {
      const t = h.clock.t;
      const entry = (sessionId: string, contextType: string, expiresIn: number, version = 1) => ({
        sessionId,
        contextType,
        data: { language: 'go', files: ['a', 'b'], nested: { ok: true, nul: 'a\u0000b' } },
        createdAt: t - 100,
        updatedAt: t - 10,
        createdByTool: contextType === 'plain' ? undefined : 'analyze',
        expiresAt: t + expiresIn,
        metadata: { source: 'test' },
        version,
      });
      await h.store.saveContextEntries([entry('s1', 'analysis', 1000), entry('s1', 'plain', 2000), entry('s2', 'analysis', 500), entry('s2', 'old', -1)]);
      const loaded = await h.store.loadContextEntries();
      expect(loaded).toEqual([entry('s1', 'analysis', 1000), entry('s1', 'plain', 2000), entry('s2', 'analysis', 500)]);
      await h.store.saveContextEntries([entry('s1', 'analysis', 3000, 2)]);
      expect(await h.store.loadContextEntries({ sessionId: 's1' })).toEqual([entry('s1', 'analysis', 3000, 2), entry('s1', 'plain', 2000)]);
      h.clock.t += 600; // s2/analysis expires
      expect((await h.store.loadContextEntries()).map((e) => `${e.sessionId}/${e.contextType}`)).toEqual(['s1/analysis', 's1/plain']);
      await h.store.deleteContextEntries([{ sessionId: 's1', contextType: 'plain' }]);
      h.clock.t = t; // an expired entry was pruned when saved, not merely hidden
      await h.store.saveContextEntries([]);
      expect((await h.store.loadContextEntries()).map((e) => `${e.sessionId}/${e.contextType}`)).toEqual(['s1/analysis', 's2/analysis']);
    });

    it('claims runnable executions, renews and releases leases, and detects a lost lease', async () => {
      await h.store.createExecution(execution('free'));
      await h.store.createExecution(execution('held', { owner: 'n0', leaseExpiresAt: h.clock.t + 1000 }));
      await h.store.createExecution(execution('paused', { status: 'paused' }));
      await h.store.createExecution(execution('done'));
      await h.store.finishExecution('done', 'completed', {}, {});
      const claimed = await h.store.claimRunnable({ owner: 'n1', leaseMs: 500 });
      expect(claimed.map((r) => [r.executionId, r.owner, r.leaseExpiresAt])).toEqual([['free', 'n1', h.clock.t + 500]]);
      expect(await h.store.claimRunnable({ owner: 'n2', leaseMs: 500 })).toEqual([]);
      h.clock.t += 400;
      expect(await h.store.renewLease('n1', ['free', 'held', 'ghost'], 5000)).toEqual(['free']);
      expect((await h.store.getExecution('free'))?.leaseExpiresAt).toBe(h.clock.t + 5000);
      // n0 stops renewing: once its lease lapses, n2 takes 'held'; n0 finds out when it renews.
      h.clock.t += 700;
      expect((await h.store.claimRunnable({ owner: 'n2', leaseMs: 500 })).map((r) => r.executionId)).toEqual(['held']);
      expect(await h.store.renewLease('n0', ['held'], 500)).toEqual([]);
      await expectStoreError(h.store.recordStep('held', { stepId: 'a', kind: 'step.started', attempt: 1 }, {}, { owner: 'n0' }), 'STORE_CONFLICT');
      await h.store.recordStep('held', { stepId: 'a', kind: 'step.started', attempt: 1 }, {}, { owner: 'n2' });
      expect(await h.store.releaseLease('held', 'n0')).toBe(false);
      expect(await h.store.releaseLease('held', 'n2')).toBe(true);
      expect((await h.store.getExecution('held'))?.owner).toBeUndefined();
      expect((await h.store.claimRunnable({ owner: 'n3', leaseMs: 500, limit: 5 })).map((r) => r.executionId)).toEqual(['held']);
    });

    it('pause, resume and cancel requests: paused is not claimable; cancelled takes no further request', async () => {
      await h.store.createExecution(execution('e1'));
      await h.store.createExecution(execution('e0'));
      expect((await h.store.setStatus('e1', 'paused')).status).toBe('paused');
      expect(await h.store.claimRunnable({ owner: 'n1', leaseMs: 100, executionId: 'e1' })).toEqual([]);
      await h.store.setStatus('e1', 'running');
      // A targeted claim takes that execution only, though e0 is older and runnable too.
      expect((await h.store.claimRunnable({ owner: 'n1', leaseMs: 100, executionId: 'e1' })).map((r) => r.executionId)).toEqual(['e1']);
      // The owner's renewal skips a paused execution: that is how it learns of the request.
      expect(await h.store.renewLease('n1', ['e1'], 100)).toEqual(['e1']);
      await h.store.setStatus('e1', 'paused');
      expect(await h.store.renewLease('n1', ['e1'], 100)).toEqual([]);
      await h.store.setStatus('e1', 'running');
      await h.store.setStatus('e1', 'cancelled');
      expect(await h.store.renewLease('n1', ['e1'], 100)).toEqual([]);
      expect((await h.store.claimRunnable({ owner: 'n2', leaseMs: 100 })).map((r) => r.executionId)).toEqual(['e0']);
      await expectStoreError(h.store.setStatus('e1', 'running'), 'STORE_CONFLICT');
      // The owner records the step still in flight, then finishes the run as cancelled.
      await h.store.recordStep('e1', { stepId: 'a', kind: 'step.failed', attempt: 1 }, {}, { owner: 'n1' });
      expect((await h.store.finishExecution('e1', 'cancelled', { status: 'cancelled' }, {}, { owner: 'n1' })).result).toEqual({ status: 'cancelled' });
      await expectStoreError(h.store.setStatus('nope', 'paused'), 'STORE_NOT_FOUND');
    });

    it('two owners racing claimRunnable over 200 executions claim each exactly once', async () => {
      for (let i = 0; i < 200; i++) await h.store.createExecution(execution(`r${String(i).padStart(3, '0')}`));
      const other = h.peer();
      const claimer = async (store: ExecutionStore, owner: string): Promise<string[]> => {
        const mine: string[] = [];
        for (;;) {
          const batch = await store.claimRunnable({ owner, leaseMs: 60_000, limit: 7 });
          if (batch.length === 0) return mine;
          mine.push(...batch.map((r) => r.executionId));
        }
      };
      const [a, b] = await Promise.all([claimer(h.store, 'A'), claimer(other, 'B')]);
      const all = [...a, ...b];
      expect(all).toHaveLength(200);
      expect(new Set(all).size).toBe(200);
      const owners = new Map((await h.store.listExecutions({ limit: 1000 })).map((r) => [r.executionId, r.owner]));
      for (const id of a) expect(owners.get(id)).toBe('A');
      for (const id of b) expect(owners.get(id)).toBe('B');
    });

    it('fails every call with STORE_UNAVAILABLE once closed', async () => {
      await h.store.close();
      await h.store.close();
      await expectStoreError(h.store.getExecution('e1'), 'STORE_UNAVAILABLE');
    });
  });
}

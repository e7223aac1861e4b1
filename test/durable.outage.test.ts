// A durable result is the truth: a run reports `completed` only once its end is committed; a store
// that fails mid-run ends the run with the store's typed error, leaving a state another node
// resumes; a store that cannot be reached fails the first run with a typed error and runs no tool;
// the execution record commits before any tool runs. Real SQLite and real PostgreSQL (through a
// TCP proxy the test cuts, as a server going away would).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, type ExecutionStore, type Runtime, type WorkflowResult } from '../src/index.js';
import { StoreError } from '../src/errors/StoreError.js';
import { createStore } from '../src/runtime/store/createStore.js';
import { createSqliteStore } from '../src/runtime/store/SqliteStore.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';
import { createHold, heldWorkflow } from './support/heldWorkflow.js';
import { createTcpProxy } from './support/tcpProxy.js';
import { until } from './support/until.js';

const PG_URL = process.env.ORCHKIT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';
const probe = await probePostgres(PG_URL, 1500);
const pgSuite = !probe.reachable && !IN_CI ? describe.skip : describe;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'orchkit-outage-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const completedIn = async (store: ExecutionStore, executionId: string, stepId: string): Promise<boolean> =>
  (await store.journal(executionId)).some((e) => e.stepId === stepId && e.kind === 'step.completed');

/** Resumes on `runtime` once the failed node's lease has lapsed, and returns the run's result there. */
async function resumeElsewhere(runtime: Runtime, executionId: string): Promise<WorkflowResult> {
  const [execution] = await until('the lease to lapse', async () => {
    const resumed = await runtime.resume({ executionId });
    return resumed.length > 0 && resumed;
  });
  return (execution as NonNullable<typeof execution>).result;
}

/**
 * The scenario, on any store: node A runs a → b → c; once a's completion is committed the store
 * goes away (`breakStore`) and b finishes. A's result is `failed` with STORE_UNAVAILABLE, the store
 * still holds the run as running with a's completion; node B resumes it to the end without
 * running a again.
 */
async function outageScenario(nodeA: Runtime, reader: ExecutionStore, breakStore: () => Promise<void>, healStore: () => Promise<void>, nodeB: () => Runtime, hold: ReturnType<typeof createHold>) {
  const execution = nodeA.startWorkflow(heldWorkflow);
  const { executionId } = execution;
  await until('a committed and b running', async () => hold.calls.includes('b#1') && (await completedIn(reader, executionId, 'a')));
  await breakStore();
  hold.open();
  const local = await execution.result;
  expect(local.status).toBe('failed');
  expect(local.error?.code).toBe('STORE_UNAVAILABLE');
  expect(local.error?.type).toBe('unavailable');
  await healStore();

  const stored = await reader.getExecution(executionId);
  expect(stored?.status).toBe('running');
  expect(stored?.result).toBeUndefined();

  const b = nodeB();
  try {
    const resumed = await resumeElsewhere(b, executionId);
    expect(resumed.status).toBe('completed');
    expect(resumed.output).toEqual({ n: 4 });
    expect((await reader.getExecution(executionId))?.status).toBe('completed');
    // a's completion was committed: it never runs again. b's was not: it runs again (at least once).
    expect(hold.calls.filter((c) => c.startsWith('a#'))).toEqual(['a#1']);
    expect(hold.calls.filter((c) => c.startsWith('b#')).length).toBeGreaterThanOrEqual(2);
    const journal = await reader.journal(executionId);
    for (const step of ['a', 'b', 'c']) expect(journal.filter((e) => e.stepId === step && e.kind === 'step.completed'), step).toHaveLength(1);
  } finally {
    await b.stop();
  }
}

/** A tool that checks, as it starts, that its execution's record is already committed. */
function recordProbe(reader: ExecutionStore, seen: boolean[]) {
  return defineTool({
    name: 'probe',
    description: 'records whether its execution is in the store when it starts',
    input: z.object({}),
    output: z.object({ ok: z.boolean() }),
    run: async (_input, ctx) => {
      const found = (await reader.getExecution(ctx.executionId)) !== undefined;
      seen.push(found);
      return { ok: found };
    },
  });
}
const probeWorkflow = { id: 'probe', steps: [{ id: 'p', tool: 'probe', input: {} }], output: { ok: '${{ steps.p.output.ok }}' } };

/** Commit before tools, completed after commit: on a store URL, with a separate reader. */
async function commitOrderCheck(url: string, reader: ExecutionStore): Promise<void> {
  const seen: boolean[] = [];
  const runtime = createRuntime({ tools: [recordProbe(reader, seen)], store: url });
  try {
    const results = await Promise.all(Array.from({ length: 20 }, () => runtime.executeWorkflow(probeWorkflow)));
    for (const result of results) {
      expect(result.status).toBe('completed');
      // What the caller was told is what the store holds, at the moment it is told.
      const stored = await reader.getExecution(result.executionId);
      expect(stored?.status).toBe('completed');
      expect((stored?.result as WorkflowResult).output).toEqual({ ok: true });
    }
    expect(seen).toEqual(Array.from({ length: 20 }, () => true));
  } finally {
    await runtime.stop();
  }
}

describe('durable outages (SQLite)', () => {
  it('the record commits before a tool runs; completed is reported only once the end is committed', async () => {
    const file = join(dir, 'order.db');
    const reader = createStore(`sqlite:${file}`);
    try {
      await commitOrderCheck(`sqlite:${file}`, reader);
    } finally {
      await reader.close();
    }
  });

  it('a file locked by another process mid-run fails the run with STORE_UNAVAILABLE; another node resumes it', async () => {
    const file = join(dir, 'locked.db');
    const hold = createHold();
    const store = createSqliteStore({ path: file, busyTimeoutMs: 20 });
    const reader = createStore(`sqlite:${file}`);
    const nodeA = createRuntime({ tools: [hold.tool], store, nodeId: 'node-a', leaseMs: 300 });
    let locker: Database.Database | undefined;
    try {
      await outageScenario(
        nodeA,
        reader,
        async () => {
          locker = new Database(file);
          locker.exec('BEGIN IMMEDIATE');
        },
        async () => {
          locker?.exec('ROLLBACK');
          locker?.close();
        },
        () => createRuntime({ tools: [hold.tool], store: `sqlite:${file}`, nodeId: 'node-b', leaseMs: 300 }),
        hold,
      );
    } finally {
      await nodeA.stop();
      await store.close();
      await reader.close();
    }
  });

  it('a node that cannot renew its leases for leaseMs stops its runs with STORE_UNAVAILABLE, so no other node runs them at once', async () => {
    const file = join(dir, 'renewal.db');
    const hold = createHold();
    const inner = createSqliteStore({ path: file });
    // Writes go through; lease renewals fail, as when only the lease connection is cut off.
    const store: ExecutionStore = { ...inner, renewLease: () => Promise.reject(StoreError.unavailable('lease connection lost')) };
    const runtime = createRuntime({ tools: [hold.tool], store, nodeId: 'node-a', leaseMs: 300 });
    try {
      const execution = runtime.startWorkflow(heldWorkflow);
      const result = await execution.result;
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('STORE_UNAVAILABLE');
      expect(result.error?.message).toMatch(/leaseMs \(300 ms\)/);
      expect(hold.calls).toEqual(['a#1', 'b#1']);
      expect((await inner.getExecution(execution.executionId))?.status).toBe('running');
    } finally {
      await runtime.stop();
      await inner.close();
    }
  });

  it('a store that cannot be opened fails the run with a typed error naming the file, and runs no tool', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const seen: boolean[] = [];
    const runtime = createRuntime({ tools: [recordProbe(createStore('memory:'), seen)], store: `sqlite:${join(blocker, 'runs.db')}` });
    try {
      const result = await runtime.executeWorkflow(probeWorkflow);
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('STORE_UNAVAILABLE');
      expect(result.error?.message).toContain(blocker);
      expect(seen).toEqual([]);
    } finally {
      await runtime.stop();
    }
  });
});

pgSuite('durable outages (PostgreSQL)', () => {
  const schemas: string[] = [];
  const newSchema = (): string => {
    const schema = `outage_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('the record commits before a tool runs; completed is reported only once the end is committed', async () => {
    const url = `${PG_URL}?schema=${newSchema()}`;
    const reader = createStore(url);
    try {
      await commitOrderCheck(url, reader);
    } finally {
      await reader.close();
    }
  });

  it('a server that goes away mid-run fails the run with STORE_UNAVAILABLE; another node resumes it', async () => {
    const schema = newSchema();
    const proxy = await createTcpProxy(Number(new URL(PG_URL).port || 5432));
    const proxied = new URL(PG_URL);
    proxied.port = String(proxy.port);
    proxied.searchParams.set('schema', schema);
    const direct = `${PG_URL}?schema=${schema}`;
    const hold = createHold();
    const reader = createStore(direct);
    const nodeA = createRuntime({ tools: [hold.tool], store: createStore(proxied.toString()), nodeId: 'node-a', leaseMs: 300 });
    try {
      await outageScenario(nodeA, reader, () => proxy.cut(), async () => undefined, () => createRuntime({ tools: [hold.tool], store: direct, nodeId: 'node-b', leaseMs: 300 }), hold);
    } finally {
      await nodeA.stop();
      await nodeA.store?.close();
      await reader.close();
      await proxy.close();
    }
  });

  it('a server that cannot be reached fails the first run with STORE_UNAVAILABLE, and runs no tool', async () => {
    const seen: boolean[] = [];
    const runtime = createRuntime({ tools: [recordProbe(createStore('memory:'), seen)], store: 'postgres://postgres@127.0.0.1:1/test?schema=unreachable' });
    try {
      const result = await runtime.executeWorkflow(probeWorkflow);
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('STORE_UNAVAILABLE');
      expect(seen).toEqual([]);
    } finally {
      await runtime.stop();
    }
  });
});

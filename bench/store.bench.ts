/**
 * Durable execution store benchmark: durable steps per second for a 10-step chain simulated at
 * the store level (createExecution, 10 x recordStep with a ~2 KB snapshot, finishExecution), on
 * SQLite (a temp file, WAL, synchronous=NORMAL) and on PostgreSQL when reachable.
 *
 * Peer, in the same run: the same durable writes as hand-written SQL on the same database (one
 * transaction per step: journal insert + snapshot update), i.e. the floor the store layer adds
 * to. The peer, DBOS Transact (`@dbos-inc/dbos-sdk`), is not installed; it is reported as
 * not measured.
 *
 * Run directly with `npx tsx bench/store.bench.ts`, or call {@link runStoreBench}.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { ExecutionStore } from '../src/runtime/store/ExecutionStore.js';
import { createPostgresStore } from '../src/runtime/store/PostgresStore.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';
import { createSqliteStore } from '../src/runtime/store/SqliteStore.js';

const STEPS = 10;
const PG_URL = process.env.ORCHKIT_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A persisted snapshot of a 10-step chain after step `done`, about 2 KB of JSON. */
function snapshotAfter(executionId: string, done: number): unknown {
  const steps: Record<string, unknown> = {};
  const value: Record<string, string> = {};
  for (let i = 0; i < STEPS; i++) {
    const id = `step_${i}`;
    value[id] = i < done ? 'done' : i === done ? 'running' : 'waiting';
    steps[id] = i < done ? { status: 'completed', attempts: 1, output: { n: i + 1, path: `/work/out/${id}.json` }, startedAt: 1_700_000_000_000 + i, finishedAt: 1_700_000_000_001 + i } : { status: 'pending', attempts: 0 };
  }
  return {
    status: 'active',
    value: { steps: value },
    historyValue: {},
    context: {
      workflowId: 'chain10',
      version: '1',
      executionId,
      correlationId: `corr-${executionId}`,
      sessionId: 'bench',
      input: { repoPath: '/work/repos/sample-app', options: { registry: 'ghcr.io/acme', tag: 'latest' } },
      env: { docker: false, kubectl: false },
      steps,
      queue: [],
      running: 1,
      failures: 0,
      startedAt: 1_700_000_000_000,
    },
    children: {},
  };
}

const definition = { id: 'chain10', version: '1', steps: Array.from({ length: STEPS }, (_, i) => ({ id: `step_${i}`, tool: 'work', ...(i > 0 ? { dependsOn: [`step_${i - 1}`] } : {}) })) };

async function runChain(store: ExecutionStore, executionId: string): Promise<void> {
  await store.createExecution({ executionId, workflowId: 'chain10', version: '1', definition, input: {}, correlationId: executionId, sessionId: 'bench', owner: 'bench', leaseExpiresAt: Date.now() + 60_000 });
  for (let i = 0; i < STEPS; i++) {
    await store.recordStep(executionId, { stepId: `step_${i}`, kind: 'step.completed', attempt: 1, output: { n: i + 1 } }, snapshotAfter(executionId, i + 1), { owner: 'bench' });
  }
  await store.finishExecution(executionId, 'completed', { status: 'completed', output: { n: STEPS } }, snapshotAfter(executionId, STEPS), { owner: 'bench' });
}

/** Runs `chains` executions, `concurrency` at a time; returns durable steps per second. */
async function measure(chains: number, concurrency: number, runOne: (id: string) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chains) await runOne(`x${next++}-${randomBytes(3).toString('hex')}`);
    }),
  );
  return Math.round((chains * STEPS) / ((performance.now() - started) / 1000));
}

function rawSqliteChain(db: Database.Database): (id: string) => Promise<void> {
  db.exec(`CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, definition TEXT, snapshot TEXT, status TEXT);
    CREATE TABLE IF NOT EXISTS steps (id TEXT, seq INTEGER, step TEXT, output TEXT, PRIMARY KEY (id, seq)) WITHOUT ROWID;`);
  const insertRun = db.prepare('INSERT INTO runs (id, definition, status) VALUES (?, ?, ?)');
  const insertStep = db.prepare('INSERT INTO steps (id, seq, step, output) VALUES (?, ?, ?, ?)');
  const update = db.prepare('UPDATE runs SET snapshot = ?, status = ? WHERE id = ?');
  return async (id) => {
    insertRun.run(id, JSON.stringify(definition), 'running');
    for (let i = 0; i < STEPS; i++) {
      db.transaction(() => {
        insertStep.run(id, i + 1, `step_${i}`, JSON.stringify({ n: i + 1 }));
        update.run(JSON.stringify(snapshotAfter(id, i + 1)), 'running', id);
      }).immediate();
    }
    update.run(JSON.stringify(snapshotAfter(id, STEPS)), 'completed', id);
  };
}

function rawPostgresChain(pool: pg.Pool, schema: string): (id: string) => Promise<void> {
  return async (id) => {
    await pool.query(`INSERT INTO ${schema}.runs (id, definition, status) VALUES ($1, $2, 'running')`, [id, JSON.stringify(definition)]);
    const client = await pool.connect();
    try {
      for (let i = 0; i < STEPS; i++) {
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${schema}.steps (id, seq, step, output) VALUES ($1, $2, $3, $4)`, [id, i + 1, `step_${i}`, JSON.stringify({ n: i + 1 })]);
        await client.query(`UPDATE ${schema}.runs SET snapshot = $1 WHERE id = $2`, [JSON.stringify(snapshotAfter(id, i + 1)), id]);
        await client.query('COMMIT');
      }
    } finally {
      client.release();
    }
    await pool.query(`UPDATE ${schema}.runs SET snapshot = $1, status = 'completed' WHERE id = $2`, [JSON.stringify(snapshotAfter(id, STEPS)), id]);
  };
}

async function benchSqlite(chains: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'orchkit-bench-'));
  try {
    const store = createSqliteStore({ path: join(dir, 'store.db') });
    await store.init();
    await measure(Math.ceil(chains / 10), 1, (id) => runChain(store, id)); // warm-up
    const orchkit = await measure(chains, 1, (id) => runChain(store, id));
    await store.close();
    const db = new Database(join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const raw = await measure(chains, 1, rawSqliteChain(db));
    db.close();
    return { orchkit, raw };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(chains: number): Promise<Record<string, number>> {
  const schema = `orchkit_bench_${randomBytes(4).toString('hex')}`;
  const store = createPostgresStore({ connectionString: PG_URL, schema, poolSize: 8, applicationName: 'orchkit_bench' });
  const pool = new pg.Pool({ connectionString: PG_URL, max: 8, application_name: 'orchkit_bench_raw' });
  try {
    await store.init();
    await measure(Math.ceil(chains / 10), 1, (id) => runChain(store, id));
    const orchkit = await measure(chains, 1, (id) => runChain(store, id));
    const orchkit8 = await measure(chains, 8, (id) => runChain(store, id));
    await pool.query(`CREATE TABLE "${schema}".runs (id TEXT PRIMARY KEY, definition JSON, snapshot JSON, status TEXT);
      CREATE TABLE "${schema}".steps (id TEXT, seq INTEGER, step TEXT, output JSON, PRIMARY KEY (id, seq))`);
    const raw = await measure(chains, 1, rawPostgresChain(pool, `"${schema}"`));
    const raw8 = await measure(chains, 8, rawPostgresChain(pool, `"${schema}"`));
    return { orchkit, raw, orchkit8, raw8 };
  } finally {
    await store.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

/** Runs the store benchmark and returns its figures (durable steps per second). */
export async function runStoreBench(options: { chains?: number } = {}): Promise<Record<string, unknown>> {
  const chains = options.chains ?? 300;
  const snapshotBytes = JSON.stringify(snapshotAfter('x0-000000', STEPS)).length;
  const sqlite = await benchSqlite(chains);
  const probe = await probePostgres(PG_URL, 1500);
  const postgres = probe.reachable ? await benchPostgres(chains) : { skipped: probe.reason };
  return { name: 'store', chains, steps: STEPS, snapshotBytes, sqlite, postgres, dbos: 'not measured: @dbos-inc/dbos-sdk is not installed' };
}

function print(results: Record<string, unknown>): void {
  const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}x` : 'n/a');
  const sqlite = results.sqlite as Record<string, number>;
  const postgres = results.postgres as Record<string, number> & { skipped?: string };
  console.log(`durable store, ${String(results.chains)} chains of ${String(results.steps)} steps, snapshot ${String(results.snapshotBytes)} B`);
  console.log(`  sqlite   orchkit: ${sqlite.orchkit} steps/s   raw SQL: ${sqlite.raw} steps/s   ratio ${ratio(sqlite.orchkit, sqlite.raw)}`);
  if (postgres.skipped !== undefined) console.log(`  postgres skipped: ${postgres.skipped}`);
  else {
    console.log(`  postgres orchkit: ${postgres.orchkit} steps/s   raw SQL: ${postgres.raw} steps/s   ratio ${ratio(postgres.orchkit, postgres.raw)}`);
    console.log(`  postgres x8 chains at once: orchkit ${postgres.orchkit8} steps/s   raw SQL: ${postgres.raw8} steps/s   ratio ${ratio(postgres.orchkit8, postgres.raw8)}`);
  }
  console.log(`  DBOS peer: ${String(results.dbos)} (target: orchkit >= 2x DBOS on the same PostgreSQL)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  print(await runStoreBench());
}

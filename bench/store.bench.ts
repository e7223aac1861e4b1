/**
 * Durable execution benchmark: durable steps per second for a 10-step chain (step_i depends on
 * step_i-1 and takes its output), one chain at a time (x1) and 8 chains at once (x8), in one run:
 *
 * - End to end: an orchkit runtime (`createRuntime` with a store) executing the chain as a real
 *   workflow, one trivial tool per step (`{ n } -> { n: n + 1 }`), on SQLite (a temp file, WAL,
 *   synchronous=NORMAL) and on PostgreSQL (a schema of its own, dropped afterwards). A chain
 *   counts when its last durable write (`finishExecution`) is committed, which is well after
 *   `executeWorkflow` resolves (the runtime journals behind the actor); see `durableChain.ts`.
 * - The peer, on the same PostgreSQL database in the same run: DBOS Transact
 *   (`@dbos-inc/dbos-sdk`), the chain as a workflow of 10 sequential `DBOS.runStep` steps, each
 *   checkpointed before the next starts, its system tables in a schema of its own dropped
 *   afterwards; see `dbosPeer.ts`. Both get a pool of 10 connections. After a warm-up each, the
 *   two run in 2 rounds of half the chains, their order alternating, so load drift on the
 *   machine hits both alike. Printed: orchkit / DBOS, x1 and x8 (the issue's target: at least
 *   2x). If DBOS cannot launch, it is reported as `{ skipped: reason }`.
 * - Store level: the same chain's writes made by calling the store directly (createExecution,
 *   10 x recordStep with a ~2 KB snapshot, finishExecution), against hand-written SQL doing the
 *   same writes (one transaction per step: journal insert + snapshot update), the floor the store
 *   layer adds to.
 *
 * Also recorded: store calls, PostgreSQL round trips and commits per step of each contender
 * (counted in an untimed pass), which is where the end-to-end gap comes from.
 *
 * PostgreSQL: `ORCHKIT_BENCH_POSTGRES_URL`, `postgres://postgres@127.0.0.1:5432/test` by default;
 * skipped when unreachable. Run directly with `npx tsx bench/store.bench.ts`, or call
 * {@link runStoreBench} (`npm run bench` writes its record to bench/results.json).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { ExecutionStore } from '../src/runtime/store/ExecutionStore.js';
import { createPostgresStore } from '../src/runtime/store/PostgresStore.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';
import { createSqliteStore } from '../src/runtime/store/SqliteStore.js';
import { openDurableChain } from './durableChain.js';
import type { DbosPeer } from './dbosPeer.js';
import { CHAIN_STEPS, compareContenders, measure, PACED_STEP_MS, type DurableContender, type Throughput } from './durableMeasure.js';

const PG_URL = process.env.ORCHKIT_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A persisted snapshot of a 10-step chain after step `done`, about 2 KB of JSON. */
function snapshotAfter(executionId: string, done: number): unknown {
  const steps: Record<string, unknown> = {};
  const value: Record<string, string> = {};
  for (let i = 0; i < CHAIN_STEPS; i++) {
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

const definition = { id: 'chain10', version: '1', steps: Array.from({ length: CHAIN_STEPS }, (_, i) => ({ id: `step_${i}`, tool: 'work', ...(i > 0 ? { dependsOn: [`step_${i - 1}`] } : {}) })) };

async function runChain(store: ExecutionStore, executionId: string): Promise<void> {
  await store.createExecution({ executionId, workflowId: 'chain10', version: '1', definition, input: {}, correlationId: executionId, sessionId: 'bench', owner: 'bench', leaseExpiresAt: Date.now() + 60_000 });
  for (let i = 0; i < CHAIN_STEPS; i++) {
    await store.recordStep(executionId, { stepId: `step_${i}`, kind: 'step.completed', attempt: 1, output: { n: i + 1 } }, snapshotAfter(executionId, i + 1), { owner: 'bench' });
  }
  await store.finishExecution(executionId, 'completed', { status: 'completed', output: { n: CHAIN_STEPS } }, snapshotAfter(executionId, CHAIN_STEPS), { owner: 'bench' });
}

function rawSqliteChain(db: Database.Database): (id: string) => Promise<void> {
  db.exec(`CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, definition TEXT, snapshot TEXT, status TEXT);
    CREATE TABLE IF NOT EXISTS steps (id TEXT, seq INTEGER, step TEXT, output TEXT, PRIMARY KEY (id, seq)) WITHOUT ROWID;`);
  const insertRun = db.prepare('INSERT INTO runs (id, definition, status) VALUES (?, ?, ?)');
  const insertStep = db.prepare('INSERT INTO steps (id, seq, step, output) VALUES (?, ?, ?, ?)');
  const update = db.prepare('UPDATE runs SET snapshot = ?, status = ? WHERE id = ?');
  return async (id) => {
    insertRun.run(id, JSON.stringify(definition), 'running');
    for (let i = 0; i < CHAIN_STEPS; i++) {
      db.transaction(() => {
        insertStep.run(id, i + 1, `step_${i}`, JSON.stringify({ n: i + 1 }));
        update.run(JSON.stringify(snapshotAfter(id, i + 1)), 'running', id);
      }).immediate();
    }
    update.run(JSON.stringify(snapshotAfter(id, CHAIN_STEPS)), 'completed', id);
  };
}

function rawPostgresChain(pool: pg.Pool, schema: string): (id: string) => Promise<void> {
  return async (id) => {
    await pool.query(`INSERT INTO ${schema}.runs (id, definition, status) VALUES ($1, $2, 'running')`, [id, JSON.stringify(definition)]);
    const client = await pool.connect();
    try {
      for (let i = 0; i < CHAIN_STEPS; i++) {
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${schema}.steps (id, seq, step, output) VALUES ($1, $2, $3, $4)`, [id, i + 1, `step_${i}`, JSON.stringify({ n: i + 1 })]);
        await client.query(`UPDATE ${schema}.runs SET snapshot = $1 WHERE id = $2`, [JSON.stringify(snapshotAfter(id, i + 1)), id]);
        await client.query('COMMIT');
      }
    } finally {
      client.release();
    }
    await pool.query(`UPDATE ${schema}.runs SET snapshot = $1, status = 'completed' WHERE id = $2`, [JSON.stringify(snapshotAfter(id, CHAIN_STEPS)), id]);
  };
}

async function storeLevelSqlite(dir: string, chains: number): Promise<Record<string, number>> {
  const store = createSqliteStore({ path: join(dir, 'store.db') });
  await store.init();
  await measure(Math.ceil(chains / 10), 1, (id) => runChain(store, id)); // warm-up
  const orchkit = await measure(chains, 1, (id) => runChain(store, id));
  await store.close();
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const rawChain = rawSqliteChain(db);
  await measure(Math.ceil(chains / 10), 1, rawChain);
  const raw = await measure(chains, 1, rawChain);
  db.close();
  return { orchkit, raw };
}

async function storeLevelPostgres(pool: pg.Pool, schema: string, chains: number): Promise<Record<string, number>> {
  const store = createPostgresStore({ connectionString: PG_URL, schema, poolSize: 8, applicationName: 'orchkit_bench' });
  try {
    await store.init();
    await measure(Math.ceil(chains / 10), 1, (id) => runChain(store, id));
    const orchkit = await measure(chains, 1, (id) => runChain(store, id));
    const orchkit8 = await measure(chains, 8, (id) => runChain(store, id));
    await pool.query(`CREATE TABLE "${schema}".runs (id TEXT PRIMARY KEY, definition JSON, snapshot JSON, status TEXT);
      CREATE TABLE "${schema}".steps (id TEXT, seq INTEGER, step TEXT, output JSON, PRIMARY KEY (id, seq))`);
    const rawChain = rawPostgresChain(pool, `"${schema}"`);
    await measure(Math.ceil(chains / 10), 1, rawChain);
    const raw = await measure(chains, 1, rawChain);
    const raw8 = await measure(chains, 8, rawChain);
    return { orchkit, raw, orchkit8, raw8 };
  } finally {
    await store.close();
  }
}

type Measured = Throughput & { perStep: Record<string, unknown> };

async function openDbosPeer(): Promise<DbosPeer | { skipped: string }> {
  try {
    // Imported here so a missing or broken SDK is a skipped peer, not a failed benchmark.
    const { openDbos } = await import('./dbosPeer.js');
    return await openDbos(PG_URL);
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
}

type Pair = { orchkit: Measured; dbos: Measured | { skipped: string } };

/** orchkit end to end on PostgreSQL and DBOS on the same database, interleaved: the plain chain, and the paced one. */
async function endToEndPostgres(schema: string, chains: number): Promise<{ plain: Pair; paced: Pair }> {
  // The runtime's store keeps its default pool size, 10, as DBOS's system database pool.
  const open = (paced: boolean): DurableContender =>
    openDurableChain(createPostgresStore({ connectionString: PG_URL, schema, applicationName: 'orchkit_bench_e2e' }), { countStatements: true, paced });
  const peer = await openDbosPeer();
  const pair = async (orchkit: DurableContender, dbos: DurableContender | undefined, count: number): Promise<Pair> => {
    try {
      const contenders: Record<string, DurableContender> = dbos ? { orchkit, dbos } : { orchkit };
      const figures = await compareContenders(contenders, count);
      const measured = async (name: string, contender: DurableContender): Promise<Measured> => ({ ...(figures[name] as Throughput), perStep: await contender.costPerStep() });
      return { orchkit: await measured('orchkit', orchkit), dbos: dbos ? await measured('dbos', dbos) : { skipped: (peer as { skipped: string }).skipped } };
    } finally {
      await orchkit.close();
    }
  };
  try {
    const dbos = 'skipped' in peer ? undefined : peer;
    return { plain: await pair(open(false), dbos?.plain, chains), paced: await pair(open(true), dbos?.paced, Math.ceil(chains / 4)) };
  } finally {
    if (!('skipped' in peer)) await peer.close();
  }
}

async function endToEndSqlite(dir: string, chains: number): Promise<Measured> {
  const orchkit = openDurableChain(createSqliteStore({ path: join(dir, 'runtime.db') }));
  try {
    const { orchkit: figures } = await compareContenders({ orchkit }, chains);
    return { ...figures, perStep: await orchkit.costPerStep() };
  } finally {
    await orchkit.close();
  }
}

const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a && b ? +(a / b).toFixed(2) : undefined);
const times = (value: number | undefined): string => (value === undefined ? 'n/a' : `${value.toFixed(2)}x`);

function describeCost(perStep: Record<string, unknown>): string {
  const statements = perStep.statements as Record<string, number> | undefined;
  const storeCalls = perStep.storeCalls as Record<string, number> | undefined;
  const parts: string[] = [];
  if (statements) {
    const kinds = Object.entries(statements).filter(([kind]) => kind !== 'total' && kind !== 'commits');
    parts.push(`${statements.commits ?? 0} commits, ${statements.total ?? 0} round trips (${kinds.map(([kind, n]) => `${kind} ${n}`).join(', ')})`);
  }
  const writes = (storeCalls?.recordStep ?? 0) + (storeCalls?.recordSteps ?? 0);
  if (storeCalls) parts.push(`${+writes.toFixed(2)} journal writes (recordSteps), each with a ${String(perStep.snapshotBytes)} B snapshot`);
  return parts.join('; ');
}

/** Runs the benchmark, prints its lines, and returns its figures (durable steps per second). */
export async function runStoreBench(options: { chains?: number } = {}): Promise<Record<string, unknown>> {
  const chains = options.chains ?? 200;
  const snapshotBytes = JSON.stringify(snapshotAfter('x0-000000', CHAIN_STEPS)).length;
  const dir = mkdtempSync(join(tmpdir(), 'orchkit-bench-'));
  let sqlite: { endToEnd: Measured; storeLevel: Record<string, number> };
  try {
    sqlite = { endToEnd: await endToEndSqlite(dir, chains), storeLevel: await storeLevelSqlite(dir, chains) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const probe = await probePostgres(PG_URL, 1500);
  let postgres: { endToEnd: { plain: Pair; paced: Pair }; storeLevel: Record<string, number> } | { skipped: string };
  if (!probe.reachable) postgres = { skipped: probe.reason };
  else {
    const schema = `orchkit_bench_${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: PG_URL, max: 8, application_name: 'orchkit_bench_raw' });
    try {
      postgres = { endToEnd: await endToEndPostgres(`${schema}_e2e`, chains), storeLevel: await storeLevelPostgres(pool, schema, chains) };
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_e2e" CASCADE`);
      await pool.end();
    }
  }
  const versus = (pair: Pair | undefined) => {
    const dbos = pair === undefined || 'skipped' in pair.dbos ? undefined : pair.dbos;
    return { x1: ratio(pair?.orchkit.x1, dbos?.x1), x8: ratio(pair?.orchkit.x8, dbos?.x8) };
  };
  const e2e = 'skipped' in postgres ? undefined : postgres.endToEnd;
  const orchkitVsDbos = { plain: versus(e2e?.plain), paced: versus(e2e?.paced) };

  console.log(`durable steps/s, chains of ${CHAIN_STEPS} steps; x1 = one chain at a time, x8 = 8 chains at once; ${chains} chains per figure (paced: ${Math.ceil(chains / 4)})`);
  console.log('end to end (orchkit: a runtime executing the chain, done once its last write is committed):');
  console.log(`  sqlite   orchkit  x1 ${sqlite.endToEnd.x1}   x8 ${sqlite.endToEnd.x8}   per step: ${describeCost(sqlite.endToEnd.perStep)}`);
  if (e2e === undefined) console.log(`  postgres skipped: ${(postgres as { skipped: string }).skipped}`);
  else {
    for (const [label, pair] of [['plain', e2e.plain], [`paced (${PACED_STEP_MS} ms wait per step)`, e2e.paced]] as const) {
      const { orchkit, dbos: peer } = pair;
      const vs = versus(pair);
      console.log(`  postgres, ${label}: orchkit x1 ${orchkit.x1}  x8 ${orchkit.x8};  DBOS ${'skipped' in peer ? `skipped: ${peer.skipped}` : `x1 ${peer.x1}  x8 ${peer.x8}`};  orchkit / DBOS x1 ${times(vs.x1)}  x8 ${times(vs.x8)}  (target >= 2x)`);
      console.log(`    per step, orchkit: ${describeCost(orchkit.perStep)}`);
      if (!('skipped' in peer)) console.log(`    per step, DBOS:    ${describeCost(peer.perStep)}`);
    }
  }
  console.log(`store level (store calls only, ${snapshotBytes} B snapshot) vs hand-written SQL of the same writes:`);
  console.log(`  sqlite   orchkit: ${sqlite.storeLevel.orchkit} steps/s   raw SQL: ${sqlite.storeLevel.raw} steps/s   ratio ${times(ratio(sqlite.storeLevel.orchkit, sqlite.storeLevel.raw))}`);
  if (!('skipped' in postgres)) {
    const level = postgres.storeLevel;
    console.log(`  postgres orchkit: ${level.orchkit} steps/s   raw SQL: ${level.raw} steps/s   ratio ${times(ratio(level.orchkit, level.raw))}`);
    console.log(`  postgres x8 chains at once: orchkit ${level.orchkit8} steps/s   raw SQL: ${level.raw8} steps/s   ratio ${times(ratio(level.orchkit8, level.raw8))}`);
  }
  return { name: 'store', chains, steps: CHAIN_STEPS, snapshotBytes, sqlite, postgres, orchkitVsDbos };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runStoreBench();
}

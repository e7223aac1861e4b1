// The DBOS Transact peer of the store benchmark: the 10-step chain as a DBOS workflow of 10
// sequential `DBOS.runStep` steps (each checkpointed in PostgreSQL before the next one starts),
// on the same database as orchkit, its system tables in a schema of its own dropped on close.
import { randomBytes } from 'node:crypto';
import { DBOS } from '@dbos-inc/dbos-sdk';
import pg from 'pg';
import { CHAIN_STEPS, pacedWork, type DurableContender } from './durableMeasure.js';
import { countStatements } from './durableStatements.js';
import { work } from './peers.js';

/** Connections of DBOS's system database pool: its default, and the orchkit store's. */
const POOL_SIZE = 10;

async function chain(start: number): Promise<number> {
  let n = start;
  for (let i = 0; i < CHAIN_STEPS; i++) n = (await DBOS.runStep(() => work(n), { name: `step_${i}` })).n;
  return n;
}

async function pacedChain(start: number): Promise<number> {
  let n = start;
  for (let i = 0; i < CHAIN_STEPS; i++) n = (await DBOS.runStep(() => pacedWork(n), { name: `step_${i}` })).n;
  return n;
}

/** DBOS launched with both chains registered: a contender for each, and the one shutdown. */
export interface DbosPeer {
  plain: DurableContender;
  paced: DurableContender;
  close(): Promise<void>;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}

/**
 * Launches DBOS against `url` with the chain registered; `{ skipped }` with the reason when the
 * launch fails. DBOS is a process-wide singleton: open it once per process.
 */
export async function openDbos(url: string): Promise<DbosPeer | { skipped: string }> {
  const schema = `dbos_bench_${randomBytes(4).toString('hex')}`;
  const workflows = { plain: DBOS.registerWorkflow(chain, { name: 'chain10' }), paced: DBOS.registerWorkflow(pacedChain, { name: 'chain10_paced' }) };
  DBOS.setConfig({ name: 'orchkit-bench', systemDatabaseUrl: url, systemDatabaseSchemaName: schema, systemDatabasePoolSize: POOL_SIZE, logLevel: 'error' });
  try {
    await DBOS.launch();
  } catch (error) {
    const reason = `DBOS.launch failed: ${error instanceof Error ? error.message : String(error)}`;
    // Best effort: the failure being reported is the launch, not this cleanup.
    await DBOS.shutdown().catch(() => undefined);
    await dropSchema(url, schema).catch(() => undefined);
    return { skipped: reason };
  }
  const contender = (workflow: (start: number) => Promise<number>): DurableContender => {
    const runOne = async (): Promise<void> => {
      if ((await workflow(0)) !== CHAIN_STEPS) throw new Error('the DBOS chain returned a wrong result');
    };
    return {
      runOne,
      async costPerStep() {
        const statements = await countStatements(async () => {
          for (let i = 0; i < 5; i++) await runOne();
        }, 5 * CHAIN_STEPS);
        return { statements };
      },
      close: async () => undefined,
    };
  };
  return {
    plain: contender(workflows.plain),
    paced: contender(workflows.paced),
    async close() {
      await DBOS.shutdown();
      await dropSchema(url, schema);
    },
  };
}

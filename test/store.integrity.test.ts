// Stores refuse to lose data silently: a 0-byte, truncated or foreign SQLite file is a typed error
// naming the file with a hint, never a fresh database; a schema that does not match its version is
// a typed error too (SQLite and PostgreSQL). Lease and connection options are checked at creation.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, isRuntimeError, isStoreError, type StoreError } from '../src/index.js';
import { createMemoryStore } from '../src/runtime/store/MemoryStore.js';
import { createPostgresStore } from '../src/runtime/store/PostgresStore.js';
import { createSqliteStore } from '../src/runtime/store/SqliteStore.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';

const PG_URL = process.env.ORCHKIT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';
const probe = await probePostgres(PG_URL, 1500);
const pgSuite = !probe.reachable && !IN_CI ? describe.skip : describe;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'orchkit-integrity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStoreError(error)) throw new Error(`expected a StoreError, got ${String(error)}`);
  return error;
}
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

const newExecution = (id: string) => ({ executionId: id, workflowId: 'wf', version: '1', definition: {}, input: {}, correlationId: id, sessionId: 's' });

/** A store file holding `runs` executions, checkpointed into the main file. */
async function storeFile(name: string, runs: number): Promise<string> {
  const path = join(dir, name);
  const store = createSqliteStore({ path });
  for (let i = 0; i < runs; i++) await store.createExecution(newExecution(`e${i}`));
  await store.close();
  return path;
}

/** The open fails with `code`, names the file, says what to do, and leaves the file as it was. */
async function refused(path: string, code: string, hint: RegExp): Promise<void> {
  const before = readFileSync(path);
  const store = createSqliteStore({ path });
  const error = await failure(store.init());
  expect(error.code, error.message).toBe(code);
  expect(error.path).toBe(path);
  expect(error.message).toContain(path);
  expect(error.message).toMatch(hint);
  // Later calls fail the same way: nothing was created in its place.
  expect((await failure(store.listExecutions())).code).toBe(code);
  await store.close();
  expect(readFileSync(path).equals(before)).toBe(true);
}

describe('SQLite store files', () => {
  it('a 0-byte file is STORE_CORRUPT naming it, not a new empty store', async () => {
    const path = await storeFile('emptied.db', 3);
    truncateSync(path, 0);
    await refused(path, 'STORE_CORRUPT', /empty \(0 bytes\).*move it away/);
  });

  it('a file cut anywhere (a property over cut points) is STORE_CORRUPT, never opened as a store', async () => {
    const path = await storeFile('whole.db', 40);
    const whole = readFileSync(path);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: whole.length - 1 }), async (cut) => {
        const file = join(dir, 'cut.db');
        rmSync(`${file}-wal`, { force: true });
        rmSync(`${file}-shm`, { force: true });
        writeFileSync(file, whole.subarray(0, cut));
        const error = await failure(createSqliteStore({ path: file }).init());
        expect(error.code).toBe('STORE_CORRUPT');
        expect(error.message).toContain(file);
      }),
      { seed: 13, numRuns: 25 },
    );
  });

  it('a file that is not SQLite is STORE_CORRUPT', async () => {
    const path = join(dir, 'text.db');
    writeFileSync(path, 'these are my notes, not a database\n');
    await refused(path, 'STORE_CORRUPT', /not a SQLite database.*restore it from a backup/);
  });

  it("another application's SQLite database is STORE_FOREIGN, and orchkit adds no table to it", async () => {
    const path = join(dir, 'foreign.db');
    const db = new Database(path);
    db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada')");
    db.close();
    const sizeBefore = statSync(path).size;
    await refused(path, 'STORE_FOREIGN', /customers.*Use another file/);
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['customers']);
    check.close();
    expect(statSync(path).size).toBe(sizeBefore);
  });

  it('a schema that does not match its version is STORE_SCHEMA_MISMATCH', async () => {
    const dropped = await storeFile('dropped.db', 1);
    const db = new Database(dropped);
    db.exec('DROP TABLE deadlines');
    db.close();
    await refused(dropped, 'STORE_SCHEMA_MISMATCH', /version \d+ but no deadlines table/);

    const emptied = await storeFile('noversion.db', 1);
    const db2 = new Database(emptied);
    db2.exec('DELETE FROM schema_version');
    db2.close();
    await refused(emptied, 'STORE_SCHEMA_MISMATCH', /schema_version is empty/);
  });

  it('a new file, and a whole one, still open', async () => {
    const fresh = createSqliteStore({ path: join(dir, 'sub', 'fresh.db') });
    await fresh.init();
    await fresh.close();
    const path = await storeFile('reopen.db', 2);
    const store = createSqliteStore({ path });
    expect(await store.listExecutions()).toHaveLength(2);
    await store.close();
  });
});

describe('lease and connection options', () => {
  it.each([0, -1, Number.NaN, 1.5, Number.POSITIVE_INFINITY, 2 ** 31, 1e12])('createRuntime({ leaseMs: %s }) is INVALID_OPTION naming leaseMs', (leaseMs) => {
    const error = thrown(() => createRuntime({ store: 'memory:', leaseMs }));
    expect(isRuntimeError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('INVALID_OPTION');
    expect((error as Error).message).toMatch(/^leaseMs must be an integer from 100 to 86400000 ms/);
  });

  it('claimRunnable and renewLease refuse a bad leaseMs on every store', async () => {
    const stores = [createMemoryStore(), createSqliteStore({ path: ':memory:' })];
    for (const store of stores) {
      await expect(store.claimRunnable({ owner: 'n', leaseMs: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
      await expect(store.renewLease('n', ['e'], Number.NaN)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
      await store.close();
    }
  });

  it('store creation refuses timeouts and pool sizes out of range, naming the option', () => {
    const cases: [() => unknown, string][] = [
      [() => createSqliteStore({ path: ':memory:', busyTimeoutMs: -1 }), 'busyTimeoutMs'],
      [() => createPostgresStore({ connectionString: PG_URL, connectionTimeoutMs: 0 }), 'connectionTimeoutMs'],
      [() => createPostgresStore({ connectionString: PG_URL, poolSize: 0 }), 'poolSize'],
    ];
    for (const [create, option] of cases) {
      const error = thrown(create);
      expect(isRuntimeError(error), option).toBe(true);
      expect((error as Error).message).toContain(option);
    }
  });
});

pgSuite('PostgreSQL schemas', () => {
  let admin: pg.Client;
  const schemas: string[] = [];
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
  });
  afterAll(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
  const newSchema = (): string => {
    const schema = `integrity_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };

  it("a schema of another application is STORE_FOREIGN, left untouched", async () => {
    const schema = newSchema();
    await admin.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".orders (id int)`);
    const store = createPostgresStore({ connectionString: PG_URL, schema });
    const error = await failure(store.init());
    expect(error.code).toBe('STORE_FOREIGN');
    expect(error.message).toContain(`PostgreSQL schema ${schema}`);
    const tables = await admin.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
    expect(tables.rows.map((r: { table_name: string }) => r.table_name)).toEqual(['orders']);
    await store.close();
  });

  it('a schema missing a table of its version is STORE_SCHEMA_MISMATCH', async () => {
    const schema = newSchema();
    const first = createPostgresStore({ connectionString: PG_URL, schema });
    await first.init();
    await first.close();
    await admin.query(`DROP TABLE "${schema}".journal CASCADE`);
    const store = createPostgresStore({ connectionString: PG_URL, schema });
    const error = await failure(store.init());
    expect(error.code).toBe('STORE_SCHEMA_MISMATCH');
    expect(error.message).toMatch(/no journal table/);
    await store.close();
  });
});

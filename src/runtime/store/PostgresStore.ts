import pg from 'pg';
import type { Logger } from 'pino';
import { StoreError } from '../../errors/StoreError.js';
import { systemClock, type Clock } from '../../machines/Clock.js';
import { checkAccess, type AccessRow } from './checkAccess.js';
import { checkDurationOption, LEASE_MS_RANGE } from './checkDurationOption.js';
import { checkReplay } from './checkReplay.js';
import { checkBatch } from './planJournalRows.js';
import { CONTEXT_COLUMNS, contextRow } from './contextRow.js';
import { encodeJson } from './encodeJson.js';
import type { DeadlineKey, ExecutionStore, JournalEntry, JournalEntryInput } from './ExecutionStore.js';
import { contextFromRow, deadlineFromRow, executionFromRow, journalFromRow, type Row } from './fromRow.js';
import { toPostgresStoreError } from './postgresError.js';
import { postgresMigrations } from './postgresSchema.js';
import { postgresSchemaName } from './postgresSchemaName.js';
import { postgresSql } from './postgresSql.js';
import { checkFoundSchema, pendingMigrations } from './schemaVersion.js';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user@host:5432/db`. */
  connectionString: string;
  /** Schema holding the tables (created if missing); `orchkit` by default. Tests use one each. */
  schema?: string;
  /** `application_name` of the connections, to find them in `pg_stat_activity`; `orchkit` by default. */
  applicationName?: string;
  /** Connections in the pool; 10 by default. */
  poolSize?: number;
  /** How long to wait for a connection before `STORE_UNAVAILABLE`; 5000 ms by default. */
  connectionTimeoutMs?: number;
  /** Time source of leases, `updatedAt` and context expiry. Nodes sharing a database need synchronized clocks (NTP). */
  clock?: Pick<Clock, 'now'>;
  /** Warnings about connections the pool dropped. */
  logger?: Logger;
}

// `json` columns come back as text (see JSON_AS_TEXT), so JSON `null` stays apart from SQL NULL (absent).
const json = (value: unknown): unknown => JSON.parse(value as string);
const JSON_OID = 114;
const textParser = (value: string): string => value;
const JSON_AS_TEXT = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === JSON_OID ? textParser : (pg.types.getTypeParser(oid, format ?? 'text') as unknown)) as typeof pg.types.getTypeParser,
};
const opt = (value: unknown, what: string, executionId: string): string | null => (value === undefined ? null : encodeJson(value, what, executionId));

/**
 * The store for several runtime processes on several machines: PostgreSQL through a `pg` pool.
 * Leases are row columns claimed with `SELECT ... FOR UPDATE SKIP LOCKED`, so no execution is
 * handed to two nodes; writes fenced by `owner` lock the execution row first. A dropped
 * connection fails the call in flight with `STORE_UNAVAILABLE` (retryable; a write whose COMMIT
 * was cut off may or may not have happened, and `recordStep` with the same `seq` is safe to
 * retry) and the pool connects again on the next call. Nothing is lost silently.
 *
 * @example
 * const store = createPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1/orchkit' });
 * await store.init();
 * const mine = await store.claimRunnable({ owner: 'node-a', leaseMs: 30_000 });
 * await store.close();
 */
export function createPostgresStore(options: PostgresStoreOptions): ExecutionStore {
  const schema = postgresSchemaName(options.schema);
  const quoted = `"${schema}"`;
  const sql = postgresSql(quoted);
  const clock = options.clock ?? systemClock;
  // pg takes 0 as "wait forever": a store that cannot be reached would hang its first call.
  const connectionTimeoutMs = checkDurationOption('connectionTimeoutMs', options.connectionTimeoutMs ?? 5000, { min: 1, max: 600_000 });
  const poolSize = checkDurationOption('poolSize', options.poolSize ?? 10, { min: 1, max: 1000, unit: 'connections' });
  const poolOptions = {
    connectionString: options.connectionString,
    application_name: options.applicationName ?? 'orchkit',
    connectionTimeoutMillis: connectionTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types: JSON_AS_TEXT,
  };
  const pool = new pg.Pool({ ...poolOptions, max: poolSize });
  // Lease renewals get a connection of their own: behind hundreds of queued journal writes on
  // the main pool they would wait longer than the lease lasts, and a live node would lose its runs.
  const leasePool = new pg.Pool({ ...poolOptions, max: 1 });
  // An idle connection that dies (server restart, pg_terminate_backend) is reported on the pool;
  // without a listener it would crash the process. The pool has already dropped it.
  const onLost = (error: Error): void => options.logger?.warn({ err: error, schema }, 'a PostgreSQL connection of the store was lost; the pool reconnects');
  pool.on('error', onLost);
  leasePool.on('error', onLost);
  // A connection that dies while checked out also emits 'error' (after the query in flight has
  // failed); the call already reports it, and an unheard 'error' event would crash the process.
  pool.on('connect', (client) => client.on('error', onLost));
  leasePool.on('connect', (client) => client.on('error', onLost));
  let ready: Promise<void> | undefined;
  let closed = false;

  const transaction = async <T>(executionId: string | undefined, fn: (client: pg.PoolClient) => Promise<T>, init = true): Promise<T> => {
    if (init) await ensureReady();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toPostgresStoreError(error, executionId);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // The connection is gone; releasing it with an error makes the pool discard it.
        broken = error instanceof Error ? error : new Error(String(error));
      }
      throw toPostgresStoreError(error, executionId);
    } finally {
      client.release(broken);
    }
  };
  const exec = async (text: string, values: unknown[], executionId?: string): Promise<pg.QueryResult<Row>> => {
    await ensureReady();
    try {
      return await pool.query<Row>(text, values);
    } catch (error) {
      throw toPostgresStoreError(error, executionId);
    }
  };
  const query = async (text: string, values: unknown[], executionId?: string): Promise<Row[]> => (await exec(text, values, executionId)).rows;
  const changed = async (text: string, values: unknown[], executionId?: string): Promise<boolean> => ((await exec(text, values, executionId)).rowCount ?? 0) > 0;
  const migrate = (): Promise<void> =>
    transaction(
      undefined,
      async (client) => {
        // Two nodes starting at once on a new database migrate it once.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`orchkit.store.${schema}`]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
        const tables = (await client.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1', [schema])).rows.map((row) => row.name);
        const hasVersionTable = tables.includes('schema_version');
        const found = hasVersionTable
          ? Number((await client.query<{ version: number | null }>(`SELECT MAX(version) AS version FROM ${quoted}.schema_version`)).rows[0]?.version ?? 0)
          : 0;
        checkFoundSchema({ hasVersionTable, version: found, tables }, `PostgreSQL schema ${schema}`);
        const pending = pendingMigrations(found, postgresMigrations(quoted), `PostgreSQL schema ${schema}`);
        for (const migration of pending) await client.query(migration.sql);
        const last = pending.at(-1);
        if (last === undefined) return;
        await client.query(`DELETE FROM ${quoted}.schema_version`);
        await client.query(`INSERT INTO ${quoted}.schema_version (version) VALUES ($1)`, [last.version]);
      },
      false,
    );
  // A failed init (server down) is retried by the next call, not remembered.
  const ensureReady = (): Promise<void> => {
    if (closed) return Promise.reject(StoreError.unavailable(`the PostgreSQL store (schema ${schema}) is closed`));
    ready ??= migrate().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  const lockAccess = async (client: pg.PoolClient, executionId: string): Promise<(AccessRow & { max_seq: number }) | undefined> =>
    (await client.query<AccessRow & { max_seq: number }>(sql.lockAccess, [executionId])).rows[0];

  const store: ExecutionStore = {
    kind: 'postgres',
    postgres: { connectionString: options.connectionString, schema },
    init: ensureReady,
    async createExecution(input) {
      const rows = await query(
        sql.insertExecution,
        [
          input.executionId,
          input.workflowId,
          input.version,
          encodeJson(input.definition, 'definition', input.executionId),
          encodeJson(input.input, 'input', input.executionId),
          input.correlationId,
          input.sessionId,
          input.status ?? 'running',
          input.snapshot === undefined || input.snapshot === null ? null : encodeJson(input.snapshot, 'snapshot', input.executionId),
          input.createdAt ?? clock.now(),
          input.owner ?? null,
          input.leaseExpiresAt ?? null,
        ],
        input.executionId,
      );
      return executionFromRow(rows[0] as Row, json);
    },
    recordStep: async (executionId, entry, snapshot, stepOptions) => (await store.recordSteps(executionId, [entry], snapshot, stepOptions))[0] as JournalEntry,
    async recordSteps(executionId, entries, snapshot, stepOptions = {}) {
      const now = clock.now();
      // Encoded before the statement: a value that is not JSON fails before anything is written.
      let nth = 0;
      const rows = entries.map((entry) => ({
        seq: entry.seq ?? null,
        nth: entry.seq === undefined ? ++nth : null,
        step_id: entry.stepId,
        kind: entry.kind,
        attempt: entry.attempt,
        output: opt(entry.output, 'step output', executionId),
        error: opt(entry.error, 'step error', executionId),
        recorded_at: entry.at ?? now,
      }));
      checkBatch(executionId, entries);
      const given = rows.flatMap((row) => (row.seq === null ? [] : [row.seq]));
      const deadlines = (list: readonly (DeadlineKey & { dueAt?: number })[] = []): string =>
        JSON.stringify(list.map((d) => ({ execution_id: d.executionId, kind: d.kind, key: d.key, due_at: d.dueAt ?? null })));
      const values = [executionId, stepOptions.owner ?? null, JSON.stringify(rows), encodeJson(snapshot, 'snapshot', executionId), now, deadlines(stepOptions.setDeadlines), deadlines(stepOptions.clearDeadlines)];
      const outcome = (await query(sql.recordSteps, values, executionId))[0] as { status: string; owner: string | null; mismatched: number[] | null; inserted: number[] | null } | undefined;
      checkAccess(outcome, executionId, 'record', stepOptions.owner);
      const inserted = new Set(outcome.inserted ?? []);
      const replayed = given.filter((seq) => !inserted.has(seq));
      const stored = new Map(replayed.length === 0 ? [] : (await query(sql.journalAtAny, [executionId, replayed], executionId)).map((row) => [Number(row.seq), journalFromRow(row, json)]));
      // A seq taken by another entry wrote nothing: checkReplay names the conflict.
      for (const seq of outcome.mismatched ?? []) checkReplay(stored.get(seq) as JournalEntry, entries.find((e) => e.seq === seq) as JournalEntryInput);
      const assigned = [...inserted].filter((seq) => !given.includes(seq)).sort((x, y) => x - y);
      return entries.map((entry, i) => {
        const existing = entry.seq === undefined ? undefined : stored.get(entry.seq);
        if (existing) return checkReplay(existing, entry);
        const row = rows[i] as (typeof rows)[number];
        const seq = entry.seq ?? (assigned[(row.nth as number) - 1]);
        return journalFromRow({ execution_id: executionId, ...row, seq }, json);
      });
    },
    async finishExecution(executionId, status, result, snapshot, finishOptions = {}) {
      const values = [executionId, status, encodeJson(result, 'result', executionId), encodeJson(snapshot, 'snapshot', executionId), clock.now(), finishOptions.owner ?? null];
      const row = (await query(sql.finish, values, executionId))[0];
      checkAccess(row === undefined ? undefined : { status: row.current_status as string, owner: row.current_owner as string | null }, executionId, 'finish', finishOptions.owner);
      return executionFromRow(row as Row, json);
    },
    async getExecution(executionId) {
      const row = (await query(sql.get, [executionId], executionId))[0];
      return row === undefined ? undefined : executionFromRow(row, json);
    },
    async listExecutions({ status, owner, limit = 100 } = {}) {
      return (await query(sql.list, [status ?? null, owner ?? null, limit])).map((row) => executionFromRow(row, json));
    },
    async journal(executionId) {
      return (await query(sql.journal, [executionId], executionId)).map((row) => journalFromRow(row, json));
    },
    async setDeadline(d) {
      await query(sql.upsertDeadline, [d.executionId, d.kind, d.key, d.dueAt], d.executionId);
    },
    clearDeadline: (executionId, kind, key) => changed(sql.deleteDeadline, [executionId, kind, key], executionId),
    async deadlines(executionId) {
      return (await query(sql.deadlines, [executionId], executionId)).map(deadlineFromRow);
    },
    saveContextEntries: (entries) =>
      transaction(undefined, async (client) => {
        for (const e of entries) {
          const row = contextRow(e);
          await client.query(sql.upsertContext, CONTEXT_COLUMNS.map((column) => row[column]));
        }
        await client.query(sql.pruneContext, [clock.now()]);
      }),
    deleteContextEntries: (keys) =>
      transaction(undefined, async (client) => {
        for (const key of keys) await client.query(sql.deleteContext, [key.sessionId, key.contextType]);
      }),
    async loadContextEntries({ sessionId } = {}) {
      return (await query(sql.loadContext, [clock.now(), sessionId ?? null])).map((row) => contextFromRow(row, json));
    },
    async claimRunnable({ owner, leaseMs, limit = 10, executionId = null }) {
      checkDurationOption('leaseMs', leaseMs, LEASE_MS_RANGE);
      const now = clock.now();
      const rows = await query(sql.claim, [owner, now, now + leaseMs, limit, executionId]);
      return rows.map((row) => executionFromRow(row, json)).sort((a, b) => a.updatedAt - b.updatedAt || (a.executionId < b.executionId ? -1 : 1));
    },
    async renewLease(owner, executionIds, leaseMs) {
      checkDurationOption('leaseMs', leaseMs, LEASE_MS_RANGE);
      if (executionIds.length === 0) return [];
      await ensureReady();
      let rows: Row[];
      try {
        rows = (await leasePool.query<Row>(sql.renewLease, [owner, executionIds, clock.now() + leaseMs])).rows;
      } catch (error) {
        throw toPostgresStoreError(error, undefined);
      }
      const renewed = new Set(rows.map((row) => row.execution_id as string));
      return executionIds.filter((id) => renewed.has(id));
    },
    releaseLease: (executionId, owner) => changed(sql.releaseLease, [executionId, owner], executionId),
    setStatus: (executionId, status) =>
      transaction(executionId, async (client) => {
        checkAccess(await lockAccess(client, executionId), executionId, 'request');
        return executionFromRow((await client.query<Row>(sql.setStatus, [executionId, status, clock.now()])).rows[0] as Row, json);
      }),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([pool.end(), leasePool.end()]);
    },
  };
  return store;
}

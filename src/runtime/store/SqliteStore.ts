import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../../errors/StoreError.js';
import { systemClock, type Clock } from '../../machines/Clock.js';
import { checkAccess, type AccessRow } from './checkAccess.js';
import { checkDurationOption, LEASE_MS_RANGE } from './checkDurationOption.js';
import { encodeJson } from './encodeJson.js';
import { contextRow } from './contextRow.js';
import { executionRow } from './executionRow.js';
import type { ExecutionStore, JournalEntry } from './ExecutionStore.js';
import { contextFromRow, deadlineFromRow, executionFromRow, journalFromRow, type Row } from './fromRow.js';
import { checkFoundSchema, pendingMigrations, type FoundSchema } from './schemaVersion.js';
import { checkSqliteFile } from './checkSqliteFile.js';
import { SQLITE_MIGRATIONS } from './sqliteSchema.js';
import { toSqliteStoreError } from './sqliteError.js';
import { prepareSqlite, type SqliteStatements } from './sqliteStatements.js';
import { planJournalRows } from './planJournalRows.js';

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file (created with its directory when missing), or `:memory:`. */
  path: string;
  /** Time source of leases, `updatedAt` and context expiry. */
  clock?: Pick<Clock, 'now'>;
  /** Check run at open: `quick` (default, `PRAGMA quick_check`), `full` (`integrity_check`) or `off`. */
  integrityCheck?: 'quick' | 'full' | 'off';
  /** How long a write waits for another process's lock before `STORE_UNAVAILABLE`; 5000 ms by default. */
  busyTimeoutMs?: number;
}

const json = (value: unknown): unknown => JSON.parse(value as string);

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous=NORMAL`, which survives a
 * killed process (a power loss may drop the last commits). Several processes may share the file;
 * every write is an immediate transaction. At open it checks the file (a corrupt or truncated one
 * is `STORE_CORRUPT` naming it, never recreated) and migrates an older schema.
 *
 * @example
 * const store = createSqliteStore({ path: '.orchkit/store.db' });
 * await store.init();
 * const runs = await store.listExecutions({ status: 'running' });
 * await store.close();
 */
export function createSqliteStore(options: SqliteStoreOptions): ExecutionStore {
  const { path } = options;
  const busyTimeoutMs = checkDurationOption('busyTimeoutMs', options.busyTimeoutMs ?? 5000, { min: 0, max: 600_000 });
  const clock = options.clock ?? systemClock;
  let db: Database.Database | undefined;
  let st: SqliteStatements | undefined;
  let closed = false;

  const open = (): { db: Database.Database; st: SqliteStatements } => {
    if (closed) throw StoreError.unavailable(`the store ${path} is closed`);
    if (db && st) return { db, st };
    let handle: Database.Database | undefined;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      checkSqliteFile(path);
      handle = new Database(path, { timeout: busyTimeoutMs });
      // Checked before WAL mode is set: that pragma rewrites the header of a file that is not ours.
      checkFoundSchema(foundSchema(handle), `the store file ${path}`, path);
      handle.pragma('journal_mode = WAL');
      handle.pragma('synchronous = NORMAL');
      handle.pragma('foreign_keys = ON');
      checkIntegrity(handle, path, options.integrityCheck ?? 'quick');
      migrate(handle, path);
      st = prepareSqlite(handle);
      db = handle;
      return { db, st };
    } catch (error) {
      handle?.close();
      throw toSqliteStoreError(error, path);
    }
  };

  // better-sqlite3 is synchronous: each method runs to completion, inside `db.transaction` when it writes.
  const run = async <T>(executionId: string | undefined, fn: (s: SqliteStatements, d: Database.Database) => T): Promise<T> => {
    try {
      const { db: d, st: s } = open();
      return fn(s, d);
    } catch (error) {
      throw toSqliteStoreError(error, path, executionId);
    }
  };
  const write = <T>(executionId: string | undefined, fn: (s: SqliteStatements) => T): Promise<T> =>
    run(executionId, (s, d) => d.transaction(() => fn(s)).immediate());
  const access = (s: SqliteStatements, executionId: string) => s.access.get({ id: executionId }) as (AccessRow & { max_seq: number }) | undefined;
  const record = (s: SqliteStatements, executionId: string) => executionFromRow(s.get.get(executionId) as Row, json);

  const store: ExecutionStore = {
    kind: 'sqlite',
    init: () => run(undefined, () => undefined),
    createExecution: (input) =>
      write(input.executionId, (s) => {
        const at = input.createdAt ?? clock.now();
        s.insertExecution.run(executionRow(input, at));
        return record(s, input.executionId);
      }),
    recordStep: async (executionId, entry, snapshot, stepOptions) => (await store.recordSteps(executionId, [entry], snapshot, stepOptions))[0] as JournalEntry,
    recordSteps: (executionId, entries, snapshot, stepOptions = {}) =>
      write(executionId, (s): JournalEntry[] => {
        const current = access(s, executionId);
        checkAccess(current, executionId, 'record', stepOptions.owner);
        const now = clock.now();
        const stored = (seq: number): Row | undefined => s.journalAt.get(executionId, seq) as Row | undefined;
        const { added, answer } = planJournalRows(executionId, entries, { maxSeq: current.max_seq, stored, now, json });
        if (added.length === 0) return answer;
        for (const row of added) s.insertJournal.run(row);
        // Encoded after the journal insert on purpose: a snapshot that is not JSON rolls both back.
        s.updateSnapshot.run(encodeJson(snapshot, 'snapshot', executionId), now, executionId);
        for (const d of stepOptions.setDeadlines ?? []) s.upsertDeadline.run(d.executionId, d.kind, d.key, d.dueAt);
        for (const d of stepOptions.clearDeadlines ?? []) s.deleteDeadline.run(d.executionId, d.kind, d.key);
        return answer;
      }),
    finishExecution: (executionId, status, result, snapshot, finishOptions = {}) =>
      write(executionId, (s) => {
        checkAccess(access(s, executionId), executionId, 'finish', finishOptions.owner);
        const encoded = encodeJson(result, 'result', executionId);
        s.finish.run(status, encoded, encodeJson(snapshot, 'snapshot', executionId), clock.now(), executionId);
        s.deleteDeadlines.run(executionId);
        return record(s, executionId);
      }),
    getExecution: (executionId) =>
      run(executionId, (s) => {
        const row = s.get.get(executionId) as Row | undefined;
        return row === undefined ? undefined : executionFromRow(row, json);
      }),
    listExecutions: (listOptions = {}) =>
      run(undefined, (s) =>
        (s.list.all({ status: listOptions.status ?? null, owner: listOptions.owner ?? null, limit: listOptions.limit ?? 100 }) as Row[]).map((row) =>
          executionFromRow(row, json),
        ),
      ),
    journal: (executionId) => run(executionId, (s) => (s.journal.all(executionId) as Row[]).map((row) => journalFromRow(row, json))),
    setDeadline: (deadline) =>
      write(deadline.executionId, (s) => {
        s.upsertDeadline.run(deadline.executionId, deadline.kind, deadline.key, deadline.dueAt);
      }),
    addSignal: (executionId, name, payload) =>
      write(executionId, (s) => {
        checkAccess(access(s, executionId), executionId, 'request');
        const row = s.insertSignal.get({ id: executionId, name, payload: encodeJson(payload, 'payload', executionId), now: clock.now() }) as { seq: number };
        return row.seq;
      }),
    signals: (executionId, afterSeq) =>
      run(executionId, (s) => (s.signals.all(executionId, afterSeq) as Row[]).map((row) => ({ seq: Number(row.seq), name: row.name as string, payload: json(row.payload) }))),
    clearDeadline: (executionId, kind, key) => write(executionId, (s) => s.deleteDeadline.run(executionId, kind, key).changes > 0),
    deadlines: (executionId) => run(executionId, (s) => (s.deadlines.all(executionId) as Row[]).map(deadlineFromRow)),
    saveContextEntries: (entries) =>
      write(undefined, (s) => {
        for (const e of entries) s.upsertContext.run(contextRow(e));
        s.pruneContext.run(clock.now());
      }),
    deleteContextEntries: (keys) =>
      write(undefined, (s) => {
        for (const key of keys) s.deleteContext.run(key.sessionId, key.contextType);
      }),
    loadContextEntries: (loadOptions = {}) =>
      run(undefined, (s) =>
        (s.loadContext.all({ now: clock.now(), session: loadOptions.sessionId ?? null }) as Row[]).map((row) => contextFromRow(row, json)),
      ),
    claimRunnable: ({ owner, leaseMs, limit = 10, executionId = null }) =>
      write(undefined, (s) => {
        checkDurationOption('leaseMs', leaseMs, LEASE_MS_RANGE);
        const now = clock.now();
        const ids = (s.runnable.all(now, executionId, executionId, limit) as { execution_id: string }[]).map((row) => row.execution_id);
        for (const id of ids) s.takeLease.run(owner, now + leaseMs, id);
        return ids.map((id) => record(s, id));
      }),
    renewLease: (owner, executionIds, leaseMs) =>
      write(undefined, (s) => {
        checkDurationOption('leaseMs', leaseMs, LEASE_MS_RANGE);
        const until = clock.now() + leaseMs;
        return executionIds.filter((id) => s.renewLease.run(until, id, owner).changes > 0);
      }),
    releaseLease: (executionId, owner) => write(executionId, (s) => s.releaseLease.run(executionId, owner).changes > 0),
    setStatus: (executionId, status) =>
      write(executionId, (s) => {
        checkAccess(access(s, executionId), executionId, 'request');
        s.setStatus.run(status, clock.now(), executionId);
        return record(s, executionId);
      }),
    close: async () => {
      closed = true;
      db?.close();
      db = undefined;
      st = undefined;
    },
  };
  return store;
}

function checkIntegrity(db: Database.Database, path: string, mode: 'quick' | 'full' | 'off'): void {
  if (mode === 'off') return;
  const verdict: unknown = db.pragma(mode === 'quick' ? 'quick_check' : 'integrity_check', { simple: true });
  if (verdict !== 'ok') throw StoreError.corrupt(path, new Error(String(verdict)));
}

function foundSchema(db: Database.Database): FoundSchema {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  const hasVersionTable = tables.includes('schema_version');
  const version = hasVersionTable ? ((db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null }).version ?? 0) : 0;
  return { hasVersionTable, version, tables };
}

// The version is read inside the immediate transaction, so two processes opening a new file at
// once migrate it once.
function migrate(db: Database.Database, path: string): void {
  db.transaction(() => {
    const found = foundSchema(db);
    checkFoundSchema(found, `the store file ${path}`, path);
    const pending = pendingMigrations(found.version, SQLITE_MIGRATIONS, path);
    for (const migration of pending) db.exec(migration.sql);
    const last = pending.at(-1);
    if (last === undefined) return;
    db.exec('DELETE FROM schema_version');
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(last.version);
  }).immediate();
}

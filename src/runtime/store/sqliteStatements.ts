import type Database from 'better-sqlite3';

const SQL = {
  insertExecution: `INSERT INTO executions (execution_id, workflow_id, version, definition, input, correlation_id, session_id,
      status, snapshot, result, created_at, updated_at, owner, lease_expires_at)
    VALUES (@execution_id, @workflow_id, @version, @definition, @input, @correlation_id, @session_id,
      @status, @snapshot, NULL, @created_at, @created_at, @owner, @lease_expires_at)`,
  get: 'SELECT * FROM executions WHERE execution_id = ?',
  access: `SELECT status, owner, (SELECT COALESCE(MAX(seq), 0) FROM journal WHERE execution_id = @id) AS max_seq
    FROM executions WHERE execution_id = @id`,
  list: `SELECT * FROM executions WHERE (@status IS NULL OR status = @status) AND (@owner IS NULL OR owner = @owner)
    ORDER BY created_at DESC, execution_id DESC LIMIT @limit`,
  journalAt: 'SELECT * FROM journal WHERE execution_id = ? AND seq = ?',
  insertJournal: `INSERT INTO journal (execution_id, seq, step_id, kind, attempt, output, error, recorded_at)
    VALUES (@execution_id, @seq, @step_id, @kind, @attempt, @output, @error, @recorded_at)`,
  journal: 'SELECT * FROM journal WHERE execution_id = ? ORDER BY seq',
  updateSnapshot: 'UPDATE executions SET snapshot = ?, updated_at = ? WHERE execution_id = ?',
  finish: `UPDATE executions SET status = ?, result = ?, snapshot = ?, updated_at = ?, owner = NULL, lease_expires_at = NULL
    WHERE execution_id = ?`,
  setStatus: 'UPDATE executions SET status = ?, updated_at = ? WHERE execution_id = ?',
  upsertDeadline: `INSERT INTO deadlines (execution_id, kind, deadline_key, due_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (execution_id, kind, deadline_key) DO UPDATE SET due_at = excluded.due_at`,
  deleteDeadline: 'DELETE FROM deadlines WHERE execution_id = ? AND kind = ? AND deadline_key = ?',
  deleteDeadlines: 'DELETE FROM deadlines WHERE execution_id = ?',
  deadlines: 'SELECT * FROM deadlines WHERE execution_id = ? ORDER BY due_at, kind, deadline_key',
  upsertContext: `INSERT INTO context_entries (session_id, context_type, data, created_at, updated_at, created_by_tool, expires_at, metadata, version)
    VALUES (@session_id, @context_type, @data, @created_at, @updated_at, @created_by_tool, @expires_at, @metadata, @version)
    ON CONFLICT (session_id, context_type) DO UPDATE SET data = excluded.data, created_at = excluded.created_at,
      updated_at = excluded.updated_at, created_by_tool = excluded.created_by_tool, expires_at = excluded.expires_at,
      metadata = excluded.metadata, version = excluded.version`,
  pruneContext: 'DELETE FROM context_entries WHERE expires_at <= ?',
  deleteContext: 'DELETE FROM context_entries WHERE session_id = ? AND context_type = ?',
  loadContext: `SELECT * FROM context_entries WHERE expires_at > @now AND (@session IS NULL OR session_id = @session)
    ORDER BY session_id, context_type`,
  runnable: `SELECT execution_id FROM executions
    WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at <= ?) AND (? IS NULL OR execution_id = ?)
    ORDER BY updated_at, execution_id LIMIT ?`,
  takeLease: 'UPDATE executions SET owner = ?, lease_expires_at = ? WHERE execution_id = ?',
  renewLease: "UPDATE executions SET lease_expires_at = ? WHERE execution_id = ? AND owner = ? AND status = 'running'",
  releaseLease: 'UPDATE executions SET owner = NULL, lease_expires_at = NULL WHERE execution_id = ? AND owner = ?',
  insertSignal: `INSERT INTO signals (execution_id, seq, name, payload, created_at)
    VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM signals WHERE execution_id = @id), @name, @payload, @now) RETURNING seq`,
  signals: 'SELECT seq, name, payload FROM signals WHERE execution_id = ? AND seq > ? ORDER BY seq',
} as const;

/** The prepared statements of the SQLite store, by name. */
export type SqliteStatements = Record<keyof typeof SQL, Database.Statement>;

/**
 * Prepares every statement the SQLite store runs, once per connection. Named parameters
 * (`@name`) where a statement takes many values; positional ones otherwise.
 *
 * @example
 * const st = prepareSqlite(db);
 * st.get.get('e1');
 */
export function prepareSqlite(db: Database.Database): SqliteStatements {
  return Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)])) as SqliteStatements;
}

/** The statements of the PostgreSQL store, by name. */
export type PostgresSql = ReturnType<typeof postgresSql>;

/**
 * Every statement the PostgreSQL store runs, for the schema named `s` (already quoted).
 * `claim` is one statement (so one transaction): `FOR UPDATE SKIP LOCKED` makes concurrent
 * claimers on any number of nodes pass over each other's rows instead of taking them twice, and
 * a row whose lease another claimer renewed meanwhile fails the re-checked `WHERE`.
 *
 * @example
 * const sql = postgresSql('"orchkit"');
 * await pool.query(sql.get, ['e1']);
 */
export function postgresSql(s: string) {
  return {
    insertExecution: `INSERT INTO ${s}.executions (execution_id, workflow_id, version, definition, input, correlation_id, session_id,
        status, snapshot, result, created_at, updated_at, owner, lease_expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $10, $11, $12) RETURNING *`,
    get: `SELECT * FROM ${s}.executions WHERE execution_id = $1`,
    lockAccess: `SELECT status, owner, (SELECT COALESCE(MAX(seq), 0) FROM ${s}.journal WHERE execution_id = $1) AS max_seq
      FROM ${s}.executions WHERE execution_id = $1 FOR UPDATE`,
    list: `SELECT * FROM ${s}.executions WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR owner = $2)
      ORDER BY created_at DESC, execution_id DESC LIMIT $3`,
    journalAt: `SELECT * FROM ${s}.journal WHERE execution_id = $1 AND seq = $2`,
    insertJournal: `INSERT INTO ${s}.journal (execution_id, seq, step_id, kind, attempt, output, error, recorded_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    journal: `SELECT * FROM ${s}.journal WHERE execution_id = $1 ORDER BY seq`,
    updateSnapshot: `UPDATE ${s}.executions SET snapshot = $2, updated_at = $3 WHERE execution_id = $1`,
    finish: `UPDATE ${s}.executions SET status = $2, result = $3, snapshot = $4, updated_at = $5, owner = NULL, lease_expires_at = NULL
      WHERE execution_id = $1 RETURNING *`,
    setStatus: `UPDATE ${s}.executions SET status = $2, updated_at = $3 WHERE execution_id = $1 RETURNING *`,
    upsertDeadline: `INSERT INTO ${s}.deadlines (execution_id, kind, deadline_key, due_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (execution_id, kind, deadline_key) DO UPDATE SET due_at = excluded.due_at`,
    deleteDeadline: `DELETE FROM ${s}.deadlines WHERE execution_id = $1 AND kind = $2 AND deadline_key = $3`,
    deleteDeadlines: `DELETE FROM ${s}.deadlines WHERE execution_id = $1`,
    deadlines: `SELECT * FROM ${s}.deadlines WHERE execution_id = $1 ORDER BY due_at, kind, deadline_key`,
    upsertContext: `INSERT INTO ${s}.context_entries (session_id, context_type, data, created_at, updated_at, created_by_tool, expires_at, metadata, version)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      ON CONFLICT (session_id, context_type) DO UPDATE SET data = excluded.data, created_at = excluded.created_at,
        updated_at = excluded.updated_at, created_by_tool = excluded.created_by_tool, expires_at = excluded.expires_at,
        metadata = excluded.metadata, version = excluded.version`,
    pruneContext: `DELETE FROM ${s}.context_entries WHERE expires_at <= $1`,
    deleteContext: `DELETE FROM ${s}.context_entries WHERE session_id = $1 AND context_type = $2`,
    loadContext: `SELECT * FROM ${s}.context_entries WHERE expires_at > $1 AND ($2::text IS NULL OR session_id = $2)
      ORDER BY session_id, context_type`,
    claim: `WITH picked AS (
        SELECT execution_id FROM ${s}.executions
        WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at <= $2) AND ($5::text IS NULL OR execution_id = $5)
        ORDER BY updated_at, execution_id LIMIT $4
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${s}.executions e SET owner = $1, lease_expires_at = $3
      FROM picked WHERE e.execution_id = picked.execution_id RETURNING e.*`,
    renewLease: `UPDATE ${s}.executions SET lease_expires_at = $3 WHERE owner = $1 AND execution_id = ANY($2::text[]) AND status = 'running' RETURNING execution_id`,
    releaseLease: `UPDATE ${s}.executions SET owner = NULL, lease_expires_at = NULL WHERE execution_id = $1 AND owner = $2`,
  };
}

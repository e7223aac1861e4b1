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
    journal: `SELECT * FROM ${s}.journal WHERE execution_id = $1 ORDER BY seq`,
    // One statement (one round trip, one implicit transaction): lock the execution, check access
    // and replays, append the entries ($3: JSON array; JSON values as text; a null seq takes the
    // next one), replace the snapshot when something was appended, apply deadline changes ($6 set,
    // $7 clear). Nothing is written unless the owner may write and no seq is taken by another entry.
    recordSteps: `WITH target AS (
        SELECT status, owner FROM ${s}.executions WHERE execution_id = $1 FOR UPDATE
      ), entries AS (
        SELECT e.seq AS given_seq, COALESCE(e.seq, (SELECT COALESCE(MAX(seq), 0) FROM ${s}.journal WHERE execution_id = $1) + e.nth) AS seq,
          e.step_id, e.kind, e.attempt, e.output::json AS output, e.error::json AS error, e.recorded_at
        FROM json_to_recordset($3::json) AS e(seq integer, nth integer, step_id text, kind text, attempt integer, output text, error text, recorded_at bigint)
      ), existing AS (
        SELECT j.seq, j.step_id, j.kind, j.attempt FROM ${s}.journal j JOIN entries e ON j.execution_id = $1 AND j.seq = e.given_seq
      ), mismatched AS (
        SELECT x.seq FROM existing x JOIN entries e ON x.seq = e.given_seq
        WHERE x.step_id <> e.step_id OR x.kind <> e.kind OR x.attempt <> e.attempt
      ), allowed AS (
        SELECT 1 FROM target WHERE status NOT IN ('completed', 'failed', 'timed_out') AND ($2::text IS NULL OR owner = $2)
          AND NOT EXISTS (SELECT 1 FROM mismatched)
      ), inserted AS (
        INSERT INTO ${s}.journal (execution_id, seq, step_id, kind, attempt, output, error, recorded_at)
        SELECT $1, e.seq, e.step_id, e.kind, e.attempt, e.output, e.error, e.recorded_at FROM entries e
        WHERE EXISTS (SELECT 1 FROM allowed) AND NOT EXISTS (SELECT 1 FROM existing x WHERE x.seq = e.seq)
        RETURNING seq
      ), snapshot AS (
        UPDATE ${s}.executions SET snapshot = $4, updated_at = $5 WHERE execution_id = $1 AND EXISTS (SELECT 1 FROM inserted)
      ), set_deadlines AS (
        INSERT INTO ${s}.deadlines (execution_id, kind, deadline_key, due_at)
        SELECT d.execution_id, d.kind, d.key, d.due_at FROM json_to_recordset($6::json) AS d(execution_id text, kind text, key text, due_at bigint)
        WHERE EXISTS (SELECT 1 FROM allowed)
        ON CONFLICT (execution_id, kind, deadline_key) DO UPDATE SET due_at = excluded.due_at
      ), clear_deadlines AS (
        DELETE FROM ${s}.deadlines x USING json_to_recordset($7::json) AS d(execution_id text, kind text, key text)
        WHERE EXISTS (SELECT 1 FROM allowed) AND x.execution_id = d.execution_id AND x.kind = d.kind AND x.deadline_key = d.key
      )
      SELECT t.status, t.owner, (SELECT array_agg(seq ORDER BY seq) FROM mismatched) AS mismatched,
        (SELECT array_agg(seq ORDER BY seq) FROM inserted) AS inserted
      FROM target t`,
    journalAtAny: `SELECT * FROM ${s}.journal WHERE execution_id = $1 AND seq = ANY($2::integer[]) ORDER BY seq`,
    // One statement: check access under the row lock, write the end, drop the deadlines.
    finish: `WITH target AS (
        SELECT status AS current_status, owner AS current_owner FROM ${s}.executions WHERE execution_id = $1 FOR UPDATE
      ), allowed AS (
        SELECT 1 FROM target WHERE current_status NOT IN ('completed', 'failed', 'timed_out') AND ($6::text IS NULL OR current_owner = $6)
      ), finished AS (
        UPDATE ${s}.executions SET status = $2, result = $3, snapshot = $4, updated_at = $5, owner = NULL, lease_expires_at = NULL
        WHERE execution_id = $1 AND EXISTS (SELECT 1 FROM allowed) RETURNING *
      ), cleared AS (
        DELETE FROM ${s}.deadlines WHERE execution_id = $1 AND EXISTS (SELECT 1 FROM allowed)
      )
      SELECT t.current_status, t.current_owner, f.* FROM target t LEFT JOIN finished f ON true`,
    setStatus: `UPDATE ${s}.executions SET status = $2, updated_at = $3 WHERE execution_id = $1 RETURNING *`,
    upsertDeadline: `INSERT INTO ${s}.deadlines (execution_id, kind, deadline_key, due_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (execution_id, kind, deadline_key) DO UPDATE SET due_at = excluded.due_at`,
    deleteDeadline: `DELETE FROM ${s}.deadlines WHERE execution_id = $1 AND kind = $2 AND deadline_key = $3`,
    deadlines: `SELECT * FROM ${s}.deadlines WHERE execution_id = $1 ORDER BY due_at, kind, deadline_key`,
    // Under the execution's row lock (taken by lockAccess), so two senders never take one seq.
    insertSignal: `INSERT INTO ${s}.signals (execution_id, seq, name, payload, created_at)
      VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ${s}.signals WHERE execution_id = $1), $2, $3, $4) RETURNING seq`,
    signals: `SELECT seq, name, payload FROM ${s}.signals WHERE execution_id = $1 AND seq > $2 ORDER BY seq`,
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

/** The LISTEN/NOTIFY channel of every task queue; payloads name the schema, so schemas do not mix. */
export const TASK_CHANNEL = 'orchkit_tasks';

/** Database time in ms: heartbeats and their timeouts are read on one clock, whatever the nodes' clocks say. */
const NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * The `tasks` table of a schema `s` (quoted) and its statements. One row per attempt of a remote
 * step (`task_id` is its idempotency key and attempt): a second enqueue of the same attempt (a
 * resumed run) finds the first. `takes` counts how often a worker took it; `worker` and
 * `heartbeat_at` fence the worker that holds it, so only that worker commits its result.
 *
 * @example
 * const sql = taskQueueSql('"orchkit"');
 */
export function taskQueueSql(s: string) {
  const t = `${s}.tasks`;
  return {
    create: `
      CREATE TABLE IF NOT EXISTS ${t} (
        task_id              TEXT PRIMARY KEY,
        queue                TEXT NOT NULL,
        tool                 TEXT NOT NULL,
        input                JSON NOT NULL,
        meta                 JSON NOT NULL,
        status               TEXT NOT NULL,
        worker               TEXT,
        takes                INTEGER NOT NULL DEFAULT 0,
        heartbeat_timeout_ms BIGINT NOT NULL,
        heartbeat_at         BIGINT,
        cancel_requested     BOOLEAN NOT NULL DEFAULT false,
        result               JSON,
        error                JSON,
        created_at           BIGINT NOT NULL,
        finished_at          BIGINT
      );
      CREATE INDEX IF NOT EXISTS tasks_claimable ON ${t} (queue, status, created_at);
    `,
    // Enqueue and wake the workers in one round trip; `inserted` is false for an attempt enqueued before.
    enqueue: `WITH inserted AS (
        INSERT INTO ${t} (task_id, queue, tool, input, meta, status, heartbeat_timeout_ms, created_at)
        VALUES ($1, $2, $3, $4, $5, 'pending', $6, ${NOW}) ON CONFLICT (task_id) DO NOTHING RETURNING task_id)
      SELECT EXISTS (SELECT 1 FROM inserted) AS inserted, pg_notify($7, $8) AS notified`,
    outcomes: `SELECT task_id, status, result, error FROM ${t} WHERE task_id = ANY($1) AND status IN ('completed', 'failed', 'cancelled')`,
    cancel: `UPDATE ${t} SET cancel_requested = true,
      status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END,
      finished_at = CASE WHEN status = 'pending' THEN ${NOW} ELSE finished_at END
      WHERE task_id = $1 AND status IN ('pending', 'running')`,
    // The oldest pending task of the queue for these tools, or a running one whose worker stopped heartbeating.
    claim: `UPDATE ${t} SET status = 'running', worker = $1, takes = takes + 1, heartbeat_at = ${NOW}
      WHERE task_id = (
        SELECT task_id FROM ${t}
        WHERE queue = $2 AND tool = ANY($3)
          AND (status = 'pending' OR (status = 'running' AND heartbeat_at < ${NOW} - heartbeat_timeout_ms))
        ORDER BY created_at, task_id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING task_id, tool, input, meta, takes, cancel_requested`,
    heartbeat: `UPDATE ${t} SET heartbeat_at = ${NOW} WHERE task_id = ANY($1) AND worker = $2 AND status = 'running' RETURNING task_id, cancel_requested`,
    // Fenced by worker and status: a worker whose task was taken over commits nothing.
    // Commit and tell the orchestrators in one round trip; the notice goes only if the commit did.
    finish: `WITH done AS (
        UPDATE ${t} SET status = $3, result = $4, error = $5, finished_at = ${NOW} WHERE task_id = $1 AND worker = $2 AND status = 'running' RETURNING task_id)
      SELECT task_id, pg_notify($6, $7) AS notified FROM done`,
    // A worker that stops hands its tasks back at once instead of leaving them to the heartbeat timeout.
    release: `UPDATE ${t} SET status = 'pending', worker = NULL WHERE task_id = ANY($1) AND worker = $2 AND status = 'running' RETURNING queue`,
    notify: 'SELECT pg_notify($1, $2)',
  };
}

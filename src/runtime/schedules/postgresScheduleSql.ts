/**
 * Tables and statements of the PostgreSQL schedule store, in the execution store's schema `s`
 * (already quoted). They are created with `IF NOT EXISTS` beside the store's versioned tables
 * (which allow extra tables), so adding schedules never migrates the execution store.
 * Times are BIGINT ms since epoch.
 *
 * @example
 * const sql = postgresScheduleSql('"orchkit"');
 */
export function postgresScheduleSql(s: string) {
  const ticks = `${s}.schedule_ticks`;
  const tickColumns = 'schedule_id, kind, tick_at, status, node, execution_id, recorded_at';
  // A started tick reads as its run's final status once the run ended, on whichever node it ended
  // (a run suspended on a stopping node and finished by another is never reported by the first).
  const readTick = (alias: string): string => `${alias}.schedule_id, ${alias}.kind, ${alias}.tick_at, ${alias}.node, ${alias}.execution_id, ${alias}.recorded_at,
    CASE WHEN ${alias}.status = 'started' AND e.status IN ('completed', 'failed', 'cancelled', 'timed_out') THEN e.status ELSE ${alias}.status END AS status`;
  return {
    create: `
      CREATE TABLE IF NOT EXISTS ${s}.schedules (
        schedule_id   TEXT PRIMARY KEY,
        workflow_id   TEXT NOT NULL,
        cron          TEXT NOT NULL,
        timezone      TEXT NOT NULL,
        overlap       TEXT NOT NULL,
        catch_up      TEXT NOT NULL,
        paused        BOOLEAN NOT NULL,
        registered_at BIGINT NOT NULL,
        updated_at    BIGINT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${ticks} (
        schedule_id  TEXT NOT NULL,
        kind         TEXT NOT NULL,
        tick_at      BIGINT NOT NULL,
        status       TEXT NOT NULL,
        node         TEXT,
        execution_id TEXT,
        recorded_at  BIGINT NOT NULL,
        PRIMARY KEY (schedule_id, kind, tick_at)
      );
      CREATE INDEX IF NOT EXISTS schedule_ticks_by_status ON ${ticks} (status, schedule_id);
    `,
    register: `
      INSERT INTO ${s}.schedules (schedule_id, workflow_id, cron, timezone, overlap, catch_up, paused, registered_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
      ON CONFLICT (schedule_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, cron = EXCLUDED.cron, timezone = EXCLUDED.timezone,
        overlap = EXCLUDED.overlap, catch_up = EXCLUDED.catch_up, updated_at = EXCLUDED.updated_at`,
    list: `
      SELECT s.*, (SELECT MAX(c.tick_at) FROM ${ticks} c WHERE c.schedule_id = s.schedule_id AND c.kind = 'cron') AS last_cron_tick_at,
        l.kind AS t_kind, l.tick_at AS t_tick_at, l.status AS t_status, l.node AS t_node, l.execution_id AS t_execution_id, l.recorded_at AS t_recorded_at
      FROM ${s}.schedules s
      LEFT JOIN LATERAL (SELECT ${readTick('t')} FROM ${ticks} t LEFT JOIN ${s}.executions e ON e.execution_id = t.execution_id
        WHERE t.schedule_id = s.schedule_id ORDER BY t.tick_at DESC, t.kind LIMIT 1) l ON true
      WHERE $1::text[] IS NULL OR s.schedule_id = ANY($1)
      ORDER BY s.schedule_id`,
    // Two int4 keys: this schema's schedules do not contend with another schema's, nor with the store's own locks.
    lock: 'SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))',
    lockSchedule: `SELECT paused, overlap FROM ${s}.schedules WHERE schedule_id = $1`,
    /**
     * Whether a run of the schedule is still going: a started tick whose run is `running` under a
     * live lease, or `paused`; or one started lately whose execution record is not committed yet.
     * A run left by a dead node stops counting once its lease lapses.
     */
    activity: `
      SELECT EXISTS (
        SELECT 1 FROM ${ticks} t LEFT JOIN ${s}.executions e ON e.execution_id = t.execution_id
        WHERE t.schedule_id = $1 AND t.status = 'started'
          AND ((e.status = 'running' AND e.lease_expires_at > $2) OR e.status = 'paused'
            OR (e.execution_id IS NULL AND t.recorded_at > $2 - $3::bigint))
      ) AS active,
      EXISTS (SELECT 1 FROM ${ticks} q WHERE q.schedule_id = $1 AND q.status = 'queued') AS waiting`,
    insertTick: `INSERT INTO ${ticks} (${tickColumns}) VALUES ($1, $2, $3, $4, $5, NULL, $6) ON CONFLICT DO NOTHING RETURNING ${tickColumns}`,
    withWaiting: `SELECT DISTINCT schedule_id FROM ${ticks} WHERE status IN ('queued', 'requested') AND schedule_id = ANY($1)`,
    waiting: `SELECT ${tickColumns} FROM ${ticks} WHERE schedule_id = $1 AND status IN ('queued', 'requested') ORDER BY tick_at, kind FOR UPDATE`,
    setTick: `UPDATE ${ticks} SET status = $4, node = COALESCE($5, node), recorded_at = $6 WHERE schedule_id = $1 AND kind = $2 AND tick_at = $3 RETURNING ${tickColumns}`,
    linkRun: `UPDATE ${ticks} SET execution_id = $4, recorded_at = $5 WHERE schedule_id = $1 AND kind = $2 AND tick_at = $3`,
    // A started tick's status is only ever replaced by its run's end.
    endRun: `UPDATE ${ticks} SET status = $4, recorded_at = $5 WHERE schedule_id = $1 AND kind = $2 AND tick_at = $3 AND status = 'started'`,
    freeManualAt: `SELECT COALESCE(MAX(tick_at) + 1, $2) AS at FROM ${ticks} WHERE schedule_id = $1 AND kind = 'manual' AND tick_at >= $2`,
    setPaused: `UPDATE ${s}.schedules SET paused = $2, updated_at = $3 WHERE schedule_id = $1 RETURNING schedule_id`,
    ticks: `SELECT ${readTick('t')} FROM ${ticks} t LEFT JOIN ${s}.executions e ON e.execution_id = t.execution_id
      WHERE t.schedule_id = $1 ORDER BY t.tick_at DESC, t.kind LIMIT $2`,
    // Keeps the newest `$2` finished ticks of a schedule; waiting and running ones always stay.
    prune: `
      DELETE FROM ${ticks} WHERE schedule_id = $1 AND status NOT IN ('queued', 'requested', 'started')
        AND tick_at < (SELECT tick_at FROM ${ticks} WHERE schedule_id = $1 ORDER BY tick_at DESC OFFSET $2 LIMIT 1)`,
  };
}

import pg from 'pg';
import type { Logger } from 'pino';
import { ScheduleError } from '../../errors/ScheduleError.js';
import { toPostgresStoreError } from '../store/postgresError.js';
import { postgresSchemaName } from '../store/postgresSchemaName.js';
import { postgresScheduleSql } from './postgresScheduleSql.js';
import type { ScheduleCatchUp, ScheduleOverlap } from './ScheduleSpec.js';
import { decideTick, type ScheduleState, type ScheduleStore, type Tick, type TickKind, type TickStatus } from './ScheduleStore.js';

/** Options of {@link createPostgresScheduleStore}. */
export interface PostgresScheduleStoreOptions {
  /** The execution store's server (`postgres://user@host/db`, without `?schema=`). */
  connectionString: string;
  /** The execution store's schema: schedule tables sit beside its `executions`. */
  schema: string;
  /** Creates the execution store's tables first, so the schema is the store's before these are added. */
  initExecutions: () => Promise<void>;
  /** A started tick whose run has no execution record after this long no longer blocks overlap; 60 s by default. */
  staleMs?: number;
  logger?: Logger;
}

type Row = Record<string, unknown>;
const num = (value: unknown): number => Number(value);
const tickFrom = (row: Row, prefix = ''): Tick => ({
  // A list row's tick columns are prefixed; its schedule id is the schedule's own.
  scheduleId: row.schedule_id as string,
  kind: row[`${prefix}kind`] as TickKind,
  tickAt: num(row[`${prefix}tick_at`]),
  status: row[`${prefix}status`] as TickStatus,
  node: (row[`${prefix}node`] as string | null) ?? null,
  executionId: (row[`${prefix}execution_id`] as string | null) ?? null,
  recordedAt: num(row[`${prefix}recorded_at`]),
});
const stateFrom = (row: Row): ScheduleState => ({
  scheduleId: row.schedule_id as string,
  workflowId: row.workflow_id as string,
  cron: row.cron as string,
  timezone: row.timezone as string,
  overlap: row.overlap as ScheduleOverlap,
  catchUp: row.catch_up as ScheduleCatchUp,
  paused: row.paused as boolean,
  registeredAt: num(row.registered_at),
  updatedAt: num(row.updated_at),
  ...(row.t_kind === null || row.t_kind === undefined ? {} : { lastTick: tickFrom(row, 't_') }),
  ...(row.last_cron_tick_at === null || row.last_cron_tick_at === undefined ? {} : { lastCronTickAt: num(row.last_cron_tick_at) }),
});
const notFound = (scheduleId: string): ScheduleError =>
  new ScheduleError('SCHEDULE_NOT_FOUND', `no schedule "${scheduleId}" is registered in this store (a runtime registers its schedules when it starts)`, { path: scheduleId });
/** Finished ticks kept per schedule; pruned every {@link PRUNE_EVERY} claims of a node. */
const KEPT = 1000;
const PRUNE_EVERY = 100;

/**
 * Schedule state on PostgreSQL, shared by every node of the database: `schedules` (one row per
 * schedule, with its pause flag) and `schedule_ticks` (one row per tick, keyed by schedule, kind
 * and time). A tick is claimed by `INSERT ... ON CONFLICT DO NOTHING`, so exactly one node starts
 * it; its decision (start, skip, queue) is taken under a per-schedule advisory transaction lock,
 * reading whether an earlier run is still going from the store's `executions`.
 *
 * @example
 * const store = createPostgresScheduleStore({ connectionString, schema: 'orchkit', initExecutions: () => executions.init() });
 */
export function createPostgresScheduleStore(options: PostgresScheduleStoreOptions): ScheduleStore {
  const schema = postgresSchemaName(options.schema);
  const sql = postgresScheduleSql(`"${schema}"`);
  const staleMs = options.staleMs ?? 60_000;
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 2, application_name: 'orchkit-schedules', connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
  pool.on('error', (error) => options.logger?.warn({ err: error, schema }, 'a PostgreSQL connection of the schedule store was lost; the pool reconnects'));
  let ready: Promise<void> | undefined;
  let claims = 0;

  const transaction = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toPostgresStoreError(error);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (error) {
      await client.query('ROLLBACK').catch((lost: unknown) => (broken = lost instanceof Error ? lost : new Error(String(lost))));
      throw error instanceof ScheduleError ? error : toPostgresStoreError(error);
    } finally {
      client.release(broken);
    }
  };
  const init = (): Promise<void> =>
    (ready ??= (async () => {
      await options.initExecutions();
      await transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`orchkit.schedules.${schema}`]);
        await client.query(sql.create);
      });
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
  const query = async (text: string, values: unknown[]): Promise<Row[]> => {
    await init();
    try {
      return (await pool.query<Row>(text, values)).rows;
    } catch (error) {
      throw toPostgresStoreError(error);
    }
  };
  const locked = async <T>(scheduleId: string, fn: (client: pg.PoolClient, schedule: { paused: boolean; overlap: ScheduleOverlap }) => Promise<T>): Promise<T> => {
    await init();
    return transaction(async (client) => {
      await client.query(sql.lock, [`orchkit.schedules.${schema}`, scheduleId]);
      const row = (await client.query<Row>(sql.lockSchedule, [scheduleId])).rows[0];
      if (!row) throw notFound(scheduleId);
      return fn(client, { paused: row.paused as boolean, overlap: row.overlap as ScheduleOverlap });
    });
  };
  const activity = async (client: pg.PoolClient, scheduleId: string, now: number): Promise<{ active: boolean; waiting: boolean }> =>
    (await client.query<{ active: boolean; waiting: boolean }>(sql.activity, [scheduleId, now, staleMs])).rows[0] as { active: boolean; waiting: boolean };
  const list = async (ids: readonly string[] | null): Promise<ScheduleState[]> => (await query(sql.list, [ids])).map(stateFrom);

  return {
    kind: 'postgres',
    init,
    async register(registrations, now) {
      await init();
      await transaction(async (client) => {
        for (const r of registrations) await client.query(sql.register, [r.scheduleId, r.workflowId, r.cron, r.timezone, r.overlap, r.catchUp, r.paused, now]);
      });
      return list(registrations.map((r) => r.scheduleId));
    },
    async claim({ scheduleId, kind, tickAt, node, overlap, now, status }) {
      const tick = await locked(scheduleId, async (client, schedule) => {
        const decided = status ?? decideTick(overlap, { paused: schedule.paused, ...(await activity(client, scheduleId, now)), manual: kind === 'manual' });
        const row = (await client.query<Row>(sql.insertTick, [scheduleId, kind, tickAt, decided, node, now])).rows[0];
        return row === undefined ? undefined : tickFrom(row);
      });
      if (tick && ++claims % PRUNE_EVERY === 0) await query(sql.prune, [scheduleId, KEPT]);
      return tick;
    },
    async takeWaiting(scheduleIds, node, now) {
      if (scheduleIds.length === 0) return [];
      const ids = (await query(sql.withWaiting, [scheduleIds])).map((row) => row.schedule_id as string);
      const taken: Tick[] = [];
      for (const scheduleId of ids) {
        await locked(scheduleId, async (client, schedule) => {
          for (const row of (await client.query<Row>(sql.waiting, [scheduleId])).rows) {
            const { active } = await activity(client, scheduleId, now);
            const decided = decideTick(schedule.overlap, { paused: false, active, waiting: false, manual: true });
            const tick = tickFrom(row);
            if (decided === 'queued') {
              if (tick.status !== 'queued') await client.query(sql.setTick, [scheduleId, tick.kind, tick.tickAt, 'queued', null, now]);
              return;
            }
            const updated = (await client.query<Row>(sql.setTick, [scheduleId, tick.kind, tick.tickAt, decided, node, now])).rows[0] as Row;
            if (decided === 'started') taken.push(tickFrom(updated));
          }
        });
      }
      return taken;
    },
    async started(tick, executionId, now) {
      await query(sql.linkRun, [tick.scheduleId, tick.kind, tick.tickAt, executionId, now]);
    },
    async ended(tick, status, now) {
      await query(sql.endRun, [tick.scheduleId, tick.kind, tick.tickAt, status, now]);
    },
    request: (scheduleId, now) =>
      locked(scheduleId, async (client) => {
        const at = num((await client.query<Row>(sql.freeManualAt, [scheduleId, now])).rows[0]?.at ?? now);
        return tickFrom((await client.query<Row>(sql.insertTick, [scheduleId, 'manual', at, 'requested', null, now])).rows[0] as Row);
      }),
    async setPaused(scheduleId, paused, now) {
      if ((await query(sql.setPaused, [scheduleId, paused, now])).length === 0) throw notFound(scheduleId);
      return (await list([scheduleId]))[0] as ScheduleState;
    },
    list: () => list(null),
    async ticks(scheduleId, limit = 100) {
      const rows = await query(sql.ticks, [scheduleId, limit]);
      if (rows.length === 0 && (await list([scheduleId])).length === 0) throw notFound(scheduleId);
      return rows.map((row) => tickFrom(row));
    },
    async close() {
      await pool.end().catch(() => undefined);
    },
  };
}

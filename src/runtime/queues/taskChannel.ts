import pg from 'pg';
import type { Logger } from 'pino';
import { toPostgresStoreError } from '../store/postgresError.js';
import { postgresSchemaName } from '../store/postgresSchemaName.js';
import { TASK_CHANNEL, taskQueueSql } from './taskQueueSql.js';

/** A notification on the task channel. `k`: new task, task done, cancel requested, progress. */
export interface TaskNotice {
  s: string;
  k: 'new' | 'done' | 'cancel' | 'progress';
  /** The queue of a new task. */
  q?: string;
  /** The task. */
  t?: string;
  /** A progress update. */
  p?: unknown;
  /** A done task's outcome, when it fits in the notification: status, result, error. */
  o?: { status: string; result: unknown; error: unknown };
}

/** The PostgreSQL side of a task queue: a small pool, a listening connection, the statements. */
export interface TaskChannel {
  readonly schema: string;
  readonly sql: ReturnType<typeof taskQueueSql>;
  /** Creates the `tasks` table once (after the store's own tables) and starts listening. */
  init(): Promise<void>;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values: unknown[]): Promise<R[]>;
  notify(notice: Omit<TaskNotice, 's'>): Promise<void>;
  /** The channel and payload of a notice, for statements that notify as they write. */
  encode(notice: Omit<TaskNotice, 's'>): [string, string];
  /** Notices of this schema, as they arrive. */
  onNotice(listener: (notice: TaskNotice) => void): void;
  close(): Promise<void>;
}

/**
 * Opens the task tables of a store's schema: `tasks` beside `executions`, created with
 * `IF NOT EXISTS` (the store's schema version is untouched), and one connection that LISTENs on
 * {@link TASK_CHANNEL}. A lost listening connection is opened again; the pollers of the queue and
 * of the workers cover what was sent meanwhile.
 *
 * @example
 * const channel = openTaskChannel({ connectionString, schema: 'orchkit', initExecutions: () => store.init() });
 */
export function openTaskChannel(options: { connectionString: string; schema: string; initExecutions: () => Promise<void>; logger?: Logger; applicationName?: string }): TaskChannel {
  const schema = postgresSchemaName(options.schema);
  const sql = taskQueueSql(`"${schema}"`);
  const settings = { connectionString: options.connectionString, application_name: options.applicationName ?? 'orchkit-tasks', connectionTimeoutMillis: 5000 };
  const pool = new pg.Pool({ ...settings, max: 4, idleTimeoutMillis: 30_000 });
  pool.on('error', (error) => options.logger?.warn({ err: error }, 'a task-queue connection was lost; the pool reconnects'));
  const listeners: ((notice: TaskNotice) => void)[] = [];
  let listener: pg.Client | undefined;
  let closed = false;
  let ready: Promise<void> | undefined;

  const listen = async (): Promise<void> => {
    const client = new pg.Client(settings);
    client.on('error', (error) => {
      options.logger?.warn({ err: error }, 'the task-queue listening connection was lost; listening again');
      if (listener === client) listener = undefined;
      if (!closed) setTimeout(() => void listen().catch(() => undefined), 500).unref();
    });
    client.on('notification', (message) => {
      if (message.channel !== TASK_CHANNEL || message.payload === undefined) return;
      let notice: TaskNotice;
      try {
        notice = JSON.parse(message.payload) as TaskNotice;
      } catch {
        return;
      }
      if (notice.s !== schema) return;
      for (const l of listeners) l(notice);
    });
    await client.connect();
    await client.query(`LISTEN ${TASK_CHANNEL}`);
    if (closed) await client.end();
    else listener = client;
  };
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> => {
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (error) {
      throw toPostgresStoreError(error);
    }
  };

  return {
    schema,
    sql,
    init: () =>
      (ready ??= (async () => {
        await options.initExecutions();
        const client = await pool.connect().catch((error: unknown) => {
          throw toPostgresStoreError(error);
        });
        try {
          await client.query('BEGIN');
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`orchkit.tasks.${schema}`]);
          await client.query(sql.create);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw toPostgresStoreError(error);
        } finally {
          client.release();
        }
        await listen();
      })().catch((error: unknown) => {
        ready = undefined;
        throw error;
      })),
    query,
    async notify(notice) {
      await query(sql.notify, [TASK_CHANNEL, JSON.stringify({ s: schema, ...notice })]);
    },
    encode: (notice) => [TASK_CHANNEL, JSON.stringify({ s: schema, ...notice })],
    onNotice: (l) => listeners.push(l),
    async close() {
      if (closed) return;
      closed = true;
      await listener?.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}

import type { Logger } from 'pino';
import type { ExecutionStore } from '../store/ExecutionStore.js';
import { createMemoryScheduleStore } from './MemoryScheduleStore.js';
import type { ScheduleStore } from './ScheduleStore.js';

/**
 * The schedule store that goes with an execution store: on PostgreSQL, tables beside its
 * executions, shared by every node (pg is loaded only now); otherwise (no store, memory, SQLite)
 * state in this process only.
 *
 * @example
 * const schedules = await openScheduleStore(runtime.store, logger);
 */
export async function openScheduleStore(executions: ExecutionStore | undefined, logger?: Logger): Promise<ScheduleStore> {
  const location = executions?.postgres;
  if (!executions || !location) return createMemoryScheduleStore();
  const { createPostgresScheduleStore } = await import('./PostgresScheduleStore.js');
  return createPostgresScheduleStore({ ...location, initExecutions: () => executions.init(), ...(logger ? { logger } : {}) });
}

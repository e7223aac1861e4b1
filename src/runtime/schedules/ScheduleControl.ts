import type { ScheduleState, Tick } from './ScheduleStore.js';

/**
 * `runtime.schedules`: the schedules of the runtime's store (every node's, on PostgreSQL).
 * Failures are `ScheduleError`s (`SCHEDULE_NOT_FOUND`) or the store's `StoreError`s.
 *
 * @example
 * await runtime.schedules.pause('nightly');
 * const tick = await runtime.schedules.trigger('nightly'); // tick.executionId once started here
 */
export interface ScheduleControl {
  /** Settles once this runtime's schedules are registered, missed ticks caught up and timers armed. */
  ready(): Promise<void>;
  /** Every schedule the store knows, with its pause flag and latest tick. */
  list(): Promise<ScheduleState[]>;
  /** The latest ticks of one schedule, newest first. */
  ticks(scheduleId: string, limit?: number): Promise<Tick[]>;
  /** Ticks while paused are recorded `paused` and never caught up; runs already started go on. */
  pause(scheduleId: string): Promise<ScheduleState>;
  resume(scheduleId: string): Promise<ScheduleState>;
  /**
   * Runs the schedule now, outside its timetable, under its overlap policy (also while paused).
   * A schedule of this runtime starts here (the tick is `started`, `skipped` or `queued`); one
   * only another node has is `requested` for that node to take at its next poll.
   */
  trigger(scheduleId: string): Promise<Tick>;
}

import type { ScheduleCatchUp, ScheduleOverlap } from './ScheduleSpec.js';

/**
 * What became of one tick: `started` (a run was started; `executionId` names it once known), then
 * that run's final status; `skipped` (overlap `skip`, an earlier run still running), `queued`
 * (overlap `queue`: started when the earlier run ends), `paused` (the schedule was paused),
 * `missed` (catch-up `none` passed it over), `requested` (a manual trigger no node took yet).
 */
export type TickStatus = 'started' | 'skipped' | 'queued' | 'paused' | 'missed' | 'requested' | 'completed' | 'failed' | 'cancelled' | 'timed_out';

/** `cron`: a time the expression matched; `manual`: `trigger()` or `orchkit schedule trigger`. */
export type TickKind = 'cron' | 'manual';

/** One tick of a schedule, as stored. A tick is claimed by one node only: `(scheduleId, kind, tickAt)` is unique. */
export interface Tick {
  scheduleId: string;
  kind: TickKind;
  /** The time the tick is for (ms since epoch): the cron match, or when the trigger was asked. */
  tickAt: number;
  status: TickStatus;
  /** The node that claimed it; null for a request no node took yet. */
  node: string | null;
  /** The run it started. */
  executionId: string | null;
  /** When its status was last written. */
  recordedAt: number;
}

/** A schedule as a runtime registers it in the store. */
export interface ScheduleRegistration {
  scheduleId: string;
  workflowId: string;
  cron: string;
  timezone: string;
  overlap: ScheduleOverlap;
  catchUp: ScheduleCatchUp;
  /** The state a schedule the store does not know yet starts in; a known one keeps its own. */
  paused: boolean;
}

/** A registered schedule with its state, as `list()` returns it. */
export interface ScheduleState extends ScheduleRegistration {
  registeredAt: number;
  updatedAt: number;
  /** The latest tick recorded (cron or manual). */
  lastTick?: Tick;
  /** The latest cron tick recorded: catch-up counts missed ticks from here. */
  lastCronTickAt?: number;
}

/** What `claim` takes. */
export interface TickClaim {
  scheduleId: string;
  kind: TickKind;
  tickAt: number;
  node: string;
  overlap: ScheduleOverlap;
  now: number;
  /** Record the tick with this status instead of deciding (catch-up `none` records `missed`). */
  status?: 'missed';
}

/**
 * Schedule state shared by the nodes of one store: registrations, pause flags and ticks. Each
 * state change is one transaction; the decision a tick gets (start, skip, queue, paused) is taken
 * under a per-schedule lock, so two nodes never both start a run that overlap forbids.
 */
export interface ScheduleStore {
  /** `memory`: this process only; `postgres`: every node of the database. */
  readonly kind: 'memory' | 'postgres';
  init(): Promise<void>;
  /** Upserts the schedules (cron, zone, policies), keeping a known schedule's pause flag; returns their states. */
  register(registrations: readonly ScheduleRegistration[], now: number): Promise<ScheduleState[]>;
  /**
   * Records a tick and decides it, once across all nodes: undefined when another node recorded it
   * first, else the tick with its decision (`started` means: this node starts the run now).
   */
  claim(claim: TickClaim): Promise<Tick | undefined>;
  /**
   * Takes the waiting ticks (`queued`, `requested`) of these schedules that may start now, oldest
   * first, and marks them `started` by `node` (a request overlap forbids becomes `skipped` or `queued`).
   */
  takeWaiting(scheduleIds: readonly string[], node: string, now: number): Promise<Tick[]>;
  /** Links a started tick to the run it started. */
  started(tick: Pick<Tick, 'scheduleId' | 'kind' | 'tickAt'>, executionId: string, now: number): Promise<void>;
  /** Records the final status of a started tick's run. */
  ended(tick: Pick<Tick, 'scheduleId' | 'kind' | 'tickAt'>, status: TickStatus, now: number): Promise<void>;
  /** A manual tick for any node to take (`requested`); `SCHEDULE_NOT_FOUND` for an unknown schedule. */
  request(scheduleId: string, now: number): Promise<Tick>;
  /** Pauses or resumes; `SCHEDULE_NOT_FOUND` for an unknown schedule. */
  setPaused(scheduleId: string, paused: boolean, now: number): Promise<ScheduleState>;
  /** Every registered schedule, by id. */
  list(): Promise<ScheduleState[]>;
  /** The latest ticks of one schedule, newest first (100 by default). */
  ticks(scheduleId: string, limit?: number): Promise<Tick[]>;
  close(): Promise<void>;
}

/** What a tick gets, given its schedule's state: the one rule both stores apply. */
export function decideTick(overlap: ScheduleOverlap, state: { paused: boolean; active: boolean; waiting: boolean; manual: boolean }): 'started' | 'skipped' | 'queued' | 'paused' {
  // A manual trigger runs a paused schedule too (it is how one runs it by hand while paused).
  if (state.paused && !state.manual) return 'paused';
  if (overlap === 'allow') return 'started';
  if (overlap === 'queue') return state.active || state.waiting ? 'queued' : 'started';
  return state.active ? 'skipped' : 'started';
}

import type { Logger } from 'pino';
import type { Clock } from '../../machines/Clock.js';
import type { MessageBus } from '../MessageBus.js';
import type { WorkflowExecution } from '../startExecution.js';
import type { ScheduleControl } from './ScheduleControl.js';
import { MAX_CATCH_UP, type Schedule } from './ScheduleSpec.js';
import type { ScheduleState, ScheduleStore, Tick } from './ScheduleStore.js';

/** What the scheduler needs from its runtime. */
export interface SchedulerOptions {
  schedules: readonly Schedule[];
  /** Opens the schedule store on first use (PostgreSQL's is loaded only then). */
  openStore: () => Promise<ScheduleStore>;
  clock: Clock;
  logger: Logger;
  bus: MessageBus;
  /** This runtime's id, recorded on the ticks it claims. */
  node: string;
  /** Starts one run of a schedule: an ordinary execution. */
  start: (schedule: Schedule, tick: Tick, correlationId: string) => WorkflowExecution;
  /** How often a shared store is asked for queued and requested ticks this node may start. */
  pollMs: number;
}

/** The scheduler of one runtime. */
export interface Scheduler extends ScheduleControl {
  /** Clears every timer, waits for the store calls in flight, closes the schedule store. Idempotent. */
  stop(): Promise<void>;
}

/** The correlation id of a scheduled run: it names the schedule, so the run's record and bus messages do. */
export const scheduledCorrelationId = (tick: Pick<Tick, 'scheduleId' | 'kind' | 'tickAt'>): string =>
  `schedule:${tick.scheduleId}:${tick.kind}:${new Date(tick.tickAt).toISOString()}`;

/**
 * Fires schedules on the runtime's clock: one timer per schedule, armed for its next cron match;
 * each tick is claimed in the schedule store (once across nodes) and, when the claim decides
 * `started`, run here as an ordinary execution whose correlation id names the schedule and tick.
 * On start-up, ticks missed since the last recorded one are handled by the schedule's `catchUp`.
 * Every tick's outcome goes on the bus as `schedule.tick` (`taken` when another node had it).
 *
 * @example
 * const scheduler = createScheduler({ schedules, openStore, clock, logger, bus, node, start, pollMs: 1000 });
 * await scheduler.ready();
 * await scheduler.stop();
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { clock, logger, bus, node } = options;
  const byId = new Map(options.schedules.map((s) => [s.id, s]));
  const timers = new Map<string, unknown>();
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  let opened: Promise<ScheduleStore> | undefined;
  const store = (): Promise<ScheduleStore> => (opened ??= options.openStore());

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };
  const publish = (tick: Pick<Tick, 'scheduleId' | 'kind' | 'tickAt'> & { status: Tick['status'] | 'taken'; executionId?: string | null }): void => {
    if (bus.closed) return;
    const payload = { scheduleId: tick.scheduleId, kind: tick.kind, tickAt: tick.tickAt, status: tick.status, node, executionId: tick.executionId ?? null };
    bus.publish({ type: 'schedule.tick', topic: 'schedule.tick', correlationId: scheduledCorrelationId(tick), payload }, { validate: false });
  };

  /** Starts the run of a `started` tick, links it, and records its end (then lets a queued tick go). */
  const launch = async (schedule: Schedule, tick: Tick): Promise<Tick> => {
    const scheduleStore = await store();
    if (stopped) {
      // Claimed while this runtime stops: handed back as a request, for another node's next poll.
      await scheduleStore.ended(tick, 'requested', clock.now());
      publish({ ...tick, status: 'requested' });
      return { ...tick, status: 'requested' };
    }
    let execution: WorkflowExecution;
    try {
      execution = options.start(schedule, tick, scheduledCorrelationId(tick));
    } catch (error) {
      logger.error({ err: error, scheduleId: schedule.id, tickAt: tick.tickAt }, 'a scheduled run could not start');
      await scheduleStore.ended(tick, 'failed', clock.now());
      publish({ ...tick, status: 'failed' });
      return { ...tick, status: 'failed' };
    }
    await scheduleStore.started(tick, execution.executionId, clock.now());
    publish({ ...tick, executionId: execution.executionId });
    void execution.result.then((result) => {
      if (stopped) return;
      void track(
        scheduleStore
          .ended(tick, result.status, clock.now())
          .then(() => drain([schedule.id]))
          .catch((error: unknown) => logger.error({ err: error, scheduleId: schedule.id }, 'recording the end of a scheduled run failed')),
      );
    });
    return { ...tick, executionId: execution.executionId };
  };

  /** Starts the queued and requested ticks that may start now. */
  const drain = async (ids: readonly string[]): Promise<void> => {
    if (stopped) return;
    const scheduleStore = await store();
    for (const tick of await scheduleStore.takeWaiting(ids, node, clock.now())) {
      const schedule = byId.get(tick.scheduleId);
      if (schedule) await launch(schedule, tick);
    }
  };

  const fire = async (schedule: Schedule, tickAt: number, kind: Tick['kind'] = 'cron', status?: 'missed'): Promise<Tick | undefined> => {
    const scheduleStore = await store();
    const claim = { scheduleId: schedule.id, kind, tickAt, node, overlap: schedule.overlap, now: clock.now(), ...(status ? { status } : {}) };
    const tick = await scheduleStore.claim(claim);
    if (!tick) {
      publish({ ...claim, status: 'taken' });
      return undefined;
    }
    if (tick.status === 'started') return launch(schedule, tick);
    publish(tick);
    return tick;
  };

  const arm = (schedule: Schedule, after: number): void => {
    if (stopped) return;
    const due = schedule.times.next(after);
    if (due === undefined) return;
    const timer = clock.setTimeout(() => {
      timers.delete(schedule.id);
      void track(fire(schedule, due))
        .catch((error: unknown) => logger.error({ err: error, scheduleId: schedule.id, tickAt: due }, 'a schedule tick failed on this node'))
        .finally(() => arm(schedule, due));
    }, Math.max(0, due - clock.now()));
    timers.set(schedule.id, timer);
  };

  const catchUp = async (schedule: Schedule, state: ScheduleState | undefined, from: number): Promise<void> => {
    const last = state?.lastCronTickAt ?? state?.registeredAt ?? from;
    const missed = schedule.times.between(last, from, schedule.catchUp === 'all' ? MAX_CATCH_UP : 1);
    const latest = missed.at(-1);
    if (latest === undefined) return;
    logger.info({ scheduleId: schedule.id, missed: missed.length, catchUp: schedule.catchUp }, 'schedule ticks were missed while no node ran');
    if (schedule.catchUp === 'none') await fire(schedule, latest, 'cron', 'missed');
    else for (const tickAt of missed) await fire(schedule, tickAt);
  };

  const POLL = '\u0000poll';
  const armPoll = (): void => {
    if (stopped) return;
    timers.set(POLL, clock.setTimeout(() => {
      timers.delete(POLL);
      void track(drain([...byId.keys()]))
        .catch((error: unknown) => logger.warn({ err: error }, 'polling the schedule store failed; trying again'))
        .finally(armPoll);
    }, options.pollMs));
  };

  let started: Promise<void> | undefined;
  const ready = (): Promise<void> =>
    (started ??= track(
      (async () => {
        if (byId.size === 0) return;
        const scheduleStore = await store();
        await scheduleStore.init();
        const from = clock.now();
        const registrations = [...byId.values()].map((s) => ({ scheduleId: s.id, workflowId: s.workflowId, cron: s.cron, timezone: s.timezone, overlap: s.overlap, catchUp: s.catchUp, paused: s.paused }));
        const states = new Map((await scheduleStore.register(registrations, from)).map((state) => [state.scheduleId, state]));
        for (const schedule of byId.values()) {
          if (stopped) return;
          await catchUp(schedule, states.get(schedule.id), from);
          arm(schedule, from);
        }
        if (scheduleStore.kind === 'postgres') armPoll();
      })(),
    ));
  if (byId.size > 0) void ready().catch((error: unknown) => logger.error({ err: error }, 'the schedules could not start'));

  return {
    ready,
    list: async () => (await store()).list(),
    ticks: async (scheduleId, limit) => (await store()).ticks(scheduleId, limit),
    pause: async (scheduleId) => (await store()).setPaused(scheduleId, true, clock.now()),
    resume: async (scheduleId) => (await store()).setPaused(scheduleId, false, clock.now()),
    async trigger(scheduleId) {
      const schedule = byId.get(scheduleId);
      const scheduleStore = await store();
      if (!schedule) {
        const tick = await scheduleStore.request(scheduleId, clock.now());
        publish(tick);
        return tick;
      }
      await ready();
      // Manual ticks share one key space: a second trigger in the same millisecond takes the next one.
      for (let at = clock.now(); ; at++) {
        const tick = await track(fire(schedule, at, 'manual'));
        if (tick) return tick;
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers.values()) clock.clearTimeout(timer);
      timers.clear();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}

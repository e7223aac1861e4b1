import { ScheduleError } from '../../errors/ScheduleError.js';
import { decideTick, type ScheduleState, type ScheduleStore, type Tick, type TickKind } from './ScheduleStore.js';

const keyOf = (t: { scheduleId: string; kind: TickKind; tickAt: number }): string => `${t.kind} ${t.tickAt}`;
const WAITING = new Set(['queued', 'requested']);
/** Ticks kept per schedule (the newest); waiting and running ones are never dropped. */
const KEPT = 1000;

/**
 * Schedule state in this process: for a runtime without a store, or with one that cannot be
 * shared (memory, SQLite). Ticks are claimed once per process; pause flags and the last tick do
 * not outlive it, so catch-up after a restart needs the PostgreSQL store.
 *
 * @example
 * const store = createMemoryScheduleStore();
 */
export function createMemoryScheduleStore(): ScheduleStore {
  const states = new Map<string, ScheduleState>();
  const ticks = new Map<string, Map<string, Tick>>();
  const require = (scheduleId: string): ScheduleState => {
    const state = states.get(scheduleId);
    if (!state) throw new ScheduleError('SCHEDULE_NOT_FOUND', `no schedule "${scheduleId}" is registered`, { path: scheduleId });
    return state;
  };
  const ticksOf = (scheduleId: string): Map<string, Tick> => {
    let map = ticks.get(scheduleId);
    if (!map) ticks.set(scheduleId, (map = new Map<string, Tick>()));
    return map;
  };
  const active = (scheduleId: string): boolean => [...ticksOf(scheduleId).values()].some((t) => t.status === 'started');
  const record = (tick: Tick): Tick => {
    const state = require(tick.scheduleId);
    const map = ticksOf(tick.scheduleId);
    map.set(keyOf(tick), tick);
    if (!state.lastTick || tick.tickAt >= state.lastTick.tickAt) state.lastTick = tick;
    if (tick.kind === 'cron' && tick.tickAt > (state.lastCronTickAt ?? -Infinity)) state.lastCronTickAt = tick.tickAt;
    if (map.size > KEPT) {
      const drop = [...map.values()].filter((t) => t.status !== 'started' && !WAITING.has(t.status)).sort((a, b) => a.tickAt - b.tickAt).slice(0, map.size - KEPT);
      for (const old of drop) map.delete(keyOf(old));
    }
    return { ...tick };
  };
  const update = (tick: Pick<Tick, 'scheduleId' | 'kind' | 'tickAt'>, change: Partial<Tick>): void => {
    const stored = ticks.get(tick.scheduleId)?.get(keyOf(tick));
    if (stored) Object.assign(stored, change);
  };
  const copy = (state: ScheduleState): ScheduleState => ({ ...state, ...(state.lastTick ? { lastTick: { ...state.lastTick } } : {}) });

  return {
    kind: 'memory',
    init: async () => undefined,
    async register(registrations, now) {
      return registrations.map((registration) => {
        const known = states.get(registration.scheduleId);
        const state: ScheduleState = known
          ? { ...known, ...registration, paused: known.paused, updatedAt: now }
          : { ...registration, registeredAt: now, updatedAt: now };
        states.set(registration.scheduleId, state);
        return copy(state);
      });
    },
    async claim({ scheduleId, kind, tickAt, node, overlap, now, status }) {
      const state = require(scheduleId);
      if (ticksOf(scheduleId).has(keyOf({ scheduleId, kind, tickAt }))) return undefined;
      const waiting = [...ticksOf(scheduleId).values()].some((t) => t.status === 'queued');
      const decided = status ?? decideTick(overlap, { paused: state.paused, active: active(scheduleId), waiting, manual: kind === 'manual' });
      return record({ scheduleId, kind, tickAt, status: decided, node, executionId: null, recordedAt: now });
    },
    async takeWaiting(scheduleIds, node, now) {
      const taken: Tick[] = [];
      for (const scheduleId of scheduleIds) {
        const state = states.get(scheduleId);
        if (!state) continue;
        const waiting = [...ticksOf(scheduleId).values()].filter((t) => WAITING.has(t.status)).sort((a, b) => a.tickAt - b.tickAt);
        for (const tick of waiting) {
          const decided = decideTick(state.overlap, { paused: false, active: active(scheduleId), waiting: false, manual: true });
          if (decided === 'queued') {
            tick.status = 'queued';
            break;
          }
          Object.assign(tick, { status: decided, node, recordedAt: now });
          if (decided === 'started') taken.push({ ...tick });
        }
      }
      return taken;
    },
    async started(tick, executionId, now) {
      update(tick, { executionId, recordedAt: now });
    },
    async ended(tick, status, now) {
      update(tick, { status, recordedAt: now });
    },
    async request(scheduleId, now) {
      require(scheduleId);
      let tickAt = now;
      while (ticksOf(scheduleId).has(keyOf({ scheduleId, kind: 'manual', tickAt }))) tickAt++;
      return record({ scheduleId, kind: 'manual', tickAt, status: 'requested', node: null, executionId: null, recordedAt: now });
    },
    async setPaused(scheduleId, paused, now) {
      const state = require(scheduleId);
      Object.assign(state, { paused, updatedAt: now });
      return copy(state);
    },
    list: async () => [...states.values()].sort((a, b) => (a.scheduleId < b.scheduleId ? -1 : 1)).map(copy),
    async ticks(scheduleId, limit = 100) {
      require(scheduleId);
      return [...ticksOf(scheduleId).values()].sort((a, b) => b.tickAt - a.tickAt || (a.kind < b.kind ? -1 : 1)).slice(0, limit).map((t) => ({ ...t }));
    },
    close: async () => undefined,
  };
}

// Schedules on one runtime (no store: state in the process), on a simulated clock: ticks, overlap
// policies, pause/resume/trigger, bad input, and no timer left once the runtime stops.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRuntime, isScheduleError, type Runtime, type ScheduleOptions } from '../src/index.js';
import { createMcpServer } from '../src/mcp/createMcpServer.js';
import { cronTimes } from '../src/runtime/schedules/cronTimes.js';
import { createCountingClock, flush, type CountingClock } from './support/leakCheck.js';
import { gateTool, gateWorkflow, noteTool, noteWorkflow, recordTicks } from './support/scheduleKit.js';
import { until } from './support/until.js';

/**
 * Advances simulated time by `ms`, then lets the ticks that fell due settle: each tick arms the
 * next once its claim is done, so a jump over several ticks fires them one after the other. Settled
 * once `progress()` (a count of what happened) stays put for a few rounds.
 */
async function advance(clock: CountingClock, ms: number, progress: () => number = () => 0): Promise<void> {
  clock.increment(ms);
  let last = -1;
  for (let quiet = 0; quiet < 5; ) {
    await flush();
    clock.increment(0);
    const now = progress();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

async function stopped(runtime: Runtime, clock: CountingClock): Promise<void> {
  await runtime.stop();
  expect(clock.pending).toBe(0);
}

function thrown(make: () => unknown): { code: string; path: string | undefined } {
  try {
    make();
  } catch (error) {
    if (isScheduleError(error)) return { code: error.code, path: error.path };
    throw error;
  }
  throw new Error('expected a ScheduleError');
}

describe('schedules', () => {
  it('fires on the runtime clock: one ordinary run per tick, the schedule named in its correlation id', async () => {
    const clock = createCountingClock();
    const runtime = createRuntime({ tools: [noteTool], clock, schedules: [{ id: 'every10', workflow: noteWorkflow, cron: '*/10 * * * * *' }] });
    const ticks = recordTicks(runtime);
    await runtime.schedules.ready();
    for (let i = 1; i <= 5; i++) await advance(clock, 10_000);
    const runs = ticks.seen.filter((t) => t.status === 'started');
    expect(runs.map((t) => t.tickAt)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000]);
    const stored = await until('all five runs to end', async () => {
      const list = await runtime.schedules.ticks('every10');
      return list.every((t) => t.status === 'completed') && list;
    });
    expect(stored).toHaveLength(5);
    const traced = runtime.trace('schedule:every10:cron:1970-01-01T00:00:10.000Z');
    expect(traced.map((m) => m.type)).toContain('execution.finished');
    const [state] = await runtime.schedules.list();
    expect(state).toMatchObject({ scheduleId: 'every10', workflowId: 'nightly', paused: false, lastCronTickAt: 50_000 });
    ticks.stop();
    await stopped(runtime, clock);
  });

  it('overlap skip: a tick while the last run is running is skipped', async () => {
    const clock = createCountingClock();
    const gate = gateTool();
    const runtime = createRuntime({ tools: [gate.tool], clock, schedules: [{ id: 's', workflow: gateWorkflow, cron: '*/10 * * * * *', overlap: 'skip' }] });
    const ticks = recordTicks(runtime);
    await runtime.schedules.ready();
    await advance(clock, 10_000);
    await advance(clock, 10_000);
    expect(ticks.seen.map((t) => t.status)).toEqual(['started', 'skipped']);
    gate.release();
    await until('the first run to end', async () => (await runtime.schedules.ticks('s')).some((t) => t.status === 'completed'));
    await advance(clock, 10_000);
    expect(ticks.seen.map((t) => t.status)).toEqual(['started', 'skipped', 'started']);
    expect(gate.calls()).toBe(2);
    gate.openForGood();
    ticks.stop();
    await stopped(runtime, clock);
  });

  it('overlap queue: ticks wait for the run before them, then start in order', async () => {
    const clock = createCountingClock();
    const gate = gateTool();
    const runtime = createRuntime({ tools: [gate.tool], clock, schedules: [{ id: 'q', workflow: gateWorkflow, cron: '*/10 * * * * *', overlap: 'queue' }] });
    const ticks = recordTicks(runtime);
    await runtime.schedules.ready();
    await advance(clock, 10_000);
    await advance(clock, 10_000);
    await advance(clock, 10_000);
    expect(ticks.seen.map((t) => t.status)).toEqual(['started', 'queued', 'queued']);
    expect(gate.calls()).toBe(1);
    gate.release();
    await until('the second tick to start', () => gate.calls() === 2);
    expect(gate.waiting()).toBe(1);
    gate.release();
    await until('the third tick to start', () => gate.calls() === 3);
    const started = ticks.seen.filter((t) => t.status === 'started').map((t) => t.tickAt);
    expect(started).toEqual([10_000, 20_000, 30_000]);
    gate.openForGood();
    ticks.stop();
    await stopped(runtime, clock);
  });

  it('overlap allow: runs overlap', async () => {
    const clock = createCountingClock();
    const gate = gateTool();
    const runtime = createRuntime({ tools: [gate.tool], clock, schedules: [{ id: 'a', workflow: gateWorkflow, cron: '*/10 * * * * *', overlap: 'allow' }] });
    await runtime.schedules.ready();
    await advance(clock, 10_000);
    await advance(clock, 10_000);
    await until('two runs to hold the gate', () => gate.waiting() === 2);
    gate.openForGood();
    await stopped(runtime, clock);
  });

  it('pause records ticks as paused; trigger runs it by hand meanwhile; resume fires again', async () => {
    const clock = createCountingClock();
    const runtime = createRuntime({ tools: [noteTool], clock, schedules: [{ id: 'p', workflow: noteWorkflow, cron: '*/10 * * * * *' }] });
    const ticks = recordTicks(runtime);
    await runtime.schedules.ready();
    expect((await runtime.schedules.pause('p')).paused).toBe(true);
    await advance(clock, 10_000);
    const manual = await runtime.schedules.trigger('p');
    expect(manual).toMatchObject({ kind: 'manual', status: 'started' });
    expect(manual.executionId).toEqual(expect.any(String));
    expect((await runtime.schedules.resume('p')).paused).toBe(false);
    await advance(clock, 10_000);
    expect(ticks.seen.map((t) => `${t.kind} ${t.status}`)).toEqual(['cron paused', 'manual started', 'cron started']);
    await expect(runtime.schedules.pause('nope')).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND', path: 'nope' });
    ticks.stop();
    await stopped(runtime, clock);
  });

  it('bad entries throw a typed error naming the field, and leave no timer', () => {
    const clock = createCountingClock();
    const base: ScheduleOptions = { id: 'x', workflow: noteWorkflow, cron: '0 3 * * *' };
    const make = (entry: Partial<ScheduleOptions> | Record<string, unknown>, extra: ScheduleOptions[] = []) => () =>
      createRuntime({ tools: [noteTool], clock, schedules: [...extra, { ...base, ...entry }] });
    expect(thrown(make({ cron: '61 * * * *' }))).toEqual({ code: 'SCHEDULE_INVALID_CRON', path: 'schedules[0].cron' });
    expect(thrown(make({ cron: 'every day' }))).toEqual({ code: 'SCHEDULE_INVALID_CRON', path: 'schedules[0].cron' });
    expect(thrown(make({ cron: '0 0 30 2 *' }))).toEqual({ code: 'SCHEDULE_INVALID_CRON', path: 'schedules[0].cron' });
    expect(thrown(make({ timezone: 'Mars/Olympus' }))).toEqual({ code: 'SCHEDULE_INVALID_TIMEZONE', path: 'schedules[0].timezone' });
    expect(thrown(make({ overlap: 'sometimes' }))).toEqual({ code: 'SCHEDULE_INVALID_OVERLAP', path: 'schedules[0].overlap' });
    expect(thrown(make({ catchUp: 'twice' }))).toEqual({ code: 'SCHEDULE_INVALID', path: 'schedules[0].catchUp' });
    expect(thrown(make({ id: 'has space' }))).toEqual({ code: 'SCHEDULE_INVALID', path: 'schedules[0].id' });
    expect(thrown(make({}, [base]))).toEqual({ code: 'SCHEDULE_INVALID', path: 'schedules[1].id' });
    expect(thrown(make({ workflow: 'nightly' }))).toEqual({ code: 'SCHEDULE_INVALID', path: 'schedules[0].workflow' });
    expect(thrown(make({ workflow: { id: 'w', steps: [{ id: 'a', tool: 'missing' }] } }))).toEqual({ code: 'SCHEDULE_INVALID', path: 'schedules[0].workflow' });
    const typed: ScheduleOptions = { ...base, workflow: { ...noteWorkflow, input: { repo: { type: 'string', required: true } } } };
    expect(thrown(make(typed))).toEqual({ code: 'SCHEDULE_INVALID', path: 'schedules[0].input' });
    expect(clock.pending).toBe(0);
  });

  it('time zones: a 03:00 Europe/Berlin schedule fires at 02:00 UTC in winter and 01:00 UTC in summer', () => {
    const times = cronTimes('0 3 * * *', 'Europe/Berlin');
    expect(new Date(times.next(Date.UTC(2026, 0, 10)) as number).toISOString()).toBe('2026-01-10T02:00:00.000Z');
    expect(new Date(times.next(Date.UTC(2026, 6, 10)) as number).toISOString()).toBe('2026-07-10T01:00:00.000Z');
  });

  it('for all tick periods and clock jumps, each cron match up to now starts exactly one run', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(1, 2, 3, 5, 10, 15, 30), fc.array(fc.integer({ min: 0, max: 12_000 }), { minLength: 1, maxLength: 5 }), async (period, jumps) => {
        const clock = createCountingClock();
        const runtime = createRuntime({ tools: [noteTool], clock, schedules: [{ id: 'prop', workflow: noteWorkflow, cron: `*/${period} * * * * *`, overlap: 'allow' }] });
        const ticks = recordTicks(runtime);
        try {
          await runtime.schedules.ready();
          for (const jump of jumps) await advance(clock, jump, () => ticks.seen.length);
          const expected = cronTimes(`*/${period} * * * * *`, 'UTC').between(0, clock.now(), 10_000);
          const started = ticks.seen.filter((t) => t.status === 'started').map((t) => t.tickAt);
          expect(started).toEqual(expected);
        } finally {
          ticks.stop();
          await runtime.stop();
        }
        expect(clock.pending).toBe(0);
      }),
      { numRuns: 10 },
    );
  });

  it('MCP list_schedules lists each schedule with its policies and latest tick', async () => {
    const clock = createCountingClock();
    const runtime = createRuntime({ tools: [noteTool], clock, schedules: [{ id: 'nightly', workflow: noteWorkflow, cron: '0 3 * * *', timezone: 'Europe/Berlin', overlap: 'queue' }] });
    const server = createMcpServer({ runtime });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'orchkit-test', version: '1.0.0' });
    await client.connect(clientSide);
    try {
      await runtime.schedules.ready();
      await runtime.schedules.trigger('nightly');
      const answer = (await client.callTool({ name: 'list_schedules', arguments: {} })) as CallToolResult;
      expect(answer.isError).toBeFalsy();
      expect(answer.structuredContent).toMatchObject({
        schedules: [{ scheduleId: 'nightly', workflowId: 'nightly', cron: '0 3 * * *', timezone: 'Europe/Berlin', overlap: 'queue', catchUp: 'latest', paused: false, lastTick: { kind: 'manual', executionId: expect.any(String) } }],
      });
    } finally {
      await client.close();
      await runtime.stop();
    }
    expect(clock.pending).toBe(0);
  });
});

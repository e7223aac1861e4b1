// Schedules over several runtimes sharing one PostgreSQL schema, on one simulated clock: each tick
// starts exactly one run whichever nodes are up, overlap holds across nodes, missed ticks are caught
// up by policy, and pause/trigger reach every node. Each test has a schema of its own.
// Runs for real when CI=true (fails if PostgreSQL is unreachable); elsewhere skips itself, saying why.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, scheduledCorrelationId, type Runtime, type RuntimeOptions, type ScheduleOptions, type Tick } from '../src/index.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';
import { createCountingClock, flush, type CountingClock } from './support/leakCheck.js';
import { gateTool, gateWorkflow, noteTool, noteWorkflow, recordTicks, type TickMessage } from './support/scheduleKit.js';
import { runCli } from './support/runCli.js';
import { until } from './support/until.js';

const PG_URL = process.env.ORCHKIT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';
const probe = await probePostgres(PG_URL, 1500);
const skip = !probe.reachable && !IN_CI;
const suite = skip ? describe.skip : describe;
const title = skip ? `schedules on PostgreSQL — skipped: ${probe.reachable ? '' : probe.reason} (CI=true makes this a failure)` : 'schedules on PostgreSQL';

const schemas: string[] = [];
afterAll(async () => {
  if (skip || schemas.length === 0) return;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

/** A fresh schema's store URL. */
function freshStore(): string {
  const schema = `orchkit_sched_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
}

interface Node {
  runtime: Runtime;
  ticks: TickMessage[];
  stop(): Promise<void>;
}

function startNode(nodeId: string, store: string, clock: CountingClock, schedules: ScheduleOptions[], extra: Partial<RuntimeOptions> = {}): Node {
  // Simulated time runs far ahead of the database on a loaded machine: a lease shorter than the
  // whole test could lapse between two renewals in flight, and its run would be suspended here.
  const runtime = createRuntime({ tools: [noteTool], clock, store, nodeId, schedules, leaseMs: 3_600_000, ...extra });
  const recorder = recordTicks(runtime);
  return {
    runtime,
    ticks: recorder.seen,
    stop: async () => {
      recorder.stop();
      await runtime.stop();
    },
  };
}

/** Advances the shared clock to the next tick and waits until every node has dealt with it. */
async function tick(clock: CountingClock, ms: number, nodes: Node[], tickAt: number, scheduleId: string): Promise<void> {
  clock.increment(ms);
  await until(`every node to handle ${scheduleId} at ${tickAt}`, () => nodes.every((n) => n.ticks.some((t) => t.scheduleId === scheduleId && t.tickAt === tickAt && t.kind === 'cron')), 30_000);
  // The node arms its next timer once the claim is done.
  await flush();
}

async function endedTicks(runtime: Runtime, scheduleId: string, count: number): Promise<Tick[]> {
  let seen: Tick[] = [];
  try {
    return await until(
      `${count} ended ticks of ${scheduleId}`,
      async () => {
        seen = await runtime.schedules.ticks(scheduleId, 10_000);
        return seen.length >= count && seen.every((t) => !['started', 'queued', 'requested'].includes(t.status)) && seen;
      },
      60_000,
    );
  } catch (error) {
    const open = seen.filter((t) => ['started', 'queued', 'requested'].includes(t.status));
    const records = await Promise.all(open.slice(0, 5).map(async (t) => (t.executionId ? await runtime.store?.getExecution(t.executionId) : undefined)));
    throw new Error(`${(error as Error).message}: ${seen.length} ticks, open ${JSON.stringify(open.slice(0, 5))}, their runs ${JSON.stringify(records.map((r) => r && { status: r.status, owner: r.owner, lease: r.leaseExpiresAt, updatedAt: r.updatedAt }))}`);
  }
}

suite(title, () => {
  it('100 ticks over 2 nodes start exactly 100 runs', { timeout: 240_000 }, async () => {
    const store = freshStore();
    const clock = createCountingClock();
    const schedules: ScheduleOptions[] = [{ id: 'every-second', workflow: noteWorkflow, cron: '* * * * * *', overlap: 'allow' }];
    const nodes = [startNode('node-a', store, clock, schedules), startNode('node-b', store, clock, schedules)];
    try {
      await Promise.all(nodes.map((n) => n.runtime.schedules.ready()));
      for (let k = 1; k <= 100; k++) await tick(clock, 1000, nodes, k * 1000, 'every-second');
      const ticks = await endedTicks(nodes[0]!.runtime, 'every-second', 100);
      expect(ticks).toHaveLength(100);
      expect(new Set(ticks.map((t) => t.tickAt)).size).toBe(100);
      expect(ticks.every((t) => t.status === 'completed')).toBe(true);
      const executions = await nodes[0]!.runtime.store!.listExecutions({ limit: 1000 });
      expect(executions).toHaveLength(100);
      expect(executions.every((e) => e.status === 'completed')).toBe(true);
      const byId = new Map(executions.map((e) => [e.executionId, e]));
      for (const t of ticks) expect(byId.get(t.executionId!)?.correlationId).toBe(scheduledCorrelationId(t));
      const started = nodes.map((n) => n.ticks.filter((t) => t.status === 'started').length);
      const taken = nodes.map((n) => n.ticks.filter((t) => t.status === 'taken').length);
      expect(started[0]! + started[1]!).toBe(100);
      expect(taken[0]! + taken[1]!).toBe(100);
      process.stdout.write(`schedules: 100 ticks, runs started by node-a ${started[0]}, node-b ${started[1]}; claims lost to the other node ${taken.join(" / ")}; executions stored ${executions.length}\n`);
    } finally {
      for (const n of nodes) await n.stop();
    }
    expect(clock.pending).toBe(0);
  });

  it('catch-up after downtime: latest runs the last missed tick once, all runs each, none records it missed', { timeout: 120_000 }, async () => {
    const store = freshStore();
    const clock = createCountingClock();
    const cron = '*/10 * * * * *';
    const schedules: ScheduleOptions[] = (['latest', 'all', 'none'] as const).map((catchUp) => ({ id: `c-${catchUp}`, workflow: noteWorkflow, cron, catchUp, overlap: 'allow' }));
    const first = startNode('node-a', store, clock, schedules);
    await first.runtime.schedules.ready();
    for (let k = 1; k <= 3; k++) for (const s of schedules) await tick(clock, s === schedules[0] ? 10_000 : 0, [first], k * 10_000, s.id);
    // Every run ends before the node stops (a run suspended by stop() would be resumed, not re-run).
    for (const s of schedules) await endedTicks(first.runtime, s.id, 3);
    await first.stop();
    clock.increment(100_000); // 40 s .. 130 s pass with no node: ten ticks missed
    const second = startNode('node-b', store, clock, schedules);
    try {
      await second.runtime.schedules.ready();
      const latest = await endedTicks(second.runtime, 'c-latest', 4);
      expect(latest.map((t) => `${t.tickAt / 1000} ${t.status}`)).toEqual(['130 completed', '30 completed', '20 completed', '10 completed']);
      const all = await endedTicks(second.runtime, 'c-all', 13);
      expect(all.map((t) => t.tickAt / 1000).reverse()).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130]);
      expect(all.every((t) => t.status === 'completed')).toBe(true);
      const none = await endedTicks(second.runtime, 'c-none', 4);
      expect(none.map((t) => `${t.tickAt / 1000} ${t.status}`)).toEqual(['130 missed', '30 completed', '20 completed', '10 completed']);
      // Back on the timetable afterwards.
      for (const s of schedules) await tick(clock, s === schedules[0] ? 10_000 : 0, [second], 140_000, s.id);
      expect(second.ticks.filter((t) => t.tickAt === 140_000).map((t) => t.status)).toEqual(['started', 'started', 'started']);
      const executions = await second.runtime.store!.listExecutions({ limit: 1000 });
      expect(executions).toHaveLength(3 * 3 + 1 + 10 + 3);
    } finally {
      await second.stop();
    }
    expect(clock.pending).toBe(0);
  });

  it('overlap holds across nodes: skip while a run on the other node is running; queue starts it when that run ends', { timeout: 120_000 }, async () => {
    for (const overlap of ['skip', 'queue'] as const) {
      const store = freshStore();
      const clock = createCountingClock();
      const gates = [gateTool(), gateTool()];
      const schedules: ScheduleOptions[] = [{ id: 'held', workflow: gateWorkflow, cron: '*/10 * * * * *', overlap }];
      const nodes = gates.map((gate, i) => startNode(`node-${i}`, store, clock, schedules, { tools: [gate.tool], schedulePollMs: 1000 }));
      try {
        await Promise.all(nodes.map((n) => n.runtime.schedules.ready()));
        await tick(clock, 10_000, nodes, 10_000, 'held');
        await until('the first run to hold a gate', () => gates.some((g) => g.waiting() === 1));
        await tick(clock, 10_000, nodes, 20_000, 'held');
        const second = nodes.flatMap((n) => n.ticks).find((t) => t.tickAt === 20_000 && t.status !== 'taken');
        expect(second?.status).toBe(overlap === 'skip' ? 'skipped' : 'queued');
        expect(gates[0]!.calls() + gates[1]!.calls()).toBe(1);
        gates.forEach((g) => g.openForGood());
        if (overlap === 'queue') {
          // The node whose run ended starts the queued tick, or the other one at its next poll.
          for (let i = 0; i < 50 && gates[0]!.calls() + gates[1]!.calls() < 2; i++) {
            clock.increment(1000);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          expect(gates[0]!.calls() + gates[1]!.calls()).toBe(2);
        }
        const ended = await endedTicks(nodes[0]!.runtime, 'held', 2);
        expect(ended.map((t) => t.status)).toEqual(overlap === 'skip' ? ['skipped', 'completed'] : ['completed', 'completed']);
      } finally {
        for (const n of nodes) await n.stop();
      }
      expect(clock.pending).toBe(0);
    }
  });

  it('pause on one node holds every node; a trigger from a runtime without the schedule is started by one that has it', { timeout: 120_000 }, async () => {
    const store = freshStore();
    const clock = createCountingClock();
    const schedules: ScheduleOptions[] = [{ id: 'p', workflow: noteWorkflow, cron: '*/10 * * * * *' }];
    const nodes = [startNode('node-a', store, clock, schedules, { schedulePollMs: 500 }), startNode('node-b', store, clock, schedules, { schedulePollMs: 500 })];
    const outsider = startNode('outsider', store, clock, []);
    try {
      await Promise.all(nodes.map((n) => n.runtime.schedules.ready()));
      await outsider.runtime.schedules.pause('p');
      await tick(clock, 10_000, nodes, 10_000, 'p');
      expect(nodes.flatMap((n) => n.ticks).filter((t) => t.tickAt === 10_000).map((t) => t.status).sort()).toEqual(['paused', 'taken']);
      const requested = await outsider.runtime.schedules.trigger('p');
      expect(requested).toMatchObject({ kind: 'manual', status: 'requested', node: null });
      await until('a node to take the trigger', async () => {
        clock.increment(500);
        await new Promise((resolve) => setTimeout(resolve, 10));
        return nodes.some((n) => n.ticks.some((t) => t.kind === 'manual' && t.status === 'started'));
      }, 30_000);
      const [state] = await outsider.runtime.schedules.list();
      expect(state).toMatchObject({ scheduleId: 'p', paused: true, lastCronTickAt: 10_000 });
      await expect(outsider.runtime.schedules.trigger('nope')).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
    } finally {
      for (const n of [...nodes, outsider]) await n.stop();
    }
    expect(clock.pending).toBe(0);
  });

  it('orchkit schedule list|pause|resume|trigger work on the store the nodes share', { timeout: 180_000 }, async () => {
    const store = freshStore();
    const clock = createCountingClock();
    const node = startNode('node-a', store, clock, [{ id: 'nightly', workflow: noteWorkflow, cron: '0 3 * * *', timezone: 'Europe/Berlin' }], { schedulePollMs: 500 });
    try {
      await node.runtime.schedules.ready();
      const listed = await runCli(['schedule', 'list', '--store', store]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(/nightly\s+nightly\s+0 3 \* \* \*\s+Europe\/Berlin\s+skip\s+latest\s+active/);
      expect((await runCli(['schedule', 'pause', 'nightly', '--store', store])).stdout).toContain('schedule nightly paused');
      expect((await node.runtime.schedules.list())[0]?.paused).toBe(true);
      const triggered = await runCli(['schedule', 'trigger', 'nightly', '--store', store, '--json']);
      expect(JSON.parse(triggered.stdout)).toMatchObject({ scheduleId: 'nightly', kind: 'manual', status: 'requested' });
      await until('the node to start the triggered run', async () => {
        clock.increment(500);
        await new Promise((resolve) => setTimeout(resolve, 10));
        return node.ticks.some((t) => t.kind === 'manual' && t.status === 'started');
      }, 30_000);
      expect((await runCli(['schedule', 'resume', 'nightly', '--store', store])).stdout).toContain('schedule nightly resumed');
      const json = JSON.parse((await runCli(['schedule', 'list', '--store', store, '--json'])).stdout) as { paused: boolean; lastTick: { kind: string } }[];
      expect(json[0]).toMatchObject({ paused: false, lastTick: { kind: 'manual' } });
      const unknown = await runCli(['schedule', 'pause', 'nope', '--store', store]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('SCHEDULE_NOT_FOUND');
      const sqlite = await runCli(['schedule', 'list', '--store', 'sqlite::memory:']);
      expect(sqlite.code).toBe(2);
      expect(sqlite.stderr).toContain('SCHEDULE_STORE_UNSUPPORTED');
    } finally {
      await node.stop();
    }
    expect(clock.pending).toBe(0);
  });
});

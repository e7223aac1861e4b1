import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type AnyTool, type Runtime } from '../src/index.js';
import { createHold, heldWorkflow as workflow } from './support/heldWorkflow.js';
import { createCountingClock, drive, type CountingClock } from './support/leakCheck.js';
import { until } from './support/until.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchkit-control-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function node(clock: CountingClock, file: string, nodeId: string, tool: AnyTool): Runtime {
  return createRuntime({ tools: [tool], clock, store: `sqlite:${file}`, nodeId, leaseMs: 900 });
}

describe('pause, resume and cancel through the store', () => {
  it('pause suspends a run on its own node at once; only resume({ executionId }) takes it up again', async () => {
    const clock = createCountingClock();
    const hold = createHold();
    const runtime = node(clock, path.join(dir, 'local.db'), 'node-a', hold.tool);
    const suspended = firstValueFrom(runtime.bus.subscribe('execution.suspended'));
    const execution = runtime.startWorkflow(workflow);
    await until('step b to start', () => hold.calls.includes('b#1'));

    const paused = await runtime.pause(execution.executionId);
    expect(paused).toMatchObject({ status: 'paused', executionId: execution.executionId });
    expect(paused.owner).toBeUndefined(); // lease released: any node may resume it
    expect(((await suspended)).payload).toMatchObject({ reason: 'paused', workflowId: 'held' });
    expect(runtime.executions()).toEqual([]);
    expect(await runtime.resume()).toEqual([]); // a paused run is not claimed

    hold.open();
    const [resumed] = await runtime.resume({ executionId: execution.executionId });
    const result = await drive(clock, (resumed as NonNullable<typeof resumed>).result);
    expect(result).toMatchObject({ status: 'completed', output: { n: 4 } });
    // a ran once; b was running when paused, so it ran again (at least once); c once.
    expect(hold.calls).toEqual(['a#1', 'b#1', 'b#1', 'c#1']);
    expect((await runtime.store?.getExecution(execution.executionId))?.status).toBe('completed');
    await expect(runtime.pause(execution.executionId)).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    await expect(runtime.pause('no-such-run')).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
    await runtime.stop();
    expect(clock.pending).toBe(0);
  });

  it('a pause asked from another node reaches the owner at its next lease renewal; the other node resumes it', async () => {
    const clock = createCountingClock();
    const file = path.join(dir, 'two-nodes.db');
    const holdA = createHold();
    const holdB = createHold();
    const a = node(clock, file, 'node-a', holdA.tool);
    const b = node(clock, file, 'node-b', holdB.tool);
    const suspendedOnA = firstValueFrom(a.bus.subscribe('execution.suspended'));
    const execution = a.startWorkflow(workflow);
    await until('step b to start on node-a', () => holdA.calls.includes('b#1'));

    const requested = await b.pause(execution.executionId);
    expect(requested).toMatchObject({ status: 'paused', owner: 'node-a' });
    expect(a.executions()).toHaveLength(1); // node-a has not heard yet
    clock.increment(300); // leaseMs / 3: node-a renews, its lease is not extended, it reads why
    expect(((await suspendedOnA)).payload).toMatchObject({ reason: 'paused', owner: 'node-a' });
    expect(a.executions()).toEqual([]);
    await until('node-a to release the lease', async () => (await b.store?.getExecution(execution.executionId))?.owner === undefined);

    holdB.open();
    const [resumed] = await b.resume({ executionId: execution.executionId });
    const result = await drive(clock, (resumed as NonNullable<typeof resumed>).result, 100);
    expect(result).toMatchObject({ status: 'completed', output: { n: 4 } });
    expect(holdB.calls).toEqual(['b#1', 'c#1']); // a's output came from the journal
    await a.stop();
    await b.stop();
    expect(clock.pending).toBe(0);
  });

  it('a cancel set in the store by another node cancels the run on its owner, which writes the result', async () => {
    const clock = createCountingClock();
    const file = path.join(dir, 'cancel.db');
    const hold = createHold();
    const a = node(clock, file, 'node-a', hold.tool);
    const b = node(clock, file, 'node-b', createHold().tool);
    const execution = a.startWorkflow(workflow);
    await until('step b to start', () => hold.calls.includes('b#1'));

    await b.store?.setStatus(execution.executionId, 'cancelled');
    const result = await drive(clock, execution.result, 300);
    expect(result.status).toBe('cancelled');
    await until('the result to be written', async () => (await b.store?.getExecution(execution.executionId))?.result !== undefined);
    const record = await b.store?.getExecution(execution.executionId);
    expect(record).toMatchObject({ status: 'cancelled', result: { status: 'cancelled' } });
    expect(record?.owner).toBeUndefined();
    await a.stop();
    await b.stop();
    expect(clock.pending).toBe(0);
  });
});

// Engine throughput: orchkit executeWorkflow vs a hand-written XState machine vs async.auto, same
// steps, same process, same run. Also heap per execution parked in a waiting step.
import { z } from 'zod';
import { createActor, fromPromise, setup } from 'xstate';
import { createRuntime, defineTool, type WorkflowDefinitionInput } from '../src/index.js';
import { handChainMachine, handFanOutMachine, handParallelMachine, handSpawnMachine, runAsyncAuto, runMachine, work } from './peers.js';

const step = defineTool({
  name: 'step',
  description: 'the unit of work',
  input: z.object({ n: z.number() }),
  output: z.object({ n: z.number() }),
  run: ({ n }) => work(n),
});

function chainDefinition(length: number): { definition: WorkflowDefinitionInput; graph: Record<string, string[]> } {
  const steps = Array.from({ length }, (_, i) => ({ id: `s${i}`, tool: 'step', input: { n: i }, ...(i ? { dependsOn: [`s${i - 1}`] } : {}) }));
  return { definition: { id: 'chain', steps }, graph: Object.fromEntries(steps.map((s) => [s.id, s.dependsOn ?? []])) };
}

function fanOutDefinition(width: number): { definition: WorkflowDefinitionInput; graph: Record<string, string[]> } {
  const middle = Array.from({ length: width }, (_, i) => ({ id: `m${i}`, tool: 'step', input: { n: i }, dependsOn: ['first'] }));
  const steps = [{ id: 'first', tool: 'step', input: { n: 0 } }, ...middle, { id: 'last', tool: 'step', input: { n: 0 }, dependsOn: middle.map((m) => m.id) }];
  return { definition: { id: 'fanout', steps }, graph: Object.fromEntries(steps.map((s) => [s.id, 'dependsOn' in s ? s.dependsOn : []])) };
}

function mapDefinition(width: number): WorkflowDefinitionInput {
  return { id: 'map', input: { items: { type: 'array', default: Array.from({ length: width }, (_, i) => i) } }, steps: [{ id: 'each', map: { items: '${{ input.items }}', as: 'item' }, tool: 'step', input: { n: '${{ item }}' } }] };
}

async function measure(label: string, stepsPerRun: number, parallel: number, budgetMs: number, once: () => Promise<unknown>): Promise<number> {
  // The same warm-up for every implementation: enough runs for V8 to optimize the hot paths of each.
  for (let i = 0; i < 300; i++) await once();
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    await Promise.all(Array.from({ length: parallel }, once));
    runs += parallel;
  }
  const stepsPerSecond = (runs * stepsPerRun) / ((performance.now() - started) / 1000);
  console.log(`  ${label.padEnd(22)} ${Math.round(stepsPerSecond).toLocaleString('en').padStart(12)} steps/s`);
  return stepsPerSecond;
}

async function throughput(budgetMs: number): Promise<Record<string, unknown>> {
  const runtime = createRuntime({ tools: [step] });
  const results: Record<string, unknown> = {};
  const shapes = {
    chain10: { ...chainDefinition(10), machine: handChainMachine(10), steps: 10 },
    fanout50: { ...fanOutDefinition(50), machine: handFanOutMachine(50), steps: 52 },
  };
  for (const [shape, spec] of Object.entries(shapes)) {
    for (const parallel of [1, 100]) {
      console.log(`${shape}, ${parallel} execution(s) at once`);
      // Rounds alternate between implementations so drift in machine load hits all of them alike.
      const totals = { orchkit: 0, xstate: 0, asyncAuto: 0 };
      for (let round = 0; round < 3; round++) {
        totals.orchkit += await measure('orchkit', spec.steps, parallel, budgetMs, () => runtime.executeWorkflow(spec.definition));
        totals.xstate += await measure('hand-written XState', spec.steps, parallel, budgetMs, () => runMachine(spec.machine));
        totals.asyncAuto += await measure('async.auto', spec.steps, parallel, budgetMs, () => runAsyncAuto(spec.graph));
      }
      const entry = {
        orchkitStepsPerSec: Math.round(totals.orchkit / 3),
        xstateStepsPerSec: Math.round(totals.xstate / 3),
        asyncAutoStepsPerSec: Math.round(totals.asyncAuto / 3),
        ratioVsXState: +(totals.orchkit / totals.xstate).toFixed(3),
        ratioVsAsyncAuto: +(totals.orchkit / totals.asyncAuto).toFixed(3),
      };
      console.log(`  => orchkit / hand-written XState = ${entry.ratioVsXState}x, orchkit / async.auto = ${entry.ratioVsAsyncAuto}x`);
      results[`${shape}_x${parallel}`] = entry;
    }
  }
  results.map50 = await mapThroughput(runtime, budgetMs);
  await runtime.stop();
  return results;
}

/** A map over 50 items vs the two hand-written shapes of the same 50 calls: regions, and spawned actors. */
async function mapThroughput(runtime: ReturnType<typeof createRuntime>, budgetMs: number): Promise<Record<string, unknown>> {
  const definition = mapDefinition(50);
  const regions = handParallelMachine(50);
  const spawned = handSpawnMachine(50);
  const out: Record<string, unknown> = {};
  for (const parallel of [1, 100]) {
    console.log(`map50, ${parallel} execution(s) at once`);
    const totals = { orchkit: 0, regions: 0, spawned: 0 };
    for (let round = 0; round < 3; round++) {
      totals.orchkit += await measure('orchkit map', 50, parallel, budgetMs, () => runtime.executeWorkflow(definition));
      totals.regions += await measure('XState 50 regions', 50, parallel, budgetMs, () => runMachine(regions));
      totals.spawned += await measure('XState 50 spawned', 50, parallel, budgetMs, () => runMachine(spawned));
    }
    const entry = {
      orchkitItemsPerSec: Math.round(totals.orchkit / 3),
      regionsItemsPerSec: Math.round(totals.regions / 3),
      spawnedItemsPerSec: Math.round(totals.spawned / 3),
      ratioVsRegions: +(totals.orchkit / totals.regions).toFixed(3),
      ratioVsSpawned: +(totals.orchkit / totals.spawned).toFixed(3),
    };
    console.log(`  => orchkit map / 50 parallel regions = ${entry.ratioVsRegions}x, orchkit map / 50 spawned promise actors = ${entry.ratioVsSpawned}x`);
    out[`x${parallel}`] = entry;
  }
  return out;
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function parkedHeap(count: number): Promise<Record<string, unknown>> {
  const never = defineTool({ name: 'wait', description: 'parks', input: z.object({}), output: z.object({}), run: () => new Promise<Record<string, never>>(() => undefined) });
  const runtime = createRuntime({ tools: [never] });
  const definition: WorkflowDefinitionInput = { id: 'parked', steps: [{ id: 'wait', tool: 'wait' }] };
  const base = heapUsed();
  const executions = Array.from({ length: count }, () => runtime.startWorkflow(definition));
  const orchkitBytes = (heapUsed() - base) / count;
  await runtime.stop();
  await Promise.all(executions.map((e) => e.result));

  const bare = setup({ actors: { wait: fromPromise(() => new Promise(() => undefined)) } }).createMachine({
    initial: 'wait',
    states: { wait: { invoke: { src: 'wait' } } },
  });
  const base2 = heapUsed();
  const actors = Array.from({ length: count }, () => createActor(bare).start());
  const bareBytes = (heapUsed() - base2) / count;
  actors.forEach((a) => a.stop());
  const ratio = +(orchkitBytes / bareBytes).toFixed(2);
  console.log(`parked executions (${count.toLocaleString('en')}): orchkit ${Math.round(orchkitBytes)} B each, bare XState actor ${Math.round(bareBytes)} B each => ${ratio}x`);
  return { count, orchkitBytesPerExecution: Math.round(orchkitBytes), bareActorBytes: Math.round(bareBytes), ratio, gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function' };
}

/** Runs the engine benchmark and returns its figures. */
export async function runEngineBench(options: { budgetMs?: number; parked?: number } = {}): Promise<Record<string, unknown>> {
  return { throughput: await throughput(options.budgetMs ?? 400), parked: await parkedHeap(options.parked ?? 100_000) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runEngineBench(), null, 2));
}

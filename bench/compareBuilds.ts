// Compares the engine's CPU time per step of two builds of orchkit in one process, each against
// the hand-written XState chain in alternating rounds: a noise-tolerant A/B for engine changes.
//   npx tsc -p tsconfig.build.json --outDir /tmp/distA   (before the change; then after it, to /tmp/distB)
//   node --import tsx bench/compareBuilds.ts /tmp/distA /tmp/distB [parallel=1] [runs=2000]
// CPU time (process.cpuUsage), not wall time: other work on the machine affects it much less.
// SHAPE=map50 compares a map over 50 items against the hand-written machine spawning 50 promise actors.
import { z } from 'zod';
import type { createRuntime as CreateRuntime, defineTool as DefineTool, WorkflowDefinitionInput } from '../src/index.js';
import { handChainMachine, handSpawnMachine, runMachine, work } from './peers.js';

const [dirA, dirB, parallelArg, runsArg] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) throw new Error('usage: compareBuilds.ts <distA> <distB> [parallel] [runs]');
const map = process.env.SHAPE === 'map50';
const length = map ? 50 : 10;
const parallel = Number(parallelArg ?? 1);
const runs = Number(runsArg ?? (map ? 400 : 2000));
const steps = Array.from({ length }, (_, i) => ({ id: `s${i}`, tool: 'step', input: { n: i }, ...(i ? { dependsOn: [`s${i - 1}`] } : {}) }));
const definition: WorkflowDefinitionInput = map
  ? { id: 'map', input: { items: { type: 'array' as const, default: Array.from({ length }, (_, i) => i) } }, steps: [{ id: 'each', map: { items: '${{ input.items }}', as: 'item' }, tool: 'step', input: { n: '${{ item }}' } }] }
  : { id: 'chain', steps };

async function load(dir: string): Promise<{ once: () => Promise<unknown>; stop: () => Promise<void> }> {
  const entry = (await import(`${dir}/index.js`)) as { createRuntime: typeof CreateRuntime; defineTool: typeof DefineTool };
  const step = entry.defineTool({ name: 'step', description: 'the unit of work', input: z.object({ n: z.number() }), output: z.object({ n: z.number() }), run: ({ n }) => work(n) });
  const runtime = entry.createRuntime({ tools: [step] });
  return { once: () => runtime.executeWorkflow(definition), stop: () => runtime.stop() };
}

/** CPU µs per step; with WALL=1, wall-clock µs (which also counts time spent waiting between turns). */
async function cpuPerStep(once: () => Promise<unknown>): Promise<number> {
  const wall = process.env.WALL === '1';
  const before = process.cpuUsage();
  const started = performance.now();
  for (let done = 0; done < runs; done += parallel) await Promise.all(Array.from({ length: parallel }, once));
  if (wall) return ((performance.now() - started) * 1000) / (runs * length);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (runs * length);
}

const a = await load(dirA);
const b = await load(dirB);
const machine = map ? handSpawnMachine(length) : handChainMachine(length);
const hand = (): Promise<void> => runMachine(machine);
for (let i = 0; i < 300; i++) await Promise.all([a.once(), b.once(), hand()]);
const ratios = { a: [] as number[], b: [] as number[] };
for (let round = 0; round < 7; round++) {
  const before = await cpuPerStep(hand);
  const ca = await cpuPerStep(a.once);
  const cb = await cpuPerStep(b.once);
  const peer = (before + (await cpuPerStep(hand))) / 2;
  ratios.a.push(peer / ca);
  ratios.b.push(peer / cb);
}
const median = (values: number[]): string => ([...values].sort((x, y) => x - y)[3] ?? 0).toFixed(3);
console.log(`${map ? 'map over 50 items' : '10-step chain'}, ${parallel} at once, vs the hand-written XState ${map ? 'machine spawning 50 promise actors' : 'chain'} (median of 7 rounds): A ${median(ratios.a)}x  B ${median(ratios.b)}x`);
await a.stop();
await b.stop();

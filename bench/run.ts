// `npm run bench`: every benchmark in one process, figures as ratios against peers measured in the
// same run, written to bench/results.json. Run with --expose-gc for the heap figures.
import { writeFileSync } from 'node:fs';
import os from 'node:os';

type Bench = { name: string; module: string; run: string };

const benches: Bench[] = [
  { name: 'engine', module: './engine.bench.js', run: 'runEngineBench' },
  { name: 'contextStore', module: './contextStore.bench.js', run: 'runContextStoreBench' },
  { name: 'bus', module: './bus.bench.js', run: 'runBusBench' },
  { name: 'explore', module: './explore.bench.js', run: 'runExploreBench' },
  { name: 'store', module: './store.bench.js', run: 'runStoreBench' },
  { name: 'queues', module: './queues.bench.js', run: 'runQueuesBench' },
];

const only = process.argv.slice(2);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  loadAverage: os.loadavg(),
  gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
};
for (const bench of benches) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  console.log(`\n=== ${bench.name} ===`);
  const module = (await import(bench.module)) as Record<string, () => Promise<unknown>>;
  const run = module[bench.run];
  if (typeof run !== 'function') throw new Error(`${bench.module} does not export ${bench.run}`);
  results[bench.name] = await run();
}
const target = new URL('./results.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${target.pathname}`);

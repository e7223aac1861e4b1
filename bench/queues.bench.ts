/**
 * Task-queue benchmark: a remote step's round trip (enqueue -> worker -> committed result ->
 * step done) against the same step run locally, both on one PostgreSQL store in the same run.
 *
 * - Latency: 30 one-step workflows one after the other; the median run time.
 * - Throughput: one workflow mapping a trivial tool over 400 items (32 at once); steps per second.
 *
 * Local: the tool runs in the orchestrator. Remote: the tool is on queue `bench`, served by 1 and
 * by 8 workers (`createWorker`, concurrency 1 each), here in the same process (so the figures
 * include no network hop between machines, and the workers share the orchestrator's CPU).
 * Printed: each figure and remote / local. PostgreSQL: `ORCHKIT_BENCH_POSTGRES_URL`,
 * `postgres://postgres@127.0.0.1:5432/test` by default; skipped when unreachable. Run directly
 * with `npx tsx bench/queues.bench.ts`, or `npm run bench queues`.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { z } from 'zod';
import { createRuntime, createWorker, defineTool, type AnyTool, type Worker, type WorkflowDefinitionInput } from '../src/index.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';

const PG_URL = process.env.ORCHKIT_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ITEMS = 400;

const bump = (queue?: string): AnyTool =>
  defineTool({
    name: 'bump',
    description: 'n + 1',
    ...(queue === undefined ? {} : { queue }),
    input: z.object({ n: z.number() }),
    output: z.object({ n: z.number() }),
    run: ({ n }) => Promise.resolve({ n: n + 1 }),
  });

const one: WorkflowDefinitionInput = { id: 'one', steps: [{ id: 's', tool: 'bump', input: { n: 1 } }] };
const fan: WorkflowDefinitionInput = { id: 'fan', steps: [{ id: 'm', map: { items: '${{ input.items }}', concurrency: 32 }, tool: 'bump', input: { n: '${{ item }}' } }] };

interface Figures {
  latencyMedianMs: number;
  stepsPerSecond: number;
}

async function measure(remote: boolean, workers: number, url: string): Promise<Figures> {
  const runtime = createRuntime({ tools: [bump(remote ? 'bench' : undefined)], store: url });
  const pool: Worker[] = remote ? Array.from({ length: workers }, (_, i) => createWorker({ store: url, queue: 'bench', tools: [bump('bench')], workerId: `bench-${i}` })) : [];
  try {
    await Promise.all(pool.map((w) => w.ready()));
    for (let i = 0; i < 5; i++) await runtime.executeWorkflow(one); // warm-up
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      const result = await runtime.executeWorkflow(one);
      if (result.status !== 'completed') throw new Error(`run ${result.status}: ${JSON.stringify(result.error)}`);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const started = performance.now();
    const result = await runtime.executeWorkflow(fan, { input: { items: Array.from({ length: ITEMS }, (_, i) => i) } });
    if (result.status !== 'completed') throw new Error(`fan-out ${result.status}: ${JSON.stringify(result.error)}`);
    const seconds = (performance.now() - started) / 1000;
    return { latencyMedianMs: Number((times[15] ?? 0).toFixed(2)), stepsPerSecond: Math.round(ITEMS / seconds) };
  } finally {
    await runtime.stop();
    await Promise.all(pool.map((w) => w.stop()));
  }
}

/** Runs the benchmark; the record `npm run bench` writes. */
export async function runQueuesBench(): Promise<unknown> {
  const probe = await probePostgres(PG_URL, 1500);
  if (!probe.reachable) {
    console.log(`queues: skipped (${probe.reason})`);
    return { skipped: probe.reason };
  }
  const schema = `orchkit_bench_q_${randomBytes(5).toString('hex')}`;
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  try {
    const local = await measure(false, 0, url);
    const remote1 = await measure(true, 1, url);
    const remote8 = await measure(true, 8, url);
    const ratio = (r: Figures) => ({ latency: Number((r.latencyMedianMs / local.latencyMedianMs).toFixed(2)), throughput: Number((r.stepsPerSecond / local.stepsPerSecond).toFixed(2)) });
    const record = { local, remote1, remote8, remoteVsLocal: { workers1: ratio(remote1), workers8: ratio(remote8) } };
    console.log(`queues: one-step run median local ${local.latencyMedianMs} ms, remote (1 worker) ${remote1.latencyMedianMs} ms, remote (8 workers) ${remote8.latencyMedianMs} ms`);
    console.log(`queues: map of ${ITEMS} steps: local ${local.stepsPerSecond}/s, remote 1 worker ${remote1.stepsPerSecond}/s (${ratio(remote1).throughput}x), 8 workers ${remote8.stepsPerSecond}/s (${ratio(remote8).throughput}x)`);
    return record;
  } finally {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await runQueuesBench(), null, 2));

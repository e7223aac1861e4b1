// Child workflow overhead: a parent whose middle is a `workflow` step (a child run of a 5-step
// chain) vs the same 7 steps inline, same runtime, same process, alternating rounds. Prints the
// throughput of both and the cost of one child run (its own machine, result and bus messages).
import { z } from 'zod';
import { createRuntime, defineTool, type WorkflowDefinitionInput } from '../src/index.js';
import { work } from './peers.js';

const step = defineTool({
  name: 'step',
  description: 'the unit of work',
  input: z.object({ n: z.number() }),
  output: z.object({ n: z.number() }),
  run: ({ n }) => work(n),
});

const chain = (prefix: string, length: number, after?: string) =>
  Array.from({ length }, (_, i) => ({ id: `${prefix}${i}`, tool: 'step', input: { n: i }, ...(i > 0 ? { dependsOn: [`${prefix}${i - 1}`] } : after ? { dependsOn: [after] } : {}) }));

const child: WorkflowDefinitionInput = { id: 'inner', steps: chain('c', 5) };
const nested: WorkflowDefinitionInput = {
  id: 'nested',
  steps: [{ id: 'first', tool: 'step', input: { n: 0 } }, { id: 'inner', workflow: 'inner', dependsOn: ['first'] }, { id: 'last', tool: 'step', input: { n: 0 }, dependsOn: ['inner'] }],
};
const inline: WorkflowDefinitionInput = {
  id: 'inline',
  steps: [{ id: 'first', tool: 'step', input: { n: 0 } }, ...chain('c', 5, 'first'), { id: 'last', tool: 'step', input: { n: 0 }, dependsOn: ['c4'] }],
};

async function runsPerSecond(label: string, parallel: number, budgetMs: number, once: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 300; i++) await once();
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    await Promise.all(Array.from({ length: parallel }, once));
    runs += parallel;
  }
  const rate = runs / ((performance.now() - started) / 1000);
  console.log(`  ${label.padEnd(26)} ${Math.round(rate).toLocaleString('en').padStart(10)} runs/s`);
  return rate;
}

/** Throughput with and without the child run, and the microseconds one child run adds. */
export async function runChildWorkflowBench(options: { budgetMs?: number } = {}): Promise<Record<string, unknown>> {
  const budgetMs = options.budgetMs ?? 400;
  const runtime = createRuntime({ tools: [step], workflows: [child] });
  const results: Record<string, unknown> = {};
  try {
    for (const parallel of [1, 100]) {
      console.log(`7 steps, ${parallel} execution(s) at once`);
      const totals = { nested: 0, inline: 0 };
      for (let round = 0; round < 3; round++) {
        totals.nested += await runsPerSecond('parent + child workflow', parallel, budgetMs, () => runtime.executeWorkflow(nested));
        totals.inline += await runsPerSecond('same steps inline', parallel, budgetMs, () => runtime.executeWorkflow(inline));
      }
      const nestedRate = totals.nested / 3;
      const inlineRate = totals.inline / 3;
      const overheadUs = (1 / nestedRate - 1 / inlineRate) * 1e6;
      const entry = { nestedRunsPerSec: Math.round(nestedRate), inlineRunsPerSec: Math.round(inlineRate), ratio: +(nestedRate / inlineRate).toFixed(3), overheadPerChildRunUs: Math.round(overheadUs) };
      console.log(`  => nested / inline = ${entry.ratio}x; one child run costs ${entry.overheadPerChildRunUs} µs of wall time per parent run`);
      results[`x${parallel}`] = entry;
    }
  } finally {
    await runtime.stop();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runChildWorkflowBench(), null, 2));
}

// Model-based exploration throughput: paths replayed per second on the real runtime, for a
// 10-step workflow whose tools declare two error codes each. No peer: nothing else in the
// process enumerates and replays workflow paths, so the figure is reported on its own.
import { z } from 'zod';
import { defineTool, type WorkflowDefinitionInput } from '../src/index.js';
import { exploreWorkflow } from '../src/testing/index.js';

const tools = ['fetch', 'transform', 'store'].map((name) =>
  defineTool({
    name,
    description: `${name} stand-in`,
    input: z.object({}),
    output: z.object({}),
    errors: { INVALID: { retryable: false }, UNAVAILABLE: { retryable: true } },
    run: () => Promise.resolve({}),
  }),
);

/** s0 -> (s1, s2, s3) -> s4 -> (s5, s6) -> s7 -> (s8, s9): fan-outs and joins, fail-fast. */
const definition: WorkflowDefinitionInput = {
  id: 'bench-explore',
  steps: [
    { id: 's0', tool: 'fetch' },
    { id: 's1', tool: 'transform', dependsOn: ['s0'] },
    { id: 's2', tool: 'transform', dependsOn: ['s0'] },
    { id: 's3', tool: 'store', dependsOn: ['s0'] },
    { id: 's4', tool: 'fetch', dependsOn: ['s1', 's2', 's3'] },
    { id: 's5', tool: 'transform', dependsOn: ['s4'] },
    { id: 's6', tool: 'store', dependsOn: ['s4'] },
    { id: 's7', tool: 'fetch', dependsOn: ['s5', 's6'] },
    { id: 's8', tool: 'transform', dependsOn: ['s7'] },
    { id: 's9', tool: 'store', dependsOn: ['s7'] },
  ],
};

/** Explores the workflow repeatedly for about `budgetMs` and returns the paths replayed per second. */
export async function runExploreBench(options: { budgetMs?: number } = {}): Promise<number> {
  const budgetMs = options.budgetMs ?? 3_000;
  const first = await exploreWorkflow(definition, { tools });
  if (first.violations.length > 0) throw new Error(`the bench workflow breaks ${first.violations[0]?.invariant ?? 'an invariant'}`);
  let paths = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) paths += (await exploreWorkflow(definition, { tools })).paths.length;
  const perSecond = paths / ((performance.now() - started) / 1000);
  console.log(`exploreWorkflow, 10 steps x 2 error codes (${first.paths.length} paths each): ${perSecond.toFixed(1)} paths/s`);
  return perSecond;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runExploreBench();
}

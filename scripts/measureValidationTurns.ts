// The longest turn of the event loop while a 10k-step definition is validated in turns (issue 13:
// no input holds the event loop > 100 ms). `node --expose-gc --import tsx scripts/measureValidationTurns.ts`.
import { z } from 'zod';
import { createRuntime, defineTool, validateWorkflow, validateWorkflowAsync, type WorkflowDefinitionInput } from '../src/index.js';

const echo = defineTool({
  name: 'echo',
  description: 'returns its input',
  input: z.object({ value: z.unknown().optional() }),
  output: z.object({ value: z.unknown().optional() }),
  run: async (input) => input,
});

function chain(n: number, lastTool = 'echo'): WorkflowDefinitionInput {
  return {
    id: 'chain',
    steps: Array.from({ length: n }, (_, i) => ({
      id: `s${i}`,
      tool: i === n - 1 ? lastTool : 'echo',
      ...(i === 0 ? { input: { value: 1 } } : { dependsOn: [`s${i - 1}`], input: { value: `\${{ steps.s${i - 1}.output.value }}` } }),
    })),
  };
}

/** Gaps between turns of a self re-arming `setImmediate` probe while `work` runs: the turn lengths. */
async function turns(label: string, work: () => Promise<unknown>): Promise<void> {
  const gaps: number[] = [];
  let last = performance.now();
  let running = true;
  const probe = (): void => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    if (running) setImmediate(probe);
  };
  setImmediate(probe);
  const started = performance.now();
  await work().catch(() => undefined);
  running = false;
  const total = performance.now() - started;
  gaps.push(performance.now() - last);
  const sorted = [...gaps].sort((a, b) => b - a);
  console.log(`${label}: ${total.toFixed(0)} ms in ${gaps.length} turns; longest ${sorted.slice(0, 3).map((g) => g.toFixed(1)).join(', ')} ms; median ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(1)} ms`);
}

const n = 10_000;
for (let round = 0; round < 3; round++) {
  const started = performance.now();
  validateWorkflow(chain(n), { tools: [echo] });
  console.log(`sync validateWorkflow ${n} steps: ${(performance.now() - started).toFixed(0)} ms in one turn`);
  await turns(`validateWorkflowAsync ${n}-step chain`, () => validateWorkflowAsync(chain(n), { tools: [echo] }));
}
const runtime = createRuntime({ tools: [echo] });
await turns(`runtime.executeWorkflow ${n}-step chain, invalid last step`, () => runtime.executeWorkflow(chain(n, 'nope')));
const text = JSON.stringify(chain(n, 'nope'));
await turns(`runtime.executeCustomWorkflow ${text.length}-char JSON text, invalid last step`, () => runtime.executeCustomWorkflow(text));
const yaml = ['id: chain', 'steps:', ...chain(n, 'nope').steps.map((step) => `  - ${JSON.stringify(step)}`)].join('\n');
await turns(`runtime.executeCustomWorkflow ${yaml.length}-char YAML text (flow steps), invalid last step`, () => runtime.executeCustomWorkflow(yaml));
await turns(`runtime.executeWorkflow 1000-step chain, valid (validate + compile + run)`, () => runtime.executeWorkflow(chain(1_000)));
await runtime.stop();

// Measures how validation and runs scale with the number of steps (issue 13, guarantee 4).
// `node --expose-gc --import tsx scripts/measureDefinitionScaling.ts`. Prints figures; asserts nothing.
import { z } from 'zod';
import { createRuntime, defineTool, parseWorkflow, validateWorkflow, type WorkflowDefinitionInput } from '../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const echo = defineTool({
  name: 'echo',
  description: 'returns its input',
  input: z.object({ value: z.unknown().optional() }),
  output: z.object({ value: z.unknown().optional() }),
  run: async (input) => input,
});

function chain(n: number): WorkflowDefinitionInput {
  return {
    id: 'chain',
    steps: Array.from({ length: n }, (_, i) => ({
      id: `s${i}`,
      tool: 'echo',
      ...(i === 0 ? { input: { value: 1 } } : { dependsOn: [`s${i - 1}`], input: { value: `\${{ steps.s${i - 1}.output.value }}` } }),
    })),
  };
}

function measureValidation(n: number): void {
  const definition = chain(n);
  gc();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 1);
  const started = performance.now();
  const result = validateWorkflow(definition, { tools: [echo] });
  const ms = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const text = JSON.stringify(definition);
  const parseStarted = performance.now();
  parseWorkflow(text, { tools: [echo] });
  const parseMs = performance.now() - parseStarted;
  console.log(
    `validate ${String(n).padStart(5)} steps: ${ms.toFixed(1)} ms (${((ms / n) * 1000).toFixed(1)} µs/step), heap +${((peak - before) / 2 ** 20).toFixed(1)} MB; parse ${text.length} chars ${parseMs.toFixed(1)} ms; valid=${result.success}`,
  );
}

async function measureRun(n: number): Promise<number> {
  const runtime = createRuntime({ tools: [echo] });
  try {
    await runtime.executeWorkflow(chain(10)); // warm-up
    const started = performance.now();
    const result = await runtime.executeWorkflow(chain(n));
    const ms = performance.now() - started;
    console.log(`run      ${String(n).padStart(5)} steps: ${ms.toFixed(1)} ms (${((ms / n) * 1000).toFixed(1)} µs/step), ${result.status}`);
    return ms / n;
  } finally {
    await runtime.stop();
  }
}

for (const n of [100, 1_000, 10_000]) measureValidation(n);
const small = await measureRun(100);
const large = await measureRun(1_000);
console.log(`run per-step cost, 1,000 vs 100 steps: ${(large / small).toFixed(2)}x (guarantee: within 3x)`);

const dollar = '${{'.repeat(100_000);
const templateStarted = performance.now();
const templated = validateWorkflow({ id: 't', steps: [{ id: 'a', tool: 'echo', input: { value: dollar } }] });
console.log(`template of "\${{" x 100k: ${(performance.now() - templateStarted).toFixed(1)} ms, valid=${templated.success}`);

const longName = 'x'.repeat(100_000);
const hintStarted = performance.now();
validateWorkflow({ id: 't', steps: [{ id: 'a', tool: longName }] }, { tools: [echo] });
console.log(`did-you-mean over a 100k-character tool name: ${(performance.now() - hintStarted).toFixed(1)} ms`);

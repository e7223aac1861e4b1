// Times each validation phase of a 10k-step chain and a 10k-step wide fan-in (issue 13, event loop
// bound). `node --expose-gc --import tsx scripts/profileValidation.ts`; add `--cpu-prof` for a profile.
import { z } from 'zod';
import { defineTool, validateWorkflow, type WorkflowDefinitionInput } from '../src/index.js';

const echo = defineTool({
  name: 'echo',
  description: 'returns its input',
  input: z.object({ value: z.unknown().optional() }),
  output: z.object({ value: z.unknown().optional() }),
  run: async (input) => input,
});

const n = Number(process.argv[2] ?? 10_000);

function chain(): WorkflowDefinitionInput {
  return {
    id: 'chain',
    steps: Array.from({ length: n }, (_, i) => ({
      id: `s${i}`,
      tool: 'echo',
      ...(i === 0 ? { input: { value: 1 } } : { dependsOn: [`s${i - 1}`], input: { value: `\${{ steps.s${i - 1}.output.value }}` } }),
    })),
  };
}

/** n−1 independent steps and one that depends on all of them and reads each. */
function fanIn(): WorkflowDefinitionInput {
  const leaves = Array.from({ length: n - 1 }, (_, i) => ({ id: `s${i}`, tool: 'echo', input: { value: i } }));
  return {
    id: 'fan-in',
    steps: [...leaves, { id: 'join', tool: 'echo', dependsOn: leaves.map((s) => s.id), input: { value: leaves.map((s) => `\${{ steps.${s.id}.output.value }}`) } }],
  };
}

// CPU time, best of five: the machine is shared, so wall time says more about the neighbours.
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
for (const [name, make] of [['chain', chain], ['fan-in', fanIn]] as const) {
  const times: number[] = [];
  let valid = false;
  let peakMb = 0;
  for (let round = 0; round < 5; round++) {
    const definition = make();
    gc();
    const heap = process.memoryUsage().heapUsed;
    const started = process.cpuUsage();
    valid = validateWorkflow(definition, { tools: [echo] }).success;
    const used = process.cpuUsage(started);
    peakMb = Math.max(peakMb, (process.memoryUsage().heapUsed - heap) / 2 ** 20);
    times.push((used.user + used.system) / 1000);
  }
  console.log(`${name} ${n} steps: best ${Math.min(...times).toFixed(1)} ms CPU (rounds ${times.map((t) => t.toFixed(0)).join(', ')}), heap after +${peakMb.toFixed(1)} MB, valid=${valid}`);
}

import { z } from 'zod';
import { createRuntime, defineTool } from '/work/main/src/index.js';
const work = async (n: number) => ({ n: n + 1 });
const step = defineTool({ name: 'step', description: 'x', input: z.object({ n: z.number() }), output: z.object({ n: z.number() }), run: ({ n }) => work(n) });
const steps = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, tool: 'step', input: { n: i }, ...(i ? { dependsOn: [`s${i - 1}`] } : {}) }));
const definition = { id: 'chain', steps };
const runtime = createRuntime({ tools: [step] });
for (let i = 0; i < 200; i++) await runtime.executeWorkflow(definition);
const t = performance.now();
let runs = 0;
while (performance.now() - t < 8000) { await Promise.all(Array.from({ length: 10 }, () => runtime.executeWorkflow(definition))); runs += 10; }
console.log('steps/s', Math.round(runs * 10 / ((performance.now() - t) / 1000)));
await runtime.stop();

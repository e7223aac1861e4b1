// Regenerates schema/workflow.schema.json from the zod schema. `npm run schema`.
import { writeFileSync } from 'node:fs';
import { workflowJsonSchema } from '../src/definition/workflowJsonSchema.js';

const target = new URL('../schema/workflow.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);

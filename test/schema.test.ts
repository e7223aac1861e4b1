import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workflowJsonSchema } from '../src/index.js';

describe('schema/workflow.schema.json', () => {
  it('is current with the zod schema (run `npm run schema` after changing it)', () => {
    const checkedIn: unknown = JSON.parse(readFileSync(new URL('../schema/workflow.schema.json', import.meta.url), 'utf8'));
    expect(checkedIn).toEqual(workflowJsonSchema());
  });
});

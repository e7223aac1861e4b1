import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isWorkflowValidationError, parseWorkflow, type ValidationIssue } from '../src/index.js';

const tools = [{ name: 'echo', input: z.object({ value: z.unknown().optional() }) }];

function issuesOf(text: string): readonly ValidationIssue[] {
  try {
    parseWorkflow(text, { tools });
  } catch (error) {
    if (isWorkflowValidationError(error)) return error.issues;
    throw error;
  }
  return [];
}

describe('issues of JSON definition text carry their line and column', () => {
  it('for any definition and indentation, the linear JSON scan places each issue where the YAML parser does', () => {
    const value = fc.oneof(fc.constantFrom(1, 'x', null, true, '${{ steps.', '${{ steps.zz.output }}'), fc.array(fc.constantFrom(1, 'a'), { maxLength: 2 }));
    const step = fc.record(
      {
        id: fc.constantFrom('a', 'b', 'a b', 7),
        tool: fc.constantFrom('echo', 'ech', 3),
        dependsOn: fc.array(fc.constantFrom('a', 'b', 'x'), { maxLength: 2 }),
        input: fc.dictionary(fc.constantFrom('value', 'other', 'wei"rd'), value, { maxKeys: 2 }),
        dependOn: fc.constant(['a']),
      },
      { requiredKeys: ['id'] },
    );
    const definition = fc.record({ id: fc.constantFrom('w', ''), steps: fc.array(step, { maxLength: 4 }), timeoutMs: fc.constantFrom(5, -1, 'x') }, { requiredKeys: ['id', 'steps'] });
    let located = 0;
    fc.assert(
      fc.property(definition, fc.constantFrom(0, 1, 2, '\t'), (def, indent) => {
        const json = JSON.stringify(def, null, indent);
        // The same text after a comment line is YAML to the parser (it no longer opens with `{`).
        const viaYaml = issuesOf(`# yaml\n${json}`).map((issue) => ({ ...issue, ...(issue.line === undefined ? {} : { line: issue.line - 1 }) }));
        const viaJson = issuesOf(json);
        expect(viaJson).toEqual(viaYaml);
        located += viaJson.filter((issue) => issue.line !== undefined && issue.line > 1).length;
      }),
      { seed: 13, numRuns: 300 },
    );
    expect(located).toBeGreaterThan(100);
  });
});

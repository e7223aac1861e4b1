import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, parseWorkflow, validateWorkflow, WorkflowValidationError } from '../src/index.js';

const analyze = defineTool({
  name: 'analyze_repository',
  description: 'test double with the real input shape',
  input: z.object({ path: z.string() }),
  output: z.object({ language: z.string() }),
  run: async () => ({ language: 'go' }),
});
const dockerfile = defineTool({
  name: 'generate_dockerfile',
  description: 'test double',
  input: z.object({ analysis: z.object({ language: z.string() }), write: z.boolean().default(false) }),
  output: z.object({ path: z.string() }),
  run: async () => ({ path: 'Dockerfile' }),
});
const tools = [analyze, dockerfile];

function issuesOf(value: unknown) {
  const result = validateWorkflow(value, { tools });
  return result.success ? [] : result.issues;
}

describe('validateWorkflow', () => {
  it('accepts the documented format and applies defaults', () => {
    const result = validateWorkflow(
      {
        id: 'containerize',
        steps: [
          { id: 'analyze', tool: 'analyze_repository', input: { path: '${{ input.repoPath }}' } },
          { id: 'dockerfile', tool: 'generate_dockerfile', dependsOn: ['analyze'], when: "steps.analyze.output.language != 'unknown'", input: { analysis: '${{ steps.analyze.output }}' } },
        ],
      },
      { tools },
    );
    expect(result.success).toBe(true);
    if (result.success) {
      expect(result.definition.errorPolicy).toEqual({ mode: 'fail_fast' });
      expect(result.definition.steps[1]?.onError).toBe('fail');
    }
  });

  it('reports every problem at once, each with its path', () => {
    const issues = issuesOf({
      steps: [
        { id: 'a', tool: 'analyze_repository', dependsOn: ['c'], input: { path: 1 } },
        { id: 'a', tool: 'generate_dockerfile', dependsOn: ['nope'], input: { analysis: '${{ steps.a.output. }}', extra: 1 } },
        { id: 'c', tool: 'analyse_repository', dependsOn: ['a'], input: { path: '${{ steps.a.output.path }}' }, when: 'steps.b.output' },
      ],
    });
    const byCode = (code: string) => issues.filter((i) => i.code === code).map((i) => i.path);
    expect(byCode('SCHEMA')).toContain('id');
    expect(byCode('DUPLICATE_STEP_ID')).toEqual(['steps[1].id']);
    expect(byCode('UNKNOWN_DEPENDENCY')).toEqual(['steps[1].dependsOn[0]']);
    expect(byCode('UNKNOWN_TOOL')).toEqual(['steps[2].tool']);
    expect(issues.find((i) => i.code === 'UNKNOWN_TOOL')?.message).toContain('did you mean "analyze_repository"');
    expect(byCode('EXPRESSION_INVALID')).toEqual(['steps[1].input.analysis']);
    expect(byCode('UNKNOWN_INPUT_FIELD')).toEqual(['steps[1].input.extra']);
    expect(byCode('INPUT_TYPE_MISMATCH')).toEqual(['steps[0].input.path']);
    expect(byCode('UNKNOWN_STEP_REFERENCE')).toEqual(['steps[2].when']);
    expect(issues.find((i) => i.code === 'CYCLE')?.message).toMatch(/a -> c -> a|c -> a -> c/);
  });

  it('names the whole cycle', () => {
    const issues = issuesOf({
      id: 'cyc',
      steps: [
        { id: 'a', tool: 'analyze_repository', dependsOn: ['c'], input: { path: '.' } },
        { id: 'b', tool: 'analyze_repository', dependsOn: ['a'], input: { path: '.' } },
        { id: 'c', tool: 'analyze_repository', dependsOn: ['b'], input: { path: '.' } },
      ],
    });
    expect(issues).toEqual([{ code: 'CYCLE', path: 'steps[0].dependsOn', message: 'dependency cycle: a -> c -> b -> a' }]);
  });

  it('rejects wiring that reads a step that is not an ancestor', () => {
    const issues = issuesOf({
      id: 'anc',
      steps: [
        { id: 'analyze', tool: 'analyze_repository', input: { path: '.' } },
        { id: 'dockerfile', tool: 'generate_dockerfile', input: { analysis: '${{ steps.analyze.output }}' } },
      ],
    });
    expect(issues).toEqual([expect.objectContaining({ code: 'NOT_AN_ANCESTOR', path: 'steps[1].input.analysis' })]);
  });

  it('reports missing required tool input', () => {
    const issues = issuesOf({ id: 'miss', steps: [{ id: 'analyze', tool: 'analyze_repository' }] });
    expect(issues).toEqual([expect.objectContaining({ code: 'MISSING_INPUT_FIELD', path: 'steps[0].input' })]);
  });
});

describe('parseWorkflow', () => {
  it('parses YAML and JSON', () => {
    const yaml = 'id: y\nsteps:\n  - id: a\n    tool: analyze_repository\n    input: { path: "." }\n';
    expect(parseWorkflow(yaml, { tools }).id).toBe('y');
    expect(parseWorkflow(JSON.stringify({ id: 'j', steps: [{ id: 'a', tool: 'analyze_repository', input: { path: '.' } }] }), { tools, format: 'json' }).id).toBe('j');
  });

  it('gives line and column for YAML syntax errors', () => {
    const error = catchError(() => parseWorkflow('id: x\nsteps:\n  - id: a\n   tool: [unclosed\n'));
    expect(error.code).toBe('WORKFLOW_PARSE_ERROR');
    expect(error.issues[0]?.line).toBeGreaterThanOrEqual(3);
    expect(error.issues[0]?.column).toBeGreaterThanOrEqual(1);
  });

  it('locates validation problems in the YAML text', () => {
    const text = ['id: located', 'steps:', '  - id: a', '    tool: analyze_repository', '    input: { path: "." }', '  - id: b', '    tool: nope', '    dependsOn: [a, missing]'].join('\n');
    const error = catchError(() => parseWorkflow(text, { tools }));
    expect(error.code).toBe('WORKFLOW_INVALID');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'UNKNOWN_TOOL', path: 'steps[1].tool', line: 7, column: 11 }),
        expect.objectContaining({ code: 'UNKNOWN_DEPENDENCY', path: 'steps[1].dependsOn[1]', line: 8 }),
      ]),
    );
    expect(error.message).toContain('steps[1].tool (line 7, column 11)');
  });

  it('rejects duplicate YAML keys', () => {
    expect(() => parseWorkflow('id: a\nid: b\nsteps: []\n')).toThrow(WorkflowValidationError);
  });
});

function catchError(fn: () => unknown): WorkflowValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WorkflowValidationError) return error;
    throw error;
  }
  throw new Error('expected a WorkflowValidationError');
}

import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, isWorkflowValidationError, MAX_DURATION_MS, parseWorkflow, validateWorkflow } from '../src/index.js';

// Every bad definition is a WorkflowValidationError with a path (issue 13, guarantee 5): valid
// definitions are mutated — hostile keys at every level, nulls, holes, deep nesting, huge and
// costly expressions, out-of-range numbers, cycles — and given as objects, JSON text and YAML
// text (with aliases). Fixed seed; the run budget keeps the file to a few seconds.

const tools = [
  defineTool({ name: 'echo', description: 'e', input: z.object({ value: z.unknown().optional() }).catchall(z.unknown()), output: z.unknown(), run: async (i) => i }),
  defineTool({ name: 'strict', description: 's', input: z.object({ name: z.string(), count: z.number().optional() }), output: z.unknown(), run: async (i) => i }),
];

const bases: unknown[] = [
  { id: 'one', steps: [{ id: 'a', tool: 'echo', input: { value: '${{ input.x }}' } }] },
  {
    id: 'full',
    version: 2,
    description: 'd',
    input: { x: { type: 'string', default: 'hi' }, n: { type: 'number', required: false } },
    concurrency: 2,
    timeoutMs: 60_000,
    errorPolicy: { mode: 'continue', maxFailures: 1 },
    steps: [
      { id: 'a', tool: 'strict', input: { name: '${{ input.x }}', count: 1 }, retry: { maxAttempts: 3, backoff: 'linear', initialDelayMs: 10 }, timeoutMs: 1_000 },
      { id: 'b', tool: 'echo', dependsOn: ['a'], when: "steps.a.output.name != ''", input: { value: ['${{ steps.a.output }}', { deep: 'x ${{ input.n }} y' }] }, onError: 'continue' },
      { id: 'm', map: { items: '${{ [1, 2, 3] }}', as: 'it', concurrency: 2, maxFailures: 1 }, tool: 'echo', dependsOn: ['b'], input: { value: '${{ it + index }}' } },
    ],
    output: { all: '${{ steps.m.output }}', b: '${{ steps.b.status }}' },
  },
];

const HOSTILE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'] as const;

function deepArray(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function deepObject(depth: number, key: string): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { [key]: value };
  return value;
}

const hostileKey = fc.constantFrom(...HOSTILE_KEYS);
const anyKey = fc.oneof(hostileKey, fc.constantFrom('id', 'tool', 'steps', 'input', 'map', 'items', 'dependsOn', 'when', 'retry', 'timeoutMs', 'output', 'type'), fc.string({ maxLength: 6 }));

const expressions = fc.constantFrom(
  '${{',
  '${{ }}',
  '}} ${{',
  '${{'.repeat(2_000),
  `\${{ ${Array.from({ length: 3_000 }, () => 'input.n').join(' + ')} }}`,
  `\${{ ${'('.repeat(300)}1${')'.repeat(300)} }}`,
  '${{ [1,2,3].map(a, [1,2,3].map(b, [1,2,3].map(c, a + b + c))) }}',
  '${{ steps.nope.output }}',
  '${{ steps[input.x].output }}',
  '${{ constructor.prototype }}',
  '${{ input.__proto__ }}',
  "${{ steps.a.output.toString }}",
  `\${{ input.a == '${'x'.repeat(9_000)}' }}`,
);

const badNumbers = fc.constantFrom(Number.NaN, -1, 0, 0.5, 2 ** 31, MAX_DURATION_MS + 1, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY, -0);

const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  badNumbers,
  fc.boolean(),
  fc.string({ maxLength: 12 }),
  expressions,
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 60, max: 2_000 }).map(deepArray),
  fc.tuple(fc.integer({ min: 60, max: 2_000 }), fc.oneof(hostileKey, fc.constant('v'))).map(([depth, key]) => deepObject(depth, key)),
  fc.nat({ max: 5 }).map((n) => new Array<unknown>(n + 1)), // holes only
  fc.constant(Object.assign([1, 2], { 5: 3 })), // a sparse array
  fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constant([]),
  fc.constant({}),
);

/** One edit at a chosen container: set a key (defined as an own property), delete one, or make a cycle. */
const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('set', 'set', 'set', 'delete', 'cycle', 'hole'),
  key: anyKey,
  value: weird,
});

/** The objects and arrays of a value down to depth 8 (edits go there; deeper ones are a value's own nesting). */
function containers(value: unknown, out: object[] = [], depth = 0): object[] {
  if (typeof value === 'object' && value !== null && depth < 8 && !out.includes(value)) {
    out.push(value);
    for (const item of Object.values(value)) containers(item, out, depth + 1);
  }
  return out;
}

interface Edit {
  at: number;
  kind: string;
  key: string;
  value: unknown;
}

function mutate(base: unknown, edits: readonly Edit[]): unknown {
  const copy = structuredClone(base);
  for (const e of edits) {
    const all = containers(copy);
    const target = all[e.at % all.length] as Record<string, unknown>;
    const key = Array.isArray(target) && e.kind === 'hole' ? String(target.length + 2) : e.key;
    if (e.kind === 'delete') delete target[key];
    else {
      const value = e.kind === 'cycle' ? all[(e.at >> 3) % all.length] : e.kind === 'hole' ? 'after-hole' : e.value;
      Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return copy;
}

const definitions = fc.tuple(fc.constantFrom(...bases), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([base, edits]) => mutate(base, edits));

/** Calls `run`; anything thrown must be a WorkflowValidationError whose issues all have a code and a path. */
function expectTypedOutcome(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!isWorkflowValidationError(error)) throw new Error(`threw ${String(error)}`, { cause: error });
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(typeof issue.code).toBe('string');
      expect(typeof issue.path).toBe('string');
      expect(typeof issue.message).toBe('string');
    }
  }
}

function expectValidationResult(value: unknown): void {
  const result = validateWorkflow(value, { tools });
  for (const issue of result.issues) {
    expect(typeof issue.path).toBe('string');
    expect(typeof issue.code).toBe('string');
  }
}

/** YAML renderings: plain, behind a comment (so the YAML parser, not JSON.parse, reads JSON), and with aliases. */
function yamlTexts(value: unknown, json: string | undefined, pick: number): string[] {
  const texts: string[] = [];
  if (json !== undefined) texts.push(`# fuzz\n${json}`);
  try {
    texts.push(stringify(value, { aliasDuplicateObjects: true }));
  } catch {
    // The harness could not render this value as YAML (too deep for `yaml.stringify`); JSON covers it.
  }
  const inner = json ?? '{}';
  const aliased = [
    `base: &b ${inner}\nid: x\nsteps: [*b, *b]`,
    `id: x\nsteps: &s [*s]`,
    `id: x\nsteps:\n  - &a { id: a, tool: echo, input: { self: *a } }`,
    `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nid: x\nsteps: [*c]`,
    `id: x\nsteps: [*missing]`,
    `${'- '.repeat(1_000)}x`,
    `id: x\nsteps:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 2)}- a:`).join('\n')}`,
  ];
  texts.push(aliased[pick % aliased.length] as string);
  return texts;
}

describe('fuzzed definitions', () => {
  it('never throw anything but WorkflowValidationError, every issue has a path, no prototype changes', () => {
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    fc.assert(
      fc.property(definitions, fc.nat(), (value, pick) => {
        expectValidationResult(value);
        let json: string | undefined;
        try {
          json = JSON.stringify(value);
        } catch {
          json = undefined; // a cycle: only the object form applies
        }
        if (json !== undefined) {
          expectTypedOutcome(() => parseWorkflow(json, { tools }));
          expectTypedOutcome(() => parseWorkflow(json, { tools, format: 'json' }));
        }
        for (const text of yamlTexts(value, json, pick)) expectTypedOutcome(() => parseWorkflow(text, { tools }));
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { seed: 1313, numRuns: 150 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('a hostile key at every level of a full definition (step inputs and input fields too) is an issue or plain data', () => {
    const full = bases[1];
    const count = containers(full).length;
    for (let at = 0; at < count; at++) {
      for (const key of HOSTILE_KEYS) {
        for (const value of [null, { type: 'string' }, '${{ input.x }}']) {
          const definition = mutate(full, [{ at, kind: 'set', key, value }]);
          expectValidationResult(definition);
          const json = JSON.stringify(definition);
          expectTypedOutcome(() => parseWorkflow(json, { tools }));
          expectTypedOutcome(() => parseWorkflow(stringify(definition), { tools }));
        }
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the valid bases stay valid in every form', () => {
    for (const base of bases) {
      expect(validateWorkflow(base, { tools }).issues).toEqual([]);
      expect(() => parseWorkflow(JSON.stringify(base), { tools })).not.toThrow();
      expect(() => parseWorkflow(stringify(base), { tools })).not.toThrow();
    }
  });
});

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instance } from '@viz-js/viz';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTools } from '../src/cli/defaultTools.js';
import { circuitBreakerMachine, compileWorkflow, supervisorMachine, validateWorkflow, type WorkflowDefinition, type WorkflowDefinitionInput } from '../src/index.js';
import { machineGraph } from '../src/visualize/machineGraph.js';
import { machineToDot } from '../src/visualize/machineToDot.js';
import { machineToMermaid } from '../src/visualize/machineToMermaid.js';
import { loadVisualizationSources, renderVisualizations } from '../src/visualize/renderVisualizations.js';
import { standInTools } from '../src/visualize/standInTools.js';
import { toDot } from '../src/visualize/toDot.js';
import { toMermaid } from '../src/visualize/toMermaid.js';
import { workflowGraph } from '../src/visualize/workflowGraph.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const viz = await instance();
const svgOf = (dot: string): string => viz.renderString(dot, { format: 'svg' });

function definitionOf(value: WorkflowDefinitionInput): WorkflowDefinition {
  const result = validateWorkflow(value);
  if (!result.success) throw new Error(JSON.stringify(result.issues));
  return result.definition;
}

const tricky = definitionOf({
  id: 'tricky',
  steps: [
    { id: 'a', tool: 'tool "quoted" <b>' },
    { id: 'b-2', tool: 'plain', dependsOn: ['a'], when: `input.x == '"#%; <end> & | \`'`, retry: { maxAttempts: 3 }, timeoutMs: 30_000 },
    { id: 'end', tool: 'back\\slash', dependsOn: ['a', 'b-2'], onError: 'continue' },
  ],
});

/** Text of Mermaid labels once entity codes are removed: nothing in it may end a string or a line. */
const rawLabels = (mermaid: string): string[] =>
  [...mermaid.matchAll(/"([^"\n]*)"/g)].map((m) => (m[1] ?? '').replace(/#\w+;|<br\/>/g, ''));

/** A small well-formedness check for generated SVG: every element that opens closes, in order. */
function isWellFormedXml(text: string): boolean {
  const body = text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, '');
  const stack: string[] = [];
  for (const [, close, name, selfClose] of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)[^>]*?(\/?)>/g)) {
    if (close) {
      if (stack.pop() !== name) return false;
    } else if (!selfClose) stack.push(name ?? '');
  }
  return stack.length === 0 && !/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(body);
}

const svgIds = (svg: string): string[] => [...svg.matchAll(/ id="([^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&#45;/g, '-'));

describe('workflow DAG diagrams', () => {
  it('lists every step and dependency in definition order', () => {
    const graph = workflowGraph(tricky);
    expect(graph.nodes.map((n) => n.id)).toEqual(['a', 'b-2', 'end']);
    expect(graph.edges).toEqual([{ from: 'a', to: 'b-2' }, { from: 'a', to: 'end' }, { from: 'b-2', to: 'end' }]);
    expect(graph.nodes[1]).toMatchObject({ when: tricky.steps[1]?.when, retry: { maxAttempts: 3 }, timeoutMs: 30_000 });
    expect(graph.nodes[2]).toMatchObject({ onError: 'continue' });
  });

  it('renders Mermaid with every step, conditional markers and escaped labels', () => {
    const text = toMermaid(workflowGraph(tricky));
    expect(text).toBe(toMermaid(workflowGraph(definitionOf(tricky))));
    expect(text.startsWith('flowchart TD\n')).toBe(true);
    expect(text).toContain('  a["a<br/>tool #quot;quoted#quot; #lt;b#gt;"]');
    expect(text).toMatch(/ b_2\{\{"b-2<br\/>plain<br\/>when: .*<br\/>retry 3x exponential, timeout 30s"\}\}/);
    expect(text).toContain('  n_end["end<br/>back\\slash<br/>on error: continue"]');
    expect(text).toContain('  a -.-> b_2\n  a --> n_end\n  b_2 --> n_end\n');
    expect(text).toContain('class b_2 conditional');
    for (const label of rawLabels(text)) expect(label).not.toMatch(/[#%;<>&|`]/);
  });

  it('renders DOT that Graphviz draws, with one SVG element per step', () => {
    const dot = toDot(workflowGraph(tricky));
    expect(dot).toContain('"a" [id="step-a", label="a\\ntool \\"quoted\\" <b>"]');
    expect(dot).toContain('label="end\\nback\\\\slash\\non error: continue"');
    expect(dot).toContain('"a" -> "b-2" [style=dashed];');
    const svg = svgOf(dot);
    expect(isWellFormedXml(svg)).toBe(true);
    expect(svgIds(svg)).toEqual(expect.arrayContaining(['step-a', 'step-b-2', 'step-end']));
  });

  it('holds for any DAG: one line per step and edge, labels escaped, DOT drawable', () => {
    const label = fc.string({ maxLength: 12 }).filter((s) => !/['\\\n\r]/.test(s));
    const dag = fc
      .uniqueArray(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,6}$/), { minLength: 1, maxLength: 7, comparator: (a, b) => a.toLowerCase() === b.toLowerCase() })
      .chain((ids) =>
        fc.tuple(
          fc.constant(ids),
          fc.tuple(...ids.map((_, i) => fc.record({ deps: fc.subarray(ids.slice(0, i)), tool: fc.string({ minLength: 1, maxLength: 10 }), when: fc.option(label) }))),
        ),
      );
    fc.assert(
      fc.property(dag, ([ids, specs]) => {
        const steps = ids.map((id, i) => {
          const spec = specs[i] ?? { deps: [], tool: 't', when: null };
          return { id, tool: spec.tool, dependsOn: spec.deps, ...(spec.when === null ? {} : { when: `input.v == '${spec.when}'` }) };
        });
        const graph = workflowGraph(definitionOf({ id: 'p', steps }));
        const edges = steps.reduce((n, s) => n + s.dependsOn.length, 0);
        const mermaid = toMermaid(graph).trimEnd().split('\n');
        expect(mermaid.filter((l) => /^ {2}\S+(\["|\{\{")/.test(l))).toHaveLength(ids.length);
        expect(mermaid.filter((l) => / (-->|-\.->) /.test(l))).toHaveLength(edges);
        for (const text of rawLabels(mermaid.join('\n'))) expect(text).not.toMatch(/[#%;<>&|`"]/);
        const svg = svgOf(toDot(graph));
        expect(isWellFormedXml(svg)).toBe(true);
        expect(svgIds(svg)).toEqual(expect.arrayContaining(ids.map((id) => `step-${id}`)));
      }),
      { numRuns: 40 },
    );
  });
});

describe('statechart diagrams', () => {
  const definition = definitionOf({
    id: 'flow',
    timeoutMs: 60_000,
    steps: [
      { id: 'analyze', tool: 'analyze_repository', input: { path: '.' } },
      { id: 'custom', tool: 'Not.Registered', dependsOn: ['analyze'], retry: { maxAttempts: 2 }, timeoutMs: 500 },
    ],
  });
  const machine = () => compileWorkflow(definition, standInTools(definition, defaultTools()));

  it('uses known tools and stands in for the others; a stand-in refuses to run', async () => {
    const tools = standInTools(definition, defaultTools());
    expect(tools.map((t) => t.name)).toEqual(['analyze_repository', 'Not.Registered']);
    expect(tools[0]).toBe(defaultTools().find((t) => t.name === 'analyze_repository'));
    await expect(tools[1]?.run({}, {} as never)).rejects.toMatchObject({ code: 'STAND_IN_TOOL', retryable: false });
  });

  it('draws one running state whose transitions schedule every step, with after and always transitions', () => {
    const graph = machineGraph(machine());
    expect(graph).toEqual(machineGraph(machine()));
    const ids = graph.nodes.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['flow.running', 'flow.settling', 'flow.completed', 'flow.failed', 'flow.cancelled', 'flow.timed_out']));
    // Steps are data in context and calls are spawned actors: no state per step, whatever the graph.
    expect(ids.some((id) => id.includes('analyze') || id.includes('custom'))).toBe(false);
    const labels = graph.edges.map((e) => `${e.from} -> ${e.to} : ${e.label}`);
    expect(labels).toContain('flow.running -> flow.running : done(*)');
    expect(labels).toContain('flow.running -> flow.running : step.retry');
    expect(labels).toContain('flow.running -> flow.running : step.timeout');
    expect(labels).toContain('flow.running -> flow.timed_out : after workflow_timeout');
    expect(labels).toContain('flow.running -> flow.failed : always [aborted]');
    expect(labels).toContain('flow.running -> flow.cancelled : CANCEL');
  });

  it('renders stateDiagram-v2 and DOT that Graphviz draws', () => {
    const graph = machineGraph(machine());
    const text = machineToMermaid(graph);
    expect(text).toBe(machineToMermaid(machineGraph(machine())));
    expect(text.startsWith('stateDiagram-v2\n  [*] --> flow\n')).toBe(true);
    expect(text).toContain('flow_running --> flow_settling : always [settled]');
    expect(text).toContain('flow_settling --> flow_failed : always [settledWithError]');
    const svg = svgOf(machineToDot(graph));
    expect(isWellFormedXml(svg)).toBe(true);
    expect(svgIds(svg)).toEqual(expect.arrayContaining(graph.nodes.map((n) => `state-${n.id}`)));
  });
});

/** Text width in em, about as DejaVu Sans (the wide stand-in for Helvetica on Linux) draws it. */
const emWidth = (text: string): number => [...text].reduce((sum, c) => sum + (/[A-Z]/.test(c) ? 0.72 : /[a-z0-9]/.test(c) ? 0.6 : c === ' ' ? 0.32 : 0.4), 0);

/** Boxes of the SVG's text as a wide sans-serif draws it. */
function textBoxes(svg: string): { text: string; left: number; right: number; top: number; bottom: number }[] {
  return [...svg.matchAll(/<text[^>]*?text-anchor="(start|middle|end)" x="([-\d.]+)" y="([-\d.]+)"[^>]*?font-size="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map(
    ([, anchor, x, y, size, raw]) => {
      const text = (raw ?? '').replace(/&#160;|&nbsp;/g, ' ').trim();
      const width = emWidth(text) * Number(size);
      const left = anchor === 'start' ? Number(x) : anchor === 'end' ? Number(x) - width : Number(x) - width / 2;
      return { text, left, right: left + width, top: Number(y) - Number(size), bottom: Number(y) };
    },
  );
}

describe('statechart drawings of the built-in machines', () => {
  it.each([
    ['supervisorMachine', supervisorMachine],
    ['circuitBreakerMachine', circuitBreakerMachine],
  ] as const)('draws %s without stacked self-loops or labels that run together', (_name, machine) => {
    const graph = machineGraph(machine);
    const dot = machineToDot(graph);
    const edges = [...dot.matchAll(/^\s*("[^"]+") -> ("[^"]+")/gm)].map(([, from, to]) => `${from} -> ${to}`);
    // A state's transitions to itself are listed in its box; two states share at most one edge.
    expect(edges.filter((edge) => edge.split(' -> ')[0] === edge.split(' -> ')[1])).toEqual([]);
    expect(new Set(edges).size).toBe(edges.length);
    for (const edge of graph.edges) expect(dot).toContain(edge.label.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c));

    const boxes = textBoxes(svgOf(dot)).filter((box) => box.text !== '');
    expect(boxes.length).toBeGreaterThanOrEqual(graph.edges.length);
    const overlaps = boxes.flatMap((a, i) =>
      boxes.slice(i + 1).filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom).map((b) => `${a.text} / ${b.text}`),
    );
    expect(overlaps).toEqual([]);
  });
});

describe('orchkit graph', () => {
  let dir = '';
  beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'orchkit-graph-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(join(root, 'node_modules/.bin/tsx'), [join(root, 'src/cli/main.ts'), 'graph', ...args], { cwd: root }, (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr }),
      );
    });
  const workflow = `id: pack
steps:
  - { id: analyze, tool: analyze_repository, input: { path: "\${{ input.repoPath }}" } }
  - { id: secrets, tool: scan_secrets, dependsOn: [analyze], input: { path: "\${{ input.repoPath }}" } }
  - id: dockerfile
    tool: generate_dockerfile
    dependsOn: [analyze]
    when: "size(steps.analyze.output.dockerfiles) == 0"
    input: { analysis: "\${{ steps.analyze.output }}" }
`;

  it('prints the Mermaid DAG, the statechart, DOT and JSON; writes --output', async () => {
    const file = join(dir, 'pack.yaml');
    await writeFile(file, workflow);
    const out = join(dir, 'pack.mmd');
    const [mermaid, chart, dot, json, written] = await Promise.all([
      cli(file, '--format', 'mermaid'), cli(file, '--machine'), cli(file, '--format', 'dot'), cli(file, '--format', 'json'), cli(file, '--output', out),
    ]);
    expect(mermaid).toMatchObject({ code: 0 });
    expect(mermaid.stdout).toContain('flowchart TD\n  analyze["analyze<br/>analyze_repository"]');
    expect(mermaid.stdout).toContain('analyze -.-> dockerfile');
    expect(chart.stdout.startsWith('stateDiagram-v2\n')).toBe(true);
    expect(dot.stdout.startsWith('digraph "pack" {')).toBe(true);
    expect(JSON.parse(json.stdout)).toMatchObject({
      id: 'pack',
      nodes: [{ id: 'analyze' }, { id: 'secrets' }, { id: 'dockerfile', when: 'size(steps.analyze.output.dockerfiles) == 0' }],
      edges: [{ from: 'analyze', to: 'secrets' }, { from: 'analyze', to: 'dockerfile' }],
    });
    expect(written).toMatchObject({ code: 0, stdout: '' });
    expect(await readFile(out, 'utf8')).toBe(mermaid.stdout);
  });

  it('draws the statechart of a file whose tools are not registered', async () => {
    const file = join(dir, 'unknown.yaml');
    await writeFile(file, 'id: unknown\nsteps:\n  - { id: one, tool: not_a_tool }\n');
    const result = await cli(file, '--machine', '--format', 'dot');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"unknown.running"');
  });

  it('exits 2 with every problem on an invalid definition or a bad format', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'id: bad\nsteps:\n  - { id: a, tool: t, dependsOn: [b] }\n  - { id: b, tool: t, dependsOn: [a] }\n  - { id: c, tool: t, bogus: 1 }\n');
    const [result, missing, badFormat] = await Promise.all([cli(file, '--format', 'mermaid'), cli(join(dir, 'missing.yaml')), cli(file, '--format', 'png')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/bad\.yaml:\d+:\d+ {2}steps\[\d\]/);
    expect(result.stderr).toContain('[UNKNOWN_FIELD]');
    expect(result.stderr).toMatch(/problem\(s\)/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('FILE_UNREADABLE');
    expect(badFormat.code).toBe(2);
  });
});

describe('visualizations/', () => {
  it('is current (run `npm run visualize` after changing examples or machines)', async () => {
    const expected = await renderVisualizations(await loadVisualizationSources(root), { tools: defaultTools() });
    const folder = join(root, 'visualizations');
    const names = existsSync(folder) ? (await readdir(folder)).sort() : [];
    expect(names, 'run npm run visualize').toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) expect(await readFile(join(folder, name), 'utf8'), `${name} is stale: run npm run visualize`).toBe(content);
  });

  it('renders each example workflow as Markdown with Mermaid blocks and an SVG of its DAG', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'orchkit-vis-'));
    try {
      await mkdir(join(temp, 'examples'));
      await writeFile(join(temp, 'examples', 'demo.yaml'), 'id: demo\ndescription: A demo\nsteps:\n  - { id: first, tool: mystery }\n  - { id: second, tool: mystery, dependsOn: [first] }\n');
      const sources = await loadVisualizationSources(temp);
      const files = await renderVisualizations(sources);
      expect(await renderVisualizations(sources)).toEqual(files);
      expect([...files.keys()]).toEqual(['demo.md', 'demo.svg', 'README.md']);
      const page = files.get('demo.md') ?? '';
      expect(page.match(/```mermaid\n(flowchart TD|stateDiagram-v2)\n/g)).toHaveLength(2);
      expect(page).toContain('first --> second');
      expect(isWellFormedXml(files.get('demo.svg') ?? '')).toBe(true);
      expect(svgIds(files.get('demo.svg') ?? '')).toEqual(expect.arrayContaining(['step-first', 'step-second']));
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  });
});

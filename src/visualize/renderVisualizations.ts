import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { instance } from '@viz-js/viz';
import type { AnyStateMachine } from 'xstate';
import type { AnyTool } from '../actors/defineTool.js';
import { parseWorkflow } from '../definition/parseWorkflow.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';
import { compileWorkflow } from '../machines/workflow/compileWorkflow.js';
import { machineGraph } from './machineGraph.js';
import { machineToDot } from './machineToDot.js';
import { machineToMermaid } from './machineToMermaid.js';
import { standInTools } from './standInTools.js';
import { toDot } from './toDot.js';
import { toMermaid } from './toMermaid.js';
import { workflowGraph } from './workflowGraph.js';

/** Machines drawn when their module exists; engineers add them as they land. */
export const KNOWN_MACHINES = [
  { name: 'supervisorMachine', module: 'src/machines/supervisor/supervisorMachine.ts', exportName: 'supervisorMachine' },
  { name: 'circuitBreakerMachine', module: 'src/machines/breaker/circuitBreakerMachine.ts', exportName: 'circuitBreakerMachine' },
  { name: 'conversationMachine', module: 'src/conversation/conversationMachine.ts', exportName: 'conversationMachine' },
] as const;

/** What `visualizations/` is generated from; `source` paths are relative to the repository. */
export interface VisualizationSources {
  workflows: { source: string; definition: WorkflowDefinition }[];
  machines: { name: string; source: string; machine: AnyStateMachine }[];
  /** Known machine modules that exist but could not be drawn, with the reason. */
  skipped: string[];
}

/**
 * Reads `examples/*.yaml` (sorted by name) and imports whichever {@link KNOWN_MACHINES} exist
 * under `root`. A module that fails to import or lacks its machine export is listed in `skipped`.
 */
export async function loadVisualizationSources(root: string): Promise<VisualizationSources> {
  const examples = join(root, 'examples');
  const names = existsSync(examples) ? (await readdir(examples)).filter((name) => /\.ya?ml$/.test(name)).sort() : [];
  const workflows: VisualizationSources['workflows'] = [];
  for (const name of names) {
    const source = `examples/${name}`;
    workflows.push({ source, definition: parseWorkflow(await readFile(join(root, source), 'utf8'), { source }) });
  }
  const machines: VisualizationSources['machines'] = [];
  const skipped: string[] = [];
  for (const known of KNOWN_MACHINES) {
    const file = join(root, known.module);
    if (!existsSync(file)) continue;
    try {
      const loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      const machine = loaded[known.exportName];
      if (isMachine(machine)) machines.push({ name: known.name, source: known.module, machine });
      else skipped.push(`${known.module}: no machine exported as "${known.exportName}"`);
    } catch (error) {
      skipped.push(`${known.module}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { workflows, machines, skipped };
}

/**
 * The contents of `visualizations/` by file name: for each workflow `<id>.md` (Mermaid step DAG
 * and compiled statechart) and `<id>.svg` (the DAG drawn by Graphviz compiled to WebAssembly),
 * for each machine `<name>.md` and `<name>.svg` (its statechart), and a `README.md` index.
 * Writes nothing; the same sources always give the same bytes, so CI can check for staleness.
 *
 * @example
 * const files = await renderVisualizations(await loadVisualizationSources(root), { tools });
 */
export async function renderVisualizations(
  sources: Pick<VisualizationSources, 'workflows' | 'machines'>,
  options: { tools?: Iterable<AnyTool> } = {},
): Promise<Map<string, string>> {
  const viz = await instance();
  const svg = (dot: string): string => viz.renderString(dot, { format: 'svg', engine: 'dot' });
  const files = new Map<string, string>();
  const add = (name: string, content: string, source: string): void => {
    if (files.has(name)) throw new RuntimeError('INVALID_OPTION', `${source} would overwrite visualizations/${name}`);
    files.set(name, content);
  };
  const known = [...(options.tools ?? [])];
  const index: string[] = [];
  for (const { source, definition } of sources.workflows) {
    const dag = workflowGraph(definition);
    const chart = machineGraph(compileWorkflow(definition, standInTools(definition, known)));
    const body = [
      `![step DAG of ${definition.id}](${definition.id}.svg)`,
      '## Steps',
      fence(toMermaid(dag)),
      '## Statechart',
      'The compiled machine: one region per step, waiting → ready → running → (retrying → running)* → done | failed | skipped.',
      fence(machineToMermaid(chart)),
    ];
    add(`${definition.id}.md`, page(`Workflow \`${definition.id}\``, source, definition.description, body), source);
    add(`${definition.id}.svg`, svg(toDot(dag)), source);
    index.push(`- [${definition.id}](${definition.id}.md): workflow from \`${source}\``);
  }
  for (const { name, source, machine } of sources.machines) {
    const chart = machineGraph(machine);
    add(`${name}.md`, page(`Machine \`${name}\``, source, undefined, [`![statechart of ${name}](${name}.svg)`, fence(machineToMermaid(chart))]), source);
    add(`${name}.svg`, svg(machineToDot(chart)), source);
    index.push(`- [${name}](${name}.md): machine from \`${source}\``);
  }
  if (index.length === 0) index.push('No example workflows or machines yet.');
  files.set('README.md', page('Visualizations', 'examples/*.yaml and the machines in src/', undefined, [index.join('\n')]));
  return files;
}

function page(title: string, source: string, description: string | undefined, body: string[]): string {
  const head = [`<!-- Generated by \`npm run visualize\` from ${source}; do not edit. -->`, `# ${title}`];
  if (description !== undefined) head.push(description.trim());
  return `${[...head, ...body].join('\n\n')}\n`;
}

function fence(diagram: string): string {
  return `\`\`\`mermaid\n${diagram}\`\`\``;
}

function isMachine(value: unknown): value is AnyStateMachine {
  return typeof value === 'object' && value !== null && 'root' in value && 'transition' in value && 'getInitialSnapshot' in value;
}

import { writeFile } from 'node:fs/promises';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { isWorkflowValidationError } from '../errors/WorkflowValidationError.js';
import { compileWorkflow } from '../machines/workflow/compileWorkflow.js';
import { machineGraph } from '../visualize/machineGraph.js';
import { machineToDot } from '../visualize/machineToDot.js';
import { machineToMermaid } from '../visualize/machineToMermaid.js';
import { standInTools } from '../visualize/standInTools.js';
import { toDot } from '../visualize/toDot.js';
import { toMermaid } from '../visualize/toMermaid.js';
import { workflowGraph } from '../visualize/workflowGraph.js';
import { defaultTools } from './defaultTools.js';
import { ExitCode } from './exitCodes.js';
import { formatIssues } from './formatIssues.js';
import { loadWorkflowFile } from './loadWorkflowFile.js';

/** Output formats of `orchkit graph`. */
export const GraphFormat = { mermaid: 'mermaid', dot: 'dot', json: 'json' } as const;
export type GraphFormat = (typeof GraphFormat)[keyof typeof GraphFormat];

/** Options of {@link graphCommand}. */
export interface GraphCommandOptions {
  format?: GraphFormat;
  /** Draw the compiled statechart instead of the step DAG. */
  machine?: boolean;
  /** Write to this file instead of stdout. */
  output?: string;
}

/**
 * `orchkit graph <file>`: the step DAG (or, with `--machine`, the compiled statechart) as
 * Mermaid, DOT or JSON. Tools the definition names need not be registered: unknown ones get
 * stand-ins, since a diagram never runs them. Exit 2 with every problem on an invalid file.
 */
export async function graphCommand(file: string, options: GraphCommandOptions = {}): Promise<ExitCode> {
  let text: string;
  try {
    text = renderGraph(await loadWorkflowFile(file), options);
  } catch (error) {
    if (!isWorkflowValidationError(error)) throw error;
    process.stderr.write(`${formatIssues(file, error.issues)}\n${file}: ${error.issues.length} problem(s)\n`);
    return ExitCode.invalid;
  }
  if (options.output === undefined) {
    process.stdout.write(text);
    return ExitCode.ok;
  }
  try {
    await writeFile(options.output, text);
  } catch (error) {
    process.stderr.write(`cannot write ${options.output}: ${(error as Error).message}\n`);
    return ExitCode.invalid;
  }
  process.stderr.write(`wrote ${options.output}\n`);
  return ExitCode.ok;
}

function renderGraph(definition: WorkflowDefinition, options: GraphCommandOptions): string {
  const format = options.format ?? GraphFormat.mermaid;
  if (options.machine) {
    const graph = machineGraph(compileWorkflow(definition, standInTools(definition, defaultTools())));
    if (format === GraphFormat.json) return `${JSON.stringify(graph, null, 2)}\n`;
    return format === GraphFormat.dot ? machineToDot(graph) : machineToMermaid(graph);
  }
  const graph = workflowGraph(definition);
  if (format === GraphFormat.json) return `${JSON.stringify(graph, null, 2)}\n`;
  return format === GraphFormat.dot ? toDot(graph) : toMermaid(graph);
}

import { describeStep, type WorkflowGraph } from './workflowGraph.js';

/**
 * Quotes text as a DOT string: backslashes and quotes are escaped (so `\n` in user text stays
 * literal) and line breaks become DOT's centred `\n`.
 */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** Joins label lines with DOT's centred line break. */
export function dotLabel(lines: readonly string[]): string {
  return dotString(lines.join('\n'));
}

/**
 * Renders a workflow's step DAG as Graphviz DOT. Each step node carries `id="step-<id>"`, so an
 * SVG rendered from it can be queried by step; conditional steps are dashed hexagons with
 * dashed incoming edges. Output is deterministic for a given graph.
 *
 * @example
 * const dot = toDot(workflowGraph(definition)); // 'digraph "containerize" { ... }'
 */
export function toDot(graph: WorkflowGraph): string {
  const conditional = new Set(graph.nodes.filter((node) => node.when !== undefined).map((node) => node.id));
  const lines = [
    `digraph ${dotString(graph.id)} {`,
    '  rankdir=TB;',
    `  label=${dotString(graph.id)}; labelloc=t; fontname="Helvetica";`,
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=12];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const node of graph.nodes) {
    const attributes = [`id=${dotString(`step-${node.id}`)}`, `label=${dotLabel([node.id, node.detail, ...describeStep(node)])}`];
    if (conditional.has(node.id)) attributes.push('shape=hexagon', 'style=dashed');
    else if (node.shape === 'stack') attributes.push('peripheries=2');
    lines.push(`  ${dotString(node.id)} [${attributes.join(', ')}];`);
  }
  for (const edge of graph.edges) {
    const style = conditional.has(edge.to) ? ' [style=dashed]' : '';
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)}${style};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

import { describeStep, type WorkflowGraph } from './workflowGraph.js';

// Mermaid decodes `#name;` / `#code;` entities before it parses a diagram, so these characters
// can sit in any label without closing a string, starting a comment (`%%`) or injecting HTML.
const ENTITIES: Record<string, string> = {
  '#': '#35;',
  '"': '#quot;',
  '<': '#lt;',
  '>': '#gt;',
  '&': '#amp;',
  '%': '#37;',
  ';': '#59;',
  '`': '#96;',
  '|': '#124;',
};

/** Escapes text for a Mermaid label: special characters become entity codes, line breaks spaces. */
export function mermaidText(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[#"<>&%;`|]/g, (c) => ENTITIES[c] ?? c);
}

const RESERVED = new Set(['end', 'graph', 'subgraph', 'flowchart', 'state', 'note', 'direction', 'class', 'classdef', 'click', 'style', 'linkstyle', 'default', 'as']);

/**
 * Maps arbitrary ids (step ids, state ids such as `wf.running.a`) to Mermaid-safe identifiers:
 * other characters become `_`, keywords and ids not starting with a letter get a prefix, and
 * clashes get `_2`, `_3` in first-seen order. The same inputs in the same order give the same ids.
 */
export function mermaidIds(ids: Iterable<string>, prefix = 'n_'): Map<string, string> {
  const result = new Map<string, string>();
  const used = new Set<string>();
  for (const id of ids) {
    if (result.has(id)) continue;
    let safe = id.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z]/.test(safe) || RESERVED.has(safe.toLowerCase())) safe = `${prefix}${safe}`;
    let unique = safe;
    for (let n = 2; used.has(unique.toLowerCase()); n += 1) unique = `${safe}_${n}`;
    used.add(unique.toLowerCase());
    result.set(id, unique);
  }
  return result;
}

/**
 * Renders a workflow's step DAG as a Mermaid `flowchart TD`. Nodes read `id<br/>tool` plus notes
 * on condition, retry, timeout and error route; conditional steps are hexagons (`{{...}}`) with a
 * dashed border and dashed incoming edges. Output is deterministic for a given graph.
 *
 * @example
 * const text = toMermaid(workflowGraph(definition)); // "flowchart TD\n  analyze[...]..."
 */
export function toMermaid(graph: WorkflowGraph): string {
  const ids = mermaidIds(graph.nodes.map((node) => node.id));
  const idOf = (step: string): string => ids.get(step) ?? mermaidIds([step]).get(step) ?? step;
  const conditional = new Set(graph.nodes.filter((node) => node.when !== undefined).map((node) => node.id));
  const lines = ['flowchart TD'];
  for (const node of graph.nodes) {
    const label = [node.id, node.detail, ...describeStep(node)].map(mermaidText).join('<br/>');
    // A conditional step is a hexagon; a step of one call per item (map) a subroutine box.
    const [open, close] = conditional.has(node.id) ? ['{{', '}}'] : node.shape === 'stack' ? ['[[', ']]'] : ['[', ']'];
    lines.push(`  ${idOf(node.id)}${open}"${label}"${close}`);
  }
  for (const edge of graph.edges) {
    lines.push(`  ${idOf(edge.from)} ${conditional.has(edge.to) ? '-.->' : '-->'} ${idOf(edge.to)}`);
  }
  if (conditional.size > 0) {
    lines.push('  classDef conditional stroke-dasharray: 5 5');
    lines.push(`  class ${[...conditional].map(idOf).join(',')} conditional`);
  }
  return `${lines.join('\n')}\n`;
}

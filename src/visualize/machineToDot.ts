import type { MachineGraph, MachineGraphNode } from './machineGraph.js';
import { dotString } from './toDot.js';

/**
 * Renders a statechart as Graphviz DOT. Compound and parallel states are clusters (parallel
 * ones dashed) holding a point that stands for the state itself: it starts the initial
 * transition, and transitions to or from the state are clipped at the cluster's border
 * (`compound=true`, `lhead`/`ltail`). Atomic states carry `id="state-<state id>"` in an SVG.
 * Output is deterministic for a given graph.
 *
 * @example
 * const dot = machineToDot(machineGraph(machine));
 */
export function machineToDot(graph: MachineGraph): string {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const children = new Map<string, MachineGraphNode[]>();
  for (const node of graph.nodes) {
    if (node.parent !== undefined) children.set(node.parent, [...(children.get(node.parent) ?? []), node]);
  }
  const isCluster = (id: string): boolean => (children.get(id)?.length ?? 0) > 0;
  const referenced = new Set(graph.edges.flatMap((edge) => [edge.from, edge.to]));
  const inside = (id: string, ancestor: string): boolean => {
    for (let at: string | undefined = id; at !== undefined; at = byId.get(at)?.parent) if (at === ancestor) return true;
    return false;
  };

  const lines = [
    `digraph ${dotString(graph.id)} {`,
    '  compound=true; rankdir=TB; newrank=true;',
    '  fontname="Helvetica"; fontsize=12;',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const emit = (node: MachineGraphNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    const name = dotString(node.id);
    if (!isCluster(node.id)) {
      const shape = node.type === 'final' ? ', peripheries=2' : '';
      lines.push(`${pad}${name} [id=${dotString(`state-${node.id}`)}, label=${dotString(node.key)}${shape}];`);
      return;
    }
    const parallel = node.type === 'parallel';
    lines.push(`${pad}subgraph ${dotString(`cluster_${node.id}`)} {`);
    lines.push(`${pad}  label=${dotString(parallel ? `${node.key} (parallel)` : node.key)}; style=${parallel ? 'dashed' : 'rounded'};`);
    if (node.initial !== undefined || referenced.has(node.id)) {
      lines.push(`${pad}  ${name} [id=${dotString(`state-${node.id}`)}, shape=point, width=0.12, label=""];`);
    }
    for (const kid of children.get(node.id) ?? []) emit(kid, depth + 1);
    if (node.initial !== undefined) lines.push(`${pad}  ${name} -> ${dotString(node.initial)};`);
    lines.push(`${pad}}`);
  };
  for (const root of graph.nodes.filter((node) => node.parent === undefined)) emit(root, 1);
  for (const edge of graph.edges) {
    const attributes = [`label=${dotString(edge.label)}`];
    if (isCluster(edge.to) && !inside(edge.from, edge.to)) attributes.push(`lhead=${dotString(`cluster_${edge.to}`)}`);
    if (isCluster(edge.from) && !inside(edge.to, edge.from)) attributes.push(`ltail=${dotString(`cluster_${edge.from}`)}`);
    if (edge.event === 'always') attributes.push('style=dashed');
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)} [${attributes.join(', ')}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

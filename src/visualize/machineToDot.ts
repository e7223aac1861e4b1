import type { MachineGraph, MachineGraphEdge, MachineGraphNode } from './machineGraph.js';
import { dotString } from './toDot.js';
import { escapeXml } from './workflowSvg.js';

/** Transitions that share source, target and style, drawn as one edge with one line per transition. */
interface EdgeGroup {
  from: string;
  to: string;
  eventless: boolean;
  labels: string[];
}

// Renderers often draw with a wider font than the one Graphviz measured (DejaVu Sans stands in
// for Helvetica on many Linux systems, about 13% wider), so each label gets a margin in
// proportion to its length that keeps neighbouring labels and lines off its text.
const margin = (label: string, space: string): string => space.repeat(1 + Math.ceil(label.length * 0.1));

/**
 * Renders a statechart as Graphviz DOT. The machine's name heads the drawing; compound and
 * parallel states below it are clusters (parallel ones dashed) holding a point that stands for
 * the state itself: it starts the initial
 * transition, and transitions to or from the state are clipped at the cluster's border
 * (`compound=true`, `lhead`/`ltail`). Atomic states carry `id="state-<state id>"` in an SVG.
 *
 * A state's transitions to itself are listed inside its box (or under its cluster's name), the
 * statechart way, instead of as stacked self-loops whose labels overlap; transitions between the
 * same two states are one edge with a line each. Output is deterministic for a given graph.
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
  // The machine itself is the whole drawing: its name and own transitions are the graph's label,
  // not a cluster whose border the layout would let edge labels cross.
  const isRoot = (id: string): boolean => byId.get(id)?.parent === undefined;
  const isCluster = (id: string): boolean => !isRoot(id) && (children.get(id)?.length ?? 0) > 0;
  const inside = (id: string, ancestor: string): boolean => {
    for (let at: string | undefined = id; at !== undefined; at = byId.get(at)?.parent) if (at === ancestor) return true;
    return false;
  };
  const groups = groupEdges(graph.edges);
  const selfLabels = new Map<string, string[]>();
  for (const group of groups) if (group.from === group.to) selfLabels.set(group.from, [...(selfLabels.get(group.from) ?? []), ...group.labels]);
  const between = groups.filter((group) => group.from !== group.to);
  const referenced = new Set(between.flatMap((group) => [group.from, group.to]));
  // An edge is written in the innermost cluster holding both ends, so its label is laid out
  // inside that cluster instead of over its border.
  const edgesIn = new Map<string | undefined, string[]>();
  for (const group of between) {
    let home: string | undefined = group.from;
    while (home !== undefined && !(isCluster(home) && inside(group.to, home))) home = byId.get(home)?.parent;
    const attributes = [`label=${edgeLabel(group.labels)}`];
    if (isCluster(group.to) && !inside(group.from, group.to)) attributes.push(`lhead=${dotString(`cluster_${group.to}`)}`);
    if (isCluster(group.from) && !inside(group.to, group.from)) attributes.push(`ltail=${dotString(`cluster_${group.from}`)}`);
    if (group.eventless) attributes.push('style=dashed');
    edgesIn.set(home, [...(edgesIn.get(home) ?? []), `${dotString(group.from)} -> ${dotString(group.to)} [${attributes.join(', ')}];`]);
  }

  const lines = [
    `digraph ${dotString(graph.id)} {`,
    '  compound=true; rankdir=TB; newrank=true; nodesep=0.6; ranksep=0.7;',
    '  fontname="Helvetica"; fontsize=12;',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11, margin="0.15,0.08"];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const emit = (node: MachineGraphNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    const name = dotString(node.id);
    const internal = selfLabels.get(node.id) ?? [];
    if (isRoot(node.id) && (children.get(node.id)?.length ?? 0) > 0) {
      lines.push(`${pad}label=${stateLabel(node.key, internal)}; labelloc=t;`);
      if (node.initial !== undefined || referenced.has(node.id)) lines.push(`${pad}${name} [id=${dotString(`state-${node.id}`)}, shape=point, width=0.12, label=""];`);
      for (const kid of children.get(node.id) ?? []) emit(kid, depth);
      if (node.initial !== undefined) lines.push(`${pad}${name} -> ${dotString(node.initial)};`);
      return;
    }
    if (!isCluster(node.id)) {
      const shape = node.type === 'final' ? ', peripheries=2' : '';
      lines.push(`${pad}${name} [id=${dotString(`state-${node.id}`)}, label=${stateLabel(node.key, internal)}${shape}];`);
      return;
    }
    const parallel = node.type === 'parallel';
    lines.push(`${pad}subgraph ${dotString(`cluster_${node.id}`)} {`);
    lines.push(`${pad}  label=${stateLabel(parallel ? `${node.key} (parallel)` : node.key, internal)}; style=${parallel ? 'dashed' : 'rounded'};`);
    if (node.initial !== undefined || referenced.has(node.id)) {
      lines.push(`${pad}  ${name} [id=${dotString(`state-${node.id}`)}, shape=point, width=0.12, label=""];`);
    }
    for (const kid of children.get(node.id) ?? []) emit(kid, depth + 1);
    if (node.initial !== undefined) lines.push(`${pad}  ${name} -> ${dotString(node.initial)};`);
    for (const edge of edgesIn.get(node.id) ?? []) lines.push(`${pad}  ${edge}`);
    lines.push(`${pad}}`);
  };
  for (const root of graph.nodes.filter((node) => node.parent === undefined)) emit(root, 1);
  for (const edge of edgesIn.get(undefined) ?? []) lines.push(`  ${edge}`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function groupEdges(edges: readonly MachineGraphEdge[]): EdgeGroup[] {
  const groups = new Map<string, EdgeGroup>();
  for (const edge of edges) {
    const eventless = edge.event === 'always';
    const key = JSON.stringify([edge.from, edge.to, eventless]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { from: edge.from, to: edge.to, eventless, labels: [edge.label] });
    else if (!group.labels.includes(edge.label)) group.labels.push(edge.label);
  }
  return [...groups.values()];
}

/** A state's name, and under a rule the transitions it takes to itself, one per line. */
function stateLabel(name: string, internal: readonly string[]): string {
  if (internal.length === 0) return dotString(name);
  const rows = internal.map((label) => `${escapeXml(label)}${margin(label, '&#160;')}<BR ALIGN="LEFT"/>`).join('');
  return (
    '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">' +
    `<TR><TD>${escapeXml(name)}</TD></TR><HR/>` +
    `<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="9">${rows}</FONT></TD></TR></TABLE>>`
  );
}

/** One line per transition (left-aligned when there are several), each with its margin. */
function edgeLabel(labels: readonly string[]): string {
  const lines = labels.map((label) => dotString(`${margin(label, ' ')}${label}${margin(label, ' ')}`).slice(1, -1));
  return lines.length === 1 ? `"${lines[0] ?? ''}"` : `"${lines.join('\\l')}\\l"`;
}

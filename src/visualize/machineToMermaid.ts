import type { MachineGraph, MachineGraphEdge, MachineGraphNode } from './machineGraph.js';
import { mermaidIds, mermaidText } from './toMermaid.js';

/**
 * Renders a statechart as a Mermaid `stateDiagram-v2`: compound states are composite states,
 * parallel regions are separated by `--`, `[*]` marks initial and final states, and each
 * transition is labelled with its event, `after` delay or `always`, and guard. Transitions are
 * written in the innermost block holding both ends. Output is deterministic for a given graph.
 *
 * Mermaid fails to draw a transition that crosses the border of a parallel region
 * (mermaid-js/mermaid#5096, #4052), so such an end is drawn at the parallel state itself and
 * those transitions are merged into one per pair of states, labelled with their distinct guards
 * (or labels). `machineGraph` and `machineToDot` keep every transition as it is.
 *
 * @example
 * const text = machineToMermaid(machineGraph(machine)); // "stateDiagram-v2\n  [*] --> wf ..."
 */
export function machineToMermaid(graph: MachineGraph): string {
  const ids = mermaidIds(graph.nodes.map((node) => node.id), 's_');
  const idOf = (id: string): string => ids.get(id) ?? id;
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const children = new Map<string, MachineGraphNode[]>();
  for (const node of graph.nodes) {
    if (node.parent !== undefined) children.set(node.parent, [...(children.get(node.parent) ?? []), node]);
  }
  const edgesIn = new Map<string | undefined, MachineGraphEdge[]>();
  for (const edge of liftOutOfParallel(graph.edges, byId)) {
    const at = container(edge, byId);
    edgesIn.set(at, [...(edgesIn.get(at) ?? []), edge]);
  }
  const edgeLine = (pad: string, edge: MachineGraphEdge): string =>
    `${pad}${idOf(edge.from)} --> ${idOf(edge.to)} : ${mermaidText(edge.label)}`;

  const lines = ['stateDiagram-v2'];
  const emit = (node: MachineGraphNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    const kids = children.get(node.id) ?? [];
    const head = `${pad}state "${mermaidText(node.key)}" as ${idOf(node.id)}`;
    if (kids.length === 0) {
      lines.push(head);
      return;
    }
    lines.push(`${head} {`);
    if (node.initial !== undefined) lines.push(`${pad}  [*] --> ${idOf(node.initial)}`);
    kids.forEach((kid, index) => {
      if (node.type === 'parallel' && index > 0) lines.push(`${pad}  --`);
      emit(kid, depth + 1);
    });
    if (node.type !== 'parallel') {
      for (const kid of kids) if (kid.type === 'final') lines.push(`${pad}  ${idOf(kid.id)} --> [*]`);
    }
    for (const edge of edgesIn.get(node.id) ?? []) lines.push(edgeLine(`${pad}  `, edge));
    lines.push(`${pad}}`);
  };
  for (const root of graph.nodes.filter((node) => node.parent === undefined)) {
    lines.push(`  [*] --> ${idOf(root.id)}`);
    emit(root, 1);
  }
  for (const edge of edgesIn.get(undefined) ?? []) lines.push(edgeLine('  ', edge));
  return `${lines.join('\n')}\n`;
}

/** The innermost non-parallel state that strictly contains both ends; `undefined` is the top level. */
function container(edge: MachineGraphEdge, byId: ReadonlyMap<string, MachineGraphNode>): string | undefined {
  const ancestors = (id: string): string[] => {
    const chain: string[] = [];
    for (let at = byId.get(id)?.parent; at !== undefined; at = byId.get(at)?.parent) chain.push(at);
    return chain;
  };
  const targetAncestors = new Set(ancestors(edge.to));
  let at = ancestors(edge.from).find((id) => targetAncestors.has(id));
  while (at !== undefined && byId.get(at)?.type === 'parallel') at = byId.get(at)?.parent;
  return at;
}

/** Moves each end that sits inside a parallel state the other end is outside of up to that state. */
function liftOutOfParallel(edges: readonly MachineGraphEdge[], byId: ReadonlyMap<string, MachineGraphNode>): MachineGraphEdge[] {
  const chain = (id: string): string[] => {
    const ids: string[] = [];
    for (let at: string | undefined = id; at !== undefined; at = byId.get(at)?.parent) ids.push(at);
    return ids;
  };
  const lift = (end: string, other: string): string => {
    const around = new Set(chain(other));
    const outermost = chain(end)
      .slice(1)
      .filter((id) => byId.get(id)?.type === 'parallel' && !around.has(id))
      .at(-1);
    return outermost ?? end;
  };
  const result: MachineGraphEdge[] = [];
  const merged = new Map<string, { edge: MachineGraphEdge; labels: string[] }>();
  for (const edge of edges) {
    const from = lift(edge.from, edge.to);
    const to = lift(edge.to, edge.from);
    if (from === edge.from && to === edge.to) {
      result.push(edge);
      continue;
    }
    const key = JSON.stringify([from, to]);
    const label = edge.guard === undefined ? edge.label : `[${edge.guard}]`;
    const group = merged.get(key);
    if (group === undefined) {
      const entry = { edge: { ...edge, from, to }, labels: [label] };
      merged.set(key, entry);
      result.push(entry.edge);
    } else if (!group.labels.includes(label)) {
      group.labels.push(label);
    }
  }
  for (const { edge, labels } of merged.values()) edge.label = labels.join(' | ');
  return result;
}

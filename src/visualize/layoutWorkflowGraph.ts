import { describeStep, type WorkflowGraph, type WorkflowGraphNode } from './workflowGraph.js';

/** A step placed on the canvas: top-left corner, size, and its label lines. */
export interface PlacedStep {
  node: WorkflowGraphNode;
  layer: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Label lines as drawn (long ones cut to fit). */
  lines: string[];
  /** Label lines in full, for the tooltip. */
  label: string[];
}

/** A dependency edge and the points it runs through (bottom of `from`, lanes, top of `to`). */
export interface PlacedEdge {
  from: PlacedStep;
  to: PlacedStep;
  conditional: boolean;
  points: { x: number; y: number }[];
}

/** A layered drawing of a step DAG, top to bottom. */
export interface WorkflowLayout {
  width: number;
  height: number;
  steps: PlacedStep[];
  edges: PlacedEdge[];
}

const MARGIN = 24;
const GAP_X = 32;
const GAP_Y = 56;
const LANE_WIDTH = 16;
const LINE_HEIGHT = 16;
const CHAR_WIDTH = 6.5;
const MAX_WIDTH = 300;

/** A slot in a layer: a step, or a lane that carries an edge across the layer. */
interface Slot {
  key: string;
  width: number;
  above: string[];
  centre: number;
}

/**
 * Lays a step DAG out in layers (Sugiyama style, kept small): a step sits one layer below its
 * deepest dependency; an edge that skips layers runs through a lane in each layer it crosses,
 * so it never cuts through a step; slots of a layer are ordered by the mean position of what
 * they hang from (one downward sweep, ties keep definition order) and centred. All steps share
 * one size; long label lines are cut with an ellipsis. Deterministic for a given graph.
 *
 * @example
 * const layout = layoutWorkflowGraph(workflowGraph(definition));
 */
export function layoutWorkflowGraph(graph: WorkflowGraph): WorkflowLayout {
  const dependencies = new Map<string, string[]>(graph.nodes.map((node) => [node.id, []]));
  for (const edge of graph.edges) dependencies.get(edge.to)?.push(edge.from);
  const layerOf = new Map<string, number>();
  const depth = (id: string, seen: Set<string>): number => {
    const known = layerOf.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // a cycle cannot pass validation; guard anyway
    seen.add(id);
    const layer = Math.max(-1, ...(dependencies.get(id) ?? []).map((from) => depth(from, seen))) + 1;
    layerOf.set(id, layer);
    return layer;
  };

  const raw = graph.nodes.map((node) => [node.id, node.detail, ...describeStep(node)]);
  const width = Math.min(MAX_WIDTH, Math.max(140, ...raw.flat().map((line) => Math.ceil(line.length * CHAR_WIDTH) + 24)));
  const fits = Math.floor((width - 16) / CHAR_WIDTH);
  const height = Math.max(2, ...raw.map((lines) => lines.length)) * LINE_HEIGHT + 20;
  const slots: Slot[][] = [];
  const slotOf = (layer: number): Slot[] => (slots[layer] ??= []);
  graph.nodes.forEach((node) => slotOf(depth(node.id, new Set())).push({ key: node.id, width, above: [], centre: 0 }));
  const lanes = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const [top, bottom] = [layerOf.get(edge.from) ?? 0, layerOf.get(edge.to) ?? 0];
    const chain: string[] = [];
    for (let layer = top + 1; layer < bottom; layer++) {
      const key = `${edge.from}\u0000${edge.to}\u0000${layer}`;
      slotOf(layer).push({ key, width: LANE_WIDTH, above: [chain.at(-1) ?? edge.from], centre: 0 });
      chain.push(key);
    }
    lanes.set(`${edge.from}\u0000${edge.to}`, chain);
    slotOf(bottom)
      .find((slot) => slot.key === edge.to)
      ?.above.push(chain.at(-1) ?? edge.from);
  }

  const centreOf = new Map<string, number>();
  const widths = slots.map((layer) => layer.reduce((sum, slot) => sum + slot.width, 0) + GAP_X * Math.max(0, layer.length - 1));
  const canvas = Math.max(width, ...widths);
  slots.forEach((layer, index) => {
    const mean = (slot: Slot): number =>
      slot.above.length === 0 ? -Infinity : slot.above.reduce((sum, key) => sum + (centreOf.get(key) ?? 0), 0) / slot.above.length;
    const ordered = index === 0 ? layer : [...layer].sort((a, b) => mean(a) - mean(b));
    let x = MARGIN + (canvas - (widths[index] ?? 0)) / 2;
    for (const slot of ordered) {
      centreOf.set(slot.key, x + slot.width / 2);
      x += slot.width + GAP_X;
    }
  });

  const top = (layer: number): number => MARGIN + layer * (height + GAP_Y);
  const placed = new Map<string, PlacedStep>();
  graph.nodes.forEach((node, index) => {
    const layer = layerOf.get(node.id) ?? 0;
    const label = raw[index] ?? [];
    const lines = label.map((line) => (line.length > fits ? `${line.slice(0, fits - 1)}…` : line));
    placed.set(node.id, { node, layer, lines, label, x: (centreOf.get(node.id) ?? 0) - width / 2, y: top(layer), width, height });
  });
  const edges = graph.edges.flatMap((edge): PlacedEdge[] => {
    const from = placed.get(edge.from);
    const to = placed.get(edge.to);
    if (!from || !to) return [];
    const through = (lanes.get(`${edge.from}\u0000${edge.to}`) ?? []).flatMap((key, offset) => {
      const x = centreOf.get(key) ?? 0;
      return [{ x, y: top(from.layer + 1 + offset) }, { x, y: top(from.layer + 1 + offset) + height }];
    });
    const points = [{ x: from.x + width / 2, y: from.y + height }, ...through, { x: to.x + width / 2, y: to.y - 4 }];
    return [{ from, to, conditional: to.node.when !== undefined, points }];
  });
  return {
    width: MARGIN * 2 + canvas,
    height: MARGIN * 2 + Math.max(1, slots.length) * height + Math.max(0, slots.length - 1) * GAP_Y,
    steps: [...placed.values()],
    edges,
  };
}

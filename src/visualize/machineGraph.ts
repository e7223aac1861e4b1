import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import { formatMs } from './workflowGraph.js';

/** Kinds of state nodes, as XState names them. */
export type MachineStateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** One state of a {@link MachineGraph}. */
export interface MachineGraphNode {
  /** Full state id, e.g. `containerize.running.analyze.waiting`. */
  id: string;
  /** The state's key within its parent, e.g. `waiting`. */
  key: string;
  /** Id of the parent state; absent for the root. */
  parent?: string;
  type: MachineStateType;
  /** Id of the initial child of a compound state. */
  initial?: string;
}

/** One transition (one target of it) of a {@link MachineGraph}. */
export interface MachineGraphEdge {
  from: string;
  to: string;
  /** The event type as XState names it: `CANCEL`, `xstate.after.retry_a.wf.running.a.retrying`, `always`. */
  event: string;
  /** Readable label: `CANCEL`, `after retry_a`, `done(a)`, `always [hasSlot]`. */
  label: string;
  /** The guard, when there is one: its name and the parameters that tell its uses apart. */
  guard?: string;
}

/** The statechart of a machine: every state and every transition, in definition order. */
export interface MachineGraph {
  id: string;
  nodes: MachineGraphNode[];
  edges: MachineGraphEdge[];
}

/**
 * The statechart of a machine as plain nodes and edges, built with `toDirectedGraph` from
 * `xstate/graph` plus the eventless (`always`) transitions it leaves out. States come depth
 * first in definition order and transitions in the order XState evaluates them, so the same
 * machine always gives the same graph.
 *
 * @example
 * const graph = machineGraph(compileWorkflow(definition, standInTools(definition)));
 */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const nodes: MachineGraphNode[] = [];
  const edges: MachineGraphEdge[] = [];
  const visit = (graphNode: DirectedGraphNode, parent: string | undefined): void => {
    const state = graphNode.stateNode;
    const initial = state.type === 'compound' ? state.initial.target[0]?.id : undefined;
    nodes.push({
      id: state.id,
      key: state.key,
      ...(parent === undefined ? {} : { parent }),
      type: state.type,
      ...(initial === undefined ? {} : { initial }),
    });
    for (const edge of graphNode.edges) edges.push(toEdge(state, edge.target.id, edge.transition, String(edge.transition.eventType)));
    for (const transition of state.always ?? []) {
      for (const target of transition.target ?? [state]) edges.push(toEdge(state, target.id, transition, 'always'));
    }
    for (const child of graphNode.children) visit(child, state.id);
  };
  visit(toDirectedGraph(machine), undefined);
  return { id: machine.id, nodes, edges };
}

function toEdge(source: AnyStateNode, to: string, transition: AnyTransitionDefinition, event: string): MachineGraphEdge {
  const guard = guardName(transition.guard);
  const label = eventLabel(source, transition, event);
  return { from: source.id, to, event, label: guard === undefined ? label : `${label} [${guard}]`, ...(guard === undefined ? {} : { guard }) };
}

function eventLabel(source: AnyStateNode, transition: AnyTransitionDefinition, event: string): string {
  const after = 'xstate.after.';
  if (event.startsWith(after)) {
    const declared = (transition as { delay?: unknown }).delay;
    if (typeof declared === 'number') return `after ${formatMs(declared)}`;
    return `after ${typeof declared === 'string' ? declared : event.slice(after.length, event.length - source.id.length - 1)}`;
  }
  const invoked = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event);
  if (invoked) return `${invoked[1]}(${invoked[2]})`;
  if (event.startsWith('xstate.done.state.')) return 'onDone';
  return event;
}

function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    // Higher-order guards (`and`, `or`, `not`) keep their operands on `guards`; `stateIn` its value.
    const { guards, stateValue } = guard as { guards?: unknown; stateValue?: unknown };
    if (Array.isArray(guards)) return `${guard.name}(${guards.map((g) => guardName(g) ?? '?').join(', ')})`;
    if (stateValue !== undefined) return `stateIn(${JSON.stringify(stateValue)})`;
    return guard.name || 'inline';
  }
  if (typeof guard !== 'object' || !('type' in guard) || typeof guard.type !== 'string') return 'guard';
  const params = 'params' in guard && typeof guard.params === 'object' && guard.params !== null ? guard.params : {};
  // Compiled workflows share one guard per kind and tell uses apart by params; `stepId` only
  // repeats the region's name, so it is left out.
  const shown = Object.entries(params)
    .filter(([key, value]) => key !== 'stepId' && ['string', 'number', 'boolean'].includes(typeof value))
    .map(([key, value]) => (typeof value === 'string' ? value : `${key}=${String(value)}`));
  return shown.length === 0 ? guard.type : `${guard.type}(${shown.join(', ')})`;
}

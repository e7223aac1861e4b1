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
  /** Name of the guard, when there is one. */
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
  if (typeof guard === 'function') return guard.name || 'inline';
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string') return guard.type;
  return 'guard';
}

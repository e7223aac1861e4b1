import { createActor, type AnyMachineSnapshot, type AnyStateMachine, type EventObject, type InspectionEvent } from 'xstate';

/** Covered and total count of one kind of model element. */
export interface CoverageCount {
  covered: number;
  total: number;
}

/**
 * How much of the abstract model the replayed paths exercised. `total` counts what some complete
 * path of the model reaches (a structurally possible but unreachable element is not counted), so
 * coverage falls below 100% only when `maxPaths` left paths out.
 */
export interface Coverage {
  /** Atomic and final states of the model (per step region, and the workflow's end states). */
  states: CoverageCount;
  /** Transitions of the model, eventless ones included. */
  transitions: CoverageCount;
}

/** A model path as `xstate/graph` returns it: the state before each event, and the event. */
export type ModelPathSteps = ReadonlyArray<{ state: AnyMachineSnapshot; event: EventObject }>;

/**
 * Measures which model states and transitions paths go through, by replaying each edge in an
 * inspected actor (eventless transitions and passing states happen inside one macrostep, so the
 * stable snapshots alone would miss them). Each edge is replayed once.
 *
 * @example
 * const tracker = createCoverageTracker(model.machine, ['running.build.waiting']);
 * const all = paths.map((p) => tracker.elementsOf(p.steps));
 */
export function createCoverageTracker(machine: AnyStateMachine, initialStates: readonly string[]) {
  // `xstate/graph` shares one snapshot object per model state across paths: memoise on it.
  const memo = new WeakMap<AnyMachineSnapshot, Map<string, readonly string[]>>();
  const record = (into: Set<string>) => (event: InspectionEvent) => {
    if (event.type !== '@xstate.microstep') return;
    for (const leaf of leaves((event.snapshot as AnyMachineSnapshot).value)) into.add(`state:${leaf}`);
    for (const t of event._transitions) {
      const targets = t.target?.map((node) => node.path.join('.')).join(',') ?? '(internal)';
      into.add(`transition:${t.source.path.join('.')} --${t.eventType || 'always'}--> ${targets}`);
    }
  };
  const initial = new Set<string>(initialStates.map((s) => `state:${s}`));
  createActor(machine, { inspect: record(initial) }).start().stop();

  const edge = (state: AnyMachineSnapshot, event: EventObject): readonly string[] => {
    let byEvent = memo.get(state);
    if (!byEvent) memo.set(state, (byEvent = new Map<string, readonly string[]>()));
    let elements = byEvent.get(event.type);
    if (!elements) {
      const seen = new Set<string>();
      const actor = createActor(machine, { snapshot: state as never, inspect: record(seen) }).start();
      actor.send(event);
      actor.stop();
      byEvent.set(event.type, (elements = [...seen]));
    }
    return elements;
  };

  return {
    /** Elements a path goes through, `steps[0]` being the initial state (as `xstate/graph` gives it). */
    elementsOf(steps: ModelPathSteps): Set<string> {
      const seen = new Set(initial);
      for (let i = 0; i + 1 < steps.length; i++) {
        for (const element of edge((steps[i] as { state: AnyMachineSnapshot }).state, (steps[i + 1] as { event: EventObject }).event)) seen.add(element);
      }
      return seen;
    },
  };
}

/** Counts covered over reachable elements, states and transitions apart. */
export function countCoverage(reachable: ReadonlySet<string>, covered: ReadonlySet<string>): Coverage {
  const count = (prefix: string): CoverageCount => ({
    covered: [...covered].filter((e) => e.startsWith(prefix)).length,
    total: [...reachable].filter((e) => e.startsWith(prefix)).length,
  });
  return { states: count('state:'), transitions: count('transition:') };
}

function leaves(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, `${prefix}${key}.`));
}

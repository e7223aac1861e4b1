// Peers of the engine benchmark: the same steps as a hand-written XState machine and as async.auto.
import async from 'async';
import { assign, createActor, enqueueActions, fromPromise, setup, type AnyStateMachine } from 'xstate';

/** The unit of work every implementation runs per step. */
export const work = async (n: number): Promise<{ n: number }> => ({ n: n + 1 });

/** Hand-written machine for a chain: one state per step, each invoking a promise. */
export function handChainMachine(length: number): AnyStateMachine {
  const states: Record<string, unknown> = {};
  for (let i = 0; i < length; i++) {
    states[`s${i}`] = {
      invoke: {
        src: 'work',
        input: ({ context }: { context: { n: number } }) => context.n,
        onDone: { target: i + 1 < length ? `s${i + 1}` : 'done', actions: assign({ n: ({ event }: { event: { output: { n: number } } }) => event.output.n }) },
      },
    };
  }
  states.done = { type: 'final' };
  return setup({ actors: { work: fromPromise<{ n: number }, number>(({ input }) => work(input)) } }).createMachine({
    context: { n: 0 },
    initial: 's0',
    states: states as never,
  } as never) as unknown as AnyStateMachine;
}

/** Hand-written machine for a fan-out 1 -> width -> 1, the middle as parallel regions. */
export function handFanOutMachine(width: number): AnyStateMachine {
  const regions: Record<string, unknown> = {};
  for (let i = 0; i < width; i++) {
    regions[`m${i}`] = {
      initial: 'running',
      states: {
        running: { invoke: { src: 'work', input: ({ context }: { context: { n: number } }) => context.n, onDone: 'done' } },
        done: { type: 'final' },
      },
    };
  }
  return setup({ actors: { work: fromPromise<{ n: number }, number>(({ input }) => work(input)) } }).createMachine({
    context: { n: 0 },
    initial: 'first',
    states: {
      first: { invoke: { src: 'work', input: ({ context }: { context: { n: number } }) => context.n, onDone: 'middle' } },
      middle: { type: 'parallel', states: regions as never, onDone: 'last' },
      last: { invoke: { src: 'work', input: ({ context }: { context: { n: number } }) => context.n, onDone: 'done' } },
      done: { type: 'final' },
    },
  } as never) as unknown as AnyStateMachine;
}

/** Hand-written machine for a map over `width` items as parallel regions, one promise each. */
export function handParallelMachine(width: number): AnyStateMachine {
  const regions: Record<string, unknown> = {};
  for (let i = 0; i < width; i++) {
    regions[`i${i}`] = {
      initial: 'running',
      states: {
        running: { invoke: { src: 'work', input: () => i, onDone: 'done' } },
        done: { type: 'final' },
      },
    };
  }
  return setup({ actors: { work: fromPromise<{ n: number }, number>(({ input }) => work(input)) } }).createMachine({
    initial: 'items',
    states: { items: { type: 'parallel', states: regions as never, onDone: 'done' }, done: { type: 'final' } },
  } as never) as unknown as AnyStateMachine;
}

/** Hand-written machine for a map over `width` items: one state spawns a promise actor per item and counts completions. */
export function handSpawnMachine(width: number): AnyStateMachine {
  return setup({
    types: { context: {} as { left: number } },
    actors: { work: fromPromise<{ n: number }, number>(({ input }) => work(input)) },
  }).createMachine({
    context: { left: width },
    initial: 'items',
    states: {
      items: {
        entry: enqueueActions(({ enqueue }) => {
          for (let i = 0; i < width; i++) enqueue.spawnChild('work', { id: `i${i}`, input: i });
        }),
        always: { guard: ({ context }) => context.left === 0, target: 'done' },
        on: { 'xstate.done.actor.*': { actions: assign({ left: ({ context }) => context.left - 1 }) } },
      },
      done: { type: 'final' },
    },
  });
}

/** Runs a machine to its end. */
export function runMachine(machine: AnyStateMachine): Promise<void> {
  return new Promise((resolve, reject) => {
    const actor = createActor(machine);
    actor.subscribe({ complete: () => resolve(), error: reject });
    actor.start();
  });
}

/** The same graph through async.auto. */
export function runAsyncAuto(graph: Record<string, string[]>): Promise<unknown> {
  const tasks: Record<string, unknown> = {};
  for (const [id, deps] of Object.entries(graph)) {
    const run = async () => work(deps.length);
    tasks[id] = deps.length ? [...deps, run] : run;
  }
  return async.auto(tasks as never);
}

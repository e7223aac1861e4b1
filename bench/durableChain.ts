// orchkit end to end for the store benchmark: a runtime with a durable store executing the 10-step
// chain. A chain counts as done when its last durable write (`finishExecution`) is committed. (The
// runtime journals behind the actor, but a durable run's result settles only once that write has
// committed; the bench waits for the write itself all the same.)
import { z } from 'zod';
import { createRuntime, defineTool, type ExecutionStore, type WorkflowDefinitionInput } from '../src/index.js';
import { CHAIN_STEPS, pacedWork, type DurableContender } from './durableMeasure.js';
import { countStatements, type StatementCounts } from './durableStatements.js';
import { work } from './peers.js';

const stepTool = (paced: boolean) =>
  defineTool({
    name: 'work',
    description: 'the unit of work: n + 1',
    input: z.object({ n: z.number() }),
    output: z.object({ n: z.number() }),
    run: ({ n }) => (paced ? pacedWork(n) : work(n)),
  });

/** step_0 .. step_9, each depending on the one before and taking its output. */
export const chainDefinition: WorkflowDefinitionInput = {
  id: 'chain10',
  steps: Array.from({ length: CHAIN_STEPS }, (_, i) =>
    i === 0 ? { id: 'step_0', tool: 'work', input: { n: 0 } } : { id: `step_${i}`, tool: 'work', dependsOn: [`step_${i - 1}`], input: { n: `\${{ steps.step_${i - 1}.output.n }}` } },
  ),
  output: { n: `\${{ steps.step_${CHAIN_STEPS - 1}.output.n }}` },
};

/**
 * The store as the runtime sees it, counting calls and telling when an execution's finishing
 * write has committed.
 */
function tracked(store: ExecutionStore): { store: ExecutionStore; finished: (executionId: string) => Promise<void>; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const waiting = new Map<string, { resolve: () => void; reject: (error: unknown) => void }>();
  const finished = (executionId: string): Promise<void> => new Promise((resolve, reject) => waiting.set(executionId, { resolve, reject }));
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]): unknown => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (name !== 'finishExecution') return out;
        const waiter = waiting.get(args[0] as string);
        waiting.delete(args[0] as string);
        return (out as Promise<unknown>).then(
          (record) => {
            waiter?.resolve();
            return record;
          },
          (error: unknown) => {
            waiter?.reject(error);
            throw error;
          },
        );
      };
    },
  });
  return { store: proxy, finished, calls };
}

/**
 * Opens a runtime over `store` (created, not yet initialized) that runs the chain. Closing it
 * stops the runtime and closes the store. `countStatements` adds PostgreSQL round trips to
 * {@link DurableContender.costPerStep}; `paced` makes each step wait {@link PACED_STEP_MS}.
 */
export function openDurableChain(store: ExecutionStore, options: { countStatements?: boolean; paced?: boolean } = {}): DurableContender {
  const seen = tracked(store);
  const runtime = createRuntime({ tools: [stepTool(options.paced ?? false)], store: seen.store });
  let lastId = '';
  const runOne = async (): Promise<void> => {
    const execution = runtime.startWorkflow(chainDefinition);
    const durable = seen.finished(execution.executionId);
    const result = await execution.result;
    if (result.status !== 'completed' || (result.output as { n?: unknown } | undefined)?.n !== CHAIN_STEPS) throw new Error(`the orchkit chain ended ${result.status}`);
    await durable;
    lastId = execution.executionId;
  };
  const runFive = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await runOne();
  };
  return {
    runOne,
    async costPerStep() {
      seen.calls.clear();
      let statements: StatementCounts | undefined;
      if (options.countStatements) statements = await countStatements(runFive, 5 * CHAIN_STEPS);
      else await runFive();
      const storeCalls = Object.fromEntries([...seen.calls].map(([name, n]) => [name, +(n / (5 * CHAIN_STEPS)).toFixed(2)]));
      const snapshotBytes = JSON.stringify((await seen.store.getExecution(lastId))?.snapshot).length;
      return { storeCalls, snapshotBytes, ...(statements ? { statements } : {}) };
    },
    async close() {
      await runtime.stop();
      await store.close();
    },
  };
}

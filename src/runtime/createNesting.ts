import type { Logger } from 'pino';
import type { WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import type { Clock } from '../machines/Clock.js';
import type { ChildRunRequest } from '../machines/workflow/ChildRunRequest.js';
import { checkDepthOption } from './checkDepthOption.js';
import { createChildRuns, type ChildStart } from './createChildRuns.js';
import type { DurableRuns } from './DurableRuns.js';
import type { Durability } from './persistExecution.js';
import { runCompensations } from './runCompensations.js';
import type { ExecuteOptions } from './Runtime.js';
import type { StartOptions, WorkflowExecution } from './startExecution.js';
import type { WorkflowRegistry } from './WorkflowRegistry.js';

/** What a runtime gives its child runs and compensations. */
export interface NestingDeps {
  workflows: WorkflowRegistry;
  maxWorkflowDepth: number | undefined;
  running: ReadonlyMap<string, WorkflowExecution>;
  /** The runtime's start of a run (`startWorkflow` with a derived id, a depth and a parent). */
  start(definition: WorkflowDefinitionInput, options: ExecuteOptions, child: ChildStart): WorkflowExecution;
  clock: Clock;
  logger: Logger;
  sessionData: (sessionId: string) => Record<string, unknown>;
  /** With a store: its runs, and `resume({ executionId })`. */
  durable?: { durability: Durability; runs: DurableRuns; resume(executionId: string): Promise<unknown> } | undefined;
}

/** A runtime's `WorkflowServices.runChild` and the `finalize` that runs compensations. */
export interface Nesting {
  runChild: (request: ChildRunRequest, signal: AbortSignal) => Promise<unknown>;
  compensate: NonNullable<StartOptions['finalize']>;
}

/**
 * Wires child runs (`workflow` steps, see `createChildRuns`) and compensations (see
 * `runCompensations`) to a runtime: both start runs through the runtime's own start, so they are
 * tracked, metered and (with a store) durable like any run.
 *
 * @example
 * const nesting = createNesting({ workflows, maxWorkflowDepth, running, start, clock, logger, sessionData });
 * services.runChild = nesting.runChild;
 */
export function createNesting(deps: NestingDeps): Nesting {
  const { durable } = deps;
  const childRuns = createChildRuns({
    workflows: deps.workflows,
    maxDepth: checkDepthOption(deps.maxWorkflowDepth),
    running: deps.running,
    start: (definition, options, child) => deps.start(definition, options, child),
    clock: deps.clock,
    logger: deps.logger,
    ...(durable
      ? {
          durable: {
            store: durable.durability.store,
            resume: (executionId: string) => durable.resume(executionId),
            holds: (executionId: string) => durable.runs.has(executionId),
            suspend: (executionId: string) => durable.runs.suspend(executionId, 'stopping'),
            pollMs: Math.min(250, durable.durability.leaseMs / 3),
          },
        }
      : {}),
  });
  const noAbort = new AbortController().signal;
  return {
    runChild: (request, signal) => childRuns.run(request, signal),
    compensate: (result, context, definition, completed) =>
      runCompensations(definition, context, completed, result, {
        start: (compensation, options, child) => deps.start(compensation, options, child),
        existing: (executionId) => childRuns.existing(executionId, noAbort),
        sessionData: deps.sessionData,
        logger: deps.logger,
      }),
  };
}
